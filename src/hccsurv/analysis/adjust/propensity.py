"""Propensity score: logistic regression of membership in the non-reference group on covariates.

For patient :math:`i` with covariate row :math:`x_i` (treatment-coded factors, R
``model.matrix``) and :math:`T_i = 1` in the non-reference ("treated") group,

.. math:: \\operatorname{logit} e(x_i) = \\alpha + x_i'\\beta, \\qquad
          e(x_i) = P(T_i = 1 \\mid x_i),

fitted by maximum likelihood with the IRLS of R ``glm.fit``
(:func:`hccsurv.core.logistic.logistic_fit`: same start, convergence rule and ``iter``), the
model of R ``glm(treat ~ covariates, family = binomial)`` and MatchIt's ``distance = "glm"``.
``linear`` is :math:`\\hat\\alpha + x_i'\\hat\\beta` (MatchIt ``link = "linear.logit"``), ``ps``
is :math:`\\hat e(x_i)`; ``se`` comes from :math:`(X'WX)^{-1}` (R ``summary.glm``).

Missing covariates: ``missing="complete"`` (default) keeps complete cases and counts the dropped
patients; ``missing="indicator"`` keeps everyone, fills a missing number with the mean of the
observed values and adds a 0/1 column ``<name>_missing``, and gives a missing factor value the
level ``"(missing)"``, placed last so that it never becomes the reference (the
missing-indicator method; Rosenbaum & Rubin 1984, appendix).

Perfect or quasi-complete separation (a covariate level or range found in one group only) makes
the maximum-likelihood estimate infinite; it is reported as an :class:`~hccsurv.errors.InputError`
naming the covariate, before the fit, or after it when a fitted score reaches 0 or 1.

Reference: Rosenbaum PR, Rubin DB (1983) Biometrika 70:41-55; Albert A, Anderson JA (1984)
Biometrika 71:1-10 (separation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hccsurv.analysis.design import Design, build_design
from hccsurv.core._result import Result, jsonable
from hccsurv.core.logistic import logistic_fit
from hccsurv.errors import InputError

__all__ = ["MISSING_POLICIES", "PropensityModel", "fit_propensity"]

MissingPolicy = Literal["complete", "indicator"]
MISSING_POLICIES: tuple[str, ...] = ("complete", "indicator")
MISSING_LEVEL = "(missing)"
_SEPARATION_PS = 1e-8


@dataclass(frozen=True)
class PropensityModel(Result):
    """A fitted propensity-score model (arrays in the order of ``rows``).

    Attributes
    ----------
    group_col, reference, treated_label : the group column, its reference (control) level and
        the non-reference level modelled as "treated".
    covariates : the model variables as given; ``design`` holds the columns actually used.
    coef_names, coef, se, z, p : logistic-regression coefficients (intercept first).
    ps, linear : fitted :math:`\\hat e(x)` and its logit.
    treated : True for patients of the non-reference group.
    rows : row labels of the patients used; ``dropped`` the labels left out (complete cases).
    """

    group_col: str
    reference: str
    treated_label: str
    covariates: tuple[str, ...]
    missing: str
    coef_names: tuple[str, ...]
    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    ps: NDArray[np.float64] = field(repr=False)
    linear: NDArray[np.float64] = field(repr=False)
    treated: NDArray[np.bool_] = field(repr=False)
    rows: tuple[Any, ...] = field(repr=False)
    dropped: tuple[Any, ...] = field(repr=False)
    design: Design = field(repr=False)
    iterations: int

    @property
    def n(self) -> int:
        """Number of patients in the model."""
        return int(self.ps.size)

    @property
    def n_treated(self) -> int:
        """Patients of the non-reference group in the model."""
        return int(self.treated.sum())

    @property
    def n_control(self) -> int:
        """Patients of the reference group in the model."""
        return self.n - self.n_treated

    @property
    def n_dropped(self) -> int:
        """Patients left out for a missing covariate or group."""
        return len(self.dropped)

    def to_frame(self) -> pd.DataFrame:
        """Coefficients: term, coef, se, z, p, odds_ratio."""
        return pd.DataFrame(
            {
                "term": list(self.coef_names),
                "coef": self.coef,
                "se": self.se,
                "z": self.z,
                "p": self.p,
                "odds_ratio": np.exp(self.coef),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Coefficients, counts and the score distribution per group (no patient identifiers)."""
        qs = (0.0, 0.25, 0.5, 0.75, 1.0)
        summary = {
            label: [float(v) for v in np.quantile(self.ps[mask], qs)] if mask.any() else None
            for label, mask in (
                (self.reference, ~self.treated),
                (self.treated_label, self.treated),
            )
        }
        return {
            "group_col": self.group_col,
            "reference": self.reference,
            "treated_label": self.treated_label,
            "covariates": list(self.covariates),
            "missing": self.missing,
            "coefficients": jsonable(self.to_frame().to_dict(orient="records")),
            "n": self.n,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_dropped": self.n_dropped,
            "ps_quantiles": {"probs": list(qs), "by_group": summary},
            "iterations": self.iterations,
        }


