"""Adjusted survival comparison on a matched or weighted sample.

For one endpoint, with the matching weights (patients outside the matched sample dropped) or the
propensity-score weights :math:`w_i > 0`:

* **Cox model** :math:`h(t \\mid T) = h_0(t) e^{\\beta T}` fitted with case weights and the robust
  sandwich variance summed within clusters: matched sets (``subclass``) for matching without
  replacement, the patient for matching with replacement and for weighting - R
  ``coxph(Surv(time, event) ~ treat, weights = w, cluster = subclass)`` resp. ``robust = TRUE``
  (Austin 2013, 2016). ``p`` is the robust Wald test of :math:`\\beta`; ``score_p`` is the
  robust score test of :math:`\\beta = 0` (R ``fit$rscore``), the weighted, cluster-robust
  analogue of the log-rank test (R ``survdiff`` takes no weights); it is ``None`` for the doubly
  robust model, where the score test would cover every covariate.
  ``covariates`` adds the propensity-model covariates to the weighted model
  (doubly robust; the HR is then conditional on them).
* **Weighted Kaplan-Meier** curves per group with their medians (case weights; the pointwise
  intervals use Greenwood's formula on the weighted counts, not a robust variance).
* **RMST** up to :math:`\\tau` per group from the weighted curves,
  :math:`\\hat\\mu_g = \\int_0^\\tau \\hat S_g(u)\\,du`, and the difference (non-reference minus
  reference) with an infinitesimal-jackknife variance summed within the same clusters:
  for patient :math:`i` in group :math:`g`, with event times :math:`u_j \\le \\tau` of the
  group, weighted risk sets :math:`n_j`, events :math:`d_j` and interval lengths
  :math:`\\Delta_j = u_{j+1} - u_j` (:math:`u_0 = 0`, :math:`u_{J+1} = \\tau`),

  .. math:: \\frac{\\partial \\log \\hat S(u_j)}{\\partial w_i} =
            -\\sum_{k \\le j} \\frac{dN_i(u_k) - Y_i(u_k)\\, d_k / n_k}{n_k - d_k}, \\qquad
            D_i = w_i \\sum_{j \\ge 0} \\Delta_j \\hat S(u_j)
            \\frac{\\partial \\log \\hat S(u_j)}{\\partial w_i},

  and :math:`\\widehat{\\mathrm{Var}} = \\sum_c (\\sum_{i \\in c} D_i)^2` over clusters :math:`c`
  (Therneau, survival ``survfit`` IJ variance; for the difference :math:`D_i` carries the sign of
  its group, so pairs in one cluster covary). :math:`\\tau` defaults to the smaller of the two
  groups' largest follow-up times.
* the **E-value** of the hazard ratio (:mod:`hccsurv.analysis.adjust.evalue`).

References: Austin PC (2013) Stat Med 32:2837-49; Austin PC (2016) Stat Med 35:5642-55;
Lin DY, Wei LJ (1989) JASA 84:1074-8 (robust variance); Royston P, Parmar MKB (2013) BMC Med Res
Methodol 13:152 (RMST).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.analysis._isolate import attempt
from hccsurv.analysis.adjust.evalue import EValue, evalue_hr
from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.distributions import normal_cdf, normal_quantile
from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.errors import InputError

__all__ = [
    "OUTCOME_COLUMNS",
    "AdjustedOutcome",
    "RmstDifference",
    "adjusted_outcome",
    "weighted_rmst",
]

OUTCOME_COLUMNS = (
    "endpoint",
    "hr",
    "hr_lower",
    "hr_upper",
    "robust_se",
    "p",
    "score_p",
    "median_reference",
    "median_treated",
    "rmst_tau",
    "rmst_difference",
    "rmst_difference_lower",
    "rmst_difference_upper",
    "rmst_difference_p",
    "evalue",
    "evalue_ci",
)
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class RmstDifference(Result):
    """Weighted RMST per group and their difference (non-reference minus reference)."""

    tau: float
    reference: float
    treated: float
    reference_se: float
    treated_se: float
    difference: float
    difference_se: float
    difference_lower: float
    difference_upper: float
    difference_p: float
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row with every field."""
        return pd.DataFrame([self.to_dict()])


def _rmst_influence(time: F64, event: F64, w: F64, tau: float) -> tuple[float, F64]:
    """RMST of one group's weighted KM and the weighted IJ influence :math:`D_i` of each row."""
    ev_times = np.unique(time[(event > 0) & (time <= tau)])
    if ev_times.size == 0:
        return tau, np.zeros(time.size)
    at_risk = time[:, None] >= ev_times[None, :]
    dn = (time[:, None] == ev_times[None, :]) & (event[:, None] > 0)
    n_j = (w[:, None] * at_risk).sum(axis=0)
    d_j = (w[:, None] * dn).sum(axis=0)
    surv = np.cumprod(1.0 - d_j / n_j)
    edges = np.append(ev_times, tau)
    step = np.diff(edges)
    s_left = np.concatenate([[1.0], surv])
    widths = np.concatenate([[ev_times[0]], step])
    area = float(np.sum(s_left * widths))
    live = n_j > d_j
    denom = np.where(live, n_j - d_j, 1.0)
    term = np.where(live[None, :], (dn - at_risk * (d_j / n_j)[None, :]) / denom[None, :], 0.0)
    dlog = -np.cumsum(term, axis=1)
    infl = (dlog * (surv * step)[None, :]).sum(axis=1)
    return area, w * infl


