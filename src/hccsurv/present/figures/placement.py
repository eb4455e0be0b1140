"""Where the legend and the statistics text of a curve figure go: a corner no curve crosses.

The legend, then the statistics text (log-rank p, HR), go into the first corner of the plot
where their box (with 2 pt clearance) misses every curve, confidence band, median line, landmark
label and box placed before; if no corner is free they go above the plot, never over the
curves. Boxes are measured on the laid-out figure (text extents at the figure's dpi), so the
check holds for the figure as drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText
from matplotlib.transforms import Bbox

from hccsurv.present.figures.curves import (
    CurveFigure,
    DrawnCurves,
    PlottedCurve,
    fit_time_axes,
    keep_table_height,
)
from hccsurv.present.figures.style import FigureStyle

_Loc = Literal[
    "upper right",
    "lower left",
    "lower right",
    "upper left",
    "center right",
    "center left",
    "upper center",
    "lower center",
]
_CORNERS: tuple[_Loc, ...] = (
    "upper right",
    "lower left",
    "lower right",
    "upper left",
    "center right",
    "center left",
    "upper center",
    "lower center",
)
#: A data-space box ``(x0, x1, y0, y1)``.
Box = tuple[float, float, float, float]


def _y_range_over(pc: PlottedCurve, x0: float, x1: float) -> tuple[float, float] | None:
    """Smallest and largest y covered by the curve or its band for x in ``[x0, x1]``."""
    i0 = max(int(np.searchsorted(pc.step_x, x0, side="right")) - 1, 0)
    i1 = int(np.searchsorted(pc.step_x, x1, side="right"))
    if x0 > pc.step_x[-1]:
        return None
    ys = np.concatenate((pc.step_y[i0:i1], pc.band_lower[i0:i1], pc.band_upper[i0:i1]))
    ys = ys[np.isfinite(ys)]
    if ys.size == 0:
        return None
    return float(ys.min()), float(ys.max())


def _box_is_free(
    box: Box,
    curves: Sequence[PlottedCurve],
    segments: Sequence[Box],
    taken: Sequence[Box],
) -> bool:
    """Whether a data-space box ``(x0, x1, y0, y1)`` misses every curve, band, segment, box."""
    x0, x1, y0, y1 = box
    for pc in curves:
        span = _y_range_over(pc, x0, x1)
        if span is not None and span[0] <= y1 and span[1] >= y0:
            return False
    for sx0, sx1, sy0, sy1 in (*segments, *taken):
        if (
            min(sx0, sx1) <= x1
            and max(sx0, sx1) >= x0
            and min(sy0, sy1) <= y1
            and max(sy0, sy1) >= y0
        ):
            return False
    return True


def _data_box(ax: Axes, artist: Legend | AnchoredText, fig: Figure) -> Box:
    # a clearance of 2 pt around the box, so that text never touches a line
    clearance = 2.0 * fig.dpi / 72.0
    bbox = artist.get_window_extent().padded(clearance)
    bbox = bbox.transformed(ax.transData.inverted())
    return (float(bbox.x0), float(bbox.x1), float(bbox.y0), float(bbox.y1))


def place_legends(panels: Sequence[DrawnCurves]) -> tuple[CurveFigure, ...]:
    """Place the legend and the statistics text of each panel of one figure, then re-fit the
    shared time axis to the final layout (a legend above a plot changes it); the figures."""
    corners = []
    for drawn in panels:
        with drawn.style.rc_context():
            corners.append(
                _place(
                    drawn.figure,
                    drawn.ax,
                    drawn.handles,
                    drawn.annotation,
                    drawn.style,
                    drawn.curves,
                    drawn.segments,
                )
            )
    for drawn, placed in zip(panels, corners, strict=True):
        if "outside" in placed:
            keep_table_height(drawn)
    fit_time_axes(panels)
    return tuple(
        CurveFigure(
            figure=drawn.figure,
            ax=drawn.ax,
            risk_ax=drawn.risk_ax,
            curves=drawn.curves,
            risk_table=drawn.risk_table,
            xticks=drawn.axis.ticks,
            annotation=drawn.annotation,
            kind=drawn.kind,
            legend_outside="outside" in placed,
        )
        for drawn, placed in zip(panels, corners, strict=True)
    )


def _place(
    fig: Figure,
    ax: Axes,
    handles: Sequence[Line2D],
    annotation: str,
    style: FigureStyle,
    curves: Sequence[PlottedCurve],
    segments: Sequence[Box],
) -> tuple[str, str]:
    """Put the legend, then the statistics text, into free corners; else above the plot.

    Replaces a legend and text placed before. Returns where each went (a corner or
    ``"outside"``; ``""`` for no text).
    """
    old_legend = ax.get_legend()
    if old_legend is not None:
        old_legend.remove()
    for artist in list(ax.artists):
        if artist.get_gid() == "km-statistics":
            artist.remove()
    fig.draw_without_rendering()  # lay out, so that box sizes in data units are known
    taken: list[Box] = []

    legend = ax.legend(
        handles=list(handles),
        labels=[str(h.get_label()) for h in handles],
        loc=_CORNERS[0],
        handlelength=2.6,
        borderaxespad=0.4,
    )
    corner: str | None = _first_free_corner(fig, ax, legend, curves, segments, taken)
    if corner is None:
        corner = "outside"
        legend.remove()
        legend = _legend_above(fig, ax, handles)
    if annotation:
        text = AnchoredText(
            annotation,
            loc=_CORNERS[0],
            frameon=False,
            prop={"fontsize": style.small_font_size},
            pad=0.1,
            borderpad=0.6,
        )
        text.set_gid("km-statistics")
        ax.add_artist(text)
        text_corner: str | None = _first_free_corner(fig, ax, text, curves, segments, taken)
        if text_corner is None:
            text_corner = "outside"
            text.remove()
            outside_text = AnchoredText(
                annotation,
                loc="lower right",
                bbox_to_anchor=(1.0, 1.01),
                bbox_transform=ax.transAxes,
                frameon=False,
                prop={"fontsize": style.small_font_size, "ha": "right"},
                pad=0.0,
                borderpad=0.0,
            )
            outside_text.set_gid("km-statistics")
            ax.add_artist(outside_text)
            if corner == "outside":
                _stack_above(fig, ax, legend, outside_text)
    else:
        text_corner = ""
    return corner, text_corner


def _legend_above(fig: Figure, ax: Axes, handles: Sequence[Line2D]) -> Legend:
    """The legend above the plot: one row when it fits the plot's width, else one entry per
    row, with labels wrapped at word boundaries to the plot's width."""
    labels = [str(h.get_label()) for h in handles]

    def draw(shown: list[str], ncols: int) -> Legend:
        return ax.legend(
            handles=list(handles),
            labels=shown,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncols=ncols,
            handlelength=2.6,
            borderaxespad=0.0,
        )

    fig.draw_without_rendering()
    width = ax.bbox.width
    legend = draw(labels, len(handles))
    if legend.get_window_extent().width <= width:
        return legend
    if len(handles) > 1:
        legend.remove()
        legend = draw(labels, 1)
    too_wide = legend.get_window_extent().width / width
    if too_wide <= 1.0:
        return legend
    legend.remove()
    chars = max(int(max(map(len, labels)) / too_wide) - 4, 10)
    return draw([textwrap.fill(label, chars) for label in labels], 1)


