"""Subgroup analysis: the treatment hazard ratio within each level of baseline variables.

For a two-level ``treatment`` and each subgroup variable :math:`v`:

* per level :math:`l` of :math:`v`: ``coxph(Surv(time, event) ~ treatment + covariates
  [+ strata(s)], data = subset(d, v == l))``, with n and events per arm. A level whose model
  cannot be estimated (an arm without patients or without events, no events, a covariate constant
  or collinear in the level, an infinite coefficient) gives a row with ``estimable = False`` and
  the reason, not an exception;
* the interaction test: the likelihood-ratio test of the nested models
  ``fit0 = coxph(~ treatment + factor(v) + covariates)`` and
  ``fit1 = coxph(~ treatment * factor(v) + covariates)`` on the same rows,
  :math:`\\chi^2 = 2(\\ell_1 - \\ell_0)` on the number of estimable interaction coefficients, as R
  ``anova(fit0, fit1)``. Interaction columns that are aliased (R: ``NA`` coefficient, e.g. a level
  with one arm only) are left out and do not count as degrees of freedom, as in R. When the
  subgroup variable is also a strata column its main effect is absorbed by the strata (R: an
  ``NA`` coefficient) and only the interaction columns are added.

Each model uses the rows complete in what it needs (R ``na.omit``). The overall row is the
treatment HR of ``coxph(~ treatment + covariates [+ strata])`` on all complete rows.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.checks import check_groups
from hccsurv.core.distributions import chi2_sf
from hccsurv.errors import InputError, StatisticalWarning

__all__ = [
    "SUBGROUP_COLUMNS",
    "SubgroupAnalysis",
    "SubgroupEstimate",
    "SubgroupInteraction",
    "subgroup_analysis",
]

#: At most this many levels per subgroup variable; cut a continuous variable first.
MAX_LEVELS = 12

SUBGROUP_COLUMNS = (
    "variable",
    "level",
    "n_reference",
    "n_treatment",
    "events_reference",
    "events_treatment",
    "hr",
    "hr_lower",
    "hr_upper",
    "p",
    "p_interaction",
    "estimable",
    "reason",
)


@dataclass(frozen=True)
class SubgroupEstimate(Result):
    """The treatment HR in one subgroup level (``variable = "Overall"`` for all patients)."""

    variable: str
    level: str | None
    n_reference: int
    n_treatment: int
    events_reference: int
    events_treatment: int
    hr: float
    hr_lower: float
    hr_upper: float
    p: float
    estimable: bool
    reason: str | None

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of this estimate."""
        return pd.DataFrame([self.to_dict()])


@dataclass(frozen=True)
class SubgroupInteraction(Result):
    """LR test of treatment x subgroup (R ``anova(fit0, fit1)``); ``p`` NaN when not testable."""

    variable: str
    chisq: float
    df: int
    p: float
    n: int
    n_events: int
    loglik0: float
    loglik1: float
    aliased: tuple[str, ...]
    note: str | None

    def to_frame(self) -> pd.DataFrame:
        """One row: variable, chisq, df, p, n, n_events."""
        return pd.DataFrame(
            [
                {
                    "variable": self.variable,
                    "chisq": self.chisq,
                    "df": self.df,
                    "p": self.p,
                    "n": self.n,
                    "n_events": self.n_events,
                }
            ]
        )


