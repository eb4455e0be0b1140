"""Harrell's concordance and its standard error, as R ``survival::concordance``.

For right-censored data a pair (i, j) is *comparable* when i has an event and j is still at risk
after it: :math:`t_j > t_i`, or :math:`t_j = t_i` with j censored (R counts a censoring at a
death time as later). Pairs of deaths at the same time are ``tied.y`` and are not comparable.
With case weights each pair counts :math:`w_i w_j`. Among comparable pairs

.. math:: C = \\frac{\\text{concordant} + \\text{tied.x}/2}{\\text{concordant} + \\text{discordant}
   + \\text{tied.x}}

where *concordant* means the subject with the event has the worse score. For a Cox model the
score is the linear predictor and a higher value means shorter survival (R ``reverse=TRUE``, as
``coxph`` does for ``summary(fit)$concordance``).

The standard error is R's infinitesimal-jackknife one: with :math:`I^c_i, I^d_i, I^t_i` the
(weighted) numbers of concordant, discordant and x-tied comparable pairs that involve subject i,
:math:`N` the total weight of comparable pairs and :math:`S = (c - d)/N` Somers' d,

.. math:: \\mathrm{dfbeta}_i = w_i \\frac{(I^c_i - I^d_i) - (I^c_i + I^d_i + I^t_i) S}{2N},
   \\qquad \\widehat{\\mathrm{var}}(C) = \\sum_i \\mathrm{dfbeta}_i^2

(summed within clusters first when given). All pair counts are two-dimensional dominance counts
(earlier in time *and* smaller in score), computed in one descent over the bits of the score
rank (:func:`_dominance`): a fixed number of array operations per bit, :math:`O(n \\log n)` in all.

Reference: R ``survival`` 3.5, ``concordance.R`` / ``concordance3.c`` (algorithm, not code);
Harrell et al. (1996), *Stat Med* 15:361.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.checks import check_survival
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Concordance", "concordance"]


@dataclass(frozen=True)
class Concordance(Result):
    """Concordance statistic with R's pair counts and infinitesimal-jackknife standard error."""

    value: float
    se: float
    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float
    n: int
    reverse: bool

    def to_frame(self) -> pd.DataFrame:
        """One row with the statistic, its se and the pair counts."""
        import pandas as pd

        return pd.DataFrame(
            {
                "concordance": [self.value],
                "se": [self.se],
                "concordant": [self.concordant],
                "discordant": [self.discordant],
                "tied_x": [self.tied_x],
                "tied_y": [self.tied_y],
                "tied_xy": [self.tied_xy],
                "n": [self.n],
            }
        )


