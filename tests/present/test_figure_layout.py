"""Figure text and layout: the shipped font, one font subset per face in the PDF (no ligatures),
frozen layout, settled before it is frozen."""

from __future__ import annotations

import re
from importlib import resources
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import LayoutEngine
from matplotlib.text import Text

from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.forest import layout_engine as forest_layout_engine
from hccsurv.present.figures.forest import plot_forest
from hccsurv.present.figures.km import layout_engine as km_layout_engine
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.style import (
    FIGURE_FONT,
    TEXT_FEATURES,
    FigureStyle,
    freeze_layout,
    lay_out,
    without_ligatures,
)


def _forest() -> Figure:
    frame = pd.DataFrame(
        {
            "variable": ["tumour", "efficacy"],
            "level": ["Diffuse infiltrative", "Significant"],
            "reference": ["Nodular", "Insufficient"],
            "hr": [1.8, 0.6],
            "hr_lower": [1.1, 0.4],
            "hr_upper": [2.9, 0.9],
            "p": [0.02, 0.01],
        }
    )
    labels = {"tumour": "Tumour profile", "efficacy": "Efficacy"}  # "fi", "ffi" in bold rows
    return plot_forest(frame, labels=labels).figure


def test_every_text_has_ligatures_off() -> None:
    fig = _forest()
    texts = [t for t in fig.findobj(Text) if isinstance(t, Text)]
    assert texts
    assert all(t.get_fontfeatures() == TEXT_FEATURES for t in texts)


def test_pdf_embeds_one_subset_per_font_face(tmp_path: Path) -> None:
    (pdf,) = save_figure(_forest(), tmp_path / "forest", formats=("pdf",))
    subsets = set(re.findall(rb"/BaseFont /([A-Z]{6})\+([\w-]+)", pdf.read_bytes()))
    faces = [face for _, face in subsets]
    # a ligature glyph (not in the cmap) would force a second subset of the same face
    assert len(set(faces)) == len(faces)
    assert set(faces) == {b"DejaVuSansLatin", b"DejaVuSansLatin-Bold"}  # the shipped cut


def _text_figure(text: str, family: list[str]) -> Figure:
    fig = Figure(figsize=(3.0, 0.6))
    FigureCanvasAgg(fig)
    fig.text(0.02, 0.3, text, fontsize=9, family=family)
    fig.text(0.02, 0.7, text, fontsize=9, family=family, weight="bold")
    return fig


def test_the_shipped_font_draws_exactly_as_dejavu_sans(tmp_path: Path) -> None:
    text = "Post-ate-beva HR 0.44 (0.25–0.77) p < 0.001 ≥ 10 cm · µmol/L · β, χ² → ±5 % Åsa"
    ours = _text_figure(text, [FIGURE_FONT])
    dejavu = _text_figure(text, ["DejaVu Sans"])
    (a,) = save_figure(ours, tmp_path / "ours", formats=("png",))
    (b,) = save_figure(dejavu, tmp_path / "dejavu", formats=("png",))
    assert a.read_bytes() == b.read_bytes()


def test_the_shipped_font_kerns_every_pair_as_dejavu_sans() -> None:
    # The cut kerns from the legacy 'kern' table (no GPOS): each line holds one first character
    # followed by every second character, so one pair kerned differently changes its width.
    chars = [chr(c) for c in range(0x21, 0x7F)] + list("µβχ²≥≤–−±·×Åäöüé°")
    renderer = FigureCanvasAgg(Figure(dpi=72)).get_renderer()
    for weight in ("normal", "bold"):
        ours, dejavu = (
            FontProperties(family=family, size=100, weight=weight)
            for family in (FIGURE_FONT, "DejaVu Sans")
        )
        for first in chars:
            line = "".join(first + second for second in chars)
            assert renderer.get_text_width_height_descent(line, ours, ismath=False) == (
                renderer.get_text_width_height_descent(line, dejavu, ismath=False)
            ), (weight, first)


def test_the_shipped_font_has_no_gpos() -> None:
    fonts = resources.files("hccsurv.present.figures").joinpath("fonts")
    for name in ("DejaVuSansLatin.ttf", "DejaVuSansLatin-Bold.ttf"):
        tables = set(TTFont(BytesIO(fonts.joinpath(name).read_bytes())).keys())
        assert "kern" in tables
        assert "GPOS" not in tables  # a PDF subsets the font about 3x faster without it


def test_characters_outside_the_cut_fall_back_to_dejavu_sans(tmp_path: Path) -> None:
    fig = _text_figure("Выживаемость ≥ 50 %", list(FigureStyle().font_family))  # Cyrillic
    (pdf,) = save_figure(fig, tmp_path / "fallback", formats=("pdf",))
    faces = {face for _, face in re.findall(rb"/BaseFont /([A-Z]{6})\+([\w-]+)", pdf.read_bytes())}
    assert {b"DejaVuSans", b"DejaVuSansLatin"} <= faces


def test_without_ligatures_and_lay_out_on_a_plain_figure() -> None:
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlabel("Difference")
    without_ligatures(fig)
    assert ax.xaxis.label.get_fontfeatures() == TEXT_FEATURES
    before = ax.get_position().bounds
    lay_out(fig)
    assert ax.get_position().bounds != before  # the label got room
    freeze_layout(fig)
    assert fig.get_layout_engine() is None  # savefig then draws a vector file once, not twice
    frozen = ax.get_position().bounds
    lay_out(fig)  # no engine: positions stay
    assert ax.get_position().bounds == frozen


#: A settled layout: one more pass moves no axes by 1e-5 of the figure (a fiftieth of a pixel
#: across a 174 mm figure at 300 dpi).
SETTLED = 1e-5


def _moved_by_one_more_layout(fig: Figure, engine: LayoutEngine) -> float:
    """How far (figure fraction) one more constrained-layout pass moves any axes of ``fig``."""
    assert fig.get_layout_engine() is None  # frozen
    before = np.array([ax.get_position().bounds for ax in fig.axes])
    engine.execute(fig)
    return float(np.abs(np.array([ax.get_position().bounds for ax in fig.axes]) - before).max())


def _km_groups(shape: str) -> KaplanMeierGroups:
    # group A: 19 of 20 die at once, the last at 24 months ("falling") or never ("apart");
    # group B dies across the follow-up ("falling": the curves and their wide bands leave no
    # corner free) or never ("apart": the middle of the plot is empty)
    time = np.r_[np.full(19, 0.1), 24.0, np.linspace(1.0, 24.0, 20)]
    event = np.ones(40) if shape == "falling" else np.r_[np.ones(19), np.zeros(21)]
    return kaplan_meier_groups(time, event, np.repeat(["A", "B"], 20))


@pytest.mark.parametrize(("shape", "outside"), [("apart", False), ("falling", True)])
def test_a_kaplan_meier_figure_is_frozen_on_a_settled_layout(shape: str, outside: bool) -> None:
    # inside the plot, the legend and text leave the layout as it was; above it, they take room
    # and the figure is laid out again before it is frozen
    f = plot_km(_km_groups(shape), logrank=0.01, hr_text="HR 0.50 (0.25–0.99)")
    assert f.legend_outside == outside
    assert _moved_by_one_more_layout(f.figure, km_layout_engine()) < SETTLED


def test_a_forest_plot_is_frozen_on_a_settled_layout() -> None:
    assert _moved_by_one_more_layout(_forest(), forest_layout_engine()) < SETTLED
