"""Publication style of hccsurv figures: palette, line styles, fonts, physical size, resolution.

The defaults follow common journal artwork rules (Lancet, JAMA, Elsevier, Springer author guides):
a single-column width of 85 mm (double column 174 mm), sans-serif text of 6-8 pt at final size,
300 dpi for raster output (600 dpi for line art on request), and colours that survive both colour
blindness and grayscale printing. Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color
Universal Design"); every group also gets its own line style so that the curves stay distinct
when printed in black and white.

References
----------
Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are
friendly to colorblind people. 2008. https://jfly.uni-koeln.de/color/
Wong B. Points of view: color blindness. Nat Methods 2011;8:441.

Examples
--------
>>> style = FigureStyle.double_column()
>>> round(style.figsize_inches[0], 3)
6.85
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from hccsurv.errors import InputError

MM_PER_INCH = 25.4

#: The default figure font: DejaVu Sans (regular and bold) cut down to Latin, Greek and the
#: usual symbols, shipped in ``hccsurv/present/figures/fonts`` (made by
#: ``tools/make_figure_fonts.py``). Same glyphs, metrics and kerning as matplotlib's DejaVu Sans,
#: but a PDF embeds it about four times faster; other characters fall back to DejaVu Sans.
FIGURE_FONT = "DejaVu Sans Latin"


def _register_figure_fonts() -> None:
    fonts = resources.files("hccsurv.present.figures").joinpath("fonts")
    for name in ("DejaVuSansLatin.ttf", "DejaVuSansLatin-Bold.ttf"):
        font_manager.fontManager.addfont(str(fonts.joinpath(name)))


_register_figure_fonts()

#: Okabe-Ito colours, ordered so that the first two (the usual two-group comparison) differ most
#: in both hue and lightness (blue vs vermillion).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: poor contrast on white)
)

#: Dash patterns (matplotlib ``(offset, (on, off, ...))`` in points). The dotted style ``":"`` is
#: kept out of the list because dotted lines mark the medians.
LINE_STYLES: tuple[str | tuple[float, tuple[float, ...]], ...] = (
    "solid",
    (0.0, (5.0, 2.0)),
    (0.0, (5.0, 1.5, 1.5, 1.5)),
    (0.0, (2.5, 1.5)),
    (0.0, (8.0, 2.0, 1.5, 2.0, 1.5, 2.0)),
    (0.0, (10.0, 3.0)),
)


@dataclass(frozen=True)
class FigureStyle:
    """Appearance and physical size of a figure.

    Parameters
    ----------
    palette
        Colours cycled over groups (default Okabe-Ito).
    line_styles
        Line styles cycled over groups, so grayscale prints keep groups apart.
    font_family
        Font family names, first available wins; characters a font lacks come from the next.
        The default (:data:`FIGURE_FONT`, then DejaVu Sans) ships with hccsurv and matplotlib, so
        output is the same on every machine; pass ``("Arial",)`` when a journal insists and it is
        installed.
    font_size, small_font_size
        Text size in points for labels and for tick labels, the risk table and annotations.
    width_mm, height_mm
        Physical size of the whole figure (risk table included).
    dpi
        Resolution of raster output (300 default; 600 for line art).
    percent
        Show survival on a 0-100 % scale instead of 0-1.
    ci_alpha
        Opacity of the shaded confidence bands.
    line_width
        Width of the survival curves in points.
    censor_marker_size
        Size in points of the ``+`` marks at censoring times.
    """

    palette: tuple[str, ...] = OKABE_ITO
    line_styles: tuple[str | tuple[float, tuple[float, ...]], ...] = LINE_STYLES
    font_family: tuple[str, ...] = (FIGURE_FONT, "DejaVu Sans")
    font_size: float = 7.0
    small_font_size: float = 6.0
    width_mm: float = 85.0
    height_mm: float = 85.0
    dpi: int = 300
    percent: bool = False
    ci_alpha: float = 0.18
    line_width: float = 1.0
    censor_marker_size: float = 4.0

    def __post_init__(self) -> None:
        problems = []
        if not self.palette:
            problems.append("palette is empty; give at least one colour")
        if not self.line_styles:
            problems.append("line_styles is empty; give at least one line style")
        for name in ("font_size", "small_font_size", "width_mm", "height_mm", "line_width"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                problems.append(f"{name}={value!r} must be a positive number")
        if self.dpi < 72:
            problems.append(f"dpi={self.dpi!r} is below screen resolution; use 300 or 600")
        if not 0.0 <= self.ci_alpha <= 1.0:
            problems.append(f"ci_alpha={self.ci_alpha!r} must lie in [0, 1]")
        if problems:
            raise InputError("FigureStyle: " + "; ".join(problems))

    @classmethod
    def single_column(cls, **changes: Any) -> FigureStyle:
        """A single-column figure (85 mm wide, 85 mm high)."""
        return replace(cls(width_mm=85.0, height_mm=85.0), **changes)

    @classmethod
    def double_column(cls, **changes: Any) -> FigureStyle:
        """A double-column figure (174 mm wide, 110 mm high, slightly larger text)."""
        base = cls(width_mm=174.0, height_mm=110.0, font_size=8.0, small_font_size=7.0)
        return replace(base, **changes)

    @property
    def figsize_inches(self) -> tuple[float, float]:
        """``(width, height)`` in inches, as matplotlib wants it."""
        return (self.width_mm / MM_PER_INCH, self.height_mm / MM_PER_INCH)

    def color(self, index: int) -> str:
        """Colour of the ``index``-th group (cycles through the palette)."""
        return self.palette[index % len(self.palette)]

    def line_style(self, index: int) -> str | tuple[float, tuple[float, ...]]:
        """Line style of the ``index``-th group (cycles through ``line_styles``)."""
        return self.line_styles[index % len(self.line_styles)]

    def rc_context(self) -> AbstractContextManager[None]:
        """A context in which matplotlib uses this style's rcParams."""
        return rc_context(self.rc())

    def rc(self) -> dict[str, Any]:
        """matplotlib rcParams for :func:`matplotlib.rc_context` while a figure is built."""
        return {
            # family names, not the generic "sans-serif": a text keeps the names it was made
            # with, so it is drawn in the same font when saved outside this context
            "font.family": list(dict.fromkeys([*self.font_family, "DejaVu Sans"])),
            "font.size": self.font_size,
            "axes.labelsize": self.font_size,
            "axes.titlesize": self.font_size + 1.0,
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.labelsize": self.small_font_size,
            "ytick.labelsize": self.small_font_size,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.major.size": 2.5,
            "ytick.major.size": 2.5,
            "legend.fontsize": self.small_font_size,
            "legend.frameon": False,
            "lines.linewidth": self.line_width,
            "figure.dpi": 100,
            "savefig.dpi": self.dpi,
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "path",
            "axes.unicode_minus": True,
        }