def _dominance(
    pos: NDArray[np.intp],
    x: NDArray[np.intp],
    w: NDArray[np.float64],
    wd: NDArray[np.float64],
    order: NDArray[np.intp],
    mirror: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For every i: ``Σ w_j`` over ``pos_j < pos_i, x_j < x_i`` and ``Σ wd_j`` over ``pos_j >
    pos_i, x_j < x_i`` (earlier and later positions with a smaller score); with ``mirror`` the
    second sum is over ``pos_j > pos_i, x_j > x_i`` instead (so that the two coordinates can
    trade places: the descent runs over the bits of whichever has fewer distinct values).

    One pass over the bits of ``x`` from the top (a wavelet-tree descent): the array is kept
    ordered by (``x`` above the current bit, ``pos``); within each such group the elements with
    the bit set get the weights of the bit-0 elements before their run of equal ``pos`` (and
    ``wd`` after it), then each group is split stably by the bit, in linear time from running
    counts. Every smaller ``x_j`` differs from ``x_i`` first at exactly one bit, where it is
    counted once: ``O(n log n)`` in all, a fixed number of array operations per bit. ``order``
    sorts ``pos`` (ties in any order).
    """
    n = pos.shape[0]
    order = order.copy()
    xs, ps, ws, wds = x[order], pos[order], w[order], wd[order]
    before, after = np.zeros(n), np.zeros(n)  # in the current order, permuted along
    idx = np.arange(n)
    pos_new = np.ones(n, dtype=bool)
    pos_new[1:] = ps[1:] != ps[:-1]
    for bit in range(max(int(x.max()).bit_length(), 1) - 1, -1, -1):
        one = ((xs >> bit) & 1).astype(bool)
        grp = xs >> (bit + 1)
        g_new = np.ones(n, dtype=bool)
        g_new[1:] = grp[1:] != grp[:-1]
        g_start = np.maximum.accumulate(np.where(g_new, idx, 0))
        starts = np.flatnonzero(g_new)
        g_id = np.cumsum(g_new) - 1
        r_start = np.maximum.accumulate(np.where(g_new | pos_new, idx, 0))
        r_last = np.ones(n, dtype=bool)
        r_last[:-1] = (g_new | pos_new)[1:]
        r_end = np.minimum.accumulate(np.where(r_last, idx, n - 1)[::-1])[::-1]
        zw = np.where(one, 0.0, ws)
        cz = np.concatenate(([0.0], np.cumsum(zw)))
        before += np.where(one, cz[r_start] - cz[g_start], 0.0)
        # later elements of the group on the other side of the bit: bit-0 ones after a 1, or
        # (mirror) bit-1 ones after a 0
        zd = np.concatenate(([0.0], np.cumsum(np.where(one != mirror, 0.0, wds))))
        g_end = np.append(starts[1:], n)[g_id]
        after += np.where(one != mirror, zd[g_end] - zd[r_end + 1], 0.0)
        zeros_before = np.cumsum(~one) - ~one
        rank0 = zeros_before - zeros_before[g_start]
        n0 = np.append(zeros_before[starts[1:]], zeros_before[-1] + (not one[-1]))[g_id]
        n0 = n0 - zeros_before[g_start]
        dest = np.where(one, g_start + n0 + (idx - g_start - rank0), g_start + rank0)
        for arr in (xs, ps, ws, wds, before, after, order):
            arr[dest] = arr.copy()
        pos_new = np.ones(n, dtype=bool)
        pos_new[1:] = ps[1:] != ps[:-1]
    lt, gt = np.empty(n), np.empty(n)
    lt[order], gt[order] = before, after
    return lt, gt


def _equal_counts(
    pos: NDArray[np.intp], x: NDArray[np.intp], w: NDArray[np.float64], wd: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For every i: ``Σ w_j`` over ``pos_j < pos_i, x_j = x_i`` and ``Σ wd_j`` over ``pos_j >
    pos_i, x_j = x_i``: running sums within each score, ordered by position."""
    n = pos.shape[0]
    order = np.lexsort((pos, x))
    xs, ps = x[order], pos[order]
    idx = np.arange(n)
    g_new = np.ones(n, dtype=bool)
    g_new[1:] = xs[1:] != xs[:-1]
    r_new = g_new.copy()
    r_new[1:] |= ps[1:] != ps[:-1]
    g_start = np.maximum.accumulate(np.where(g_new, idx, 0))
    g_end = np.append(np.flatnonzero(g_new)[1:], n)[np.cumsum(g_new) - 1]
    r_start = np.maximum.accumulate(np.where(r_new, idx, 0))
    r_last = np.ones(n, dtype=bool)
    r_last[:-1] = r_new[1:]
    r_end = np.minimum.accumulate(np.where(r_last, idx, n - 1)[::-1])[::-1]
    cw = np.concatenate(([0.0], np.cumsum(w[order])))
    cd = np.concatenate(([0.0], np.cumsum(wd[order])))
    eq_before, eq_after = np.empty(n), np.empty(n)
    eq_before[order] = cw[r_start] - cw[g_start]
    eq_after[order] = cd[g_end] - cd[r_end + 1]
    return eq_before, eq_after


def _dense_rank(values: NDArray[np.float64]) -> NDArray[np.intp]:
    _, inv = np.unique(values, return_inverse=True)
    return inv.reshape(values.shape).astype(np.intp)


def _pairs_tied(key: NDArray[np.int64], w: NDArray[np.float64]) -> float:
    """Sum over unordered pairs with identical (integer) keys of w_i w_j."""
    if w.size == 0:
        return 0.0
    _, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    s1 = np.bincount(inv, w)
    s2 = np.bincount(inv, w * w)
    return float(((s1 * s1 - s2) / 2.0).sum())


def _stratum_counts(
    t: NDArray[np.float64], d: NDArray[np.bool_], xr: NDArray[np.intp], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], tuple[float, float, float, float, float]]:
    """Influence matrix (n, 3: concordant, discordant, tied.x) and the five pair counts."""
    n = t.shape[0]
    # R's processing order: decreasing time, censored before deaths
    order = np.lexsort((d.astype(np.int8), -t))
    ts = t[order]
    ds = d[order]
    # positions: one per (time, censored / death), decreasing time, censored first; deaths at
    # one time share a position (neither each other's risk set nor later deaths), and so do
    # censorings at one time (a pair of censored rows is never compared)
    new_pos = np.ones(n, dtype=bool)
    new_pos[1:] = (ts[1:] != ts[:-1]) | (ds[1:] != ds[:-1])
    pos = np.empty(n, dtype=np.intp)
    pos[order] = np.cumsum(new_pos) - 1
    # as an event: risk members j (earlier position) by score comparison; as a risk member:
    # later deaths (larger position), by score comparison. The descent runs over the bits of
    # the coordinate with fewer values (tied days make positions few; a continuous score many)
    wd = np.where(d, w, 0.0)
    eq_r, eq_d = _equal_counts(pos, xr, w, wd)
    per_pos = np.bincount(pos, wd)
    later = (per_pos.sum() - np.cumsum(per_pos))[pos]
    if int(pos.max()) < int(xr.max()):
        lt_r, gt_d = _dominance(xr, pos, w, wd, np.argsort(xr, kind="stable"), mirror=True)
        lt_d = later - eq_d - gt_d
    else:
        lt_r, lt_d = _dominance(pos, xr, w, wd, order)
        gt_d = later - lt_d - eq_d
    prior = np.concatenate(([0.0], np.cumsum(np.bincount(pos, w))))[pos]
    gt_r = prior - lt_r - eq_r
    dd = d.astype(np.float64)
    infl = np.column_stack([dd * gt_r + lt_d, dd * lt_r + gt_d, dd * eq_r + eq_d])
    conc = float((w * dd * gt_r).sum())
    disc = float((w * dd * lt_r).sum())
    tx = float((w * dd * eq_r).sum())
    # deaths at one time share one position, so positions key the tied times
    key = pos[d].astype(np.int64)
    ty = _pairs_tied(key, w[d])
    txy = _pairs_tied(key * (int(xr.max()) + 1) + xr[d], w[d])
    return infl, (conc, disc, tx, ty - txy, txy)