@dataclass(frozen=True)
class SubgroupAnalysis(Result):
    """Overall and per-level treatment HRs with the interaction tests: a subgroup forest plot."""

    treatment: str
    reference: str
    comparator: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    conf_level: float
    overall: SubgroupEstimate
    estimates: tuple[SubgroupEstimate, ...]
    interactions: tuple[SubgroupInteraction, ...]

    def interaction(self, variable: str) -> SubgroupInteraction:
        """The interaction test of ``variable``."""
        for t in self.interactions:
            if t.variable == variable:
                return t
        raise InputError(f"'{variable}' is not a subgroup variable of this analysis")

    def to_frame(self) -> pd.DataFrame:
        """The overall row, then one row per variable level (``SUBGROUP_COLUMNS``)."""
        p_int = {t.variable: t.p for t in self.interactions}
        rows = []
        for est in (self.overall, *self.estimates):
            rec = est.to_dict()
            rec["hr"], rec["hr_lower"], rec["hr_upper"], rec["p"] = (
                est.hr,
                est.hr_lower,
                est.hr_upper,
                est.p,
            )
            rec["p_interaction"] = p_int.get(est.variable, math.nan)
            rows.append(rec)
        return pd.DataFrame(rows, columns=list(SUBGROUP_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """Treatment contrast, the table rows and the interaction tests."""
        return {
            "treatment": self.treatment,
            "reference": self.reference,
            "comparator": self.comparator,
            "covariates": list(self.covariates),
            "strata": list(self.strata),
            "conf_level": self.conf_level,
            "rows": jsonable(self.to_frame().to_dict(orient="records")),
            "interactions": [t.to_dict() for t in self.interactions],
        }


def _fit(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> tuple[CoxModel | None, str | None]:
    """A coxph fit, or None and the reason (input problem or an infinite coefficient)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatisticalWarning)
        try:
            return coxph(frame, *args, **kwargs), None
        except (InputError, StatisticalWarning) as exc:
            return None, str(exc)


def _levels(series: pd.Series, variable: str) -> list[str]:
    values = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(values.astype(str))
        levels = [str(c) for c in series.cat.categories if str(c) in present]
    else:
        levels = list(check_groups(values.to_numpy(), len(values)).labels)
    if len(levels) > MAX_LEVELS:
        raise InputError(
            f"subgroup variable '{variable}' has {len(levels)} levels (more than {MAX_LEVELS}); "
            "cut it into a few groups first (e.g. age < 65 / >= 65)"
        )
    if len(levels) < 2:
        raise InputError(f"subgroup variable '{variable}' has fewer than two levels: {levels}")
    return levels


def _label(value: object) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 1.0 -> "1", as R prints a numeric factor level
    return str(value)


def _as_labels(series: pd.Series) -> pd.Series:
    """Values as level labels, missing values as None."""
    return series.astype(object).map(_label)


def _estimate(
    frame: pd.DataFrame,
    arm: pd.Series,
    variable: str,
    level: str | None,
    labels: tuple[str, str],
    model_args: tuple[str, str],
    kwargs: dict[str, Any],
    treatment: str,
) -> SubgroupEstimate:
    time_col, event_col = model_args
    strata = kwargs.get("strata") or ()
    need = [
        time_col,
        event_col,
        *kwargs["covariates"],
        *([strata] if isinstance(strata, str) else strata),
    ]
    used = frame[frame[need].notna().all(axis=1)]
    a = arm.loc[used.index]
    ev = used[event_col].to_numpy(dtype=np.float64) > 0
    n = [int((a == lab).sum()) for lab in labels]
    e = [int(ev[(a == lab).to_numpy()].sum()) for lab in labels]
    reason = None
    for lab, nn, ee in zip(labels, n, e, strict=True):
        if nn == 0:
            reason = f"no patients in arm {lab!r}"
            break
        if ee == 0:
            reason = f"no events in arm {lab!r}: the hazard ratio is not finite"
            break
    model = None
    if reason is None:
        model, reason = _fit(used, time_col, event_col, **kwargs)
    if model is None:
        return SubgroupEstimate(
            variable, level, n[0], n[1], e[0], e[1], *(math.nan,) * 4, False, reason
        )
    col = model.design.term(treatment).columns[0]
    fit = model.fit
    return SubgroupEstimate(
        variable,
        level,
        n[0],
        n[1],
        e[0],
        e[1],
        float(fit.hr[col]),
        float(fit.hr_lower[col]),
        float(fit.hr_upper[col]),
        float(fit.p[col]),
        True,
        None,
    )


def _interaction(
    frame: pd.DataFrame,
    treatment: str,
    comparator: str,
    variable: str,
    covariates: list[str],
    kwargs: dict[str, Any],
) -> SubgroupInteraction:
    time_col, event_col = kwargs.pop("time_col"), kwargs.pop("event_col")
    strata = kwargs.get("strata") or ()
    strata_cols = [strata] if isinstance(strata, str) else list(strata)
    # a stratification variable's main effect is absorbed by the strata (R: NA coefficient)
    in_strata = variable in strata_cols
    base = [treatment, *([] if in_strata else [variable]), *covariates]
    need = [time_col, event_col, treatment, variable, *covariates, *strata_cols]
    used = frame[frame[need].notna().all(axis=1)].copy()
    fit0, why = _fit(used, time_col, event_col, base, **kwargs)
    if fit0 is None:
        return SubgroupInteraction(
            variable, math.nan, 0, math.nan, len(used), 0, math.nan, math.nan, (), why
        )
    x = fit0.design.matrix
    trt_col = x[:, fit0.design.term(treatment).columns[0]]
    values = used[variable].astype(str).to_numpy()
    present = [str(c) for c in used[variable].cat.categories if (values == str(c)).any()]
    kept: list[str] = []
    aliased: list[str] = []
    current = x - x.mean(axis=0)
    rank = np.linalg.matrix_rank(current)
    for lvl in present[1:]:
        name = f"{treatment}={comparator}:{variable}={lvl}"
        prod = trt_col * (values == lvl)
        trial = np.column_stack([current, prod - prod.mean()])
        if np.linalg.matrix_rank(trial) > rank:
            current, rank = trial, rank + 1
            used[name] = prod
            kept.append(name)
        else:  # R: NA coefficient, no degree of freedom
            aliased.append(name)
    if not kept:
        return SubgroupInteraction(
            variable,
            math.nan,
            0,
            math.nan,
            fit0.n,
            fit0.n_events,
            fit0.loglik,
            math.nan,
            tuple(aliased),
            "every interaction term is aliased: the arms do not both occur in two levels",
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StatisticalWarning)
        try:
            fit1 = coxph(used, time_col, event_col, [*base, *kept], **kwargs)
        except InputError as exc:
            return SubgroupInteraction(
                variable,
                math.nan,
                0,
                math.nan,
                fit0.n,
                fit0.n_events,
                fit0.loglik,
                math.nan,
                tuple(aliased),
                str(exc),
            )
    chisq = 2.0 * (fit1.loglik - fit0.loglik)
    notes = [str(w.message) for w in caught]
    if in_strata:
        notes.insert(0, f"'{variable}' is a stratum: its main effect is in the baseline hazards")
    note = "; ".join(notes) or None
    return SubgroupInteraction(
        variable,
        chisq,
        len(kept),
        chi2_sf(max(chisq, 0.0), len(kept)),
        fit0.n,
        fit0.n_events,
        fit0.loglik,
        fit1.loglik,
        tuple(aliased),
        note,
    )


def subgroup_analysis(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    treatment: str,
    subgroups: Sequence[str],
    *,
    covariates: Sequence[str] = (),
    strata: str | Sequence[str] | None = None,
    reference: object | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> SubgroupAnalysis:
    """Treatment HR overall and within each level of ``subgroups``, with interaction LR tests.

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col : str
        Follow-up time and 0/1 event columns.
    treatment : str
        A column with exactly two values (codes or labels).
    subgroups : sequence of str
        Baseline variables; each level (sorted as R ``factor``, or the categories' order) is a
        subgroup. At most 12 levels: cut continuous variables first.
    covariates : sequence of str
        Adjustment variables of every model (a subgroup variable is left out of its own
        within-level models, where it is constant).
    strata : str or sequence of str, optional
        Stratification columns of every model.
    reference : optional
        The reference arm (default: the first in sorted order).
    ties, conf_level
        As :func:`~hccsurv.analysis.coxph.coxph`.
    """
    strata_cols = () if strata is None else (strata,) if isinstance(strata, str) else tuple(strata)
    needed = [time_col, event_col, treatment, *subgroups, *covariates, *strata_cols]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise InputError(f"column(s) {missing} are not in the data; got {list(frame.columns)}")
    if not subgroups:
        raise InputError("no subgroup variables were given; name at least one baseline column")
    if treatment in subgroups or treatment in covariates:
        raise InputError(f"'{treatment}' is the treatment; do not list it as subgroup or covariate")
    arm = _as_labels(frame[treatment])
    arms = [str(v) for v in _levels(frame[treatment], treatment)]
    if len(arms) != 2:
        raise InputError(
            f"treatment '{treatment}' must have exactly two values; got {arms}. Recode it, or "
            "use hccsurv.pairwise_cox for three or more groups"
        )
    if reference is not None:
        ref = _label(reference)
        if ref not in arms:
            raise InputError(f"reference {reference!r} is not a value of '{treatment}': {arms}")
        arms = [ref, *(a for a in arms if a != ref)]
    labels = (arms[0], arms[1])
    local = frame.copy()
    local[treatment] = pd.Categorical(arm, categories=arms)
    common = {"strata": strata, "ties": ties, "conf_level": conf_level}
    fit_kwargs = {**common, "reference": {treatment: arms[0]}}
    overall = _estimate(
        local,
        arm,
        "Overall",
        None,
        labels,
        (time_col, event_col),
        {**fit_kwargs, "covariates": [treatment, *covariates]},
        treatment,
    )
    estimates: list[SubgroupEstimate] = []
    interactions: list[SubgroupInteraction] = []
    for var in subgroups:
        levels = _levels(frame[var], var)
        codes = _as_labels(frame[var])
        own = [c for c in covariates if c != var]
        for lvl in levels:
            rows = local[(codes == lvl).to_numpy()]
            estimates.append(
                _estimate(
                    rows,
                    arm,
                    var,
                    lvl,
                    labels,
                    (time_col, event_col),
                    {**fit_kwargs, "covariates": [treatment, *own]},
                    treatment,
                )
            )
        sub = local.copy()
        sub[var] = pd.Categorical(codes, categories=levels)
        interactions.append(
            _interaction(
                sub,
                treatment,
                arms[1],
                var,
                own,
                {**fit_kwargs, "time_col": time_col, "event_col": event_col},
            )
        )
    return SubgroupAnalysis(
        treatment=treatment,
        reference=arms[0],
        comparator=arms[1],
        covariates=tuple(covariates),
        strata=strata_cols,
        conf_level=conf_level,
        overall=overall,
        estimates=tuple(estimates),
        interactions=tuple(interactions),
    )
