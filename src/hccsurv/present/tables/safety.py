"""The safety tables: adverse events by CTCAE term and arm, and treatment exposure by arm.

Adverse events: one row per term with, per arm, the patients with any grade and with grade >= 3
as n (%) of the arm's safety population, Fisher's p for each, and the patients whose grade >= 3
value was followed by a paused or stopped cycle. Exposure: median [IQR] (range) per arm with the
rank test's p, then patients n (%) with a reduction, a delay or a paused/stopped cycle with
Fisher's p, then the median time on treatment (Kaplan-Meier).
"""

from __future__ import annotations

from hccsurv.analysis.safety import AdverseEventTable, Distribution, Exposure
from hccsurv.present.format import FormatOptions, format_n_pct, format_number, format_p
from hccsurv.present.table import Column, HeaderGroup, Row, Table

__all__ = ["adverse_event_tables", "exposure_tables"]


def adverse_event_tables(result: AdverseEventTable, options: FormatOptions) -> tuple[Table, ...]:
    """The adverse-event table (see the module docstring)."""
    groups = result.groups
    columns = (
        Column("term", f"CTCAE v{result.version} term", "left"),
        *(Column(f"any_{g}", f"{g} (n = {result.n[g]})") for g in groups),
        Column("p_any", "p"),
        *(Column(f"g3_{g}", f"{g} (n = {result.n[g]})") for g in groups),
        Column("p_g3", "p"),
        *(Column(f"held_{g}", g) for g in groups),
    )
    rows = tuple(
        Row(
            (
                r.term,
                *(format_n_pct(r.any_grade[g], result.n[g], options=options) for g in groups),
                format_p(r.p_any, options=options),
                *(format_n_pct(r.grade3[g], result.n[g], options=options) for g in groups),
                format_p(r.p_grade3, options=options),
                *(str(r.grade3_then_paused[g]) for g in groups),
            )
        )
        for r in result.rows
    )
    k = len(groups)
    table = Table(
        id="adverse_events",
        title="Adverse events graded from laboratory values, patients n (%)",
        columns=columns,
        rows=rows,
        header_groups=(
            HeaderGroup(""),
            HeaderGroup("Any grade", k + 1),
            HeaderGroup("Grade ≥3", k + 1),
            HeaderGroup("Grade ≥3, then cycle paused or stopped", k),
        ),
        footnotes=(
            f"Grades by CTCAE v{result.version} from on-treatment laboratory values; worst grade "
            "per patient. Anaemia grade 3 is graded from haemoglobin alone (CTCAE also names "
            "transfusion). Denominator: patients with at least one cycle.",
            "p: Fisher's exact test between arms.",
        ),
        data=result.to_frame(),
    )
    return (table,)


def _distribution(d: Distribution, options: FormatOptions, decimals: int | None) -> str:
    if d.median is None:
        return options.not_applicable
    values = (d.median, d.q1, d.q3, d.min, d.max)
    num = [format_number(v, decimals, options=options) for v in values]
    return f"{num[0]} [{num[1]}–{num[2]}] ({num[3]}–{num[4]})"


def exposure_tables(result: Exposure, options: FormatOptions) -> tuple[Table, ...]:
    """The exposure table (see the module docstring)."""
    groups = result.groups
    n = result.counts[0].n
    columns = (
        Column("variable", "Variable", "left"),
        *(Column(g, f"{g} (n = {n[g]})") for g in groups),
        Column("p", "p"),
    )
    rows: list[Row] = [
        Row(
            (
                r.name,
                *(_distribution(r.by_arm[g], options, 2 if r.ratio else None) for g in groups),
                options.not_applicable
                if r.test is None
                else format_p(r.test.p_value, options=options),
            )
        )
        for r in result.distributions
    ]
    rows += [
        Row(
            (
                c.name,
                *(format_n_pct(c.count[g], c.n[g], options=options) for g in groups),
                format_p(c.p, options=options),
            )
        )
        for c in result.counts
    ]
    medians = [result.time_on_treatment.curves[g].median for g in groups]
    rows.append(
        Row(
            (
                f"Median time on treatment, {result.time_unit}",
                *(
                    options.not_reached if m is None else format_number(m, options=options)
                    for m in medians
                ),
                options.not_applicable,
            )
        )
    )
    lacking = max(
        (
            sum(n[g] - r.by_arm[g].n for g in groups)
            for r in result.distributions
            if not r.per_cycle
        ),
        default=0,
    )
    missing_bsa = (
        (f"Relative dose intensity not computed for {lacking} patient(s) without a BSA.",)
        if lacking
        else ()
    )
    table = Table(
        id="exposure",
        title="Treatment exposure",
        columns=columns,
        rows=tuple(rows),
        footnotes=(
            "Median [IQR] (range). Relative dose intensity: dose given / (planned mg/m² × BSA), "
            "overall (sum over the patient's cycles) and per cycle. Time on treatment: "
            "Kaplan-Meier, from the first to the last cycle.",
            "p: Wilcoxon rank-sum (Kruskal-Wallis for > 2 arms) for distributions, Fisher's exact "
            "test for counts.",
            *missing_bsa,
        ),
        data=result.to_frame(),
    )
    return (table,)
