"""Covariate balance before and after adjustment: standardised mean differences, variance ratios.

Definitions of R ``cobalt::bal.tab`` (cobalt 4.5) with ``binary = "std"``: cobalt's default
reports binary variables as a raw difference in proportions; hccsurv standardises them too, so
that one threshold (:math:`|\\mathrm{SMD}| < 0.1`, Austin 2009) applies to every row.

For a covariate :math:`x` with weights :math:`w` (1 before adjustment; the matching or PS weights
after), group means :math:`\\bar x_g = \\sum_g w x / \\sum_g w` and variances

.. math:: s^2_g = \\bar x_g (1 - \\bar x_g) \\ \\text{(binary 0/1)}, \\qquad
          s^2_g = \\frac{\\sum_g w (x - \\bar x_g)^2 \\, \\sum_g w}
                       {(\\sum_g w)^2 - \\sum_g w^2} \\ \\text{(otherwise)}

(the unbiased weighted variance; the sample variance when all :math:`w = 1`),

.. math:: \\mathrm{SMD} = \\frac{\\bar x_1 - \\bar x_0}{s}, \\qquad
          s = s_{1,\\text{unadj}} \\ (\\text{ATT}), \\quad
          s = \\sqrt{(s^2_{1,\\text{unadj}} + s^2_{0,\\text{unadj}})/2} \\ (\\text{ATE, ATO}),

where the SD in the denominator is always that of the **unadjusted** sample (cobalt
``s.d.denom``: "treated" for the ATT, "pooled" otherwise), so before and after are on one scale.
The variance ratio :math:`s^2_1 / s^2_0` is given for non-binary covariates. When the chosen SD is
0 (a covariate constant in the treated group) the pooled SD is used and a note says so. Factors
with two levels give one row (the non-reference level); factors with more levels give a row per
level, the reference included (as cobalt).

Reference: Austin PC (2009) Stat Med 28:3083-107; Greifer N, cobalt 4.5 ``col_w_smd``,
``col_w_sd``; Stuart EA (2010) Stat Sci 25:1-21.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.analysis.design import Design
from hccsurv.core._result import Result, jsonable
from hccsurv.errors import InputError

__all__ = ["BALANCE_COLUMNS", "BalanceResult", "CovariateBalance", "covariate_balance"]

BALANCE_COLUMNS = (
    "variable",
    "level",
    "type",
    "mean_treated_before",
    "mean_control_before",
    "smd_before",
    "variance_ratio_before",
    "mean_treated_after",
    "mean_control_after",
    "smd_after",
    "variance_ratio_after",
    "balanced",
)

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CovariateBalance:
    """Balance of one covariate (or factor level); variance ratios are NaN for binary rows."""

    variable: str
    level: str | None
    type: str
    mean_treated_before: float
    mean_control_before: float
    smd_before: float
    variance_ratio_before: float
    mean_treated_after: float
    mean_control_after: float
    smd_after: float
    variance_ratio_after: float
    balanced: bool


@dataclass(frozen=True)
class BalanceResult(Result):
    """Balance table before and after adjustment (see the module notes for the definitions)."""

    rows: tuple[CovariateBalance, ...]
    estimand: str
    sd_denominator: str
    adjustment: str
    threshold: float
    n_treated: int
    n_control: int
    ess_treated_after: float
    ess_control_after: float
    notes: tuple[str, ...]

    @property
    def max_abs_smd_before(self) -> float:
        """Largest :math:`|\\mathrm{SMD}|` before adjustment."""
        return float(np.nanmax(np.abs([r.smd_before for r in self.rows])))

    @property
    def max_abs_smd_after(self) -> float:
        """Largest :math:`|\\mathrm{SMD}|` after adjustment."""
        return float(np.nanmax(np.abs([r.smd_after for r in self.rows])))

    @property
    def all_balanced(self) -> bool:
        """True when every row has :math:`|\\mathrm{SMD}|` below the threshold after adjustment."""
        return all(r.balanced for r in self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per covariate or level with the columns of ``BALANCE_COLUMNS``."""
        return pd.DataFrame(
            [{k: getattr(r, k) for k in BALANCE_COLUMNS} for r in self.rows],
            columns=list(BALANCE_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """Options, summary and the rows."""
        return {
            "estimand": self.estimand,
            "sd_denominator": self.sd_denominator,
            "adjustment": self.adjustment,
            "threshold": self.threshold,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "ess_treated_after": self.ess_treated_after,
            "ess_control_after": self.ess_control_after,
            "max_abs_smd_before": jsonable(self.max_abs_smd_before),
            "max_abs_smd_after": jsonable(self.max_abs_smd_after),
            "all_balanced": self.all_balanced,
            "rows": jsonable(self.to_frame().to_dict(orient="records")),
            "notes": list(self.notes),
        }


def _w_mean(x: F64, w: F64) -> float:
    return float(np.sum(w * x) / np.sum(w))


def _w_var(x: F64, w: F64, binary: bool) -> float:
    m = _w_mean(x, w)
    if binary:
        return m * (1.0 - m)
    sw = float(np.sum(w))
    denom = sw**2 - float(np.sum(w**2))
    return float(np.sum(w * (x - m) ** 2) * sw / denom) if denom > 0 else float("nan")


def _columns(design: Design) -> list[tuple[str, str | None, F64]]:
    """Balance rows: numeric columns, one level of a 2-level factor, every level otherwise."""
    out: list[tuple[str, str | None, F64]] = []
    for term in design.terms:
        cols = [design.matrix[:, c] for c in term.columns]
        if term.reference is None:
            out.append((term.variable, None, cols[0]))
        elif len(cols) == 1:
            out.append((term.variable, term.levels[0], cols[0]))
        else:
            out.append((term.variable, term.reference, 1.0 - np.sum(cols, axis=0)))
            out.extend((term.variable, lv, c) for lv, c in zip(term.levels, cols, strict=True))
    return out


def covariate_balance(
    design: Design,
    treated: ArrayLike,
    weights: ArrayLike,
    *,
    estimand: str,
    adjustment: str,
    threshold: float = 0.1,
) -> BalanceResult:
    """Balance of the design's covariates before (unweighted) and after (``weights``) adjustment.

    Parameters
    ----------
    design : Design
        The propensity model's design (``PropensityModel.design``).
    treated : array-like of bool
    weights : array-like
        Matching or PS weights per row (0 = not in the adjusted sample).
    estimand : {"ATT", "ATE", "ATO"}
        Sets the SD denominator: treated group for the ATT, pooled otherwise.
    adjustment : str
        ``"matching"`` or ``"weighting"`` (a label).
    threshold : float
        Balance threshold on :math:`|\\mathrm{SMD}|`.
    """
    t = np.asarray(treated, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    if t.shape != (design.matrix.shape[0],) or w.shape != t.shape:
        raise InputError(
            f"treated {t.shape} and weights {w.shape} must have one value per design row "
            f"({design.matrix.shape[0]})"
        )
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise InputError("weights must be finite and non-negative")
    if not (w[t] > 0).any() or not (w[~t] > 0).any():
        raise InputError("the adjusted sample has no patient of one group (all weights 0)")
    denominator = "treated" if estimand == "ATT" else "pooled"
    one1, one0 = np.ones(int(t.sum())), np.ones(int((~t).sum()))
    k1, k0 = t & (w > 0), ~t & (w > 0)
    rows: list[CovariateBalance] = []
    notes: list[str] = []
    for variable, level, x in _columns(design):
        binary = bool(np.all((x == 0.0) | (x == 1.0)))
        v1, v0 = _w_var(x[t], one1, binary), _w_var(x[~t], one0, binary)
        sd = np.sqrt(v1) if denominator == "treated" else np.sqrt((v1 + v0) / 2.0)
        name = variable if level is None else f"{variable} = {level}"
        if not sd > 0:
            sd = np.sqrt((v1 + v0) / 2.0)
            if denominator == "treated":
                notes.append(
                    f"'{name}' is constant in the non-reference group: its SMD uses the pooled SD"
                )
        m1b, m0b = _w_mean(x[t], one1), _w_mean(x[~t], one0)
        m1a, m0a = _w_mean(x[k1], w[k1]), _w_mean(x[k0], w[k0])
        smd_b = (m1b - m0b) / sd if sd > 0 else float("nan")
        smd_a = (m1a - m0a) / sd if sd > 0 else float("nan")
        if binary:
            vr_b = vr_a = float("nan")
        else:
            vr_b = v1 / v0 if v0 > 0 else float("nan")
            va0 = _w_var(x[k0], w[k0], False)
            vr_a = _w_var(x[k1], w[k1], False) / va0 if va0 > 0 else float("nan")
        rows.append(
            CovariateBalance(
                variable=variable,
                level=level,
                type="binary" if binary else "continuous",
                mean_treated_before=m1b,
                mean_control_before=m0b,
                smd_before=float(smd_b),
                variance_ratio_before=float(vr_b),
                mean_treated_after=m1a,
                mean_control_after=m0a,
                smd_after=float(smd_a),
                variance_ratio_after=float(vr_a),
                balanced=bool(abs(smd_a) < threshold) if np.isfinite(smd_a) else False,
            )
        )
    from hccsurv.analysis.adjust.weighting import effective_sample_size

    return BalanceResult(
        rows=tuple(rows),
        estimand=estimand,
        sd_denominator=denominator,
        adjustment=adjustment,
        threshold=float(threshold),
        n_treated=int(t.sum()),
        n_control=int((~t).sum()),
        ess_treated_after=effective_sample_size(w[t]),
        ess_control_after=effective_sample_size(w[~t]),
        notes=tuple(notes),
    )
