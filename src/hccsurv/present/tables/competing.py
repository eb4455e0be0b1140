"""The competing-risks tables of one endpoint (registered as ``MORE_TABLES["competing"]``).

- ``cif_<name>``: per cause and group, the events, the cumulative incidence at each landmark with
  its 95% CI (log limits, R ``survfit``), the median time to the event (NR when the CIF stays
  below 50 %) and Gray's test p per cause;
- ``finegray_<name>``: the Fine-Gray screening of cause 1, univariate and multivariable
  subdistribution HR side by side (candidates not selected show a dash);
- ``cshr_<name>``: the final model's subdistribution HR beside the cause-specific HR of each
  cause.

One row per coefficient: a two-level factor by its label ("Post-ate-beva vs first-line"), a
factor with more levels as "label: level" against its reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from hccsurv.analysis.competing import CauseSpecificCox, FineGrayModel
from hccsurv.analysis.competing_study import CompetingAnalysis, CompetingEndpoint
from hccsurv.present.format import (
    FormatOptions,
    format_hr_ci,
    format_number,
    format_p,
    format_percent_ci,
)
from hccsurv.present.table import Column, HeaderGroup, Row, Table

__all__ = ["competing_tables"]

GRAY_NOTE = "Gray's test compares the cumulative incidence of each cause between the groups."
CIF_NOTE = (
    "Cumulative incidence by the Aalen-Johansen estimator (95% CI with log limits); a competing "
    "event is not censoring. NR: not reached."
)


def _time(t: float, unit: str) -> str:
    return f"{t:g} {unit}"


def cif_table(ep: CompetingEndpoint, unit: str, options: FormatOptions) -> Table:
    """Events, CIF at the landmarks, median and Gray's p per cause and group."""
    assert ep.cif is not None
    columns = [Column("cause", "Cause / group", "left"), Column("events", "Events, n")]
    columns += [
        Column(f"cif_{i}", f"At {_time(t, unit)}, % (95% CI)") for i, t in enumerate(ep.landmarks)
    ]
    columns += [Column("median", f"Median, {unit}"), Column("gray_p", "Gray's p")]
    at = ep.at_landmarks()
    rows: list[Row] = []
    for code, cause in enumerate(ep.causes, start=1):
        head = [cause, str(ep.events[code - 1]), *([""] * len(ep.landmarks)), ""]
        rows.append(Row((*head, format_p(ep.gray_p(code), options=options)), bold=True))
        for group in ep.groups:
            curve = ep.cif.curve(code, group)
            cells = [group, str(int(curve.n_event.sum()))]
            for t in ep.landmarks:
                row = at[(at["group"] == group) & (at["cause"] == code) & (at["time"] == t)]
                est, lo, up = (float(row[c].iloc[0]) for c in ("estimate", "lower", "upper"))
                cells.append(format_percent_ci(est, lo, up, options=options))
            median = options.not_reached if curve.median is None else None
            cells.append(median or format_number(curve.median, options=options))
            rows.append(Row((*cells, ""), indent=1))
    medians = ep.cif.medians()
    data = at.merge(medians, on=["group", "cause"], how="outer") if len(at) else medians
    return Table(
        id=f"cif_{ep.name.lower()}",
        title=f"Cumulative incidence with competing risks: {ep.label.lower()}",
        columns=tuple(columns),
        rows=tuple(rows),
        footnotes=(CIF_NOTE, GRAY_NOTE),
        data=data,
    )


