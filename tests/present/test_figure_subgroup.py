"""Subgroup forest plot: rows, counts, intervals and interaction p drawn from plain data."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.text import Text

from hccsurv.errors import InputError
from hccsurv.present.figures.subgroup import SubgroupData, SubgroupRow, plot_subgroup_forest

R = SubgroupRow
DATA = SubgroupData(
    arms=("Atezolizumab + bevacizumab", "Sorafenib"),
    overall=R("Overall", "", (336, 165), (96, 65), 0.58, 0.42, 0.79),
    rows=(
        R("Age", "< 65 years", (161, 68), (50, 31), 0.65, 0.42, 1.02),
        R("Age", "≥ 65 years", (175, 97), (46, 34), 0.53, 0.34, 0.83),
        R("Etiology", "HBV", (164, 76), (51, 34), 0.51, 0.32, 0.81),
        R("Etiology", "Non-viral", (172, 89), (45, 31), 0.91, 0.52, 1.60),
        R("Child-Pugh", "B7", (8, 6), (0, 3), math.nan, math.nan, math.nan),
    ),
    interaction_p={"Age": 0.49, "Etiology": 0.0004},
)


def _texts(fig: object) -> list[str]:
    return [t.get_text() for t in fig.figure.findobj(Text) if isinstance(t, Text)]  # type: ignore[attr-defined]


def test_rows_overall_on_top_then_variables_and_levels() -> None:
    fig = plot_subgroup_forest(DATA)
    assert [(r.kind, r.text) for r in fig.rows] == [
        ("overall", "All patients"),
        ("variable", "Age"),
        ("level", "< 65 years"),
        ("level", "≥ 65 years"),
        ("variable", "Etiology"),
        ("level", "HBV"),
        ("level", "Non-viral"),
        ("variable", "Child-Pugh"),
        ("level", "B7"),
    ]
    assert [r.y for r in fig.rows] == list(range(len(fig.rows)))


def test_points_intervals_counts_and_p_values_are_the_data() -> None:
    fig = plot_subgroup_forest(DATA)
    ax = fig.ax
    points = np.concatenate(
        [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]
    )
    sources = [DATA.overall, *DATA.rows]
    finite = [s for s in sources if math.isfinite(s.hr)]
    assert sorted(points[:, 0].tolist()) == sorted(s.hr for s in finite)
    (ci,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "ci"]
    spans = sorted((float(seg[0][0]), float(seg[1][0])) for seg in ci.get_segments())
    assert spans == sorted((s.lower, s.upper) for s in finite)
    texts = _texts(fig)
    for s in sources:
        assert f"{s.events[0]}/{s.n[0]}" in texts and f"{s.events[1]}/{s.n[1]}" in texts
    assert "0.58 (0.42–0.79)" in texts
    assert "NE" in texts  # a level with no estimable HR keeps its row
    assert "0.490" in texts and "<0.001" in texts
    # markers grow with the subgroup: the biggest level has the largest marker
    levels = [i for i, r in enumerate(fig.rows) if r.kind == "level"]
    n = np.array([sum(DATA.rows[k].n) for k in range(len(DATA.rows))])
    assert int(np.argmax(fig.marker_sizes[levels])) == int(np.argmax(n))
    assert fig.xlim[0] <= 0.32 and fig.xlim[1] >= 1.6


def test_text_columns_do_not_overlap_each_other() -> None:
    fig = plot_subgroup_forest(DATA)
    fig.figure.draw_without_rendering()
    axes = sorted(fig.figure.axes, key=lambda a: a.get_position().x0)
    right_edges = []
    for ax in axes:
        boxes = [t.get_window_extent() for t in ax.texts if t.get_text()]
        if boxes:
            right_edges.append((min(b.x0 for b in boxes), max(b.x1 for b in boxes)))
    for (_, end), (start, _) in pairwise(right_edges):
        assert end <= start + 0.5


def test_bad_data_is_refused() -> None:
    with pytest.raises(InputError, match="two arms"):
        SubgroupData(arms=("A",), overall=DATA.overall, rows=())
    with pytest.raises(InputError, match="events"):
        SubgroupData(
            arms=("A", "B"), overall=R("Overall", "", (5, 5), (6, 1), 1.0, 0.5, 2.0), rows=()
        )
    with pytest.raises(InputError, match="log-hazard"):
        SubgroupData(
            arms=("A", "B"), overall=R("Overall", "", (5, 5), (2, 1), -0.3, -1.0, 0.2), rows=()
        )
    with pytest.raises(InputError, match="no rows"):
        SubgroupData(arms=("A", "B"), overall=DATA.overall, rows=(), interaction_p={"Age": 0.3})
