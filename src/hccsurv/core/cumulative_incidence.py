"""Aalen-Johansen cumulative incidence with R ``cmprsk::cuminc`` variance.

For distinct times :math:`t_j` with :math:`n_j` at risk, :math:`d_{kj}` events of cause
:math:`k` and :math:`d_j = \\sum_k d_{kj}` events of any cause, with :math:`S(t_{j-1})` the
all-cause Kaplan-Meier just before :math:`t_j`,

.. math:: \\hat F_k(t) = \\sum_{t_j \\le t} S(t_{j-1}) \\, \\frac{d_{kj}}{n_j}.

The variance is the delta-method estimate of ``cmprsk``'s Fortran routine ``cinc`` (Gray 1988,
Aalen 1978): with :math:`S_j = S(t_j)` and, for :math:`m \\in \\{d_{kj}, d_j - d_{kj}\\}`,
:math:`w = S(t_{j-1})^2 \\{1 - (m - 1)/(n_j - 1)\\} m / n_j^2` (the tie correction applied only
when :math:`m > 1`), the running sums :math:`v_1, v_2, v_3` of :math:`a^2 w, b a w, b^2 w` give
:math:`\\hat V(t) = v_1 + F^2 v_3 - 2 F v_2`; competing events use :math:`a = F/S_j,
b = 1/S_j`, events of the cause :math:`a = 1 + F/S_j, b = 1/S_j` (:math:`b = 0` when
:math:`S_j = 0`). Times are compared exactly (no ``timefix``), as ``cuminc`` does.

Reference: Gray RJ (2022). *cmprsk: Subdistribution Analysis of Competing Risks*, 2.2-11,
``cuminc.R`` and ``cinc.f``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CumulativeIncidence",
    "cumulative_incidence_cuminc",
    "cumulative_incidence_cuminc_groups",
]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CumulativeIncidence(Result):
    """CIF of one cause at each of its distinct event times, with cuminc variance."""

    cause: int
    time: F64
    estimate: F64
    variance: F64
    group: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per time: group, cause, time, estimate, variance."""
        import pandas as pd

        return pd.DataFrame(
            {
                "group": self.group,
                "cause": self.cause,
                "time": self.time,
                "estimate": self.estimate,
                "variance": self.variance,
            }
        )


def cumulative_incidence_cuminc(
    time: ArrayLike, status: ArrayLike, cause: int = 1, censored: int = 0
) -> CumulativeIncidence:
    """Aalen-Johansen CIF of ``cause`` and its ``cmprsk::cuminc`` variance (module docstring).

    ``status`` holds ``censored`` for censoring and any other integer code for a cause.
    Returned at each distinct time with an event of ``cause`` (where ``cuminc`` jumps); a cause
    without events gives empty arrays.
    """
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(status)
    if t.ndim != 1 or t.shape != s.shape or t.size == 0:
        raise InputError("time and status must be non-empty 1-d arrays of equal length")
    if not np.all(np.isfinite(t)):
        raise InputError("time must be finite")
    times, inverse = np.unique(t, return_inverse=True)
    event = s != censored
    d_all = np.bincount(inverse, weights=event.astype(np.float64), minlength=times.size)
    d_k = np.bincount(inverse, weights=(s == cause).astype(np.float64), minlength=times.size)
    n_at = np.bincount(inverse, minlength=times.size)[::-1].cumsum()[::-1].astype(np.float64)
    keep = d_all > 0
    times, d_all, d_k, n_at = times[keep], d_all[keep], d_k[keep], n_at[keep]
    # cinc.f's loop, vectorised: each step's weights depend only on the running S and F, which
    # are cumulative products / sums, so v1, v2, v3 are cumulative sums of per-step terms.
    s_now = np.cumprod((n_at - d_all) / n_at)
    s_prev = np.concatenate(([1.0], s_now[:-1]))
    est = np.cumsum(s_prev * d_k / n_at)
    pos = s_now > 0
    inv = np.where(pos, 1.0 / np.where(pos, s_now, 1.0), 0.0)
    d_o = d_all - d_k
    w_o = np.where((d_o > 0) & pos, _weights(s_prev, d_o.astype(np.float64), n_at), 0.0)
    w_k = np.where(d_k > 0, _weights(s_prev, d_k.astype(np.float64), n_at), 0.0)
    a_o, a_k = est * inv, 1.0 + est * inv
    v1 = np.cumsum(a_o * a_o * w_o + a_k * a_k * w_k)
    v2 = np.cumsum(inv * (a_o * w_o + a_k * w_k))
    v3 = np.cumsum(inv * inv * (w_o + w_k))
    var = v1 + est * est * v3 - 2.0 * est * v2
    # cuminc reports the curve only where it jumps; the other causes' times still enter the sums.
    jumps = d_k > 0
    return CumulativeIncidence(
        cause=int(cause), time=times[jumps], estimate=est[jumps], variance=var[jumps]
    )


def cumulative_incidence_cuminc_groups(
    time: ArrayLike, status: ArrayLike, group: ArrayLike, cause: int = 1, censored: int = 0
) -> tuple[CumulativeIncidence, ...]:
    """The CIF of ``cause`` within each group (sorted labels), as ``cuminc(time, status, group)``.

    Each group's curve uses only its own subjects, so this is the per-group estimate; groups are
    labelled by ``str`` of their value.
    """
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(status)
    g = np.asarray(group)
    if g.shape != t.shape:
        raise InputError("group must have the same length as time")
    curves = []
    for label in np.unique(g):
        mask = g == label
        fit = cumulative_incidence_cuminc(t[mask], s[mask], cause=cause, censored=censored)
        curves.append(replace(fit, group=str(label)))
    return tuple(curves)


def _weights(s_prev: F64, m: F64, n: F64) -> F64:
    """``cinc.f``'s increment weights, with its tie correction for ``m > 1`` events."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tie = np.where(m > 1, 1.0 - (m - 1.0) / (n - 1.0), 1.0)
    out: F64 = s_prev * s_prev * tie * m / (n * n)
    return out
