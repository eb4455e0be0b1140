"""The survival-summary table: per endpoint and group, n, events, median, landmark rates, RMST.

One section per endpoint; one row per group and one for all patients; the log-rank p on the first
group row. Medians print "NR" when not reached; landmark rates are Kaplan-Meier percentages with
the CI of the estimate's ``conf_type``; follow-up is the reverse Kaplan-Meier median.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from hccsurv.analysis.survival import CurveSummary, EndpointSummary
from hccsurv.present.format import (
    DEFAULT_OPTIONS,
    NOT_ESTIMABLE,
    FormatOptions,
    format_ci,
    format_median_ci,
    format_p,
    format_percent_ci,
)
from hccsurv.present.table import Column, Row, Table

_CONF_TYPE_TEXT = {
    "log": "log transform (R survival's default)",
    "log-log": "log-log transform",
    "plain": "plain (linear) scale",
    "logit": "logit transform",
    "arcsin": "arcsine-square-root transform",
}


def _fmt_time(t: float) -> str:
    return f"{t:g}"


def survival_summary_table(
    endpoints: Sequence[EndpointSummary],
    *,
    display_names: Mapping[str, str] | None = None,
    options: FormatOptions = DEFAULT_OPTIONS,
    table_id: str = "survival",
    title: str = "Survival outcomes",
) -> Table:
    """Build the survival summary over ``endpoints`` (same landmarks and horizon in each)."""
    if not endpoints:
        raise ValueError("survival_summary_table needs at least one endpoint")
    names = dict(display_names or {})
    first = endpoints[0]
    unit = first.time_unit
    landmarks = [lm.time for lm in first.overall.landmarks]
    tau = first.overall.rmst.tau if first.overall.rmst is not None else None
    level = f"{round(first.conf_level * 100):d}%"
    columns = [
        Column("curve", "Group", "left"),
        Column("n", "n"),
        Column("events", "Events"),
        Column("median", f"Median, {unit} ({level} CI)"),
    ]
    columns += [
        Column(f"surv_{_fmt_time(t)}", f"{_fmt_time(t)}-{unit[:-1]} rate, % ({level} CI)")
        for t in landmarks
    ]
    if tau is not None:
        columns.append(Column("rmst", f"RMST to {_fmt_time(tau)} {unit} ({level} CI)"))
    columns += [
        Column("followup", f"Median follow-up, {unit} ({level} CI)"),
        Column("p", "Log-rank p"),
    ]

    def cells(curve: CurveSummary, p: str) -> tuple[str, ...]:
        row = [
            names.get(curve.label, curve.label),
            str(curve.n),
            str(curve.events),
            format_median_ci(
                curve.median, curve.median_lower, curve.median_upper, 1, options=options
            ),
        ]
        row += [
            format_percent_ci(lm.estimate, lm.lower, lm.upper, options=options)
            for lm in curve.landmarks
        ]
        if tau is not None:
            rm = curve.rmst
            row.append(
                options.not_applicable
                if rm is None
                else format_ci(rm.estimate, rm.lower, rm.upper, 1, options=options)
            )
        fu = curve.followup
        row += [format_median_ci(fu.median, fu.lower, fu.upper, 1, options=options), p]
        return tuple(row)

    rows: list[Row] = []
    frames = []
    for ep in endpoints:
        rows.append(Row.section(ep.label))
        for i, curve in enumerate(ep.groups):
            rows.append(
                Row(
                    cells(curve, _logrank_p(ep, options) if i == 0 else ""),
                    indent=1,
                )
            )
        rows.append(Row(cells(ep.overall, ""), indent=1))
        lr = ep.logrank
        frames.append(
            ep.to_frame().assign(
                logrank_chisq=None if lr is None else lr.chisq,
                logrank_p=None if lr is None else lr.p,
            )
        )
    conf = _CONF_TYPE_TEXT.get(first.conf_type, first.conf_type)
    footnotes = [
        f"Kaplan-Meier estimates; {level} confidence intervals on the {conf}. "
        "Medians and their limits from where the estimate and its confidence band cross 0.5 "
        "(R quantile.survfit); NR, not reached.",
        "P from the stratified log-rank test (R survdiff with strata(), rho = 0)."
        if any(ep.logrank is not None and len(ep.logrank.strata) > 1 for ep in endpoints)
        else "P from the log-rank test (R survdiff, rho = 0).",
        "Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996).",
    ]
    if tau is not None:
        footnotes.append(
            f"RMST, restricted mean survival time up to {_fmt_time(tau)} {unit} (area under the "
            "Kaplan-Meier curve; survRM2 variance)."
        )
    data = pd.DataFrame([rec for f in frames for rec in f.to_dict(orient="records")])
    return Table(
        id=table_id,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        footnotes=tuple(footnotes),
        data=data,
    )


def _logrank_p(ep: EndpointSummary, options: FormatOptions) -> str:
    return NOT_ESTIMABLE if ep.logrank is None else format_p(ep.logrank.p, options=options)
