"""The Cox table of one endpoint, as the paper's Tables 3 and 4: univariate and multivariable side
by side, one row per variable level, the reference level shown as "Ref.".

Factors get a label row (with the term's Wald p when the factor has more than one contrast) and
one indented row per level; numeric variables get one row. Candidates that did not enter the
multivariable model show a dash there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hccsurv.analysis.models import ModelBuilding
from hccsurv.present.format import (
    DEFAULT_OPTIONS,
    NOT_ESTIMABLE,
    FormatOptions,
    format_hr_ci,
    format_p,
)
from hccsurv.present.table import Column, HeaderGroup, Row, Table


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def cox_table(
    models: ModelBuilding,
    *,
    endpoint_label: str,
    variable_labels: Mapping[str, str] | None = None,
    options: FormatOptions = DEFAULT_OPTIONS,
    table_id: str = "cox",
    title: str | None = None,
) -> Table:
    """Build the univariate + multivariable Cox table of one endpoint."""
    labels = dict(variable_labels or {})
    frame = models.to_frame()
    na = options.not_applicable
    ref = options.reference_text
    columns = (
        Column("variable", "Variable", "left"),
        Column("uni_hr", "HR (95% CI)"),
        Column("uni_p", "p"),
        Column("multi_hr", "HR (95% CI)"),
        Column("multi_p", "p"),
    )
    by_variable: dict[str, list[Row]] = {}
    for variable, part in frame.groupby("variable", sort=False):
        rows = by_variable.setdefault(str(variable), [])
        name = labels.get(str(variable), str(variable))
        first = part.iloc[0]
        selected = bool(first["selected"])
        if _is_missing(first["level"]):
            rows.append(
                Row(
                    (
                        name,
                        format_hr_ci(
                            first["uni_hr"], first["uni_lower"], first["uni_upper"], options=options
                        ),
                        format_p(first["uni_p"], options=options),
                        format_hr_ci(
                            first["multi_hr"],
                            first["multi_lower"],
                            first["multi_upper"],
                            options=options,
                        )
                        if selected
                        else na,
                        format_p(first["multi_p"], options=options) if selected else na,
                    )
                )
            )
            continue
        multi_df = len(part) > 1
        rows.append(
            Row(
                (
                    name,
                    "",
                    format_p(first["uni_term_p"], options=options) if multi_df else "",
                    "",
                    format_p(first["multi_term_p"], options=options)
                    if multi_df and selected
                    else "",
                ),
                bold=True,
            )
        )
        rows.append(Row((str(first["reference"]), ref, "", ref if selected else na, ""), indent=1))
        for _, rec in part.iterrows():
            rows.append(
                Row(
                    (
                        str(rec["level"]),
                        format_hr_ci(
                            rec["uni_hr"], rec["uni_lower"], rec["uni_upper"], options=options
                        ),
                        format_p(rec["uni_p"], options=options),
                        format_hr_ci(
                            rec["multi_hr"], rec["multi_lower"], rec["multi_upper"], options=options
                        )
                        if selected
                        else na,
                        format_p(rec["multi_p"], options=options) if selected else na,
                    ),
                    indent=1,
                )
            )
    for variable in models.not_estimable:
        if variable != "multivariable":
            name = labels.get(variable, variable)
            by_variable[variable] = [Row((name, NOT_ESTIMABLE, "", na, na))]
    order = models.candidates or tuple(by_variable)  # candidate order, estimable or not
    rows = [row for v in order for row in by_variable.get(v, [])]
    uni_n = sorted({(int(m.n), int(m.n_events)) for m in models.univariate})
    uni_text = "; ".join(f"n = {n} ({e} events)" for n, e in uni_n) or "none could be estimated"
    footnotes = [
        "HR, hazard ratio; CI, confidence interval; Ref., reference level. Cox proportional "
        f"hazards regression, {models.ties.capitalize()} method for tied times; "
        "p from the Wald test; CI = exp(coef ± z·se).",
        f"Univariate models: {uni_text}. Variables with a univariate p < {models.threshold:g} "
        f"({models.selection_p}) entered the multivariable model.",
    ]
    if models.multivariable is not None:
        m = models.multivariable
        footnotes.append(
            f"Multivariable model: n = {m.n} ({m.n_events} events), complete cases"
            + (f"; {m.n_dropped} patient(s) with missing values excluded." if m.n_dropped else ".")
        )
        footnotes.append(
            "For factors with more than one contrast, the p on the label row is the term's "
            "Wald test."
        )
    elif "multivariable" in models.not_estimable:
        footnotes.append(
            f"Multivariable model not estimable: {models.not_estimable['multivariable']}."
        )
    else:
        footnotes.append("No variable met the selection threshold; no multivariable model.")
    by_reason: dict[str, list[str]] = {}
    for v, reason in models.not_estimable.items():
        if v != "multivariable":
            by_reason.setdefault(reason, []).append(labels.get(v, v))
    footnotes += [f"Not estimable: {', '.join(v)} ({r})." for r, v in by_reason.items()]
    return Table(
        id=table_id,
        title=title or f"Factors associated with {endpoint_label.lower()}",
        columns=columns,
        rows=tuple(rows),
        header_groups=(
            HeaderGroup("", 1),
            HeaderGroup("Univariate", 2),
            HeaderGroup("Multivariable", 2),
        ),
        footnotes=tuple(footnotes),
        data=pd.DataFrame(frame),
    )
