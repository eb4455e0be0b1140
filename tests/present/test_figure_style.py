"""FigureStyle: publication defaults and validation."""

from __future__ import annotations

import matplotlib
import pytest

from hccsurv.errors import InputError
from hccsurv.present.figures.style import LINE_STYLES, OKABE_ITO, FigureStyle


def test_defaults_are_publication_quality() -> None:
    style = FigureStyle()
    assert style.palette == OKABE_ITO
    assert style.palette[:2] == ("#0072B2", "#D55E00")
    assert style.dpi == 300
    assert (style.width_mm, style.height_mm) == (85.0, 85.0)
    assert 6.0 <= style.small_font_size <= style.font_size <= 8.0
    assert style.figsize_inches == pytest.approx((85.0 / 25.4, 85.0 / 25.4))
    assert FigureStyle.double_column().width_mm == 174.0
    assert FigureStyle.single_column(dpi=600).dpi == 600


def test_groups_differ_in_grayscale_by_line_style() -> None:
    style = FigureStyle()
    assert len(set(map(str, LINE_STYLES))) == len(LINE_STYLES)
    assert ":" not in LINE_STYLES  # dotted is reserved for median lines
    assert style.line_style(0) != style.line_style(1)
    assert style.color(len(OKABE_ITO)) == style.color(0)  # cycles


def test_rc_embeds_truetype_fonts() -> None:
    rc = FigureStyle().rc()
    assert rc["pdf.fonttype"] == 42
    assert rc["svg.fonttype"] == "path"
    with FigureStyle(font_size=7.5).rc_context():
        assert matplotlib.rcParams["font.size"] == 7.5
    assert matplotlib.rcParams["font.size"] != 7.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"width_mm": 0.0}, "width_mm"),
        ({"dpi": 50}, "dpi"),
        ({"ci_alpha": 1.5}, "ci_alpha"),
        ({"palette": ()}, "palette"),
    ],
)
def test_invalid_style_raises(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        FigureStyle(**changes)  # type: ignore[arg-type]