def weighted_rmst(
    time: ArrayLike,
    event: ArrayLike,
    treated: ArrayLike,
    weights: ArrayLike,
    cluster: ArrayLike,
    tau: float,
    *,
    conf_level: float = 0.95,
) -> RmstDifference:
    """Weighted RMST difference with the clustered infinitesimal-jackknife variance."""
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event, dtype=np.float64)
    g = np.asarray(treated, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    codes = pd.factorize(np.asarray(cluster))[0]
    if not tau > 0:
        raise InputError(f"the RMST horizon tau={tau!r} must be positive")
    for mask, name in ((g, "non-reference"), (~g, "reference")):
        if t[mask].max() < tau:
            raise InputError(
                f"tau={tau:g} exceeds the largest follow-up time of the {name} group "
                f"({t[mask].max():g}); the curve is not defined beyond it"
            )
    mu1, d1 = _rmst_influence(t[g], e[g], w[g], tau)
    mu0, d0 = _rmst_influence(t[~g], e[~g], w[~g], tau)
    k = int(codes.max()) + 1
    c1 = np.bincount(codes[g], weights=d1, minlength=k)
    c0 = np.bincount(codes[~g], weights=d0, minlength=k)
    se1, se0 = float(np.sqrt(np.sum(c1**2))), float(np.sqrt(np.sum(c0**2)))
    dse = float(np.sqrt(np.sum((c1 - c0) ** 2)))
    z = normal_quantile(0.5 + conf_level / 2.0)
    diff = mu1 - mu0
    return RmstDifference(
        tau=float(tau),
        reference=mu0,
        treated=mu1,
        reference_se=se0,
        treated_se=se1,
        difference=diff,
        difference_se=dse,
        difference_lower=diff - z * dse,
        difference_upper=diff + z * dse,
        difference_p=2.0 * normal_cdf(-(abs(diff) / dse)) if dse > 0 else float("nan"),
        conf_level=conf_level,
    )


@dataclass(frozen=True)
class AdjustedOutcome(Result):
    """The adjusted comparison of one endpoint (non-reference vs reference group)."""

    endpoint: str
    labels: tuple[str, str]
    cluster: str
    doubly_robust: bool
    n: int
    n_events: int
    hr: float
    hr_lower: float
    hr_upper: float
    coef: float
    se: float
    robust_se: float
    p: float
    score_chisq: float | None
    score_p: float | None
    medians: dict[str, tuple[float | None, float | None, float | None]]
    rmst: RmstDifference | None
    evalue: EValue
    warnings: tuple[str, ...]
    km: KaplanMeierGroups = field(repr=False)
    cox: CoxModel = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row with the columns of ``OUTCOME_COLUMNS``."""
        ref, trt = self.labels
        row = {
            "endpoint": self.endpoint,
            "hr": self.hr,
            "hr_lower": self.hr_lower,
            "hr_upper": self.hr_upper,
            "robust_se": self.robust_se,
            "p": self.p,
            "score_p": self.score_p,
            "median_reference": self.medians[ref][0],
            "median_treated": self.medians[trt][0],
            "rmst_tau": None if self.rmst is None else self.rmst.tau,
            "rmst_difference": None if self.rmst is None else self.rmst.difference,
            "rmst_difference_lower": None if self.rmst is None else self.rmst.difference_lower,
            "rmst_difference_upper": None if self.rmst is None else self.rmst.difference_upper,
            "rmst_difference_p": None if self.rmst is None else self.rmst.difference_p,
            "evalue": self.evalue.evalue,
            "evalue_ci": self.evalue.evalue_ci,
        }
        return pd.DataFrame([row], columns=list(OUTCOME_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """Estimates, medians, RMST and E-value (no patient identifiers, no curves)."""
        return {
            "endpoint": self.endpoint,
            "labels": list(self.labels),
            "cluster": self.cluster,
            "doubly_robust": self.doubly_robust,
            "n": self.n,
            "n_events": self.n_events,
            "hr": jsonable(self.hr),
            "hr_lower": jsonable(self.hr_lower),
            "hr_upper": jsonable(self.hr_upper),
            "coef": jsonable(self.coef),
            "se": jsonable(self.se),
            "robust_se": jsonable(self.robust_se),
            "p": jsonable(self.p),
            "score_chisq": jsonable(self.score_chisq),
            "score_p": jsonable(self.score_p),
            "medians": {
                k: {"median": v[0], "lower": v[1], "upper": v[2]} for k, v in self.medians.items()
            },
            "rmst": None if self.rmst is None else self.rmst.to_dict(),
            "evalue": self.evalue.to_dict(),
            "warnings": list(self.warnings),
        }


def adjusted_outcome(
    time: ArrayLike,
    event: ArrayLike,
    treated: ArrayLike,
    weights: ArrayLike,
    cluster: ArrayLike,
    *,
    labels: Sequence[str],
    endpoint: str = "",
    cluster_kind: str = "patient",
    covariates: pd.DataFrame | None = None,
    reference: Mapping[str, object] | None = None,
    rmst_tau: float | None = None,
    rare: bool | None = None,
    conf_level: float = 0.95,
) -> AdjustedOutcome:
    """Weighted Cox HR (robust, clustered), weighted KM medians, RMST difference and E-value.

    Parameters
    ----------
    time, event : array-like
        Follow-up and 0/1 event per patient (NaN time or event: the patient is left out).
    treated : array-like of bool
        True for the non-reference group ``labels[1]``.
    weights : array-like
        Matching or PS weights; patients with weight 0 are left out (R ``coxph`` needs > 0).
    cluster : array-like
        Cluster of each patient for the robust variance (matched set or patient).
    labels : (reference, non-reference) group labels.
    cluster_kind : str
        Label of the clustering (``"subclass"`` or ``"patient"``) for the report.
    covariates : DataFrame, optional
        Covariates (aligned with ``time``) added to the weighted Cox model (doubly robust).
    reference : mapping, optional
        Reference levels of factor covariates.
    rmst_tau : float, optional
        RMST horizon (default: the smaller of the groups' largest follow-up times).
    rare : bool, optional
        Rare-outcome assumption of the E-value (default: event share < 15 %).
    """
    if len(labels) != 2:
        raise InputError(f"labels must name the reference and non-reference groups: {labels!r}")
    ref, trt = str(labels[0]), str(labels[1])
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event, dtype=np.float64)
    g = np.asarray(treated, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    cl = np.asarray(cluster)
    keep = (w > 0) & np.isfinite(t) & np.isfinite(e)
    frame = pd.DataFrame(
        {"_time": t, "_event": e, "treated": g.astype(np.float64), "_w": w, "_cluster": cl}
    )
    cov_names: list[str] = []
    if covariates is not None:
        if len(covariates) != t.size:
            raise InputError(f"covariates have {len(covariates)} rows for {t.size} patients")
        clash = [c for c in covariates.columns if c in frame.columns]
        if clash:
            raise InputError(f"covariate names {clash} clash with internal columns; rename them")
        cov_names = [str(c) for c in covariates.columns]
        frame = pd.concat([frame, covariates.reset_index(drop=True)], axis=1)
    used = frame.loc[keep].reset_index(drop=True)
    if not (used["treated"] > 0).any() or not (used["treated"] == 0).any():
        raise InputError(f"endpoint {endpoint!r}: the adjusted sample lacks one of the groups")
    model = coxph(
        used,
        "_time",
        "_event",
        ["treated", *cov_names],
        reference=reference,
        weights="_w",
        cluster="_cluster",
        ties="efron",
        conf_level=conf_level,
    )
    row = model.to_frame().iloc[0]
    group_labels = np.where(used["treated"].to_numpy() > 0, trt, ref)
    km = kaplan_meier_groups(
        used["_time"].to_numpy(),
        used["_event"].to_numpy(),
        group_labels,
        order=[ref, trt],
        weights=used["_w"].to_numpy(),
        conf_level=conf_level,
    )
    medians = {
        lab: (km.curves[lab].median, km.curves[lab].median_lower, km.curves[lab].median_upper)
        for lab in (ref, trt)
    }
    ut, ue, ug = used["_time"].to_numpy(), used["_event"].to_numpy(), used["treated"].to_numpy() > 0
    tau = float(min(ut[ug].max(), ut[~ug].max())) if rmst_tau is None else float(rmst_tau)
    # a horizon past one group's follow-up leaves the RMST (only) not estimable, as survRM2
    tried = attempt(
        lambda: weighted_rmst(
            ut,
            ue,
            ug,
            used["_w"].to_numpy(),
            used["_cluster"].to_numpy(),
            tau,
            conf_level=conf_level,
        )
    )
    rm = tried.value
    notes: tuple[str, ...] = model.warnings + tried.warnings
    if tried.reason is not None:
        notes = (*notes, f"RMST difference not estimable: {tried.reason}")
    score = model.fit.robust_score_test
    ev = evalue_hr(
        float(row["hr"]),
        float(row["hr_lower"]),
        float(row["hr_upper"]),
        rare=rare,
        event_share=float(ue.mean()),
    )
    return AdjustedOutcome(
        endpoint=endpoint,
        labels=(ref, trt),
        cluster=cluster_kind,
        doubly_robust=bool(cov_names),
        n=int(keep.sum()),
        n_events=int(ue.sum()),
        hr=float(row["hr"]),
        hr_lower=float(row["hr_lower"]),
        hr_upper=float(row["hr_upper"]),
        coef=float(row["coef"]),
        se=float(row["se"]),
        robust_se=float(row["robust_se"]),
        p=float(row["p"]),
        score_chisq=None if cov_names else score.chisq,
        score_p=None if cov_names else score.p,
        medians=medians,
        rmst=rm,
        evalue=ev,
        warnings=tuple(notes),
        km=km,
        cox=model,
    )
