"""Log-rank and Fleming-Harrington tests (R ``survival::survdiff``) and the test for trend.

Within each stratum :math:`s` and distinct time :math:`t_j`, with :math:`n_{jg}` at risk and
:math:`d_{jg}` events in group :math:`g` (totals :math:`n_j, d_j`) and the weight
:math:`w_j = \\hat S_s(t_j-)^{\\rho}` (pooled Kaplan-Meier of the stratum just before
:math:`t_j`; :math:`\\rho = 0` is the log-rank test, :math:`\\rho = 1` Peto-Peto):

.. math:: O_g = \\sum_j w_j d_{jg}, \\qquad E_g = \\sum_j w_j d_j \\frac{n_{jg}}{n_j}, \\qquad
          V_{gh} = \\sum_j w_j^2 \\frac{d_j (n_j - d_j)}{n_j (n_j - 1)}
          \\Bigl(n_{jg} [g = h] - \\frac{n_{jg} n_{jh}}{n_j}\\Bigr),

summed over strata. Groups with :math:`E_g = 0` are dropped, as in R; with the remaining
:math:`k'` groups the statistic is :math:`\\chi^2 = (O - E)_{-1}' V_{-1,-1}^{-1} (O - E)_{-1}` on
:math:`k' - 1` degrees of freedom. The trend test with scores :math:`s` is
:math:`(s'(O - E))^2 / (s' V s)` on 1 degree of freedom.

Reference: survival 3.5-3, ``survdiff.R``, ``survdiff2.c``; Harrington & Fleming (1982).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.aggregate import TimeAggregates, aggregate, delay_entry
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.distributions import chi2_sf
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LogRank", "LogRankTrend", "logrank", "logrank_from_aggregates", "logrank_trend"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class LogRank(Result):
    """R ``survdiff`` output: per-group n, observed, expected, variance matrix, chi-square test.

    ``p`` is ``None`` when fewer than two groups have expected events (``df = 0``).
    """

    labels: tuple[str, ...]
    n: NDArray[np.int64]
    observed: F64
    expected: F64
    variance: F64
    chisq: float
    df: int
    p: float | None
    rho: float
    strata: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``group, n, observed, expected, oe2_e, oe2_v`` (R's print)."""
        import pandas as pd

        oe = self.observed - self.expected
        with np.errstate(divide="ignore", invalid="ignore"):
            oe2_e = oe**2 / self.expected
            oe2_v = oe**2 / np.diag(self.variance)
        return pd.DataFrame(
            {
                "group": list(self.labels),
                "n": self.n,
                "observed": self.observed,
                "expected": self.expected,
                "oe2_e": oe2_e,
                "oe2_v": oe2_v,
            }
        )


def logrank_from_aggregates(
    agg: TimeAggregates, n_groups: int, *, rho: float = 0.0
) -> tuple[F64, F64, F64]:
    """Observed, expected and variance matrix from aggregates with ``stratum * k + group`` cells.

    Vectorised over times and strata: with :math:`c_j = w_j^2 d_j (n_j - d_j) / (n_j^2 (n_j - 1))`
    the variance is
    :math:`\\operatorname{diag}(\\sum_j c_j n_j n_{jg}) - \\sum_j c_j n_{jg} n_{jh}`.
    """
    m = agg.time.shape[0]
    n_strata = agg.n_cells // n_groups
    nr = agg.n_risk.reshape(m, n_strata, n_groups)
    dd = agg.n_event.reshape(m, n_strata, n_groups)
    # group columns one at a time (k is small): reductions over a short inner axis are slow
    n_g = [np.ascontiguousarray(nr[:, :, g]) for g in range(n_groups)]
    n_tot = n_g[0].copy()
    d_tot = np.ascontiguousarray(dd[:, :, 0])
    for g in range(1, n_groups):
        n_tot += n_g[g]
        d_tot = d_tot + dd[:, :, g]
    frac = np.divide(d_tot, n_tot, out=np.zeros_like(d_tot), where=n_tot > 0.0)
    if rho != 0.0:
        km = np.cumprod(1.0 - frac, axis=0)
        w = np.vstack((np.ones((1, n_strata)), km[:-1])) ** rho
        observed = np.array([float(np.sum(w * dd[:, :, g])) for g in range(n_groups)])
        a = w * frac
        c_num = w * w * d_tot * (n_tot - d_tot)
    else:
        observed = dd.reshape(-1, n_groups).sum(axis=0)
        a = frac
        c_num = d_tot * (n_tot - d_tot)
    c_den = n_tot * n_tot * (n_tot - 1.0)
    c = np.divide(c_num, c_den, out=np.zeros_like(c_num), where=n_tot > 1.0)
    expected = np.array([float(np.sum(a * n_g[g])) for g in range(n_groups)])
    cn = [c * n_g[g] for g in range(n_groups)]
    variance = np.empty((n_groups, n_groups))
    for g in range(n_groups):
        for h in range(g, n_groups):
            v = -float(np.sum(cn[g] * n_g[h]))
            if g == h:
                v += float(np.sum(cn[g] * n_tot))
            variance[g, h] = variance[h, g] = v
    return observed, expected, variance


def _chisq(observed: F64, expected: F64, variance: F64) -> tuple[float, int]:
    keep = expected > 0.0
    df = int(keep.sum()) - 1
    if df < 1:
        return 0.0, max(df, 0)
    diff = (observed - expected)[keep][1:]
    vv = variance[np.ix_(keep, keep)][1:, 1:]
    return float(diff @ np.linalg.solve(vv, diff)), df


