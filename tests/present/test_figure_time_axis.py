"""The time axis of curve figures on any follow-up: round breaks, the risk table at the same
breaks, no two labels touching (measured with the renderer's text extents), ``xlim``."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.errors import InputError
from hccsurv.present.figures.km import KMFigure, plot_km
from hccsurv.present.figures.style import FigureStyle
from hccsurv.present.figures.time_axis import ROUND_STEPS, time_axis, time_breaks

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
#: Follow-up spans from 30 days to 20 years.
SPANS_DAYS = np.geomspace(30.0, 7305.0, 25)


def _is_round(step: float, unit: str) -> bool:
    if step in ROUND_STEPS[unit]:
        return True
    mantissa = step / 10.0 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in (1.0, 2.0, 5.0))


@pytest.mark.parametrize("unit", list(DAYS_PER_UNIT))
def test_breaks_are_round_evenly_spaced_and_5_to_9(unit: str) -> None:
    for days in SPANS_DAYS:
        t_max = float(days) / DAYS_PER_UNIT[unit]
        axis = time_axis(t_max, unit)
        ticks = axis.ticks
        assert 4 <= ticks.size <= 9, (unit, t_max, ticks)
        assert ticks[0] == 0.0
        np.testing.assert_allclose(np.diff(ticks), axis.step)
        assert _is_round(axis.step, unit), (unit, t_max, axis.step)
        # the last tick covers the data, by less than one step
        assert t_max <= ticks[-1] < t_max + axis.step
        assert axis.end == ticks[-1]


def test_familiar_breaks() -> None:
    assert time_breaks(24.0, "months") == 3.0
    assert time_breaks(60.0, "months") == 12.0
    assert time_breaks(240.0, "months") == 36.0
    assert time_breaks(365.0, "days") == 60.0
    assert time_breaks(4795.0, "days") == 730.0  # pbc: two-year breaks
    assert time_breaks(7305.0, "days") == 1000.0  # not 1825: 8 intervals up to 8000 days
    assert time_breaks(20.0, "years") == 5.0


def test_user_breaks_and_xlim() -> None:
    axis = time_axis(27.5, "months", break_every=3.0)
    assert axis.ticks.tolist() == [float(t) for t in range(0, 31, 3)]
    assert not axis.automatic
    cut = time_axis(27.5, "months", xlim=18.0)
    assert cut.end == 18.0 and cut.ticks[-1] <= 18.0
    with pytest.raises(InputError, match="time_break"):
        time_axis(27.5, "months", break_every=0.0)
    with pytest.raises(InputError, match="xlim"):
        time_axis(27.5, "months", xlim=-1.0)


def _cohort(span_days: float, unit: str, n: int = 3000, seed: int = 7) -> KaplanMeierGroups:
    rng = np.random.default_rng(seed)
    follow = rng.uniform(0.05, 1.0, n) * span_days
    death = rng.exponential(span_days / 1.5, n)
    time = np.minimum(follow, death)
    time[0] = span_days  # the longest follow-up is the span
    event = (death <= follow).astype(int)
    group = np.where(rng.random(n) < 0.5, "Sorafenib", "Atezolizumab + bev.")
    return kaplan_meier_groups(time / DAYS_PER_UNIT[unit], event, group)


def _extents(texts: list[Text]) -> list[Bbox]:
    return sorted((t.get_window_extent() for t in texts if t.get_text()), key=lambda b: b.x0)


def _assert_no_overlap(fig: KMFigure) -> None:
    assert fig.risk_ax is not None and fig.risk_table is not None
    figure: Figure = fig.figure
    figure.draw_without_rendering()
    rows: dict[float, list[Text]] = {}
    for text in fig.risk_ax.texts:
        if (text.get_gid() or "").startswith("risk:"):
            rows.setdefault(text.get_position()[1], []).append(text)
    assert len(rows) == len(fig.risk_table.labels)
    for row in [fig.ax.get_xticklabels(), *rows.values()]:
        boxes = _extents(list(row))
        assert len(boxes) == fig.xticks.size
        for left, right in pairwise(boxes):
            assert left.x1 < right.x0, (left, right)
    # the counts sit at the ticks of the plot above
    positions = sorted({t.get_position()[0] for r in rows.values() for t in r})
    np.testing.assert_array_equal(positions, fig.xticks)


@pytest.mark.parametrize(
    ("span_days", "unit"),
    [(30.0, "days"), (365.0, "days"), (7305.0, "days"), (1826.0, "months"), (7305.0, "years")],
)
def test_risk_table_labels_never_overlap(span_days: float, unit: str) -> None:
    km = _cohort(span_days, unit)
    fig = plot_km(km, time_unit=unit, style=FigureStyle.single_column())
    _assert_no_overlap(fig)
    assert 4 <= fig.xticks.size <= 9
    np.testing.assert_array_equal(
        fig.risk_table.at_risk[0] if fig.risk_table else [],
        km.curves[km.labels[0]].n_at_risk(fig.xticks),
    )


def test_crowded_breaks_are_widened_but_a_users_are_kept() -> None:
    km = _cohort(7305.0, "days", n=60_000)
    narrow = FigureStyle(width_mm=70.0, height_mm=70.0)
    auto = plot_km(km, time_unit="days", style=narrow)
    _assert_no_overlap(auto)
    assert auto.xticks.size < time_axis(7305.0, "days").ticks.size  # widened to fit
    users = plot_km(km, time_unit="days", style=narrow, break_every=365.0)
    np.testing.assert_array_equal(users.xticks, np.arange(0.0, 7305.0 + 365.0, 365.0))


def test_xlim_cuts_the_axis_and_the_table() -> None:
    km = _cohort(7305.0, "days")
    fig = plot_km(km, time_unit="days", xlim=3650.0)
    assert fig.ax.get_xlim() == (0.0, 3650.0)
    assert fig.xticks[-1] <= 3650.0
    assert fig.risk_table is not None
    np.testing.assert_array_equal(fig.risk_table.times, fig.xticks)
    _assert_no_overlap(fig)


def test_the_config_breaks_are_automatic_unless_set() -> None:
    from pydantic import ValidationError

    from hccsurv.config import FiguresConfig

    default = FiguresConfig()
    assert default.time_break is None and default.xlim is None and default.font_family == []
    chosen = FiguresConfig(time_break=6, xlim=24, font_family=["Arial"])
    assert (chosen.time_break, chosen.xlim, chosen.font_family) == (6.0, 24.0, ["Arial"])
    for bad in ({"xlim": 0}, {"time_break": -3}, {"font_family": [""]}):
        with pytest.raises(ValidationError):
            FiguresConfig(**bad)  # type: ignore[arg-type]