def concordance(
    time: ArrayLike,
    event: ArrayLike,
    score: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    cluster: ArrayLike | None = None,
    reverse: bool = False,
) -> Concordance:
    """Harrell's C as R ``concordance(Surv(time, event) ~ score, reverse=)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up time and event indicator (1 = event).
    score : array-like
        Predictor. With ``reverse=False`` a larger score predicts *longer* survival (R default);
        use ``reverse=True`` for risk scores such as a Cox linear predictor.
    strata : array-like, optional
        Pairs are only formed within a stratum.
    weights : array-like, optional
        Case weights.
    cluster : array-like, optional
        The jackknife terms are summed within clusters before squaring.

    Returns
    -------
    Concordance
        ``value``, ``se`` and R's counts (``concordant`` ... as R reports them, after ``reverse``).
    """
    surv = check_survival(time, event, weights)
    x = np.asarray(score, dtype=np.float64).reshape(-1)
    if x.shape[0] != surv.n:
        raise InputError(f"score has {x.shape[0]} values for {surv.n} rows; pass one per row")
    if not np.isfinite(x).all():
        i = int(np.flatnonzero(~np.isfinite(x))[0])
        raise InputError(f"score[{i}] = {x[i]!r} is not finite; drop the row or fix the score")
    xr = _dense_rank(-x if reverse else x)
    d = surv.event > 0
    s = np.zeros(surv.n, dtype=np.intp) if strata is None else _dense_rank_any(strata, surv.n)
    infl = np.zeros((surv.n, 3))
    counts = np.zeros(5)
    for code in np.unique(s):
        rows = np.flatnonzero(s == code)
        sub, cnt = _stratum_counts(surv.time[rows], d[rows], xr[rows], surv.weights[rows])
        infl[rows] = sub
        counts += np.asarray(cnt)
    conc, disc, tx, ty, txy = (float(v) for v in counts)
    npair = conc + disc + tx
    if npair <= 0:
        return Concordance(math.nan, math.nan, conc, disc, tx, ty, txy, surv.n, reverse)
    somer = (conc - disc) / npair
    dfbeta = ((infl[:, 0] - infl[:, 1]) - infl.sum(axis=1) * somer) * surv.weights / (2 * npair)
    if cluster is not None:
        dfbeta = np.bincount(_dense_rank_any(cluster, surv.n), dfbeta)
    return Concordance(
        value=(somer + 1.0) / 2.0,
        se=float(math.sqrt(float((dfbeta * dfbeta).sum()))),
        concordant=conc,
        discordant=disc,
        tied_x=tx,
        tied_y=ty,
        tied_xy=txy,
        n=surv.n,
        reverse=reverse,
    )


def _dense_rank_any(values: ArrayLike, n: int) -> NDArray[np.intp]:
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InputError(f"expected one label per row ({n}); got shape {arr.shape}")
    _, inv = np.unique(arr.astype(str) if arr.dtype == object else arr, return_inverse=True)
    return inv.reshape(n).astype(np.intp)
