"""Predicted survival for a covariate profile from a Cox model, as R ``survfit(fit, newdata=)``.

The baseline hazard follows the ties method of the fit, as R does (``ctype`` 2 for Efron, 1 for
Breslow). At each distinct time of the profile's stratum, with the Efron pairs of
:mod:`hccsurv.core.cox_efron` (a single pair per time for Breslow),

.. math::

    \\Delta\\Lambda_0 = \\sum_k \\frac{\\bar w}{D_k}, \\qquad
    \\Delta v = \\sum_k \\frac{\\bar w}{D_k^2}, \\qquad
    \\Delta \\xi = \\sum_k \\frac{\\bar w}{D_k} m_k,

and for a profile :math:`x_0` with :math:`r_0 = \\exp((x_0 - \\bar x)'\\hat\\beta)`:
:math:`\\Lambda(t) = r_0 \\sum_{s \\le t} \\Delta\\Lambda_0`,
:math:`S(t) = \\exp(-\\Lambda(t))`, and

.. math::

    \\operatorname{se}(\\Lambda) = r_0 \\sqrt{\\sum_{s \\le t} \\Delta v + d(t)' V d(t)},\\qquad
    d(t) = \\sum_{s \\le t} \\big(\\Delta\\Lambda_0 (x_0 - \\bar x) - \\Delta\\xi\\big),

:math:`V` the model variance (robust when the fit was robust, as R). ``std_err`` is the se of
:math:`\\Lambda = -\\log S`; the limits are R's ``conf.type = "log"``:
:math:`S \\exp(\\pm z\\,\\mathrm{se})`, the upper one capped at 1.
Reference: R ``survival`` ``survfit.coxph.R``, ``agsurv.R``, ``coxsurvfit.R`` (algorithm, not code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.cox import CoxData
from hccsurv.core.distributions import normal_quantile
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PredictedSurvival", "predict_cox_survival"]


@dataclass(frozen=True)
class PredictedSurvival(Result):
    """Survival curve of one covariate profile at every distinct time of its stratum."""

    time: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_event: NDArray[np.float64]
    cumhaz: NDArray[np.float64]
    surv: NDArray[np.float64]
    std_err: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per time: time, n_risk, n_event, cumhaz, surv, std_err, lower, upper."""
        import pandas as pd

        return pd.DataFrame(
            {
                "time": self.time,
                "n_risk": self.n_risk,
                "n_event": self.n_event,
                "cumhaz": self.cumhaz,
                "surv": self.surv,
                "std_err": self.std_err,
                "lower": self.lower,
                "upper": self.upper,
            }
        )


def predict_cox_survival(
    data: CoxData,
    coef: NDArray[np.float64],
    var: NDArray[np.float64],
    ties: str,
    profile: ArrayLike,
    *,
    stratum: int = 0,
    conf_level: float = 0.95,
) -> PredictedSurvival:
    """Survival curve of covariate ``profile`` (one value per column of ``X``), R ``survfit``.

    Parameters
    ----------
    data : CoxData
        The model's data (from :func:`hccsurv.core.cox.prepare_cox_data`).
    coef, var : arrays
        Fitted coefficients and their variance (``CoxFit.coef``, ``CoxFit.var``).
    ties : {"efron", "breslow"}
        The ties method of the fit (sets the baseline-hazard estimator as R).
    profile : array-like of length p
        Covariate values on the scale of ``X`` (dummy-coded).
    stratum : int
        Code of the stratum (index into the sorted distinct stratum labels) for a stratified fit.
    conf_level : float
        Level of the log-scale confidence limits.
    """
    x0 = np.asarray(profile, dtype=np.float64).reshape(-1)
    p = data.x.shape[1]
    if x0.shape[0] != p or not np.isfinite(x0).all():
        raise InputError(f"the profile needs {p} finite covariate values; got {x0.tolist()}")
    if stratum not in set(np.unique(data.strata).tolist()):
        raise InputError(f"stratum code {stratum} is not in the model's strata")
    rs = data.risk_sets(ties)
    gt = rs.terms(coef)
    scale = np.exp(-gt.shift)
    dlam = rs.scatter(gt.h1) * scale
    dvar = rs.scatter(gt.alpha) * scale**2
    dxi = rs.scatter(gt.s1 * gt.alpha[:, None] - gt.e1 * gt.beta[:, None]) * scale
    gs = rs.group_start
    group_stratum = data.strata[rs.order][gs]
    keep = np.flatnonzero(group_stratum == stratum)[::-1]  # increasing time
    sorted_w = rs.w
    n_risk_all = rs.cum(np.add.reduceat(sorted_w, gs))
    n_event_all = np.add.reduceat(np.where(rs.dead, sorted_w, 0.0), gs)
    # an infinite coefficient (or a risk score that overflows) leaves the se undefined: the
    # limits are then NaN, R's NA, as the Kaplan-Meier's are where its se is undefined
    with np.errstate(over="ignore", invalid="ignore"):
        r0 = float(np.exp((x0 - data.means) @ coef))
        lam0 = np.cumsum(dlam[keep])
        d = np.cumsum(dlam[keep, None] * (x0 - data.means)[None, :] - dxi[keep], axis=0)
        se = r0 * np.sqrt(np.cumsum(dvar[keep]) + np.einsum("ij,jk,ik->i", d, var, d))
        cumhaz = r0 * lam0
        surv = np.exp(-cumhaz)
    z = normal_quantile(0.5 + conf_level / 2.0)
    defined = np.isfinite(se) & np.isfinite(surv)
    with np.errstate(over="ignore", invalid="ignore"):
        lower = np.where(defined, surv * np.exp(-z * se), np.nan)
        upper = np.where(defined, np.minimum(surv * np.exp(z * se), 1.0), np.nan)
    times = data.time[rs.order][gs][keep]
    return PredictedSurvival(
        time=times,
        n_risk=n_risk_all[keep],
        n_event=n_event_all[keep],
        cumhaz=cumhaz,
        surv=surv,
        std_err=se,
        lower=lower,
        upper=upper,
        conf_level=conf_level,
    )