def _coefficients(frame: pd.DataFrame, labels: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """``{(variable, level): row label}`` in model order."""
    out: dict[tuple[str, str], str] = {}
    for variable, part in frame.groupby("variable", sort=False):
        name = labels.get(str(variable), str(variable))
        for level in part["level"]:
            numeric = level is None or (isinstance(level, float) and math.isnan(level))
            key = (str(variable), "" if numeric else str(level))
            out[key] = name if numeric or len(part) == 1 else f"{name}: {level}"
    return out


def _hr_p(frame: pd.DataFrame | None, options: FormatOptions) -> dict[tuple[str, str], list[str]]:
    if frame is None:
        return {}
    out = {}
    for r in frame.to_dict(orient="records"):
        level = r["level"]
        key = (str(r["variable"]), "" if level is None or pd.isna(level) else str(level))
        hr = format_hr_ci(
            float(r["hr"]), float(r["hr_lower"]), float(r["hr_upper"]), options=options
        )
        out[key] = [hr, format_p(float(r["p"]), options=options)]
    return out


def finegray_table(
    ep: CompetingEndpoint, labels: Mapping[str, str], options: FormatOptions
) -> Table | None:
    """Univariate and multivariable Fine-Gray models of cause 1 (``None`` without a model)."""
    s = ep.finegray
    if s is None or not s.univariate:
        return None
    uni = pd.concat([m.to_frame() for m in s.univariate], ignore_index=True)
    multi = None if s.multivariable is None else s.multivariable.to_frame()
    uni_cells, multi_cells = _hr_p(uni, options), _hr_p(multi, options)
    dash = [options.not_applicable] * 2
    rows = tuple(
        Row((label, *uni_cells[key], *multi_cells.get(key, dash)))
        for key, label in _coefficients(uni, labels).items()
    )
    models = [*s.univariate, *([] if s.multivariable is None else [s.multivariable])]
    warned = sorted({w for m in models for w in m.fit.warnings})
    data = uni.assign(model="univariate")
    if multi is not None:
        data = pd.concat([data, multi.assign(model="multivariable")], ignore_index=True)
    return Table(
        id=f"finegray_{ep.name.lower()}",
        title=f"Fine-Gray regression of {ep.causes[0].lower()}: {ep.label.lower()}",
        columns=(
            Column("variable", "Variable", "left"),
            Column("uni_hr", "SHR (95% CI)"),
            Column("uni_p", "p"),
            Column("multi_hr", "SHR (95% CI)"),
            Column("multi_p", "p"),
        ),
        header_groups=(
            HeaderGroup("", 1),
            HeaderGroup("Univariate", 2),
            HeaderGroup("Multivariable", 2),
        ),
        rows=rows,
        footnotes=(
            "SHR: subdistribution hazard ratio (Fine-Gray, as cmprsk::crr; robust SE). "
            f"Candidates with p < {s.threshold:g} in the univariate models enter the "
            "multivariable model; – not selected.",
            *warned,
        ),
        data=data,
    )


def hazard_ratio_table(
    ep: CompetingEndpoint, labels: Mapping[str, str], options: FormatOptions
) -> Table | None:
    """The final model's SHR of cause 1 beside the cause-specific HR of every cause."""
    fitted = [m for m in ep.cause_specific if m is not None]
    if not fitted:
        return None
    s = ep.finegray
    shr: FineGrayModel | None = None
    if s is not None:
        shr = s.multivariable
        if shr is None and ep.model_covariates and len(ep.model_covariates) == 1:
            shr = next((m for m in s.univariate if m.covariates == ep.model_covariates), None)
    frames: list[tuple[str, pd.DataFrame | None]] = [
        (f"SHR, {ep.causes[0].lower()}", None if shr is None else shr.to_frame())
    ]
    models: list[CauseSpecificCox | None] = list(ep.cause_specific)
    frames += [
        (f"HR, {cause.lower()}", None if m is None else m.model.to_frame())
        for cause, m in zip(ep.causes, models, strict=True)
    ]
    reference = fitted[0].model.to_frame()
    names = _coefficients(reference, labels)
    cells = [_hr_p(f, options) for _, f in frames]
    dash = [options.not_applicable] * 2
    rows = tuple(
        Row((label, *(c for part in cells for c in part.get(key, dash))))
        for key, label in names.items()
    )
    columns = [Column("variable", "Variable", "left")]
    for i, _ in enumerate(frames):
        columns += [
            Column(f"hr_{i}", "HR (95% CI)" if i else "SHR (95% CI)"),
            Column(f"p_{i}", "p"),
        ]
    data = pd.concat(
        [f.assign(model=title) for title, f in frames if f is not None], ignore_index=True
    )
    # a monotone likelihood (a covariate level without events of a cause) gives a ratio near 0
    # or infinity: say so under the table, not only in the analysis record
    warned = [
        f"Cause-specific Cox model of {cause}: {w}"
        for cause, m in zip(ep.causes, models, strict=True)
        if m is not None
        for w in m.model.warnings
    ]
    return Table(
        id=f"cshr_{ep.name.lower()}",
        title=f"Subdistribution and cause-specific hazard ratios: {ep.label.lower()}",
        columns=tuple(columns),
        header_groups=(
            HeaderGroup("", 1),
            HeaderGroup(f"Fine-Gray: {ep.causes[0]}", 2),
            *(HeaderGroup(f"Cause-specific Cox: {cause}", 2) for cause in ep.causes),
        ),
        rows=rows,
        footnotes=(
            "SHR: subdistribution hazard ratio (Fine-Gray); HR: cause-specific hazard ratio "
            "(Cox model with the other causes censored). The SHR describes the cumulative "
            "incidence, the cause-specific HR the event rate among patients still free of any "
            "event. – not estimable.",
            *warned,
        ),
        data=data,
    )


def competing_tables(result: CompetingAnalysis, options: FormatOptions) -> tuple[Table, ...]:
    """The tables of every endpoint with competing events, in config order."""
    tables: list[Table | None] = []
    labels = result.variable_labels
    for ep in result.endpoints:
        if ep.cif is not None:
            tables.append(cif_table(ep, result.time_unit, options))
        tables.append(finegray_table(ep, labels, options))
        tables.append(hazard_ratio_table(ep, labels, options))
    return tuple(t for t in tables if t is not None)
