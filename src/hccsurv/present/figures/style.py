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
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from hccsurv.errors import InputError

MM_PER_INCH = 25.4

#: The default font chain. DejaVu Sans (matplotlib's own font, on every machine) draws Latin,
#: Greek, Cyrillic and the usual symbols; a character it lacks is drawn from the next family
#: that is installed (matplotlib >= 3.6 falls back glyph by glyph along ``font.family``): Noto
#: Sans CJK (Debian ``fonts-noto-cjk``; each face covers Hangul, kana and all Han ideographs),
#: then the CJK fonts that ship with macOS and Windows. Families not installed are skipped.
DEFAULT_FONT_FAMILY: tuple[str, ...] = (
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Noto Sans CJK SC",
    "Source Han Sans",
    "Apple SD Gothic Neo",
    "Hiragino Sans",
    "PingFang SC",
    "Malgun Gothic",
    "Microsoft YaHei",
)


def _known_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


@cache
def _add_fonts_installed_since_the_cache() -> None:
    """Register system fonts that matplotlib's font cache does not list yet.

    matplotlib scans the system fonts once and caches the list; a font installed later (e.g.
    ``apt-get install fonts-noto-cjk``) stays unknown until the cache is rebuilt. Only files
    not in the cache are read, once per process.
    """
    known = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if Path(path) in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # a file FreeType cannot read is not a font we can draw with


def font_chain(families: Sequence[str]) -> list[str]:
    """The installed families of ``families``, in order, ending with DejaVu Sans.

    DejaVu Sans ships with matplotlib, so the chain is never empty and every figure renders
    the same Latin text on every machine.
    """
    wanted = list(dict.fromkeys(families))
    if any(name not in _known_families() for name in wanted):
        _add_fonts_installed_since_the_cache()
    known = _known_families()
    return list(dict.fromkeys([*(n for n in wanted if n in known), "DejaVu Sans"]))


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
        Font family names in order of preference: each character is drawn from the first
        installed family that has it (:func:`font_chain`). The default,
        :data:`DEFAULT_FONT_FAMILY`, is DejaVu Sans then CJK fonts; pass
        ``("Arial", *DEFAULT_FONT_FAMILY)`` when a journal insists on Arial and it is installed.
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
    font_family: tuple[str, ...] = DEFAULT_FONT_FAMILY
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
        if not self.font_family or not all(isinstance(f, str) and f for f in self.font_family):
            problems.append(f"font_family={self.font_family!r} must name at least one font")
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

    def fonts(self) -> list[str]:
        """The font chain of this style: the installed families of ``font_family``."""
        return font_chain(self.font_family)

    def rc_context(self) -> AbstractContextManager[None]:
        """A context in which matplotlib uses this style's rcParams."""
        return rc_context(self.rc())

    def rc(self) -> dict[str, Any]:
        """matplotlib rcParams for :func:`matplotlib.rc_context` while a figure is built."""
        return {
            # family names, not the generic "sans-serif": a text keeps the names it was made
            # with, so it is drawn in the same font when saved outside this context
            "font.family": self.fonts(),
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
    """Lay ``fig`` out until its axes stop moving.

    Constrained layout places the axes from the extents of the text around them, which depend on
    where the axes are, so one pass can leave the axes a little off where the next puts them.
    Text extents measured after this are those of the figure as drawn.
    """
    for _ in range(_MAX_LAYOUT_PASSES):
        before = [ax.get_position().bounds for ax in fig.axes]
        fig.draw_without_rendering()
        if [ax.get_position().bounds for ax in fig.axes] == before:
            return


def settle_layout(fig: Figure) -> None:
    """Lay ``fig`` out (:func:`lay_out`), then keep those positions (layout engine ``"none"``).

    Kept positions make every save of the figure give the same bytes, and the PNG and the PDF
    share one layout. Only for figures hccsurv made: a user's own figure keeps its engine.
    """
    lay_out(fig)
    fig.set_layout_engine("none")


#: Constrained layout settles in two or three passes; more would mean it oscillates.
_MAX_LAYOUT_PASSES = 5