def rc_context(params: dict[str, Any]) -> AbstractContextManager[None]:
    """:func:`matplotlib.rc_context` for a plain ``dict`` of rcParams."""
    return cast(AbstractContextManager[None], matplotlib.rc_context(cast(Any, params)))


def lay_out(fig: Figure) -> None:
    """Run the figure's layout engine once, without drawing any artist.

    Constrained layout only needs text extents (cached per text and dpi), so this is cheaper
    than ``fig.draw_without_rendering()`` (which also draws every artist) and gives the same
    positions. A figure without a layout engine keeps its positions.

    hccsurv's figures are made at their output dpi (``Figure(dpi=style.dpi)``): the Agg renderer
    the layout measures text with is the one the PNG is drawn on, so the PNG reuses every
    measured extent (the text metrics cache is keyed by renderer and dpi).
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def freeze_layout(fig: Figure, *, lay_out_first: bool = True) -> None:
    """Lay ``fig`` out (:func:`lay_out`), then fix the positions: later draws skip the engine.

    ``lay_out_first=False`` fixes the positions of the last layout, for a figure that has not
    changed since in any way the layout sees.

    Fixed positions make every save byte-identical and the PNG and PDF share one layout. The
    engine is removed (``set_layout_engine(None)``), not replaced by matplotlib's placeholder
    (``"none"``): with any engine set, ``savefig`` draws the whole figure once more, without
    output, before writing a vector file, which for these figures is a third of a PDF's time.
    """
    if lay_out_first:
        lay_out(fig)
    fig.set_layout_engine(None)


#: OpenType features turned off in every text: no ligatures (``fi``, ``ff``, ...), so that each
#: character is its own glyph. A ligature glyph is not in the font's character map, so the PDF
#: would embed a second subset of the font for it (one more fontTools pass per file), and it
#: hinders editing and searching the text in the PDF.
TEXT_FEATURES: tuple[str, ...] = ("-liga",)


def without_ligatures(artist: Artist) -> None:
    """Turn ligatures off in every text of ``artist``, a figure or a part of one (see
    :data:`TEXT_FEATURES`)."""
    for text in artist.findobj(Text):
        text.set_fontfeatures(TEXT_FEATURES)
