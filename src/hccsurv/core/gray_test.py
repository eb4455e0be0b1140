"""Gray's K-sample test for equal cumulative incidence of one cause, as ``cmprsk::cuminc``.

For groups :math:`g = 1..G` with at-risk counts :math:`n_g`, left-continuous all-cause
Kaplan-Meier :math:`S_g^-` and CIF :math:`F_g^-`, the pooled subdistribution "risk set" at a time
is :math:`R_g = n_g (1 - F_g^-) / S_g^-` and the score of group :math:`g` adds, at each distinct
time, :math:`(1 - F^-)^\\rho \\{d_{1g} - d_1 R_g / \\sum_r R_r\\}`, with :math:`F^-` the pooled
subdistribution estimate. The variance of the first :math:`G-1` scores is Gray's (1988)
martingale-based estimate, accumulated time by time as ``cmprsk``'s Fortran ``crst`` does
(including its tie corrections); with strata, scores and variances are summed over strata. The
statistic :math:`s^\\top V^{-1} s` is referred to :math:`\\chi^2_{G-1}`.

Reference: Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of a
competing risk. *Ann Stat* 16:1141-1154; cmprsk 2.2-11, ``crstm.f``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hccsurv.core._result import Result
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GrayTest", "gray_test_cuminc"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class GrayTest(Result):
    """Gray's test of one cause: statistic, p-value, degrees of freedom, scores and variance."""

    cause: int
    statistic: float
    p_value: float
    df: int
    score: F64
    variance: F64
    groups: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row: cause, statistic, p_value, df."""
        import pandas as pd

        return pd.DataFrame(
            {
                "cause": [self.cause],
                "statistic": [self.statistic],
                "p_value": [self.p_value],
                "df": [self.df],
            }
        )


def gray_test_cuminc(
    time: ArrayLike,
    status: ArrayLike,
    group: ArrayLike,
    strata: ArrayLike | None = None,
    cause: int = 1,
    censored: int = 0,
    rho: float = 0.0,
) -> GrayTest:
    """Gray's test of ``cause`` across ``group`` (sorted labels), optionally stratified."""
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(status)
    g = np.asarray(group)
    st = np.zeros(t.size, dtype=np.int64) if strata is None else np.asarray(strata)
    if not (t.ndim == 1 and t.shape == s.shape == g.shape == st.shape and t.size > 0):
        raise InputError("time, status, group and strata must be 1-d arrays of equal length")
    labels, code = np.unique(g, return_inverse=True)
    ng = labels.size
    if ng < 2:
        raise InputError("Gray's test needs at least two groups")
    # 0 censored, 1 the cause of interest, 2 any other cause (crstm's coding).
    m = np.where(s == censored, 0, np.where(s == cause, 1, 2))
    score = np.zeros(ng - 1)
    var = np.zeros((ng - 1, ng - 1))
    for level in np.unique(st):
        mask = st == level
        sc, v = _stratum(t[mask], m[mask], code[mask], ng, rho)
        score += sc
        var += v
    stat = float(score @ np.linalg.solve(var, score))
    return GrayTest(
        cause=int(cause),
        statistic=stat,
        p_value=float(stats.chi2.sf(stat, ng - 1)),
        df=ng - 1,
        score=score,
        variance=var,
        groups=tuple(str(x) for x in labels),
    )


def _stratum(
    t: F64, m: NDArray[np.int64], code: NDArray[np.intp], ng: int, rho: float
) -> tuple[F64, F64]:
    """Scores and variance of one stratum (the time-by-time recursion of ``crst``)."""
    k1 = ng - 1
    times, inverse = np.unique(t, return_inverse=True)
    counts = np.zeros((times.size, 3, ng))
    np.add.at(counts, (inverse, m, code), 1.0)
    rs = np.bincount(code, minlength=ng).astype(np.float64)
    f1m, skmm = np.zeros(ng), np.ones(ng)
    v3, v2, c = np.zeros(ng), np.zeros((k1, ng)), np.zeros((ng, ng))
    score, var = np.zeros(k1), np.zeros((k1, k1))
    fm = 0.0
    for j in range(times.size):
        d1, d2 = counts[j, 1], counts[j, 2]
        nd1, nd2 = d1.sum(), d2.sum()
        if nd1 > 0 or nd2 > 0:
            pos = rs > 0
            safe_rs = np.where(pos, rs, 1.0)
            skm = np.where(pos, skmm * (rs - d1 - d2) / safe_rs, skmm)
            f1 = np.where(pos, f1m + skmm * d1 / safe_rs, f1m)
            h = np.where(pos, rs / np.where(pos, skmm, 1.0), 0.0)
            tr = h.sum()
            tq = (h * (1.0 - f1m)).sum()
            f = fm + nd1 / tr
            fb = (1.0 - fm) ** rho
            a = fb * (np.diag(h) - np.outer(h, h) / tr)
            c += a * nd1 / (tr * (1.0 - fm))
            score += np.where(pos, fb * (d1 - nd1 * h * (1.0 - f1m) / tq), 0.0)[:k1]
            if nd1 > 0:
                for k in np.flatnonzero(pos):
                    t4 = 1.0 - (1.0 - f) / skm[k] if skm[k] > 0 else 1.0
                    tie = 1.0 - (nd1 - 1.0) / (tr * skmm[k] - 1.0) if nd1 > 1 else 1.0
                    w = tie * skmm[k] * nd1 / (tr * rs[k])
                    v3[k] += t4 * t4 * w
                    u = a[:k1, k] - t4 * c[:k1, k]
                    v2[:, k] += u * t4 * w
                    var += np.outer(u, u) * w
            for k in np.flatnonzero((skm > 0) & (d2 > 0) & pos):
                t4 = (1.0 - f) / skm[k]
                tie = 1.0 - (d2[k] - 1.0) / (rs[k] - 1.0) if d2[k] > 1 else 1.0
                w = tie * skmm[k] ** 2 * d2[k] / rs[k] ** 2
                v3[k] += t4 * t4 * w
                u = t4 * c[:k1, k]
                v2[:, k] -= u * t4 * w
                var += np.outer(u, u) * w
            fm, f1m, skmm = f, f1, skm
        rs = rs - counts[j].sum(axis=0)
    c1 = c[:k1]
    var += c1 @ np.diag(v3) @ c1.T + c1 @ v2.T + v2 @ c1.T
    return score, var
