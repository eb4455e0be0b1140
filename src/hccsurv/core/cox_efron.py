"""Risk-set sums of the Cox partial likelihood, Efron or Breslow ties, without per-subject loops.

The data are sorted once by stratum and *decreasing* time, and grouped by distinct
(stratum, time). With risk scores :math:`r_i = \\exp(x_i'\\beta)` and case weights :math:`w_i`,
the risk-set sums at the tie group :math:`g` are cumulative sums over groups within a stratum,

.. math:: S_0(g) = \\sum_{t_i \\ge t_g} w_i r_i, \\qquad S_1(g) = \\sum_{t_i \\ge t_g} w_i r_i x_i,

and the deaths of the group give :math:`E_0(g), E_1(g)` (same sums over its :math:`d_g` deaths).

Efron's approximation splits a group into :math:`d_g` "pairs" :math:`k = 0..d_g-1`, each with
weight :math:`\\bar w_g = W_g / d_g` (:math:`W_g` the summed weight of the deaths), denominator
:math:`D_{gk} = S_0 - (k/d_g) E_0` and mean :math:`m_{gk} = (S_1 - (k/d_g) E_1)/D_{gk}`. Breslow
is the special case of one pair per group with weight :math:`W_g` and :math:`k = 0`. Then

.. math::

    \\ell = \\sum_{\\text{deaths}} w_i x_i'\\beta - \\sum_{g,k} \\bar w_g \\log D_{gk},\\qquad
    U = \\sum_{\\text{deaths}} w_i x_i - \\sum_{g,k} \\bar w_g m_{gk},

    I = X' \\operatorname{diag}(w_i r_i c_i) X - \\sum_{g,k} \\bar w_g m_{gk} m_{gk}',\\qquad
    c_i = \\sum_{g:\\, t_g \\le t_i} \\sum_k h_{gk}
          - \\delta_i \\sum_k \\tfrac{k}{d_{g_i}} h_{g_i k},

with hazard increments :math:`h_{gk} = \\bar w_g / D_{gk}` (the sums over :math:`g` run within the
subject's stratum). The second line is the usual
:math:`\\sum \\bar w (S_2^{(k)}/D - m m')` regrouped per subject, so the information matrix costs a
single ``X' diag(v) X`` product (a BLAS ``syrk``) plus one small product over the pairs. The same
quantities give the score residuals used by the robust (sandwich) variance; see
:meth:`RiskSets.score_residuals`. References: Therneau & Grambsch (2000), *Modeling Survival
Data*, ch. 3; R ``survival`` ``coxfit6.c`` and ``coxscore2.c`` (algorithm, not code).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["Evaluation", "GroupTerms", "RiskSets"]

_OVERFLOW_SHIFT = 300.0


@dataclass(frozen=True)
class Evaluation:
    """Log partial likelihood, score vector and information matrix at one ``beta``."""

    loglik: float
    score: NDArray[np.float64]
    information: NDArray[np.float64]


@dataclass(frozen=True)
class GroupTerms:
    """Risk-set sums at one ``beta``, one row per tie group with deaths ("event group").

    ``s1``/``e1``: :math:`S_1` and :math:`E_1`; over the group's pairs :math:`k` with
    :math:`q_k = k/d` and :math:`D_k = S_0 - q_k E_0`: ``h1`` :math:`=\\sum_k \\bar w/D_k`,
    ``hf`` :math:`=\\sum_k q_k \\bar w/D_k`, ``alpha``/``beta``/``gamma``
    :math:`=\\sum_k q_k^{0,1,2} \\bar w/D_k^2`; ``logsum`` :math:`=\\sum \\bar w \\log D_k`
    over all pairs. Then :math:`\\sum_k \\bar w m_k = h_1 S_1 - h_f E_1` and
    :math:`\\sum_k \\bar w m_k m_k' = \\alpha S_1 S_1' - \\beta (S_1 E_1' + E_1 S_1') +
    \\gamma E_1 E_1'`, so the p-vector work is per group, not per death.
    """

    eta: NDArray[np.float64]
    shift: float
    risk: NDArray[np.float64]
    s1: NDArray[np.float64]
    e1: NDArray[np.float64]
    h1: NDArray[np.float64]
    hf: NDArray[np.float64]
    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    logsum: float


def _sort_order(
    time: NDArray[np.float64],
    event: NDArray[np.float64],
    strata: NDArray[np.intp],
    ascending: NDArray[np.intp] | None = None,
) -> NDArray[np.intp]:
    """Row order by stratum, decreasing time, deaths first within a time.

    Deaths first makes the deaths of a tie group one contiguous block of rows. Integer-valued
    times spanning fewer than 32,767 units (days: ~90 years) are sorted with one 16-bit radix
    sort of ``2 (t_max - t) + censored``. Other times take one (unstable, SIMD) ``argsort`` of
    ``-t`` (or reverse ``ascending``, an increasing order of ``time`` that the caller already
    has), after which only the rows of tied times are put in the stable order (deaths first,
    then by row index).
    """
    n = time.shape[0]
    censored = (event <= 0).astype(np.int64)
    lo, hi = (float(time.min()), float(time.max())) if n else (0.0, 0.0)
    if hi - lo < 32767 and bool(np.all(time == np.floor(time))):
        key = ((hi - time).astype(np.int64) * 2 + censored).astype(np.uint16)
        order = np.argsort(key, kind="stable")
    else:
        order = np.argsort(-time) if ascending is None else ascending[::-1].copy()
        ts = time[order]
        same = np.zeros(n, dtype=bool)  # same[i]: row i ties the row before it
        np.equal(ts[1:], ts[:-1], out=same[1:])
        if bool(same.any()):
            # rows of tied times: deaths first, then by row index (the stable order)
            in_tie = same.copy()
            in_tie[:-1] |= same[1:]
            pos = np.flatnonzero(in_tie)
            gid = np.cumsum(~same)[pos]
            rows = order[pos]
            order[pos] = rows[np.lexsort((rows, censored[rows], gid))]
    if n and int(strata.max()) != int(strata.min()):
        sk = strata[order]
        sk_small = sk.astype(np.uint16) if int(sk.max()) < 65536 else sk
        order = order[np.argsort(sk_small, kind="stable")]
    result: NDArray[np.intp] = order.astype(np.intp)
    return result


class RiskSets:
    """Sorted, grouped data of a Cox model, ready for repeated evaluation at different ``beta``.

    Parameters
    ----------
    time, event, weights : float64 arrays (validated, timefix already applied)
    x : (n, p) float64 array of covariates
    strata : intp array of stratum codes
    efron : bool, Efron (True) or Breslow (False) ties
    centre : (p,) array subtracted from ``x`` (R centres at the weighted means)
    ascending : optional increasing order of ``time`` (saves a sort of non-integer times)
    """

    def __init__(
        self,
        time: NDArray[np.float64],
        event: NDArray[np.float64],
        weights: NDArray[np.float64],
        x: NDArray[np.float64],
        strata: NDArray[np.intp],
        efron: bool,
        centre: NDArray[np.float64],
        *,
        ascending: NDArray[np.intp] | None = None,
    ) -> None:
        order = _sort_order(time, event, strata, ascending)
        self.order = order
        t = time[order]
        s = strata[order]
        self.w = weights[order]
        dead = event[order] > 0
        n = t.shape[0]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
        self.group_start = np.flatnonzero(new_group)
        self.group = np.cumsum(new_group) - 1
        self.n_groups = int(self.group_start.shape[0])
        # Mostly distinct times: running sums over rows, fastest on a column-major X. Few
        # distinct times (integer days): segment sums as a sparse (groups x n) product with a
        # row-major X (see _risk_sums). X is sorted once here (one gather), so every later pass
        # over it, at each Newton step, reads memory in order.
        self._row_path = self.n_groups * 4 > n
        xs = np.take(x, order, axis=0)
        self.x = np.empty(xs.shape, order="F") if self._row_path else xs
        np.subtract(xs, centre, out=self.x)  # centre and change layout in one pass
        self.scratch = np.empty_like(self.x)  # reusable (n, p) work array
        gs = s[self.group_start]
        new_stratum = np.ones(self.n_groups, dtype=bool)
        new_stratum[1:] = gs[1:] != gs[:-1]
        bounds = np.append(np.flatnonzero(new_stratum), self.n_groups)
        self.stratum_bounds = [(int(a), int(b)) for a, b in itertools.pairwise(bounds.tolist())]

        self.dead_rows = np.flatnonzero(dead)
        dead_group = self.group[self.dead_rows]
        self.dead_w = self.w[self.dead_rows]
        self.dead = dead
        # groups with at least one death, and where their deaths start among dead_rows
        first = np.ones(dead_group.shape[0], dtype=bool)
        first[1:] = dead_group[1:] != dead_group[:-1]
        self.dead_group_start = np.flatnonzero(first)
        self.event_groups = dead_group[self.dead_group_start]
        counts = np.diff(np.append(self.dead_group_start, dead_group.shape[0]))
        wsum = np.add.reduceat(self.dead_w, self.dead_group_start) if counts.size else counts * 0.0
        if efron:
            # one pair per death: k = rank of the death within its group
            k = np.arange(dead_group.shape[0]) - np.repeat(self.dead_group_start, counts)
            d = np.repeat(counts, counts).astype(np.float64)
            self.pair_slot = np.repeat(np.arange(counts.shape[0]), counts)
            self.pair_frac = k / d
            self.pair_wt = np.repeat(wsum / counts, counts)
        else:
            self.pair_slot = np.arange(counts.shape[0])
            self.pair_frac = np.zeros(counts.shape[0])
            self.pair_wt = wsum
        self.pair_group = self.event_groups[self.pair_slot]
        self.pair_start = np.flatnonzero(np.append(True, self.pair_slot[1:] != self.pair_slot[:-1]))
        self.efron = efron
        new_row_stratum = np.ones(n, dtype=bool)
        new_row_stratum[1:] = s[1:] != s[:-1]
        rb = np.append(np.flatnonzero(new_row_stratum), n)
        self._row_bounds = [(int(a), int(b)) for a, b in itertools.pairwise(rb.tolist())]
        eg_start = self.group_start[self.event_groups]
        self._eg_end = np.append(self.group_start[1:], n)[self.event_groups] - 1
        self._dead_end = eg_start + counts - 1
        self._eg_first = new_row_stratum[eg_start]
        self._eg_prev = np.maximum(eg_start - 1, 0)
        self.scratch2 = np.empty_like(self.x) if self._row_path else self.scratch
        self.tied_slots = np.flatnonzero(counts > 1)
        # per-group sums = censored rows (one sparse matrix) + deaths (another), each row once;
        # only the segment-sum path (few distinct times) uses them
        self.cens_rows = np.flatnonzero(~dead)
        self._cens_sum: sparse.csr_matrix | None = None
        self._dead_sum: sparse.csr_matrix | None = None
        if not self._row_path:
            from scipy import sparse  # only this path needs it (~0.15 s to import)

            cens_count = np.bincount(self.group[self.cens_rows], minlength=self.n_groups)
            self._cens_sum = sparse.csr_matrix(
                (
                    np.ones(self.cens_rows.shape[0]),
                    self.cens_rows,
                    np.concatenate(([0], np.cumsum(cens_count))),
                ),
                shape=(self.n_groups, n),
            )
            eg_indptr = np.concatenate(([0], np.cumsum(counts)))
            self._dead_sum = sparse.csr_matrix(
                (np.ones(self.dead_rows.shape[0]), self.dead_rows, eg_indptr),
                shape=(counts.shape[0], n),
            )
        self.slot_weight = wsum
        self.weighted_x_dead = self.x[self.dead_rows].T @ self.dead_w

    # -- cumulative sums within strata -------------------------------------------------------
    def cum(self, a: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum over groups with time >= t_g (same stratum): forward cumsum in sorted order."""
        out = np.empty_like(a)
        for lo, hi in self.stratum_bounds:
            np.cumsum(a[lo:hi], axis=0, out=out[lo:hi])
        return out

    def revcum(self, a: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum over groups with time <= t_g (same stratum): reverse cumsum in sorted order."""
        out = np.empty_like(a)
        for lo, hi in self.stratum_bounds:
            out[lo:hi] = np.cumsum(a[lo:hi][::-1], axis=0)[::-1]
        return out

    def scatter(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-group array from per-event-group values (zero for groups without deaths)."""
        out = np.zeros((self.n_groups, *values.shape[1:]))
        out[self.event_groups] = values
        return out

    def _row_cum(self, a: NDArray[np.float64], out: NDArray[np.float64]) -> NDArray[np.float64]:
        """Running sums over sorted rows, restarted at each stratum (R's running totals)."""
        for lo, hi in self._row_bounds:
            np.cumsum(a[lo:hi], axis=0, out=out[lo:hi])
        return out

    def _risk_sums(
        self, wr: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """:math:`S_0, S_1` at the event groups and :math:`E_0, E_1` (zeros for Breslow).

        Few distinct times (integer days): per-group sums (a sparse groups-by-rows matrix holding
        :math:`w_i r_i`, times X) then cumulative sums over groups. Mostly distinct times:
        running sums over rows read at the group ends; the deaths of a group are a contiguous
        block, so :math:`E` is a difference of two running sums (its rounding error is relative
        to :math:`S`, with which it is always combined).
        """
        eg = self.event_groups
        p = self.x.shape[1]
        n_eg = eg.shape[0]
        cens_sum, dead_sum = self._cens_sum, self._dead_sum
        if cens_sum is not None and dead_sum is not None:
            cens_sum.data = wr[self.cens_rows]
            g1 = np.asarray(cens_sum @ self.x)
            e0, e1 = np.zeros(n_eg), np.zeros((n_eg, p))
            if n_eg:
                wd = wr[self.dead_rows]
                dead_sum.data = wd
                e0 = np.add.reduceat(wd, self.dead_group_start)
                e1 = np.asarray(dead_sum @ self.x)
                g1[eg] += e1
            s0 = self.cum(np.add.reduceat(wr, self.group_start))[eg]
            s1 = self.cum(g1)[eg]
            if not self.efron:
                e0, e1 = np.zeros(n_eg), np.zeros((n_eg, p))
            return s0, s1, e0, e1
        wrx = np.multiply(self.x, wr[:, None], out=self.scratch)
        c0 = self._row_cum(wr, np.empty_like(wr))
        c1 = self._row_cum(wrx, self.scratch2)
        s0 = c0[self._eg_end]
        s1 = c1[self._eg_end]
        e0, e1 = np.zeros(n_eg), np.zeros((n_eg, p))
        t = self.tied_slots
        if self.efron and t.size:
            # E only matters where k/d > 0, i.e. in groups with several deaths
            first = self._eg_first[t]
            end, prev = self._dead_end[t], self._eg_prev[t]
            e0[t] = c0[end] - np.where(first, 0.0, c0[prev])
            e1[t] = c1[end] - np.where(first[:, None], 0.0, c1[prev])
        return s0, s1, e0, e1

    def terms(self, beta: NDArray[np.float64]) -> GroupTerms:
        """Risk-set sums at ``beta``, one row per event group (see :class:`GroupTerms`)."""
        eta = self.x @ beta
        top = float(eta.max()) if eta.size else 0.0
        shift = top if top > _OVERFLOW_SHIFT else 0.0
        risk = np.exp(eta - shift)
        wr = self.w * risk
        eg = self.event_groups
        s0, s1, e0, e1 = self._risk_sums(wr)
        slot = self.pair_slot
        f = self.pair_frac
        pw = self.pair_wt
        denom = s0[slot] - f * e0[slot]
        inv = pw / denom
        inv2 = inv / denom

        def per_slot(v: NDArray[np.float64]) -> NDArray[np.float64]:
            if v.size == 0:
                return np.zeros(eg.shape[0])
            out: NDArray[np.float64] = np.add.reduceat(v, self.pair_start)
            return out

        return GroupTerms(
            eta=eta,
            shift=shift,
            risk=risk,
            s1=s1,
            e1=e1,
            h1=per_slot(inv),
            hf=per_slot(f * inv),
            alpha=per_slot(inv2),
            beta=per_slot(f * inv2),
            gamma=per_slot(f * f * inv2),
            logsum=float((pw * np.log(denom)).sum()),
        )

    def _pair_outer(self, gt: GroupTerms, phi: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """:math:`\\sum_{g,k} \\phi_g \\bar w_g m_{gk} m_{gk}'` from the per-group scalars."""
        s1 = gt.s1
        if phi is None:  # alpha >= 0: one symmetric product (BLAS syrk)
            y = s1 * np.sqrt(gt.alpha)[:, None]
            out = y.T @ y
            phi_t = None
        else:
            out = (s1 * (phi * gt.alpha)[:, None]).T @ s1
            phi_t = phi[self.tied_slots]
        if self.efron and self.tied_slots.size:
            # only groups with several deaths have k/d > 0 (beta = gamma = 0 elsewhere)
            t = self.tied_slots
            st, et = s1[t], gt.e1[t]
            bt, gtt = gt.beta[t], gt.gamma[t]
            if phi_t is not None:
                bt, gtt = bt * phi_t, gtt * phi_t
            q = (st * bt[:, None]).T @ et
            out += (et * gtt[:, None]).T @ et - q - q.T
        result: NDArray[np.float64] = out
        return result

    def rows_sum(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per sorted row, the sum of per-event-group ``values`` over the groups it is at risk in.

        Here that is every group of the row's stratum with :math:`t_g \\le t_i`; the
        counting-process subclass also removes the groups before the row's entry.
        """
        out: NDArray[np.float64] = self.revcum(self.scatter(values))[self.group]
        return out

    def _weight_c(self, gt: GroupTerms, phi: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-row :math:`c_i` of the information matrix (group contributions times ``phi``)."""
        b = self.scatter(phi * gt.hf)
        c: NDArray[np.float64] = self.rows_sum(phi * gt.h1)
        c[self.dead_rows] -= b[self.group[self.dead_rows]]
        return c

    def evaluate(self, beta: NDArray[np.float64]) -> Evaluation:
        """Log partial likelihood, score and information at ``beta`` (see the module doc)."""
        gt = self.terms(beta)
        ones = np.ones(gt.h1.shape[0])
        loglik = float(
            gt.eta[self.dead_rows] @ self.dead_w - gt.logsum - gt.shift * self.pair_wt.sum()
        )
        score = self.weighted_x_dead - (gt.s1.T @ gt.h1 - gt.e1.T @ gt.hf)
        c = self._weight_c(gt, ones)
        v = np.sqrt(self.w * gt.risk * c)
        y = np.multiply(self.x, v[:, None], out=self.scratch)
        info = y.T @ y - self._pair_outer(gt, None)
        return Evaluation(loglik=loglik, score=score, information=info)

    def time_weighted(
        self, beta: NDArray[np.float64], phi: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Score and information with every tie group's contribution multiplied by ``phi[g]``.

        :math:`U_\\phi = \\sum_g \\phi_g U_g` and :math:`I_\\phi = \\sum_g \\phi_g I_g`, where
        :math:`U_g, I_g` are the group's terms of the score and information (used by the
        proportional-hazards score test of :mod:`hccsurv.core.zph`). ``phi`` is indexed by group.
        """
        gt = self.terms(beta)
        ph = phi[self.event_groups]
        dead_phi = phi[self.group[self.dead_rows]]
        xs = self.x
        score = xs[self.dead_rows].T @ (self.dead_w * dead_phi) - (
            gt.s1.T @ (ph * gt.h1) - gt.e1.T @ (ph * gt.hf)
        )
        c = self._weight_c(gt, ph)
        info = (xs * (self.w * gt.risk * c)[:, None]).T @ xs - self._pair_outer(gt, ph)
        return score, info

    def score_residuals(self, beta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Unweighted score residuals :math:`U_i` in the caller's (original) row order.

        .. math::

            U_i = \\delta_i (x_i - \\bar m_{g_i}) - r_i \\left[x_i c_i - \\Big(
            \\sum_{g: t_g \\le t_i} \\sum_k h_{gk} m_{gk}
            - \\delta_i \\sum_k \\tfrac{k}{d} h_{g_i k} m_{g_i k}\\Big)\\right]

        with :math:`\\bar m_g` the pair-weighted mean of :math:`m_{gk}` and :math:`c_i` as in the
        information matrix; :math:`\\sum_i w_i U_i` is the score vector (R ``residuals(fit,
        type = "score")``).
        """
        gt = self.terms(beta)
        s1, e1 = gt.s1, gt.e1
        c = self._weight_c(gt, np.ones(gt.h1.shape[0]))
        b2 = self.scatter(s1 * gt.beta[:, None] - e1 * gt.gamma[:, None])
        wsum = np.where(self.slot_weight > 0, self.slot_weight, 1.0)
        mbar = self.scatter((s1 * gt.h1[:, None] - e1 * gt.hf[:, None]) / wsum[:, None])
        grp = self.group
        dr = self.dead_rows
        cx = self.rows_sum(s1 * gt.alpha[:, None] - e1 * gt.beta[:, None])
        cx[dr] -= b2[grp[dr]]
        xs = self.x
        resid: NDArray[np.float64] = -gt.risk[:, None] * (xs * c[:, None] - cx)
        resid[dr] += xs[dr] - mbar[grp[dr]]
        out = np.empty_like(resid)
        out[self.order] = resid
        return out
