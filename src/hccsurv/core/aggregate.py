"""The reduction "rows -> per-distinct-time aggregates" that every nonparametric estimator eats.

Kaplan-Meier, Nelson-Aalen, the log-rank family and RMST depend on the data only through, for
each distinct time :math:`t_j` and each cell :math:`c` (a group, or a group within a stratum):

* :math:`d_{jc} = \\sum_i w_i \\delta_i [t_i = t_j, c_i = c]` (weighted events),
* :math:`r_{jc} = \\sum_i w_i (1 - \\delta_i) [t_i = t_j, c_i = c]` (weighted censorings),
* :math:`n_{jc} = \\sum_{l \\ge j} (d_{lc} + r_{lc})` (weighted number at risk just before
  :math:`t_j`).

:func:`aggregate` computes them in one pass: integer-valued times (days) become one
``numpy.bincount`` per quantity; other times take one ``argsort``. Near-tied times are merged
first as R's ``aeqSurv`` does (``timefix = TRUE``), see :mod:`hccsurv.core.timefix`. Because the
estimators consume only :class:`TimeAggregates`, the same reduction could run where the data live
(a database, or each centre of a multi-centre study) with identical downstream numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core.checks import SurvivalArrays
from hccsurv.core.timefix import AEQ_TOLERANCE
from hccsurv.errors import InputError

__all__ = ["TimeAggregates", "aggregate", "delay_entry"]

_BINCOUNT_MIN_SLOTS = 1 << 20


@dataclass(frozen=True)
class TimeAggregates:
    """Per-distinct-time sufficient statistics, one column per cell.

    Attributes
    ----------
    time : (m,) float64, the sorted distinct times (after the ``aeqSurv`` merge).
    n_event, n_censor, n_risk : (m, c) float64, weighted events, censorings and number at risk.
    n_rows : (m, c) int64, unweighted number of rows with that time in that cell.
    n_obs : (c,) int64, unweighted number of rows per cell.
    """

    time: NDArray[np.float64]
    n_event: NDArray[np.float64]
    n_censor: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_rows: NDArray[np.int64]
    n_obs: NDArray[np.int64]

    @property
    def n_cells(self) -> int:
        """Number of cells (columns)."""
        return int(self.n_event.shape[1])

    def cell(self, c: int) -> TimeAggregates:
        """The aggregates of cell ``c`` alone, keeping only the times present in that cell."""
        keep = self.n_rows[:, c] > 0
        return TimeAggregates(
            time=self.time[keep],
            n_event=self.n_event[keep, c : c + 1],
            n_censor=self.n_censor[keep, c : c + 1],
            n_risk=self.n_risk[keep, c : c + 1],
            n_rows=self.n_rows[keep, c : c + 1],
            n_obs=self.n_obs[c : c + 1],
        )


def _reverse_cumsum(x: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.cumsum(x[::-1], axis=0)[::-1]
    return out


def _aeq_merge(uniq: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Flags of distinct sorted times that start a new (non-near-tied) time, as ``aeqSurv``."""
    keep = np.ones(uniq.shape[0], dtype=np.bool_)
    if uniq.shape[0] > 1:
        dy = np.diff(uniq)
        tied = (dy <= AEQ_TOLERANCE) | (dy / float(np.mean(np.abs(uniq))) <= AEQ_TOLERANCE)
        keep[1:] = ~tied
    return keep


def _finish(
    time: NDArray[np.float64],
    events_any: NDArray[Any],
    total_any: NDArray[Any],
    rows: NDArray[np.int64],
) -> TimeAggregates:
    events = events_any.astype(np.float64, copy=False)
    total = total_any.astype(np.float64, copy=False)
    n_obs = rows.sum(axis=0).astype(np.int64)
    return TimeAggregates(
        time=time,
        n_event=events,
        n_censor=total - events,
        n_risk=_reverse_cumsum(total),
        n_rows=rows,
        n_obs=n_obs,
    )


def _aggregate_days(
    data: SurvivalArrays,
    cells: NDArray[np.intp] | None,
    n_cells: int,
    base: int,
    unit: bool,
) -> TimeAggregates:
    """Integer-valued times: slot ``(t - base) * n_cells + cell`` per row, counted by bincount.

    Unweighted rows take a single bincount of ``2 * slot + event``: its even entries count the
    censorings and its odd entries the events of each slot.
    """
    size = int(data.time_max - base + 1.0) * n_cells
    idx = data.time.astype(np.intp)  # a fresh array (astype copies), so it can be updated in place
    if base:
        idx -= base
    if cells is not None:
        idx *= n_cells
        idx += cells
    if unit:
        np.left_shift(idx, 1, out=idx)
        np.add(idx, data.event_codes, out=idx, dtype=np.intp, casting="unsafe")
        pairs = np.bincount(idx, minlength=2 * size).reshape(-1, 2)
        ev_all = pairs[:, 1]
        rows_all = pairs.sum(axis=1)
        tot_all: NDArray[Any] = rows_all
    else:
        w = data.weights
        rows_all = np.bincount(idx, minlength=size)
        ev_all = np.bincount(idx, weights=w * data.event, minlength=size)
        tot_all = np.bincount(idx, w, minlength=size)
    rows2 = rows_all.reshape(-1, n_cells)
    present = np.flatnonzero(rows2.sum(axis=1) > 0)
    return _finish(
        present.astype(np.float64) + base,
        ev_all.reshape(-1, n_cells)[present],
        tot_all.reshape(-1, n_cells)[present],
        rows2[present].astype(np.int64),
    )


