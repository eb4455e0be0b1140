"""Aalen-Johansen cumulative incidence with R ``survfit``'s infinitesimal-jackknife variance.

Competing risks are a multi-state model with one initial state 0 and absorbing states
:math:`1..K`. At each distinct time :math:`t_j` (:math:`Y_j` at risk, :math:`d_{kj}` events of
cause :math:`k`, :math:`h_{kj} = d_{kj}/Y_j`, :math:`h_j = \\sum_k h_{kj}`) the state
probabilities are updated by :math:`p(t_j) = p(t_{j-1}) H_j`, so that
:math:`P(t) = p_0(t)` is the all-cause Kaplan-Meier and
:math:`F_k(t) = \\sum_{t_j \\le t} P(t_{j-1}) h_{kj}`.

The variance is R ``survfit``'s default for multi-state data (survival 3.5, ``survfitCI``): the
infinitesimal jackknife :math:`\\hat V(t) = \\sum_i U_i(t)^2` with :math:`U_i = \\partial p /
\\partial w_i` at unit weights, which follows :math:`U_i(t_j) = U_i(t_{j-1}) H_j + P(t_{j-1})\\,
\\partial H_j / \\partial w_i`. A subject still at risk has the common influence :math:`A`
(:math:`A_0 \\leftarrow A_0 (1 - h_j) + P h_j / Y_j`, :math:`A_k \\leftarrow A_k + A_0 h_{kj} -
P h_{kj}/Y_j`); on leaving it adds :math:`P(t_{j-1})(e_k - e_0)/Y_j` for an event of cause
:math:`k`, after which its influence is carried by :math:`H`. Summing the squares of the leavers
per time (only :math:`C_{00}, C_{0k}, C_{kk}` are needed) gives, divided by :math:`P(t_j)`,
cumulative sums, so the whole curve costs a few passes over the distinct times. Times go through
``aeqSurv`` (``timefix``) as in ``survfit``. Pointwise limits use ``survfit``'s default
``conf.type = "log"``: :math:`F e^{\\pm z\\, se/F}`.

Reference: Aalen O, Johansen S (1978). *Scand J Stat* 5:141-150; Therneau T, survival 3.5
``survfitCI.R`` and the vignette "Multi-state models and competing risks".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core.timefix import aeq_times
from hccsurv.errors import InputError

__all__ = ["AalenJohansen", "aalen_johansen"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class AalenJohansen:
    """All causes of one sample at each distinct event time (any cause).

    ``estimate`` and ``variance`` have one column per entry of ``causes``; ``n_event`` likewise.
    """

    causes: tuple[int, ...]
    time: F64
    n_risk: F64
    n_event: F64
    estimate: F64
    variance: F64


def aalen_johansen(
    time: ArrayLike, status: ArrayLike, causes: tuple[int, ...], censored: int = 0
) -> AalenJohansen:
    """CIF of every cause in ``causes`` with the infinitesimal-jackknife variance (docstring)."""
    t = aeq_times(np.asarray(time, dtype=np.float64))
    s = np.asarray(status)
    times, inverse = np.unique(t, return_inverse=True)
    nt, nk = times.size, len(causes)
    d = np.zeros((nt, nk))
    for c, cause in enumerate(causes):
        d[:, c] = np.bincount(inverse, weights=(s == cause).astype(np.float64), minlength=nt)
    total = np.bincount(inverse, minlength=nt).astype(np.float64)
    n_cens = np.bincount(inverse, weights=(s == censored).astype(np.float64), minlength=nt)
    y = np.cumsum(total[::-1])[::-1]
    d_all = d.sum(axis=1)
    if not np.allclose(d_all + n_cens, total):
        raise InputError("status has codes that are neither censored nor one of the causes")
    h = d / y[:, None]
    h_all = d_all / y
    surv = np.cumprod(1.0 - h_all)
    prev = np.concatenate(([1.0], surv[:-1]))
    est = np.cumsum(prev[:, None] * h, axis=0)
    # P(t_j) > 0 on a prefix; the last time can end at 0 (everyone left has an event)
    pos = surv > 0
    last = int(np.flatnonzero(~pos)[0]) if not pos.all() else nt
    q = np.where(pos, surv, 1.0)
    # A_0 / P accumulates h/(Y(1-h)); A_k adds A_0(t_{j-1}) h_k - P(t_{j-1}) h_k / Y
    safe = np.where(pos, 1.0 - h_all, 1.0)
    a0 = q * np.cumsum(np.where(pos, h_all / (y * safe), 0.0))
    a0_prev = np.concatenate(([0.0], a0[:-1]))
    ak = np.cumsum(h * (a0_prev - prev / y)[:, None], axis=0)
    if last < nt:  # the step to P = 0: A_0 = P(t-) h / Y = P(t-) / Y exactly
        a0[last] = prev[last] * h_all[last] / y[last]
    jump = prev / y  # what a leaver by an event adds (with sign) to states 0 and k
    # squares of the leavers at t_j: c_j censored with U = A, d_mj with U = A + jump (e_m - e_0)
    u0e = a0 - jump
    x00 = n_cens * a0**2 + d_all * u0e**2
    x0k = a0[:, None] * ak * n_cens[:, None] + u0e[:, None] * (
        d_all[:, None] * ak + d * jump[:, None]
    )
    xkk = (
        n_cens[:, None] * ak**2
        + d_all[:, None] * ak**2
        + d * (2.0 * ak + jump[:, None]) * (jump[:, None])
    )
    # C_00 / P^2 and C_0k / P are cumulative sums; C_kk adds 2 h_k C_0k + h_k^2 C_00 (at t_{j-1})
    c00 = q**2 * np.cumsum(np.where(pos, x00 / q**2, 0.0))
    if last < nt:  # the step to P = 0 leaves only the leavers' squares
        c00[last] = x00[last]
    c00_prev = np.concatenate(([0.0], c00[:-1]))
    c0k = q[:, None] * np.cumsum(
        np.where(pos[:, None], h * (c00_prev / np.concatenate(([1.0], q[:-1])))[:, None], 0.0)
        + np.where(pos[:, None], x0k / q[:, None], 0.0),
        axis=0,
    )
    if last < nt:
        c0k[last] = x0k[last]
    c0k_prev = np.concatenate((np.zeros((1, nk)), c0k[:-1]))
    ckk = np.cumsum(2.0 * h * c0k_prev + h**2 * c00_prev[:, None] + xkk, axis=0)
    remaining = y - d_all - n_cens
    var = ckk + remaining[:, None] * ak**2
    keep = d_all > 0
    return AalenJohansen(
        causes=causes,
        time=times[keep],
        n_risk=y[keep],
        n_event=d[keep],
        estimate=est[keep],
        variance=var[keep],
    )
