"""Rubin's rules with the Barnard-Rubin degrees of freedom, as R ``mice::pool`` (mice 3.15).

For ``m`` completed-data estimates :math:`Q_l` with variances :math:`U_l` of one parameter:
:math:`\\bar Q = m^{-1}\\sum Q_l`, within variance :math:`\\bar U = m^{-1}\\sum U_l`, between
variance :math:`B = (m-1)^{-1}\\sum (Q_l-\\bar Q)^2`, total :math:`T = \\bar U + (1+1/m)B`;
``riv`` :math:`r = (1+1/m)B/\\bar U`, :math:`\\lambda = (1+1/m)B/T`. Barnard and Rubin (1999):
with :math:`\\lambda` floored at 1e-4 (as mice), :math:`\\nu_{old} = (m-1)/\\lambda^2`,
:math:`\\nu_{obs} = \\frac{\\nu_{com}+1}{\\nu_{com}+3}\\nu_{com}(1-\\lambda)`,
:math:`\\nu = \\nu_{old}\\nu_{obs}/(\\nu_{old}+\\nu_{obs})` (:math:`\\nu_{old}` when
:math:`\\nu_{com}` is infinite); ``fmi`` :math:`=(r + 2/(\\nu+3))/(r+1)`. The statistic
:math:`\\bar Q/\\sqrt T` is referred to :math:`t_\\nu`. Reference: van Buuren, *Flexible Imputation
of Missing Data*, 2nd ed., sections 2.3-2.4; mice 3.15 ``pool``, ``barnard.rubin``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hccsurv.core._result import Result


@dataclass(frozen=True)
class RubinPooled(Result):
    """Pooled estimates per parameter (arrays in parameter order)."""

    m: int
    dfcom: float
    estimate: NDArray[np.float64]
    ubar: NDArray[np.float64]
    b: NDArray[np.float64]
    t: NDArray[np.float64]
    std_error: NDArray[np.float64]
    statistic: NDArray[np.float64]
    df: NDArray[np.float64]
    p_value: NDArray[np.float64]
    conf_low: NDArray[np.float64]
    conf_high: NDArray[np.float64]
    riv: NDArray[np.float64]
    lambda_: NDArray[np.float64]
    fmi: NDArray[np.float64]
    conf_level: float


def barnard_rubin_df(m: int, b: ArrayLike, t: ArrayLike, dfcom: float) -> NDArray[np.float64]:
    """Barnard-Rubin small-sample degrees of freedom (mice ``barnard.rubin``)."""
    lam = (1.0 + 1.0 / m) * np.asarray(b, dtype=float) / np.asarray(t, dtype=float)
    # mice floors lambda so that a parameter without between-imputation variance gets a finite df.
    lam = np.maximum(lam, 1e-4)
    dfold = (m - 1) / lam**2
    if np.isinf(dfcom):
        return np.asarray(dfold, dtype=float)
    dfobs = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - lam)
    return np.asarray(dfold * dfobs / (dfold + dfobs), dtype=float)


def rubin_pool(
    estimates: ArrayLike, variances: ArrayLike, dfcom: float, conf_level: float = 0.95
) -> RubinPooled:
    """Pool ``m x p`` estimates and their variances (squared SEs) by Rubin's rules.

    ``dfcom`` is the complete-data degrees of freedom (``inf`` for large-sample inference).
    """
    q = np.atleast_2d(np.asarray(estimates, dtype=float))
    u = np.atleast_2d(np.asarray(variances, dtype=float))
    if q.shape != u.shape:
        raise ValueError(f"estimates {q.shape} and variances {u.shape} differ in shape")
    m = q.shape[0]
    if m < 2:
        raise ValueError("pooling needs at least two imputed datasets")
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must lie in (0, 1)")
    qbar = q.mean(axis=0)
    ubar = u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1.0 + 1.0 / m) * b
    riv = (1.0 + 1.0 / m) * b / ubar
    lam = (1.0 + 1.0 / m) * b / t
    df = barnard_rubin_df(m, b, t, dfcom)
    fmi = (riv + 2.0 / (df + 3.0)) / (riv + 1.0)
    se = np.sqrt(t)
    stat = qbar / se
    p = 2.0 * stats.t.sf(np.abs(stat), df)
    crit = stats.t.ppf(0.5 + conf_level / 2.0, df)
    return RubinPooled(
        m=m,
        dfcom=float(dfcom),
        estimate=qbar,
        ubar=ubar,
        b=b,
        t=t,
        std_error=se,
        statistic=stat,
        df=df,
        p_value=p,
        conf_low=qbar - crit * se,
        conf_high=qbar + crit * se,
        riv=riv,
        lambda_=lam,
        fmi=fmi,
        conf_level=conf_level,
    )