def _with_indicators(
    frame: pd.DataFrame, covariates: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    out = frame.copy()
    columns: list[str] = []
    for var in covariates:
        s = frame[var]
        na = s.isna()
        columns.append(var)
        if not na.any():
            continue
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            if na.all():
                raise InputError(
                    f"covariate '{var}' has no observed value; drop it from the adjustment"
                )
            out[var] = s.fillna(float(s.mean()))
            flag = f"{var}_missing"
            out[flag] = na.astype(np.float64)
            columns.append(flag)
        else:
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels = [str(c) for c in s.cat.categories]
            else:
                levels = sorted({str(v) for v in s.dropna()})
            filled = s.astype(object).where(~na, MISSING_LEVEL).astype(str)
            out[var] = pd.Categorical(filled, categories=[*levels, MISSING_LEVEL])
    return out, columns


def _value_text(variable: str, level: str | None, reference: str | None, v: float, k: int) -> str:
    """``'sex' = 'Male'`` for a design column taking the value ``v``."""
    if level is None:
        return f"'{variable}' = {v:g}"
    if v == 1.0:
        return f"'{variable}' = {level!r}"
    if k == 1:
        return f"'{variable}' = {reference!r}"
    return f"'{variable}' other than {level!r}"


def _check_separation(design: Design, treated: NDArray[np.bool_]) -> None:
    """Name a design column whose values in one group do not overlap the other group's."""
    for term in design.terms:
        for col, level in zip(term.columns, term.levels, strict=True):
            x = design.matrix[:, col]
            x1, x0 = x[treated], x[~treated]
            name = term.variable if level is None else f"{term.variable} = {level}"
            values = np.unique(x)
            if values.size < 2:
                raise InputError(
                    f"covariate '{name}' is constant ({values[0]!r}) in the patients used; "
                    "it cannot enter the propensity model: drop it"
                )
            if values.size == 2:
                lo, hi = values
                for v in (lo, hi):
                    in1, in0 = bool((x1 == v).any()), bool((x0 == v).any())
                    if in1 != in0:
                        group = "the reference group" if in0 else "the non-reference group"
                        shown = _value_text(
                            term.variable, level, term.reference, v, len(term.levels)
                        )
                        raise InputError(
                            f"perfect separation in the propensity model: every patient with "
                            f"{shown} is in {group}, so the score is 0 or 1 for them. Merge "
                            f"levels of '{term.variable}', drop it, or restrict the cohort"
                        )
            elif x1.max() < x0.min() or x0.max() < x1.min():
                raise InputError(
                    f"perfect separation in the propensity model: the ranges of '{name}' do not "
                    f"overlap between groups (non-reference {x1.min():g}..{x1.max():g}, "
                    f"reference {x0.min():g}..{x0.max():g}); the groups cannot be compared on it"
                )


def fit_propensity(
    frame: pd.DataFrame,
    group_col: str,
    group_order: Sequence[Any],
    covariates: Sequence[str],
    *,
    reference: Mapping[str, object] | None = None,
    missing: str = "complete",
) -> PropensityModel:
    """Fit the propensity score of the second group of ``group_order`` against the first.

    Parameters
    ----------
    frame : DataFrame
        One row per patient.
    group_col : str
        Group column; ``group_order[0]`` is the reference (control) group and
        ``group_order[1]`` the non-reference ("treated") group.
    group_order : sequence of two labels
    covariates : sequence of str
        Propensity-model variables (strings and categoricals become treatment-coded factors).
    reference : mapping, optional
        Reference level per factor covariate (default: first sorted level, as R).
    missing : {"complete", "indicator"}
        Missing-covariate policy (see the module notes).

    Raises
    ------
    InputError
        Unknown columns, a group other than the two named, a constant covariate, perfect
        separation (the covariate is named), or a fit that does not converge.
    """
    if missing not in MISSING_POLICIES:
        raise InputError(f"missing={missing!r} is not one of {MISSING_POLICIES}")
    if len(group_order) != 2:
        raise InputError(
            f"propensity scores compare two groups; group_order has {len(group_order)}: "
            f"{list(group_order)!r}"
        )
    if group_col not in frame.columns:
        raise InputError(f"group column '{group_col}' is not in the data")
    ref_label, trt_label = (str(g) for g in group_order)
    groups = frame[group_col]
    labels = groups.astype(str).where(groups.notna(), None)
    unknown = sorted({v for v in labels.dropna() if v not in (ref_label, trt_label)})
    if unknown:
        first = labels.index[labels.isin(unknown)][0]
        raise InputError(
            f"patient {first!r}: column '{group_col}' has the value {unknown[0]!r}, not one of "
            f"{[ref_label, trt_label]!r}; recode it or remove the patient"
        )
    data, columns = (
        _with_indicators(frame, covariates) if missing == "indicator" else (frame, list(covariates))
    )
    design = build_design(data, columns, reference=reference, required=[group_col])
    treated = (labels.loc[list(design.rows)] == trt_label).to_numpy(dtype=bool)
    if treated.all() or not treated.any():
        raise InputError(
            f"the patients with complete covariates are all in one group of '{group_col}'; "
            "both groups need patients"
        )
    _check_separation(design, treated)
    x = np.column_stack([np.ones(treated.size), design.matrix])
    names = ("(Intercept)", *design.column_names)
    res = logistic_fit(x, treated.astype(np.float64), names=names)
    coef = res.coef
    linear = res.linear
    ps = res.fitted
    converged = res.converged and bool(np.all(np.isfinite(coef)))
    extreme = (ps < _SEPARATION_PS) | (ps > 1.0 - _SEPARATION_PS)
    if not converged or extreme.any():
        j = int(np.argmax(np.abs(coef[1:]))) + 1
        where = (
            f"scores of 0 or 1 (e.g. patient {design.rows[int(np.argmax(extreme))]!r})"
            if extreme.any()
            else "no convergence"
        )
        raise InputError(
            f"quasi-complete separation in the propensity model: the fit gives {where}; the "
            f"coefficient drifting to infinity is '{names[j]}' ({coef[j]:.3g}). Merge the "
            "levels of its covariate, drop it, or restrict the cohort"
        )
    return PropensityModel(
        group_col=group_col,
        reference=ref_label,
        treated_label=trt_label,
        covariates=tuple(columns),
        missing=missing,
        coef_names=names,
        coef=coef,
        se=res.se,
        z=res.z,
        p=res.p,
        ps=ps,
        linear=linear,
        treated=treated,
        rows=design.rows,
        dropped=tuple(frame.index[~frame.index.isin(list(design.rows))]),
        design=design,
        iterations=res.iterations,
    )
