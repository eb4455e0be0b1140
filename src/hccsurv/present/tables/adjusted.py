"""The adjusted-comparison table: per endpoint, the propensity-score adjusted hazard ratio with
its robust CI, the weighted medians, the RMST difference and the E-value."""

from __future__ import annotations

from hccsurv.analysis.adjust import AdjustedAnalysis
from hccsurv.present.format import (
    DEFAULT_OPTIONS,
    NOT_ESTIMABLE,
    FormatOptions,
    format_ci,
    format_hr_ci,
    format_median_ci,
    format_number,
    format_p,
)
from hccsurv.present.table import Column, Row, Table


def adjusted_outcomes_table(
    adjusted: AdjustedAnalysis,
    *,
    endpoint_labels: dict[str, str],
    options: FormatOptions = DEFAULT_OPTIONS,
    table_id: str = "adjusted",
) -> Table:
    """One row per endpoint: adjusted HR (robust 95% CI), p, medians, RMST difference, E-value."""
    ref, trt = adjusted.labels
    method = "matched" if adjusted.method == "matching" else "weighted"
    rows = []
    footnotes: list[str] = []
    for name, o in adjusted.outcomes.items():
        med = {label: o.medians[label] for label in (ref, trt)}
        rows.append(
            Row(
                (
                    endpoint_labels.get(name, name),
                    str(o.n),
                    str(o.n_events),
                    format_hr_ci(o.hr, o.hr_lower, o.hr_upper, options=options),
                    format_p(o.p, options=options),
                    format_median_ci(*med[ref], 1, options=options),
                    format_median_ci(*med[trt], 1, options=options),
                    NOT_ESTIMABLE
                    if o.rmst is None
                    else format_ci(
                        o.rmst.difference,
                        o.rmst.difference_lower,
                        o.rmst.difference_upper,
                        1,
                        options=options,
                    ),
                    f"{format_number(o.evalue.evalue, 2, options=options)} "
                    f"({format_number(o.evalue.evalue_ci, 2, options=options)})",
                )
            )
        )
    for name, reason in adjusted.not_estimable.items():
        label = endpoint_labels.get(name, name)
        rows.append(Row((label, *[NOT_ESTIMABLE] * 8)))
        footnotes.append(f"{label}: not estimable ({reason}).")
    first = next(iter(adjusted.outcomes.values()), None)
    tau = "" if first is None or first.rmst is None else f" to {first.rmst.tau:g}"
    cluster = "" if first is None else f", clustered on {first.cluster}"
    return Table(
        id=table_id,
        title=f"Propensity-score {method} comparison ({adjusted.estimand}): {trt} vs {ref}",
        columns=(
            Column("endpoint", "Endpoint", "left"),
            Column("n", "n"),
            Column("events", "Events"),
            Column("hr", "HR (robust 95% CI)"),
            Column("p", "p"),
            Column("median_ref", f"Median, {ref} (95% CI)"),
            Column("median_trt", f"Median, {trt} (95% CI)"),
            Column("rmst", f"RMST difference{tau} (95% CI)"),
            Column("evalue", "E-value (CI limit)"),
        ),
        rows=tuple(rows),
        footnotes=(
            f"Cox model on the {method} sample with robust (sandwich) variance{cluster}; "
            "medians from the weighted Kaplan-Meier estimate.",
            "E-value: the minimum strength of association (risk-ratio scale) an unmeasured "
            "confounder would need with both group and outcome to explain the hazard ratio away "
            "(VanderWeele & Ding 2017); in brackets, for the confidence limit closest to 1.",
            *footnotes,
        ),
        data=adjusted.to_frame(),
    )