def _stack_above(fig: Figure, ax: Axes, legend: Legend, text: AnchoredText) -> None:
    """Lift the statistics text above the legend when both sit above the plot and they meet."""
    fig.draw_without_rendering()
    box_legend = legend.get_window_extent()
    if box_legend.x1 < text.get_window_extent().x0:
        return
    top = ax.transAxes.inverted().transform((0.0, box_legend.y1))[1]
    text.set_bbox_to_anchor(Bbox.from_bounds(1.0, top + 0.01, 0.0, 0.0), transform=ax.transAxes)


def _first_free_corner(
    fig: Figure,
    ax: Axes,
    artist: Legend | AnchoredText,
    curves: Sequence[PlottedCurve],
    segments: Sequence[Box],
    taken: list[Box],
) -> _Loc | None:
    """Move ``artist`` to the first corner where it covers nothing; ``None`` if there is none."""
    for corner in _CORNERS:
        if isinstance(artist, Legend):
            artist.set_loc(corner)
        else:
            artist.loc = _LOC_CODES[corner]
        box = _data_box(ax, artist, fig)
        if _box_is_free(box, curves, segments, taken):
            taken.append(box)
            return corner
    return None


_LOC_CODES: dict[str, int] = {
    "upper right": 1,
    "upper left": 2,
    "lower left": 3,
    "lower right": 4,
    "center left": 6,
    "center right": 7,
    "lower center": 8,
    "upper center": 9,
}
