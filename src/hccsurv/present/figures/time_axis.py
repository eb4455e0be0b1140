"""The time axis of curve figures: round breaks in the study's unit, shared by the risk table.

The spacing of the x ticks is the smallest *round* step for the time unit (days: a week, two,
a month, 2, 3 and 6 months, a year, 2 years, 1000 days, ...; months: 1, 2, 3, 6, 12, 24, 36, 48,
60; years: a quarter, a half, 1, 2, 5, 10) that cuts the follow-up into at most
``max_intervals`` intervals (default 8: 4 to 9 ticks on any follow-up from a month to
decades). Below the smallest or above the largest round step of a unit the steps continue as
1-2-5 multiples of a power of ten, as R's ``pretty()`` does. The ticks start at 0 and end at
the first break at or after the last follow-up time, so the risk table's last column shows the
tail; with ``xlim`` the axis and the ticks stop at that time (a thin tail cut off, as papers
do).

A user's ``break_every`` (the config's ``[figures] time_break``) is used as given.

References
----------
Pocock SJ, Clayton TC, Altman DG. Lancet 2002;359:1686-9 (the x axis stops where few patients
remain at risk).
R Core Team. ``pretty()``: 1-2-5 steps, R base package.

Examples
--------
>>> time_breaks(20.0, "months")
3.0
>>> time_breaks(7305.0, "days")
1000.0
>>> time_axis(20.0, "months").ticks.tolist()
[0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0]
>>> time_axis(20.0, "months", break_every=3.0, xlim=15.0).ticks.tolist()
[0.0, 3.0, 6.0, 9.0, 12.0, 15.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hccsurv.errors import InputError

#: Round tick steps per time unit, smallest first.
ROUND_STEPS: dict[str, tuple[float, ...]] = {
    "days": (7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0, 1000.0, 2000.0),
    "weeks": (1.0, 2.0, 4.0, 8.0, 13.0, 26.0, 52.0, 104.0, 260.0),
    "months": (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 48.0, 60.0, 120.0),
    "years": (0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
}
#: At most this many intervals between ticks by default (9 ticks).
MAX_INTERVALS = 8
_EPS = 1e-9


def _pretty_steps(span: float, max_intervals: int) -> tuple[float, ...]:
    """1-2-5 multiples of the two powers of ten around ``span / max_intervals``."""
    exponent = math.floor(math.log10(span / max_intervals))
    return tuple(m * 10.0**e for e in (exponent, exponent + 1) for m in (1.0, 2.0, 5.0))


def _intervals(t_max: float, step: float) -> int:
    return max(math.ceil(t_max / step - _EPS), 1)


def time_breaks(
    t_max: float, time_unit: str = "months", *, max_intervals: int = MAX_INTERVALS
) -> float:
    """The tick spacing for follow-up up to ``t_max`` in ``time_unit``.

    The smallest round step of :data:`ROUND_STEPS` giving at most ``max_intervals`` intervals
    over ``[0, t_max]``; 1-2-5 steps where the unit has none that fits (or is not listed).
    """
    if not (math.isfinite(t_max) and t_max > 0):
        raise InputError(f"time_breaks: t_max={t_max!r} must be a positive finite time")
    if max_intervals < 1:
        raise InputError(f"time_breaks: max_intervals={max_intervals!r} must be at least 1")
    steps = ROUND_STEPS.get(time_unit, ())
    # the round steps only when one of them cuts the span into 3 or more intervals
    if steps and _intervals(t_max, steps[0]) >= min(3, max_intervals):
        for step in steps:
            if _intervals(t_max, step) <= max_intervals:
                return step
    for step in _pretty_steps(t_max, max_intervals):
        if _intervals(t_max, step) <= max_intervals:
            return step
    raise AssertionError("unreachable: 10 ** (exponent + 1) >= t_max / max_intervals")


@dataclass(frozen=True)
class TimeAxis:
    """Ticks of a time axis and where the axis ends.

    ``step`` is the spacing; ``automatic`` tells that it was chosen by :func:`time_breaks` (and
    may be widened when labels would collide), not given by the user.
    """

    ticks: NDArray[np.float64]
    end: float
    step: float
    automatic: bool


def time_axis(
    t_max: float,
    time_unit: str = "months",
    *,
    break_every: float | None = None,
    xlim: float | None = None,
    max_intervals: int = MAX_INTERVALS,
) -> TimeAxis:
    """Ticks from 0 every ``break_every`` (default :func:`time_breaks`) and the axis end.

    Without ``xlim`` the axis ends at the first tick at or after ``t_max`` (the last follow-up);
    with it, the axis ends at ``xlim`` and no tick lies beyond.
    """
    if xlim is not None and not (math.isfinite(xlim) and xlim > 0):
        raise InputError(f"time axis: xlim={xlim!r} must be a positive time (the axis end)")
    right = t_max if xlim is None else float(xlim)
    if not (math.isfinite(right) and right > 0):
        raise InputError(f"time axis: the last follow-up time {t_max!r} must be positive")
    if break_every is None:
        step = time_breaks(right, time_unit, max_intervals=max_intervals)
    else:
        step = float(break_every)
        if not (math.isfinite(step) and step > 0):
            raise InputError(
                f"time axis: time_break={break_every!r} must be a positive time; leave it out "
                "for automatic breaks"
            )
    ticks = np.arange(_intervals(right, step) + 1, dtype=np.float64) * step
    end = float(ticks[-1]) if xlim is None else right
    ticks = ticks[ticks <= end * (1 + _EPS)]
    return TimeAxis(ticks=ticks, end=end, step=step, automatic=break_every is None)


def tick_text(t: float) -> str:
    """A tick label: the shortest text of the value (``12``, ``0.25``, ``1000``)."""
    return f"{t:.10g}"
