"""The tumour-response table: best overall response by group, ORR and DCR with exact CIs, p.

Rows: one per response category (n (%) of the denominator), then ORR and DCR as
``x/N, % (95% CI)``; each p-value carries a footnote letter naming its test.
"""

from __future__ import annotations

from collections.abc import Mapping

from hccsurv.analysis.response import ResponseRate, ResponseSummary
from hccsurv.core.proportion import Proportion
from hccsurv.present.format import (
    DEFAULT_OPTIONS,
    FormatOptions,
    format_n_pct,
    format_p,
    format_percent_ci,
)
from hccsurv.present.table import Column, Row, Table
from hccsurv.present.tables.baseline import TestLetters

_CATEGORY_NAMES = {
    "CR": "Complete response",
    "PR": "Partial response",
    "SD": "Stable disease",
    "PD": "Progressive disease",
    "NE": "Not evaluable",
}
_RATE_NAMES = {
    "ORR": "Objective response rate (CR + PR)",
    "DCR": "Disease control rate (CR + PR + SD)",
}


def _rate_cell(prop: Proportion, options: FormatOptions) -> str:
    return (
        f"{prop.x}/{prop.n}, "
        f"{format_percent_ci(prop.estimate, prop.conf_low, prop.conf_high, options=options)}"
    )


def _rate_row(rate: ResponseRate, letters: TestLetters, options: FormatOptions) -> Row:
    cells = [_rate_cell(p, options) for p in (*rate.by_group, rate.overall)]
    if rate.test is None:
        p = options.not_applicable
    else:
        p = format_p(rate.test.p_value, options=options) + letters.mark(rate.test)
    return Row((_RATE_NAMES[rate.name], *cells, p))


def response_table_to_table(
    result: ResponseSummary,
    options: FormatOptions = DEFAULT_OPTIONS,
    *,
    overall_label: str = "All patients",
    display_names: Mapping[str, str] | None = None,
    table_id: str = "response",
    title: str = "Best overall response (mRECIST)",
) -> Table:
    """Build the response table from :func:`hccsurv.analysis.response.response_summary`."""
    totals = (*result.denominators, sum(result.denominators))
    columns = [Column("measure", "Response", "left")]
    columns += [
        Column(f"group_{i}", f"{(display_names or {}).get(g, g)}\n(n = {n})")
        for i, (g, n) in enumerate(zip(result.groups, result.denominators, strict=True))
    ]
    columns += [Column("overall", f"{overall_label}\n(n = {totals[-1]})"), Column("p", "p")]
    letters = TestLetters()
    dist = result.distribution_test
    head_p = ""
    if dist is not None:
        head_p = format_p(dist.p_value, options=options) + letters.mark(dist)
    rows = [Row(("Best overall response, n (%)", *[""] * len(totals), head_p), bold=True)]
    n_groups = len(result.groups)
    for c, cat in enumerate(result.categories):
        per = [result.counts[g][c] for g in range(n_groups)]
        counts = [*per, sum(per)]
        if cat == "NE" and result.denominator == "evaluable_only":
            cells = [str(k) for k in counts]
            label = f"{_CATEGORY_NAMES[cat]} (excluded)"
        else:
            cells = [
                format_n_pct(k, n, options=options) for k, n in zip(counts, totals, strict=True)
            ]
            label = f"{_CATEGORY_NAMES[cat]} ({cat})"
        rows.append(Row((label, *cells, ""), indent=1))
    rows.append(_rate_row(result.orr, letters, options))
    rows.append(_rate_row(result.dcr, letters, options))
    level = f"{round(result.conf_level * 100):d}%"
    notes = list(letters.footnotes())
    notes.append(f"Rates are x/N, % ({level} CI, exact Clopper-Pearson).")
    if result.denominator == "all_treated":
        notes.append("Denominator: all treated patients; not evaluable counts as non-response.")
    else:
        notes.append("Denominator: evaluable patients only; not evaluable patients excluded.")
    notes += [f"{note}." for note in result.notes]
    notes += [f"{r.name}: {r.note}." for r in (result.orr, result.dcr) if r.note]
    return Table(
        id=table_id,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        footnotes=tuple(notes),
        data=result.to_frame(),
    )
