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

__all__ = ["AEQ_TOLERANCE", "aeq_times"]

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
    if time.shape[0] < 2:
        return time
    tmax = float(np.max(np.abs(time)))
    if tmax < _INT_SAFE_MAX and bool(np.all(time == np.floor(time))):
        return time
    y = np.unique(time)
    if y.shape[0] < 2:
        return time
    dy = np.diff(y)
    tied = (dy <= AEQ_TOLERANCE) | (dy / float(np.mean(np.abs(y))) <= AEQ_TOLERANCE)
    if not bool(tied.any()):
        return time
    cuts = y[np.concatenate(([True], ~tied))]
    idx = np.searchsorted(cuts, time, side="right") - 1
    return cuts[idx]
