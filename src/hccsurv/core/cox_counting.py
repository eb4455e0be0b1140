"""Risk sets of counting-process Cox data ``(start, stop]``, R ``coxph(Surv(start, stop, event))``.

A row is at risk at an event time :math:`t` only when :math:`\\mathrm{start}_i < t \\le
\\mathrm{stop}_i` (R's ``agreg.fit``). The sorted structure of :class:`RiskSets` is built on the
stop times; entry then *subtracts* the rows not yet entered,

.. math::

    S_k(t_g) = \\sum_{\\mathrm{stop}_i \\ge t_g} w_i r_i x_i^{\\otimes k}
             - \\sum_{\\mathrm{start}_i \\ge t_g} w_i r_i x_i^{\\otimes k},

(the deaths at :math:`t_g` always have :math:`\\mathrm{start} < t_g`, so Efron's :math:`E_k` is
unchanged), and every per-row sum over the groups a row is at risk in (the information weight
:math:`c_i`, the score residual) becomes the sum over :math:`t_g \\le \\mathrm{stop}_i` minus the
sum over :math:`t_g \\le \\mathrm{start}_i`. This is the same add-at-exit / remove-at-entry
bookkeeping as ``agfit4.c`` (algorithm, not code). A patient split into several rows (time-varying
covariates, :func:`hccsurv.analysis.tmerge.tmerge`) contributes each row in its own interval.
Reference: Therneau & Grambsch (2000), *Modeling Survival Data*, sections 3.7 and 5.1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hccsurv.core.cox_efron import RiskSets

__all__ = ["CountingRiskSets"]


class CountingRiskSets(RiskSets):
    """:class:`RiskSets` of ``(start, stop]`` rows; ``start`` in the caller's row order.

    The other parameters are those of :class:`RiskSets` (``time`` is the stop time).
    """

    def __init__(
        self,
        start: NDArray[np.float64],
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
        super().__init__(time, event, weights, x, strata, efron, centre, ascending=ascending)
        n = time.shape[0]
        entry = start[self.order]  # sorted rows, as self.x
        row_stratum = strata[self.order]
        group_time = time[self.order][self.group_start]
        # rows by stratum, then decreasing entry: the rows of stratum s with start >= t are a
        # prefix of its block, so their sums are differences of one running sum
        self._entry_order = np.lexsort((-entry, row_stratum)).astype(np.intp)
        block = np.searchsorted(row_stratum[self._entry_order], np.arange(int(strata.max()) + 2))
        eg = self.event_groups
        eg_stratum = row_stratum[self.group_start[eg]]
        lo = block[eg_stratum]
        hi = lo.copy()
        # per-row group index of the latest group time <= start (same stratum), -1 when none
        self._entry_group = np.full(n, -1, dtype=np.intp)
        for s, (g_lo, g_hi) in enumerate(self.stratum_bounds):
            mine = eg_stratum == s
            rows = self._entry_order[block[s] : block[s + 1]]
            neg_entry = -entry[rows]  # increasing
            hi[mine] = block[s] + np.searchsorted(neg_entry, -group_time[eg[mine]], side="right")
            neg_times = -group_time[g_lo:g_hi]  # increasing within the stratum
            here = np.flatnonzero(row_stratum == s)
            j = g_lo + np.searchsorted(neg_times, -entry[here], side="left")
            self._entry_group[here] = np.where(j < g_hi, j, -1)
        self._entry_lo = lo
        self._entry_hi = hi

    def _risk_sums(
        self, wr: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """:math:`S_0, S_1` of :class:`RiskSets` less the rows with ``start >= t_g``."""
        s0, s1, e0, e1 = super()._risk_sums(wr)
        wo = wr[self._entry_order]
        c0 = np.concatenate(([0.0], np.cumsum(wo)))
        c1 = np.vstack(
            (
                np.zeros((1, self.x.shape[1])),
                np.cumsum(self.x[self._entry_order] * wo[:, None], axis=0),
            )
        )
        s0 = s0 - (c0[self._entry_hi] - c0[self._entry_lo])
        s1 = s1 - (c1[self._entry_hi] - c1[self._entry_lo])
        return s0, s1, e0, e1

    def rows_sum(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum over the groups in ``(start_i, stop_i]`` of the row's stratum."""
        total = self.revcum(self.scatter(values))
        out: NDArray[np.float64] = total[self.group]
        has = self._entry_group >= 0
        out[has] -= total[self._entry_group[has]]
        return out
