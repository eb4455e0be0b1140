"""Confounding adjustment by propensity scores: matching, weighting, balance, adjusted outcomes.

:func:`adjust_study` runs the chain on a cohort frame - propensity score
(:mod:`.propensity`), nearest-neighbour matching (:mod:`.matching`, MatchIt parity) or weighting
(:mod:`.weighting`), covariate balance (:mod:`.balance`, cobalt definitions), and per endpoint the
weighted Kaplan-Meier medians, the robust Cox hazard ratio, the RMST difference
(:mod:`.outcomes`) and the E-value (:mod:`.evalue`). The modules can also be used one by one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis._isolate import attempt
from hccsurv.analysis.adjust.balance import BalanceResult, CovariateBalance, covariate_balance
from hccsurv.analysis.adjust.evalue import EValue, evalue_hr
from hccsurv.analysis.adjust.matching import MatchingResult, match_nearest
from hccsurv.analysis.adjust.outcomes import AdjustedOutcome, adjusted_outcome
from hccsurv.analysis.adjust.propensity import PropensityModel, fit_propensity
from hccsurv.analysis.adjust.weighting import WeightingResult, ps_weights
from hccsurv.config import AdjustConfig
from hccsurv.core._result import Result
from hccsurv.errors import StatisticalWarning

__all__ = [
    "AdjustedAnalysis",
    "AdjustedOutcome",
    "BalanceResult",
    "CovariateBalance",
    "EValue",
    "MatchingResult",
    "PropensityModel",
    "WeightingResult",
    "adjust_study",
    "adjusted_outcome",
    "covariate_balance",
    "evalue_hr",
    "fit_propensity",
    "match_nearest",
    "ps_weights",
]


@dataclass(frozen=True)
class AdjustedAnalysis(Result):
    """Propensity model, matching or weighting, balance and adjusted outcomes per endpoint."""

    method: str
    estimand: str
    group_col: str
    labels: tuple[str, str]
    covariates: tuple[str, ...]
    propensity: PropensityModel
    matching: MatchingResult | None
    weighting: WeightingResult | None
    balance: BalanceResult
    outcomes: dict[str, AdjustedOutcome]
    n_total: int
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    not_estimable: dict[str, str] = field(default_factory=dict)

    @property
    def flow(self) -> dict[str, int]:
        """Patient flow: total, dropped for missing covariates, modelled, adjusted sample."""
        out = {
            "n_total": self.n_total,
            "n_missing_covariates": self.propensity.n_dropped,
            "n_propensity": self.propensity.n,
        }
        if self.matching is not None:
            m = self.matching
            out |= {
                "n_treated_matched": m.n_treated_matched,
                "n_control_matched": m.n_control_matched,
                "n_treated_unmatched": m.n_treated_unmatched,
                "n_control_unmatched": m.n_control_unmatched,
            }
        if self.weighting is not None:
            out["n_trimmed"] = self.weighting.n_trimmed
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per endpoint (columns of ``outcomes.OUTCOME_COLUMNS``)."""
        from hccsurv.analysis.adjust.outcomes import OUTCOME_COLUMNS

        # from records, not concat: an endpoint whose E-value or RMST is None has all-NA columns
        rows = [r for o in self.outcomes.values() for r in o.to_frame().to_dict(orient="records")]
        return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary without patient identifiers (results.json key ``"adjusted"``)."""
        return {
            "method": self.method,
            "estimand": self.estimand,
            "group_col": self.group_col,
            "labels": list(self.labels),
            "covariates": list(self.covariates),
            "flow": self.flow,
            "propensity": self.propensity.to_dict(),
            "matching": None if self.matching is None else self.matching.to_dict(),
            "weighting": None if self.weighting is None else self.weighting.to_dict(),
            "balance": self.balance.to_dict(),
            "outcomes": {k: v.to_dict() for k, v in self.outcomes.items()},
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "not_estimable": dict(self.not_estimable),
        }


def _imbalance_warning(
    balance: BalanceResult, doubly_robust: bool, labels: Mapping[str, str]
) -> str:
    """The covariates still imbalanced after adjustment (|SMD| at or above the threshold)."""
    off = sorted(  # largest |SMD| first; a term with no SMD (NaN) last
        (r for r in balance.rows if not r.balanced),
        key=lambda r: abs(r.smd_after) if np.isfinite(r.smd_after) else -1.0,
        reverse=True,
    )
    shown = ", ".join(
        f"{labels.get(r.variable, r.variable)}{'' if r.level is None else ': ' + r.level} "
        f"({r.smd_after:+.2f})"
        for r in off[:4]
    )
    more = f" and {len(off) - 4} more" if len(off) > 4 else ""
    adjusted = "matching" if balance.adjustment == "matching" else "weighting"
    advice = (
        "the doubly robust model already adjusts for them"
        if doubly_robust
        else "the adjusted estimates may still be confounded by them; consider exact matching "
        "on them, another caliper or weighting, or a doubly robust model "
        "(adjust.doubly_robust = true)"
    )
    return (
        f"After {adjusted}, {len(off)} of {len(balance.rows)} covariate terms remain imbalanced "
        f"(|SMD| ≥ {balance.threshold:g}): {shown}{more}; {advice}."
    )


def adjust_study(
    frame: pd.DataFrame,
    time_cols: Mapping[str, tuple[str, str]],
    group_col: str,
    group_order: Sequence[Any],
    options: AdjustConfig,
    *,
    references: Mapping[str, str] | None = None,
    rmst_tau: float | None = None,
    labels: Mapping[str, str] | None = None,
) -> AdjustedAnalysis:
    """Propensity-score adjusted comparison of the two groups for every endpoint.

    Parameters
    ----------
    frame : DataFrame
        One row per patient (index = patient identifier).
    time_cols : mapping
        Endpoint name -> (time column, event column), e.g. ``{"OS": ("os_time", "os_event")}``.
    group_col : str
    group_order : (reference, non-reference)
        The first group is the reference ("control"); the second is modelled as "treated".
    options : AdjustConfig
        The ``[adjust]`` section (:class:`hccsurv.config.AdjustConfig`, which declares every
        option and its default): ``method``, ``covariates``, ``caliper``, ``ratio``,
        ``replace``, ``m_order``, ``exact``, ``estimand``, ``weight_type``, ``trimming``,
        ``truncate``, ``missing``, ``doubly_robust``, ``seed``.
    references : mapping, optional
        Reference level of each categorical covariate (default: the first level).
    rmst_tau : float, optional
        RMST horizon of the adjusted RMST difference (default: the last follow-up time).
    labels : mapping, optional
        Display names of the covariates, used in the warning that lists the covariates still
        imbalanced (|SMD| at or above 0.1) after adjustment.

    Raises
    ------
    InputError
        Separation in the propensity model, no match within the caliper.
    """
    o = options
    notes: list[str] = []
    caught: list[str] = []
    ps = fit_propensity(
        frame,
        group_col,
        group_order,
        o.covariates,
        reference=references,
        missing=o.missing,
    )
    ref, trt = ps.reference, ps.treated_label
    notes.append(
        f"Propensity score: logistic regression of membership in '{trt}' (vs '{ref}') on "
        f"{', '.join(o.covariates)}; {ps.n} patients"
        + (f", {ps.n_dropped} left out for missing covariates" if ps.n_dropped else "")
        + ("" if o.missing == "complete" else " (missing-indicator method)")
        + "."
    )
    used = frame.loc[list(ps.rows)]
    matching: MatchingResult | None = None
    weighting: WeightingResult | None = None
    if o.method == "matching":
        exact_cols = list(o.exact)
        matching = match_nearest(
            ps.linear,
            ps.treated,
            ratio=o.ratio,
            replace=o.replace,
            caliper=o.caliper,
            m_order=o.m_order,
            exact=used[exact_cols].reset_index(drop=True) if exact_cols else None,
            seed=o.seed,
            rows=ps.rows,
        )
        weights, cluster = matching.weights, matching.cluster
        cluster_kind = "patient" if matching.replace else "subclass"
        estimand = "ATT"
        cal = (
            "no caliper"
            if matching.caliper_width is None
            else f"caliper {matching.caliper:g} SD of the logit ({matching.caliper_width:.3g})"
        )
        notes.append(
            f"1:{matching.ratio} nearest-neighbour matching on the logit of the propensity score "
            f"({cal}, order '{matching.m_order}', "
            f"{'with' if matching.replace else 'without'} replacement"
            + (f", exact on {', '.join(exact_cols)}" if exact_cols else "")
            + f"): {matching.n_treated_matched} of {int(ps.treated.sum())} '{trt}' patients "
            f"matched to {matching.n_control_matched} of {int((~ps.treated).sum())} '{ref}' "
            f"patients; {matching.n_treated_unmatched} '{trt}' patients had no match."
        )
        if o.trimming:
            notes.append("PS trimming applies to weighting only; matching used the caliper.")
    else:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", StatisticalWarning)
            weighting = ps_weights(
                ps.ps,
                ps.treated,
                estimand=o.estimand,
                weight_type=o.weight_type,
                trim=o.trimming,
                truncate=o.truncate,
                rows=ps.rows,
            )
        for w in record:
            caught.append(str(w.message))
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        weights, cluster = weighting.weights, weighting.cluster
        cluster_kind = "patient"
        estimand = weighting.estimand
        notes.append(
            f"Weighting: {weighting.weight_type} weights for the {estimand}"
            + (f", PS trimmed at the {weighting.trim:g} quantiles" if weighting.trim else "")
            + f"; effective sample size {weighting.ess_treated:.1f} ('{trt}') and "
            f"{weighting.ess_control:.1f} ('{ref}')."
        )
    balance = covariate_balance(
        ps.design, ps.treated, weights, estimand=estimand, adjustment=o.method
    )
    notes.extend(balance.notes)
    if not balance.all_balanced:
        caught.append(_imbalance_warning(balance, o.doubly_robust, labels or {}))
    covariates = ps.design.to_frame().reset_index(drop=True) if o.doubly_robust else None
    outcomes: dict[str, AdjustedOutcome] = {}
    not_estimable: dict[str, str] = {}
    for endpoint, (time_col, event_col) in time_cols.items():
        tried = attempt(
            partial(
                adjusted_outcome,
                used[time_col].to_numpy(dtype=float),
                used[event_col].to_numpy(dtype=float),
                ps.treated,
                weights,
                cluster,
                labels=(ref, trt),
                endpoint=endpoint,
                cluster_kind=cluster_kind,
                covariates=covariates,
                rmst_tau=rmst_tau,
            )
        )
        if tried.value is None:  # e.g. no events in the adjusted sample: this endpoint only
            not_estimable[endpoint] = str(tried.reason)
            continue
        outcomes[endpoint] = tried.value
        caught.extend(f"{endpoint}: {m}" for m in outcomes[endpoint].warnings)
    notes.append(
        "Hazard ratios: Cox model with "
        + ("the propensity covariates and " if o.doubly_robust else "")
        + f"case weights, robust (sandwich) variance clustered on the {cluster_kind}; medians "
        "from weighted Kaplan-Meier curves; RMST difference with an infinitesimal-jackknife "
        "variance; E-values after VanderWeele & Ding (2017)."
    )
    return AdjustedAnalysis(
        method=o.method,
        estimand=estimand,
        group_col=group_col,
        labels=(ref, trt),
        covariates=ps.covariates,
        propensity=ps,
        matching=matching,
        weighting=weighting,
        balance=balance,
        outcomes=outcomes,
        n_total=len(frame),
        notes=tuple(notes),
        warnings=tuple(caught),
        not_estimable=not_estimable,
    )
