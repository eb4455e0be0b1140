"""Merging of near-tied times, as R's ``survival::aeqSurv`` (``timefix = TRUE``).

Floating-point arithmetic can make two times that are equal on paper differ in the last bits
(for example days / 30.4375 computed two ways). R's ``survfit``, ``survdiff`` and ``coxph`` call
``aeqSurv`` by default: the sorted distinct times :math:`y_1 < \\dots < y_m` are compared with
their successor and :math:`y_{j+1}` is tied to :math:`y_j` when

.. math:: y_{j+1} - y_j \\le \\varepsilon \\quad\\text{or}\\quad
          (y_{j+1} - y_j) / \\overline{|y|} \\le \\varepsilon,
          \\qquad \\varepsilon = \\sqrt{\\text{machine epsilon}} \\approx 1.49 \\times 10^{-8},

with :math:`\\overline{|y|}` the mean of the absolute distinct times. Each run of tied values is
replaced by its first (smallest) value. Reference: survival 3.5-3, ``aeqSurv.R``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["AEQ_TOLERANCE", "aeq_sorted", "aeq_times", "aeq_times_order"]

AEQ_TOLERANCE: float = float(np.sqrt(np.finfo(np.float64).eps))
"""R's ``sqrt(.Machine$double.eps)``."""

_INT_SAFE_MAX = 1.0 / AEQ_TOLERANCE


def aeq_times(time: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return ``time`` with near-ties merged exactly as R's ``aeqSurv``.

    The input array is returned unchanged (the same object) when nothing needs merging, which
    is always the case for integer-valued times below :math:`1/\\varepsilon \\approx 6.7
    \\times 10^7` (their gaps are at least 1); that check costs one pass and no sort.

    Parameters
    ----------
    time : float64 array
        Finite times (validated by :func:`hccsurv.core.checks.check_survival`).
    """
    return aeq_times_order(time)[0]


def aeq_times_order(
    time: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.intp] | None]:
    """:func:`aeq_times`, also returning the increasing order of ``time`` when it sorted.

    The order (from one unstable ``argsort``; ``None`` when no sort was needed) also sorts the
    merged times, since the merge is monotone; the Cox model reuses it instead of sorting again.
    """
    if time.shape[0] < 2:
        return time, None
    tmax = float(np.max(np.abs(time)))
    if tmax < _INT_SAFE_MAX and bool(np.all(time == np.floor(time))):
        return time, None
    order = np.argsort(time)
    ordered = time[order]
    fixed = aeq_sorted(ordered)
    if fixed is ordered:
        return time, order
    out = np.empty_like(time)
    out[order] = fixed
    return out, order


def aeq_sorted(time: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`aeq_times` for times already sorted in increasing order, in one pass (no sort).

    The distinct values are the sorted values that differ from their predecessor; each run of
    near-tied distinct values is replaced by its first value. Returns ``time`` itself (the same
    object) when nothing needs merging.

    Parameters
    ----------
    time : float64 array
        Finite times in increasing order.
    """
    if time.shape[0] < 2:
        return time
    new = np.empty(time.shape[0], dtype=np.bool_)
    new[0] = True
    np.not_equal(time[1:], time[:-1], out=new[1:])
    y = time[new]
    if y.shape[0] < 2:
        return time
    dy = np.diff(y)
    tied = (dy <= AEQ_TOLERANCE) | (dy / float(np.mean(np.abs(y))) <= AEQ_TOLERANCE)
    if not bool(tied.any()):
        return time
    keep = np.concatenate(([True], ~tied))
    # index of the kept (run-starting) distinct value that each sorted row belongs to
    run = np.cumsum(keep)[np.cumsum(new) - 1] - 1
    out: NDArray[np.float64] = y[keep][run]
    return out
