"""Legend and statistics text: when no corner of the plot is free they go above it, within the
plot's width (long labels wrapped), and never on top of each other."""

from __future__ import annotations

import itertools

import numpy as np

from hccsurv.core.km import kaplan_meier_groups
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.style import FigureStyle

LONG = (
    "Hepatic arterial infusion chemotherapy after atezolizumab-bevacizumab",
    "Hepatic arterial infusion chemotherapy as first-line treatment",
    "Transarterial chemoembolisation with lenvatinib",
    "Sorafenib",
)


def test_a_crowded_plot_puts_legend_and_text_above_without_overlap() -> None:
    rng = np.random.default_rng(11)
    n = 400
    group = np.array(LONG)[rng.integers(0, len(LONG), n)]
    # curves spread over the whole plot, with wide bands: no corner stays free
    time = rng.uniform(0.1, 30.0, n)
    event = (rng.random(n) < 0.5).astype(int)
    km = kaplan_meier_groups(time, event, group)
    fig = plot_km(
        km,
        logrank=0.2,
        hr_text="HR 0.81 (95% CI 0.60–1.09)",
        style=FigureStyle(width_mm=85.0, height_mm=90.0),
    )
    figure = fig.figure
    figure.draw_without_rendering()
    legend = fig.ax.get_legend()
    assert legend is not None
    (stats,) = [a for a in fig.ax.artists if a.get_gid() == "km-statistics"]
    box_legend = legend.get_window_extent()
    box_text = stats.get_window_extent()
    plot = fig.ax.get_window_extent()
    if fig.legend_outside:
        assert box_legend.y0 >= plot.y1 - 1.0  # above the plot, not over the curves
        assert box_legend.width <= figure.bbox.width
    assert not box_legend.overlaps(box_text)
    # every label is drawn in full, wrapped (at a space or after a hyphen) where it was too wide
    drawn = ["".join(t.get_text().split()) for t in legend.get_texts()]
    assert sorted(drawn) == sorted("".join(label.split()) for label in LONG)
    assert any("\n" in t.get_text() for t in legend.get_texts())


def test_long_group_names_in_the_risk_table_take_two_lines_at_most_without_overlap() -> None:
    rng = np.random.default_rng(5)
    group = np.array(LONG)[rng.integers(0, len(LONG), 300)]
    km = kaplan_meier_groups(rng.uniform(0.1, 24.0, 300), np.ones(300, dtype=int), group)
    fig = plot_km(km, style=FigureStyle(width_mm=85.0, height_mm=90.0))
    assert fig.risk_ax is not None
    fig.figure.draw_without_rendering()
    names = [t for t in fig.risk_ax.get_yticklabels() if t.get_text()]
    assert [t.get_text().count("\n") <= 1 for t in names] == [True] * len(LONG)
    assert "Sorafenib" in [t.get_text() for t in names]
    shortened = [t.get_text() for t in names if t.get_text().endswith("…")]
    assert shortened  # the legend keeps the whole name
    boxes = sorted((t.get_window_extent() for t in names), key=lambda b: b.y0)
    for low, high in itertools.pairwise(boxes):
        assert low.y1 <= high.y0 + 0.5
