"""The curve-figure machinery is not Kaplan-Meier specific: a cumulative-incidence estimate
(cmprsk ``cuminc``) plugs in through :class:`PlottedCurve` records and a counts function, and is
drawn with the same steps, bands, time axis and risk table."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from hccsurv.core.cumulative_incidence import cumulative_incidence_cuminc_groups
from hccsurv.errors import InputError
from hccsurv.present.figures.curve_plot import plot_curves
from hccsurv.present.figures.curves import PlottedCurve, YAxis
from hccsurv.present.figures.risk_table import RiskTable
from hccsurv.present.figures.style import FigureStyle

rng = np.random.default_rng(21)
N = 240
TIME = rng.exponential(20.0, N).round(1) + 0.1
STATUS = rng.choice([0, 1, 2], N, p=[0.3, 0.45, 0.25])  # 1 = recurrence, 2 = death without it
GROUP = np.where(rng.random(N) < 0.5, "HAIC", "Sorafenib")


def _curves(style: FigureStyle) -> tuple[PlottedCurve, ...]:
    out = []
    for i, cif in enumerate(cumulative_incidence_cuminc_groups(TIME, STATUS, GROUP, cause=1)):
        x = np.concatenate(([0.0], cif.time))
        y = np.concatenate(([0.0], cif.estimate))
        half = 1.959963984540054 * np.sqrt(np.concatenate(([0.0], cif.variance)))
        crossed = np.flatnonzero(y >= 0.5)
        out.append(
            PlottedCurve(
                label=str(cif.group),
                color=style.color(i),
                line_style=style.line_style(i),
                step_x=x,
                step_y=y,
                band_lower=np.clip(y - half, 0.0, 1.0),
                band_upper=np.clip(y + half, 0.0, 1.0),
                censor_x=np.empty(0),
                censor_y=np.empty(0),
                median=float(x[crossed[0]]) if crossed.size else None,
                landmark_x=np.empty(0),
                landmark_y=np.empty(0),
            )
        )
    return tuple(out)


def _counts(times: NDArray[np.float64]) -> RiskTable:
    labels = ("HAIC", "Sorafenib")
    at_risk = np.array([[(TIME[g == GROUP] >= t).sum() for t in times] for g in labels])
    events = np.array(
        [[((t >= TIME) & (STATUS == 1) & (g == GROUP)).sum() for t in times] for g in labels]
    )
    censored = np.array(
        [[((t >= TIME) & (STATUS == 0) & (g == GROUP)).sum() for t in times] for g in labels]
    )
    return RiskTable(times, labels, at_risk, events, censored)


def test_a_cumulative_incidence_figure_through_the_same_machine() -> None:
    style = FigureStyle()
    curves = _curves(style)
    fig = plot_curves(
        curves,
        y_axis=YAxis("Cumulative incidence of recurrence", full=1.0, median_y=0.5),
        risk_counts=_counts,
        style=style,
        annotation="Gray's test p = 0.41",
        risk_rows=("at_risk", "events"),
        kind="cumulative_incidence",
    )
    assert fig.kind == "cumulative_incidence"
    for pc in curves:
        (line,) = [ln for ln in fig.ax.lines if ln.get_gid() == f"curve:{pc.label}"]
        np.testing.assert_array_equal(line.get_xdata(), pc.step_x)
        np.testing.assert_array_equal(line.get_ydata(), pc.step_y)
    assert fig.risk_table is not None and fig.risk_ax is not None
    np.testing.assert_array_equal(fig.risk_table.times, fig.xticks)
    np.testing.assert_array_equal(fig.risk_table.at_risk, _counts(fig.xticks).at_risk)
    shown = {t.get_gid(): t.get_text() for t in fig.risk_ax.texts}
    assert shown["risk:events:HAIC:1"] == str(fig.risk_table.events[0, 1])
    assert fig.ax.get_ylabel() == "Cumulative incidence of recurrence"
    assert fig.annotation == "Gray's test p = 0.41"


def test_plot_curves_needs_curves() -> None:
    with pytest.raises(InputError, match="no curves"):
        plot_curves((), y_axis=YAxis("y", full=1.0, median_y=None), risk_counts=None)