def aggregate(
    data: SurvivalArrays,
    cells: NDArray[np.intp] | None = None,
    n_cells: int = 1,
    *,
    timefix: bool = True,
) -> TimeAggregates:
    """Reduce validated rows to per-distinct-time counts per cell.

    Parameters
    ----------
    data : SurvivalArrays
        From :func:`hccsurv.core.checks.check_survival`.
    cells : int array, optional
        Cell code ``0 .. n_cells-1`` of each row (group, or ``stratum * k + group``).
    n_cells : int
        Number of cells.
    timefix : bool
        Merge near-tied times as R's ``aeqSurv`` (R's default ``timefix = TRUE``).

    Notes
    -----
    Integer-valued times whose range is at most about ``max(4 n, 2^20)`` slots are counted with
    ``numpy.bincount`` (no sort; gaps of at least 1 can never be near-ties below
    :math:`1/\\varepsilon`). Otherwise the rows are sorted once.
    """
    t, w = data.time, data.weights
    n = t.shape[0]
    unit = data.unit_weights or bool(np.all(w == 1.0))
    tmin, tmax = data.time_min, data.time_max
    limit = max(4.0 * n, float(_BINCOUNT_MIN_SLOTS))
    base = 0.0 if (tmax + 1.0) * n_cells <= limit else tmin
    if (
        tmax < 1.0 / AEQ_TOLERANCE
        and (tmax - base + 1.0) * n_cells <= limit
        and bool(np.all(t[:64] == np.floor(t[:64])))  # cheap early exit for continuous times
        and bool(np.equal(np.floor(t), t).all())  # float compare: faster than int vs float
    ):
        return _aggregate_days(data, cells, n_cells, int(base), unit)
    e = data.event
    order = np.argsort(t)
    ts = t[order]
    new = np.empty(n, dtype=np.bool_)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    uniq = ts[new]
    if timefix:
        keep = _aeq_merge(uniq)
        if not bool(keep.all()):
            starts = np.flatnonzero(new)
            new[starts[~keep]] = False
            uniq = uniq[keep]
    m = uniq.shape[0]
    if cells is None and unit:
        if m == n:  # no ties: every sorted row is its own time
            rows1 = np.ones(n, dtype=np.int64)
            ev1 = e[order]
        else:
            starts = np.flatnonzero(new)
            rows1 = np.diff(np.append(starts, n))
            ev1 = np.add.reduceat(e[order], starts)
        return _finish(
            uniq, ev1.reshape(m, 1), rows1.astype(np.float64).reshape(m, 1), rows1.reshape(m, 1)
        )
    uid = np.cumsum(new) - 1
    idx = uid if cells is None else uid * n_cells + cells[order]
    size = m * n_cells
    es = e[order]
    rows = np.bincount(idx, minlength=size)
    ev = np.bincount(idx, weights=es if unit else w[order] * es, minlength=size)
    tot = rows.astype(np.float64) if unit else np.bincount(idx, w[order], minlength=size)
    return _finish(
        uniq,
        ev.reshape(m, n_cells),
        tot.reshape(m, n_cells),
        rows.reshape(m, n_cells).astype(np.int64),
    )


def delay_entry(
    agg: TimeAggregates,
    data: SurvivalArrays,
    entry: ArrayLike,
    cells: NDArray[np.intp] | None = None,
) -> TimeAggregates:
    """Aggregates of counting-process data ``(entry, time]``: delayed entry (left truncation).

    A row is at risk at :math:`t_j` only when :math:`\\mathrm{entry}_i < t_j \\le t_i`
    (R ``Surv(start, stop, event)``), so the weight of the rows of each cell with
    :math:`\\mathrm{entry}_i \\ge t_j` is removed from :math:`n_{jc}`; events and censorings
    stay at the exit times. ``agg`` must come from ``aggregate(data, cells, ...)``.
    """
    start = np.asarray(entry, dtype=np.float64)
    if start.shape != data.time.shape:
        raise InputError(f"entry has shape {start.shape}, time has {data.time.shape}")
    if not np.all(np.isfinite(start)) or np.any(start >= data.time):
        raise InputError("entry must be finite and below time on every row (R: start < stop)")
    codes = np.zeros(data.n, dtype=np.intp) if cells is None else cells
    not_entered = np.empty_like(agg.n_risk)
    for c in range(agg.n_cells):
        mine = codes == c
        order = np.argsort(start[mine], kind="stable")
        sorted_start = start[mine][order]
        # weight of entries >= t_j = total weight - weight of entries < t_j
        below = np.concatenate(([0.0], np.cumsum(data.weights[mine][order])))
        not_entered[:, c] = below[-1] - below[np.searchsorted(sorted_start, agg.time, side="left")]
    return replace(agg, n_risk=agg.n_risk - not_entered)