def _prepare(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    strata: ArrayLike | None,
    order: Sequence[Any] | None,
    entry: ArrayLike | None = None,
) -> tuple[TimeAggregates, tuple[str, ...], tuple[str, ...]]:
    data = check_survival(time, event)
    codes = check_groups(group, data.n, order)
    k = len(codes.labels)
    strata_labels: tuple[str, ...] = ()
    if strata is None:
        cells, n_strata = codes.codes, 1
    else:
        s = check_groups(strata, data.n)
        n_strata, strata_labels = len(s.labels), s.labels
        cells = s.codes * k + codes.codes
    agg = aggregate(data, cells, n_strata * k)
    if entry is not None:
        agg = delay_entry(agg, data, entry, cells)
    return agg, codes.labels, strata_labels


def logrank(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    order: Sequence[Any] | None = None,
    entry: ArrayLike | None = None,
) -> LogRank:
    """k-sample log-rank / Fleming-Harrington test, as R ``survdiff(Surv(time, event) ~ group)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times and 0/1 event indicators.
    group : array-like
        Group label of each row; ``order`` fixes the group order (first = reference).
    strata : array-like, optional
        Stratum of each row (R ``+ strata(s)``): risk sets are formed within strata.
    rho : float
        Fleming-Harrington :math:`\\rho`: weights :math:`\\hat S(t-)^{\\rho}` (0 = log-rank).
    entry : array-like, optional
        Delayed entry times (R ``Surv(start, stop, event)``): each risk set holds only rows
        with ``entry < t <= time``. R's ``survdiff`` refuses counting-process data; the
        statistic is its hypergeometric O, E, V on these risk sets (written out in
        ``validation/r/logrank_entry.R``), which for tie-free data is the score test of
        ``coxph(Surv(start, stop, event) ~ group, ties = "breslow")``.
    """
    if not np.isfinite(rho):
        raise InputError(f"rho = {rho!r} must be a finite number (0 = log-rank, 1 = Peto-Peto)")
    agg, labels, strata_labels = _prepare(time, event, group, strata, order, entry)
    return logrank_from_cells(agg, labels, strata_labels, rho=rho)


def logrank_from_cells(
    agg: TimeAggregates,
    labels: tuple[str, ...],
    strata_labels: tuple[str, ...],
    *,
    rho: float = 0.0,
) -> LogRank:
    """:func:`logrank` from aggregates whose cells are ``stratum * k + group`` (k = groups).

    The entry point of engines that aggregate where the data live (DuckDB, several sites).
    """
    if not np.isfinite(rho):
        raise InputError(f"rho = {rho!r} must be a finite number (0 = log-rank, 1 = Peto-Peto)")
    if len(labels) < 2:
        raise InputError(f"the log-rank test needs at least two groups; got only {labels!r}")
    k = len(labels)
    n = agg.n_obs.reshape(agg.n_cells // k, k).sum(axis=0)
    observed, expected, variance = logrank_from_aggregates(agg, k, rho=rho)
    chisq, df = _chisq(observed, expected, variance)
    p = chi2_sf(chisq, df) if df > 0 else None
    return LogRank(
        labels=labels,
        n=n,
        observed=observed,
        expected=expected,
        variance=variance,
        chisq=chisq,
        df=df,
        p=p,
        rho=float(rho),
        strata=strata_labels,
    )


@dataclass(frozen=True)
class LogRankTrend(Result):
    """Chi-square test for trend across ordered groups, from the ``survdiff`` O, E and V."""

    labels: tuple[str, ...]
    scores: F64
    observed: F64
    expected: F64
    statistic: float
    variance: float
    chisq: float
    df: int
    p: float
    rho: float

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``group, score, observed, expected``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "group": list(self.labels),
                "score": self.scores,
                "observed": self.observed,
                "expected": self.expected,
            }
        )


def logrank_trend(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    scores: ArrayLike | None = None,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    order: Sequence[Any] | None = None,
) -> LogRankTrend:
    """Test for trend: :math:`U = s'(O - E)`, :math:`\\chi^2_1 = U^2 / (s' V s)`.

    ``scores`` are one per group in the group order (default ``1 .. k``).
    """
    agg, labels, _ = _prepare(time, event, group, strata, order)
    k = len(labels)
    if k < 2:
        raise InputError(f"the trend test needs at least two groups; got only {labels!r}")
    s = np.arange(1.0, k + 1.0) if scores is None else np.asarray(scores, dtype=np.float64)
    if s.shape != (k,) or not bool(np.all(np.isfinite(s))):
        raise InputError(
            f"scores must be {k} finite numbers, one per group {labels!r}; got {s.tolist()!r}"
        )
    observed, expected, variance = logrank_from_aggregates(agg, k, rho=rho)
    u = float(s @ (observed - expected))
    v = float(s @ variance @ s)
    if v <= 0.0:
        raise InputError(
            f"the trend test has zero variance (s'Vs = {v!r}); the scores {s.tolist()!r} "
            "must differ between groups that have events"
        )
    stat = u * u / v
    return LogRankTrend(
        labels=labels,
        scores=s,
        observed=observed,
        expected=expected,
        statistic=u,
        variance=v,
        chisq=stat,
        df=1,
        p=chi2_sf(stat, 1),
        rho=float(rho),
    )
