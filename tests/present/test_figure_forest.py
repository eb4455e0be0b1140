"""Forest plot: rows, reference levels, HR points and CIs equal the model table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from hccsurv.errors import InputError
from hccsurv.present.figures.forest import ForestFigure, plot_forest

# The template study's OS Cox models (STUDY.md): univariate and multivariable.
UNIVARIATE = pd.DataFrame(
    {
        "variable": ["group", "age", "ecog", "child_pugh", "tumor_gt_10cm"],
        "level": ["Post-ate-beva", None, "0", "A", "Yes"],
        "reference": ["First-line", None, "≥1", "B", "No"],
        "hr": [0.58, 1.01, 0.233, 0.456, 1.982],
        "hr_lower": [0.31, 0.98, 0.107, 0.242, 1.083],
        "hr_upper": [1.06, 1.03, 0.509, 0.859, 3.629],
        "p": [0.073, 0.6, 0.0002, 0.015, 0.026],
    }
)
MULTIVARIABLE = pd.DataFrame(
    {
        "variable": ["group", "ecog"],
        "level": ["Post-ate-beva", "0"],
        "reference": ["First-line", "≥1"],
        "hr": [0.404, 0.265],
        "hr_lower": [0.197, 0.097],
        "hr_upper": [0.829, 0.721],
        "p": [0.014, 0.009],
    }
)


@pytest.fixture(scope="module")
def forest() -> ForestFigure:
    return plot_forest(
        {"Univariate": UNIVARIATE, "Multivariable": MULTIVARIABLE},
        labels={"group": "Group", "ecog": "ECOG PS"},
    )


def test_rows_have_headers_and_reference_levels(forest: ForestFigure) -> None:
    assert [(r.kind, r.text) for r in forest.rows] == [
        ("header", "Group"),
        ("reference", "First-line"),
        ("estimate", "Post-ate-beva"),
        ("estimate", "age"),
        ("header", "ECOG PS"),
        ("reference", "≥1"),
        ("estimate", "0"),
        ("header", "child_pugh"),
        ("reference", "B"),
        ("estimate", "A"),
        ("header", "tumor_gt_10cm"),
        ("reference", "No"),
        ("estimate", "Yes"),
    ]


def test_points_and_intervals_equal_the_table(forest: ForestFigure) -> None:
    uni, multi = forest.panels
    assert (uni.model, multi.model) == ("Univariate", "Multivariable")
    est = [i for i, r in enumerate(forest.rows) if r.kind == "estimate"]
    np.testing.assert_array_equal(uni.hr[est], UNIVARIATE["hr"])
    np.testing.assert_array_equal(uni.lower[est], UNIVARIATE["hr_lower"])
    np.testing.assert_array_equal(uni.upper[est], UNIVARIATE["hr_upper"])
    # multivariable: only group and ECOG
    assert np.flatnonzero(np.isfinite(multi.hr)).tolist() == [2, 6]
    np.testing.assert_array_equal(multi.hr[[2, 6]], MULTIVARIABLE["hr"])
    for panel in forest.panels:
        assert panel.ax.get_xscale() == "log"
        points = next(a for a in panel.ax.lines if a.get_gid() == "hr")
        ok = np.isfinite(panel.hr)
        np.testing.assert_array_equal(points.get_xdata(), panel.hr[ok])
        np.testing.assert_array_equal(points.get_ydata(), np.flatnonzero(ok).astype(float))
        ci = next(c for c in panel.ax.collections if c.get_gid() == "ci")
        assert isinstance(ci, LineCollection)
        segs = np.array([s for s in ci.get_segments()])
        np.testing.assert_array_equal(segs[:, 0, 0], panel.lower[ok])
        np.testing.assert_array_equal(segs[:, 1, 0], panel.upper[ok])
        null = next(c for c in panel.ax.collections if c.get_gid() == "null")
        assert isinstance(null, LineCollection)
        assert np.all(np.array(null.get_segments())[:, :, 0] == 1.0)
        lo, hi = panel.ax.get_xlim()
        assert lo <= np.nanmin(panel.lower) and hi >= np.nanmax(panel.upper)


def test_text_columns(forest: ForestFigure) -> None:
    uni, multi = forest.panels
    texts = {t.get_gid(): t.get_text() for t in uni.text_ax.texts if t.get_gid()}
    assert texts["hr-text:1"] == "Ref."
    assert texts["hr-text:2"] == "0.58 (0.31–1.06)"
    assert texts["p-text:2"] == "0.073"
    assert texts["p-text:6"] == "<0.001"
    multi_texts = {t.get_gid(): t for t in multi.text_ax.texts if t.get_gid()}
    assert multi_texts["hr-text:2"].get_text() == "0.40 (0.20–0.83)"
    assert multi_texts["p-text:2"].get_fontweight() == "bold"
    # terms absent from the multivariable model: no estimate and no "Ref."
    assert "hr-text:3" not in multi_texts and "hr-text:8" not in multi_texts
    refs = [ln for ln in multi.ax.lines if ln.get_gid() == "ref"]
    assert isinstance(refs[0], Line2D)
    np.testing.assert_array_equal(refs[0].get_ydata(), [1.0, 5.0])


def test_one_frame_with_model_column_and_boolean_reference() -> None:
    both = pd.concat(
        [UNIVARIATE.assign(model="Univariate"), MULTIVARIABLE.assign(model="Multivariable")]
    )
    f = plot_forest(both)
    assert [p.model for p in f.panels] == ["Univariate", "Multivariable"]
    flagged = pd.DataFrame(
        {
            "variable": ["sex", "sex"],
            "level": ["Male", "Female"],
            "reference": [True, False],
            "hr": [1.0, 0.8],
            "hr_lower": [1.0, 0.4],
            "hr_upper": [1.0, 1.6],
            "p": [np.nan, 0.5],
        }
    )
    g = plot_forest(flagged)
    assert [(r.kind, r.text) for r in g.rows] == [
        ("header", "sex"),
        ("reference", "Male"),
        ("estimate", "Female"),
    ]
    assert g.panels[0].hr[2] == 0.8


def test_height_follows_rows_and_width_is_double_column(forest: ForestFigure) -> None:
    w, h = forest.figure.get_size_inches() * 25.4
    assert w == pytest.approx(174.0)
    assert h == pytest.approx(len(forest.rows) * 4.2 + 20.0)


def test_bad_frames_raise() -> None:
    with pytest.raises(InputError, match="lacks columns"):
        plot_forest(UNIVARIATE.drop(columns="p"))
    with pytest.raises(InputError, match="log-hazard"):
        plot_forest(UNIVARIATE.assign(hr=np.log(UNIVARIATE["hr"])))


def test_hr_axis_tick_labels_keep_apart() -> None:
    # a 0.02-100 axis once labelled both 0.02 and 0.1, which ran together ("0.020.1")
    frame = pd.DataFrame(
        {
            "variable": ["a", "b"],
            "level": [None, None],
            "reference": [None, None],
            "hr": [0.3, 12.0],
            "hr_lower": [0.03, 2.0],
            "hr_upper": [2.5, 80.0],
            "p": [0.2, 0.01],
        }
    )
    drawn = plot_forest(frame)
    ticks = list(drawn.panels[0].ax.get_xticks())
    assert ticks == [0.1, 1.0, 10.0, 100.0]
