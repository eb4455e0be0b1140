"""Covariate balance table: means and standardised mean differences before and after adjustment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hccsurv.analysis.adjust.balance import BalanceResult, CovariateBalance
from hccsurv.errors import InputError
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_number
from hccsurv.present.table import Column, HeaderGroup, Row, Table

__all__ = ["balance_table"]


def _mean(value: float, binary: bool, options: FormatOptions) -> str:
    if binary:
        return format_number(100.0 * value, 1, options=options) + " %"
    return format_number(value, 2, options=options)


def _cells(r: CovariateBalance, label: str, options: FormatOptions) -> tuple[str, ...]:
    b = r.type == "binary"
    return (
        label,
        _mean(r.mean_treated_before, b, options),
        _mean(r.mean_control_before, b, options),
        format_number(r.smd_before, 3, options=options),
        _mean(r.mean_treated_after, b, options),
        _mean(r.mean_control_after, b, options),
        format_number(r.smd_after, 3, options=options),
        format_number(r.variance_ratio_after, 2, options=options),
    )


def balance_table(
    balance: BalanceResult,
    *,
    labels: Sequence[str],
    variable_labels: Mapping[str, str] | None = None,
    options: FormatOptions = DEFAULT_OPTIONS,
    table_id: str = "balance",
) -> Table:
    """Balance before and after matching or weighting.

    Parameters
    ----------
    balance : BalanceResult
    labels : (reference, non-reference) group labels for the column headers.
    variable_labels : mapping, optional
        Display names of covariates.
    """
    if len(labels) != 2:
        raise InputError(f"labels must name the reference and non-reference groups: {labels!r}")
    ref, trt = str(labels[0]), str(labels[1])
    names = dict(variable_labels or {})
    per_var: dict[str, list[CovariateBalance]] = {}
    for r in balance.rows:
        per_var.setdefault(r.variable, []).append(r)
    rows: list[Row] = []
    for variable, items in per_var.items():
        name = names.get(variable, variable)
        if len(items) == 1:
            r = items[0]
            label = name if r.level is None else f"{name}: {r.level}"
            rows.append(Row(_cells(r, label, options)))
            continue
        rows.append(Row((name, *[""] * 7), bold=True))
        rows.extend(Row(_cells(r, str(r.level), options), indent=1) for r in items)
    after = "matching" if balance.adjustment == "matching" else "weighting"
    sd = (
        "the SD of the non-reference group"
        if balance.sd_denominator == "treated"
        else "the pooled SD (root mean of the two group variances)"
    )
    return Table(
        id=table_id,
        title=f"Covariate balance before and after {after}",
        columns=(
            Column("covariate", "Covariate", "left"),
            Column("treated_before", trt),
            Column("control_before", ref),
            Column("smd_before", "SMD"),
            Column("treated_after", trt),
            Column("control_after", ref),
            Column("smd_after", "SMD"),
            Column("vr_after", "Variance ratio"),
        ),
        rows=tuple(rows),
        header_groups=(
            HeaderGroup("", 1),
            HeaderGroup("Before adjustment", 3),
            HeaderGroup(f"After {after}", 4),
        ),
        footnotes=(
            f"Means (binary covariates: %); SMD = standardised mean difference ({trt} minus "
            f"{ref}) over {sd} of the unadjusted sample; |SMD| < {balance.threshold:g} is "
            "taken as balanced. Variance ratio for continuous covariates only.",
            f"Effective sample size after {after}: {balance.ess_treated_after:.1f} ({trt}), "
            f"{balance.ess_control_after:.1f} ({ref}).",
        ),
        data=balance.to_frame(),
    )
