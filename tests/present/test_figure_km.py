"""Kaplan-Meier figures: the drawn data equal the estimate (no pixel comparisons).

Data: R's ``survival::lung`` (tests/reference/data/lung.csv), time in months (days / 30.4375),
grouped by sex; the estimator is ``hccsurv.core.km.kaplan_meier_groups`` (R ``survfit``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText

from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.core.logrank import logrank
from hccsurv.errors import InputError
from hccsurv.present.figures.km import KMFigure, plot_km, plot_km_facets, time_breaks
from hccsurv.present.figures.style import OKABE_ITO, FigureStyle

DATA = Path(__file__).parents[1] / "reference" / "data" / "lung.csv"
DAYS_PER_MONTH = 30.4375


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    return pd.DataFrame(
        {
            "time": d["time"] / DAYS_PER_MONTH,
            "event": (d["status"] == 2).astype(int),
            "sex": np.where(d["sex"] == 1, "Male", "Female"),
            "ecog": d["ph.ecog"],
        }
    )


@pytest.fixture(scope="module")
def km(lung: pd.DataFrame) -> KaplanMeierGroups:
    return kaplan_meier_groups(lung["time"], lung["event"], lung["sex"], order=["Male", "Female"])


@pytest.fixture(scope="module")
def fig(km: KaplanMeierGroups) -> KMFigure:
    return plot_km(km, logrank=0.0731, landmarks=(12.0,))


def _artist(ax: Axes, kind: type, gid: str) -> object:
    found = [a for a in ax.get_children() if isinstance(a, kind) and a.get_gid() == gid]
    assert len(found) == 1, f"expected one {kind.__name__} with gid {gid!r}, found {len(found)}"
    return found[0]


def test_steps_start_at_one_and_equal_the_estimate(fig: KMFigure, km: KaplanMeierGroups) -> None:
    for label in km.labels:
        curve = km.curves[label]
        line = _artist(fig.ax, Line2D, f"curve:{label}")
        assert isinstance(line, Line2D)
        assert line.get_drawstyle() == "steps-post"
        np.testing.assert_array_equal(line.get_xdata(), np.concatenate(([0.0], curve.time)))
        np.testing.assert_array_equal(line.get_ydata(), np.concatenate(([1.0], curve.surv)))


def test_censor_marks_sit_on_the_curve_at_censor_times(
    fig: KMFigure, km: KaplanMeierGroups
) -> None:
    for label in km.labels:
        curve = km.curves[label]
        marks = _artist(fig.ax, Line2D, f"censor:{label}")
        assert isinstance(marks, Line2D)
        assert marks.get_marker() == "+"
        censored = curve.n_censor > 0
        np.testing.assert_array_equal(marks.get_xdata(), curve.time[censored])
        np.testing.assert_array_equal(marks.get_ydata(), curve.surv[censored])


def test_ci_band_vertices_are_the_limits(fig: KMFigure, km: KaplanMeierGroups) -> None:
    for label in km.labels:
        curve = km.curves[label]
        band = _artist(fig.ax, PolyCollection, f"ci:{label}")
        assert isinstance(band, PolyCollection)
        vertices = np.concatenate([p.vertices for p in band.get_paths()])
        x = np.concatenate(([0.0], curve.time))
        lower = np.concatenate(([1.0], curve.lower))
        upper = np.concatenate(([1.0], curve.upper))
        finite = np.isfinite(lower) & np.isfinite(upper)
        # every (t_i, lower_i) and (t_i, upper_i) is a vertex of the step band ...
        for xs, ys in ((x[finite], lower[finite]), (x[finite], upper[finite])):
            hits = (np.abs(vertices[:, None, 0] - xs) < 1e-12) & (
                np.abs(vertices[:, None, 1] - ys) < 1e-12
            )
            assert hits.any(axis=0).all()
        # ... and no vertex has another height
        heights = np.concatenate((lower[finite], upper[finite]))
        assert np.all(np.min(np.abs(vertices[:, 1][:, None] - heights), axis=1) < 1e-12)


def test_plotted_data_record_matches_the_artists(fig: KMFigure, km: KaplanMeierGroups) -> None:
    assert [c.label for c in fig.curves] == list(km.labels)
    for pc in fig.curves:
        curve = km.curves[pc.label]
        np.testing.assert_array_equal(pc.band_lower[1:], curve.lower)
        np.testing.assert_array_equal(pc.band_upper[1:], curve.upper)
        assert pc.median == curve.median


def test_median_lines_reach_both_axes(fig: KMFigure, km: KaplanMeierGroups) -> None:
    for label in km.labels:
        m = km.curves[label].median
        assert m is not None
        line = _artist(fig.ax, Line2D, f"median:{label}")
        assert isinstance(line, Line2D)
        assert line.get_linestyle() == ":"
        np.testing.assert_array_equal(line.get_xdata(), [0.0, m, m])
        np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.5, 0.0])


def test_no_median_line_for_a_group_that_does_not_reach_it() -> None:
    time = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.0, 4.0, 6.0, 8.0, 9.0, 10.0])
    event = np.array([1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0])
    group = np.array(["A"] * 6 + ["B"] * 6)
    km = kaplan_meier_groups(time, event, group)
    assert km.curves["B"].median is None
    f = plot_km(km)
    gids = {a.get_gid() for a in f.ax.get_children()}
    assert "median:A" in gids
    assert "median:B" not in gids
    assert f.curves[1].median is None


def test_risk_table_counts_at_the_ticks(
    fig: KMFigure, km: KaplanMeierGroups, lung: pd.DataFrame
) -> None:
    assert fig.risk_ax is not None and fig.risk_table is not None
    ticks = fig.xticks
    np.testing.assert_array_equal(fig.ax.get_xticks(), ticks)
    assert fig.risk_ax.get_xlim() == fig.ax.get_xlim()  # shared x scale
    for g, label in enumerate(km.labels):
        # independent count: patients of the group with follow-up >= t (R n.risk)
        t = lung.loc[lung["sex"] == label, "time"].to_numpy()
        expected = (t[:, None] >= ticks[None, :]).sum(axis=0)
        np.testing.assert_array_equal(fig.risk_table.at_risk[g], expected)
        np.testing.assert_array_equal(fig.risk_table.at_risk[g], km.curves[label].n_at_risk(ticks))
        texts = {t.get_gid(): t for t in fig.risk_ax.texts}
        for j, tick in enumerate(ticks):
            cell = texts[f"risk:at_risk:{label}:{j}"]
            assert cell.get_text() == str(int(expected[j]))
            assert cell.get_position()[0] == tick
            assert cell.get_horizontalalignment() == "center"


def test_risk_table_group_names_coloured_like_curves(fig: KMFigure) -> None:
    assert fig.risk_ax is not None
    names = [t.get_text() for t in fig.risk_ax.get_yticklabels()]
    colours = [t.get_color() for t in fig.risk_ax.get_yticklabels()]
    assert names == ["Male", "Female"]
    assert colours == [OKABE_ITO[0], OKABE_ITO[1]]


def test_event_and_censored_rows(km: KaplanMeierGroups, lung: pd.DataFrame) -> None:
    f = plot_km(km, risk_table_rows=("at_risk", "events", "censored"))
    assert f.risk_table is not None and f.risk_ax is not None
    for g, label in enumerate(km.labels):
        sub = lung[lung["sex"] == label]
        t, e = sub["time"].to_numpy(), sub["event"].to_numpy()
        le = t[:, None] <= f.xticks[None, :]
        np.testing.assert_array_equal(f.risk_table.events[g], (le & (e[:, None] == 1)).sum(0))
        np.testing.assert_array_equal(f.risk_table.censored[g], (le & (e[:, None] == 0)).sum(0))
    gids = {t.get_gid() for t in f.risk_ax.texts}
    assert {"risk-header:events", "risk-header:censored"} <= gids
    frame = f.risk_table.to_frame()
    assert list(frame.columns) == ["group", "time", "n_risk", "cum_events", "cum_censored"]


def test_x_breaks_every_3_or_6_months() -> None:
    assert time_breaks(20.0) == 3.0
    assert time_breaks(24.0) == 3.0
    assert time_breaks(33.6) == 6.0
    assert time_breaks(45.0) == 6.0
    assert time_breaks(60.0) == 12.0
    assert time_breaks(900.0, "days") == 180.0


def test_lung_axes_in_months(fig: KMFigure) -> None:
    np.testing.assert_array_equal(fig.xticks, [0, 6, 12, 18, 24, 30, 36])
    assert fig.ax.get_xlabel() == "Time (months)"
    assert fig.ax.get_xlim() == (0.0, 36.0)


def test_logrank_text_names_the_test(
    fig: KMFigure, km: KaplanMeierGroups, lung: pd.DataFrame
) -> None:
    assert fig.annotation == "Log-rank p = 0.073"
    test = logrank(lung["time"], lung["event"], lung["sex"], order=["Male", "Female"])
    f = plot_km(km, logrank=test, hr_text="HR 0.59 (0.42–0.83)")
    # R: survdiff(Surv(time, status) ~ sex, lung) gives p = 0.00131
    assert f.annotation == "Log-rank p = 0.001\nHR 0.59 (0.42–0.83)"
    texts = [a for a in f.ax.get_children() if isinstance(a, AnchoredText)]
    assert [t.txt.get_text() for t in texts] == [f.annotation]
    assert plot_km(km, logrank=1e-6).annotation == "Log-rank p < 0.001"


def _step_range(x: np.ndarray, y: np.ndarray, x0: float, x1: float) -> tuple[float, float]:
    i0 = max(int(np.searchsorted(x, x0, side="right")) - 1, 0)
    i1 = int(np.searchsorted(x, x1, side="right"))
    seg = y[i0:i1]
    return float(np.nanmin(seg)), float(np.nanmax(seg))


@pytest.mark.parametrize("kind", ["survival", "cumulative_incidence"])
def test_legend_never_covers_a_curve(km: KaplanMeierGroups, kind: str) -> None:
    f = plot_km(km, logrank=0.07, kind=kind)  # type: ignore[arg-type]
    f.figure.canvas.draw()
    legend = f.ax.get_legend()
    assert isinstance(legend, Legend)
    box = legend.get_window_extent().transformed(f.ax.transData.inverted())
    inside = box.x0 >= 0.0 and box.x1 <= f.ax.get_xlim()[1] and box.y0 >= 0.0
    if inside and box.y1 <= f.ax.get_ylim()[1]:
        for pc in f.curves:
            if box.x0 > pc.step_x[-1]:
                continue
            for y in (pc.step_y, pc.band_lower, pc.band_upper):
                lo, hi = _step_range(pc.step_x, y, box.x0, box.x1)
                assert hi < box.y0 or lo > box.y1, f"legend covers {pc.label}"
    else:
        assert f.legend_outside


def test_cumulative_incidence_and_percent(km: KaplanMeierGroups) -> None:
    f = plot_km(km, kind="cumulative_incidence", style=FigureStyle(percent=True))
    curve = km.curves["Male"]
    np.testing.assert_allclose(f.curves[0].step_y, 100.0 * (1.0 - np.r_[1.0, curve.surv]))
    np.testing.assert_allclose(f.curves[0].band_upper[1:], 100.0 * (1.0 - curve.lower))
    assert f.ax.get_ylabel() == "Cumulative incidence (%)"
    med = _artist(f.ax, Line2D, "median:Male")
    assert isinstance(med, Line2D)
    np.testing.assert_allclose(np.asarray(med.get_ydata(), dtype=float), [50.0, 50.0, 0.0])


def test_cumulative_hazard_is_minus_log_survival(km: KaplanMeierGroups) -> None:
    f = plot_km(km, kind="cumulative_hazard", show_median=False)
    s = np.r_[1.0, km.curves["Female"].surv]
    np.testing.assert_allclose(f.curves[1].step_y, -np.log(s))


def test_landmark_rate_is_survival_at_the_landmark(fig: KMFigure, km: KaplanMeierGroups) -> None:
    for pc in fig.curves:
        expected = km.curves[pc.label].survival_at([12.0]).surv
        np.testing.assert_allclose(pc.landmark_y, expected)
        text = _artist(fig.ax, type(fig.ax.texts[0]), f"landmark-text:{pc.label}:0")
        assert text.get_text() == f"{100 * expected[0]:.0f}%"  # type: ignore[attr-defined]


def test_more_than_two_groups_get_distinct_colours_and_dashes(lung: pd.DataFrame) -> None:
    ok = lung["ecog"].notna() & (lung["ecog"] < 3)
    sub = lung[ok]
    km = kaplan_meier_groups(sub["time"], sub["event"], sub["ecog"].astype(int).astype(str))
    f = plot_km(km)
    lines = [_artist(f.ax, Line2D, f"curve:{g}") for g in km.labels]
    assert len({ln.get_color() for ln in lines}) == 3  # type: ignore[attr-defined]
    assert len({str(c.line_style) for c in f.curves}) == 3
    assert [ln.get_linestyle() for ln in lines] == ["-", "--", "--"]  # type: ignore[attr-defined]


def test_size_in_mm_as_requested(km: KaplanMeierGroups) -> None:
    for style in (
        FigureStyle(),
        FigureStyle.double_column(),
        FigureStyle(width_mm=120, height_mm=90),
    ):
        f = plot_km(km, style=style)
        w, h = f.figure.get_size_inches() * 25.4
        assert w == pytest.approx(style.width_mm, abs=1e-9)
        assert h == pytest.approx(style.height_mm, abs=1e-9)


def test_without_risk_table_and_into_a_given_axes(km: KaplanMeierGroups) -> None:
    f = plot_km(km, risk_table=False, show_ci=False)
    assert f.risk_ax is None and f.risk_table is None
    assert not [a for a in f.ax.get_children() if isinstance(a, PolyCollection)]
    outer = Figure(figsize=(6, 4))
    ax = outer.add_subplot(1, 2, 2)
    g = plot_km(km, ax=ax)
    assert g.figure is outer and g.ax is ax and g.risk_ax is not None
    free = outer.add_axes((0.1, 0.1, 0.3, 0.3))
    with pytest.raises(InputError, match="add_subplot"):
        plot_km(km, ax=free)


def test_bad_arguments_raise(km: KaplanMeierGroups) -> None:
    with pytest.raises(InputError, match="kind"):
        plot_km(km, kind="hazard")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="landmarks"):
        plot_km(km, landmarks=(-1.0,))
    with pytest.raises(InputError, match="label_order"):
        plot_km(km, label_order=["Male"])


def test_facets_share_colours_and_x_range(lung: pd.DataFrame) -> None:
    facets = {}
    for ecog in (0, 1):
        sub = lung[lung["ecog"] == ecog]
        facets[f"ECOG {ecog}"] = kaplan_meier_groups(
            sub["time"], sub["event"], sub["sex"], order=["Male", "Female"]
        )
    f = plot_km_facets(facets, logranks={"ECOG 0": 0.2, "ECOG 1": 0.01})
    assert len(f.panels) == 2
    assert f.panels[0].ax.get_xlim() == f.panels[1].ax.get_xlim()
    assert [c.color for c in f.panels[0].curves] == [c.color for c in f.panels[1].curves]
    assert f.panels[1].annotation == "Log-rank p = 0.010"
    assert f.panels[0].ax.get_title(loc="left") == "ECOG 0"
