"""Curve figures over time, for any estimator: steps, confidence bands, medians, number at risk.

One figure machine for every curve type (Kaplan-Meier survival, cumulative incidence,
cumulative hazard, landmark curves): an estimator's adapter turns its estimate into
:class:`PlottedCurve` records (step coordinates, band, censoring marks, median) and a function
giving the counts under the plot at chosen times (:class:`~.risk_table.RiskTable`); this module
draws them the same way:

* each curve as a right-continuous step function (``steps-post``), ``+`` marks at censoring
  times, and its pointwise confidence band as a shaded step band;
* dotted lines from the y axis to each median and down to the x axis;
* the time axis of :mod:`.time_axis` (round breaks in the study's unit, or the user's), and the
  counts under the plot at the same breaks; when breaks were chosen automatically and two tick
  labels or counts would touch, the breaks are widened until none do;
* the legend and statistics text placed by :mod:`.placement`.

See :mod:`.km` for the Kaplan-Meier adapter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.text import Text
from numpy.typing import NDArray

from hccsurv.errors import InputError
from hccsurv.present.figures.risk_table import RiskRow, RiskTable, draw_risk_table, table_lines
from hccsurv.present.figures.style import FigureStyle, lay_out
from hccsurv.present.figures.time_axis import TimeAxis, tick_text, time_axis

#: Counts under the plot at given times.
RiskCounts = Callable[[NDArray[np.float64]], RiskTable]
#: A data-space segment ``(x0, x1, y0, y1)`` that the legend must not cover.
Segment = tuple[float, float, float, float]


@dataclass(frozen=True)
class PlottedCurve:
    """The data drawn for one group, in plot units (proportion or percent).

    ``step_x``/``step_y`` start at time 0; ``band_lower``/``band_upper`` align with them (NaN
    where the band is not estimable); ``landmark_y`` aligns with ``landmark_x`` (NaN past the
    last follow-up).
    """

    label: str
    color: str
    line_style: str | tuple[float, tuple[float, ...]]
    step_x: NDArray[np.float64]
    step_y: NDArray[np.float64]
    band_lower: NDArray[np.float64]
    band_upper: NDArray[np.float64]
    censor_x: NDArray[np.float64]
    censor_y: NDArray[np.float64]
    median: float | None
    landmark_x: NDArray[np.float64]
    landmark_y: NDArray[np.float64]
    legend_label: str = ""


@dataclass(frozen=True)
class CurveFigure:
    """A drawn curve figure and the data behind it.

    ``risk_ax`` and ``risk_table`` are ``None`` without a risk table. ``annotation`` is the
    statistics text (``""`` when none). ``legend_outside`` tells whether no corner was free.
    """

    figure: Figure
    ax: Axes
    risk_ax: Axes | None
    curves: tuple[PlottedCurve, ...]
    risk_table: RiskTable | None
    xticks: NDArray[np.float64]
    annotation: str
    kind: str
    legend_outside: bool


@dataclass(frozen=True)
class YAxis:
    """The y axis: ``full`` is the top of a probability scale (1 or 100); ``None`` for an
    unbounded scale (cumulative hazard) that ends just above the data. ``median_y`` is the
    height of the median lines (``None``: no median lines)."""

    label: str
    full: float | None
    median_y: float | None


@dataclass
class DrawnCurves:
    """A drawn curve plot whose legend and statistics text are not placed yet.

    Mutable while the time axis is fitted (:func:`fit_time_axes`); frozen into a
    :class:`CurveFigure` by :func:`hccsurv.present.figures.placement.place_legend_and_text`.
    """

    figure: Figure
    ax: Axes
    risk_ax: Axes | None
    curves: tuple[PlottedCurve, ...]
    axis: TimeAxis
    risk_counts: RiskCounts | None
    risk_rows: tuple[RiskRow, ...]
    style: FigureStyle
    annotation: str
    kind: str
    handles: tuple[Line2D, ...]
    segments: tuple[Segment, ...]
    time_unit: str
    xlim: float | None
    risk_table: RiskTable | None = field(default=None)


def layout_engine() -> ConstrainedLayoutEngine:
    """Constrained layout of curve figures: 4 pt margins, a small gap under the plot."""
    return ConstrainedLayoutEngine(w_pad=4.0 / 72, h_pad=4.0 / 72, hspace=0.02, wspace=0.04)


def new_figure(style: FigureStyle) -> Figure:
    """A figure of the style's physical size and dpi on the Agg canvas, with constrained layout."""
    fig = Figure(figsize=style.figsize_inches, dpi=style.dpi, layout=layout_engine())
    FigureCanvasAgg(fig)
    return fig


def make_axes(
    ax: Axes | None, style: FigureStyle, risk_table: bool, labels: Sequence[str], n_blocks: int
) -> tuple[Figure, Axes, Axes | None]:
    """The figure, the plot Axes and (with ``risk_table``) the table Axes under it.

    The table's height is its lines at the small font (1.45 line spacing,
    :func:`~.risk_table.table_lines`); the plot keeps at least 1.5 times that. A user's ``ax`` must
    be a grid cell for its cell to be split.
    """
    table_in = table_height(labels, style, n_blocks)
    if ax is None:
        fig = new_figure(style)
        if not risk_table:
            return fig, fig.add_subplot(), None
        plot_in = max(style.figsize_inches[1] - table_in, 1.5 * table_in)
        gs = fig.add_gridspec(2, 1, height_ratios=[plot_in, table_in])
        main = fig.add_subplot(gs[0])
        return fig, main, fig.add_subplot(gs[1], sharex=main)
    parent = ax.get_figure(root=True)
    if not isinstance(parent, Figure):
        raise InputError("plot: ax does not belong to a figure; pass an Axes from a Figure")
    if not risk_table:
        return parent, ax, None
    spec = ax.get_subplotspec()
    if spec is None:
        raise InputError(
            "plot: risk_table=True needs an ax made by fig.add_subplot (a grid cell) so that "
            "the cell can be split; pass such an ax or risk_table=False"
        )
    cell_in = (
        parent.get_size_inches()[1]
        * (spec.rowspan.stop - spec.rowspan.start)
        / spec.get_gridspec().nrows
    )
    plot_in = max(cell_in - table_in, 1.5 * table_in)
    sub = spec.subgridspec(2, 1, height_ratios=[plot_in, table_in])
    ax.set_subplotspec(sub[0])
    return parent, ax, parent.add_subplot(sub[1], sharex=ax)


def table_height(labels: Sequence[str], style: FigureStyle, n_blocks: int) -> float:
    """Height in inches of the risk table: its lines at the small font, 1.45 line spacing."""
    return table_lines(labels, style, n_blocks) * style.small_font_size * 1.45 / 72.0


def keep_table_height(drawn: DrawnCurves) -> None:
    """Give the risk table its height again after the layout changed (e.g. a legend above the
    plot took room from the plot and the table alike): the plot takes what is left."""
    if drawn.risk_ax is None:
        return
    spec = drawn.risk_ax.get_subplotspec()
    if spec is None:
        return
    lay_out(drawn.figure)
    dpi = drawn.figure.dpi
    total = (drawn.ax.bbox.height + drawn.risk_ax.bbox.height) / dpi
    labels = [pc.label for pc in drawn.curves]
    table_in = min(table_height(labels, drawn.style, len(drawn.risk_rows)), total / 2.5)
    spec.get_gridspec().set_height_ratios([total - table_in, table_in])


def draw_curves(
    fig: Figure,
    ax: Axes,
    risk_ax: Axes | None,
    curves: Sequence[PlottedCurve],
    *,
    style: FigureStyle,
    axis: TimeAxis,
    y_axis: YAxis,
    risk_counts: RiskCounts | None,
    risk_rows: Sequence[RiskRow],
    show_ci: bool,
    show_censor: bool,
    annotation: str,
    kind: str,
    time_unit: str,
    xlim: float | None,
    title: str | None,
    xlabel: str | None,
) -> DrawnCurves:
    """Draw ``curves`` (bands, steps, censoring marks, medians, landmarks), the axes and the
    counts under the plot. Call inside ``style.rc_context()``."""
    handles: list[Line2D] = []
    segments: list[Segment] = []
    for i, pc in enumerate(curves):
        if show_ci:
            ax.fill_between(
                pc.step_x,
                pc.band_lower,
                pc.band_upper,
                step="post",
                color=pc.color,
                alpha=style.ci_alpha,
                linewidth=0,
                gid=f"ci:{pc.label}",
                zorder=1,
            )
        (line,) = ax.step(
            pc.step_x,
            pc.step_y,
            where="post",
            color=pc.color,
            linestyle=pc.line_style,
            linewidth=style.line_width,
            gid=f"curve:{pc.label}",
            zorder=3 + i,
            label=pc.legend_label or pc.label,
        )
        handles.append(line)
        if show_censor and pc.censor_x.size:
            ax.plot(
                pc.censor_x,
                pc.censor_y,
                linestyle="none",
                marker="+",
                markersize=style.censor_marker_size,
                markeredgewidth=0.7,
                color=pc.color,
                gid=f"censor:{pc.label}",
                zorder=3 + i,
            )
        if y_axis.median_y is not None and pc.median is not None:
            y_med = y_axis.median_y
            ax.plot(
                [0.0, pc.median, pc.median],
                [y_med, y_med, 0.0],
                linestyle=":",
                linewidth=0.7,
                color=pc.color,
                gid=f"median:{pc.label}",
                zorder=2,
            )
            segments += [(0.0, pc.median, y_med, y_med), (pc.median, pc.median, 0.0, y_med)]
    _draw_landmarks(ax, curves, style, y_axis.full or 1.0, segments)

    ax.set_xlabel(f"Time ({time_unit})" if xlabel is None else xlabel)
    _set_y_axis(ax, curves, y_axis)
    ax.set_ylabel(y_axis.label)
    ax.tick_params(labelsize=style.small_font_size, labelfontfamily=style.fonts())
    if title is not None:
        ax.set_title(title, loc="left", fontsize=style.font_size + 1.0, fontweight="bold")
    drawn = DrawnCurves(
        figure=fig,
        ax=ax,
        risk_ax=risk_ax,
        curves=tuple(curves),
        axis=axis,
        risk_counts=risk_counts,
        risk_rows=tuple(risk_rows),
        style=style,
        annotation=annotation,
        kind=kind,
        handles=tuple(handles),
        segments=tuple(segments),
        time_unit=time_unit,
        xlim=xlim,
    )
    set_time_axis(drawn, axis)
    return drawn


def set_time_axis(drawn: DrawnCurves, axis: TimeAxis) -> None:
    """Put ``axis``'s ticks on the plot and the counts under it at the same times (replacing
    counts drawn before)."""
    drawn.axis = axis
    drawn.ax.set_xlim(0.0, axis.end)
    drawn.ax.set_xticks(axis.ticks, [tick_text(t) for t in axis.ticks])
    if drawn.risk_ax is None or drawn.risk_counts is None:
        return
    for text in list(drawn.risk_ax.texts):
        text.remove()
    colors = {pc.label: pc.color for pc in drawn.curves}
    with drawn.style.rc_context():
        table = drawn.risk_counts(axis.ticks)
        draw_risk_table(
            drawn.risk_ax, table, colors=colors, style=drawn.style, rows=drawn.risk_rows
        )
    drawn.risk_table = table


def time_rows(drawn: DrawnCurves) -> list[list[Text]]:
    """The texts laid out along the time axis, row by row: tick labels, then each count row."""
    rows: dict[object, list[Text]] = {
        "ticks": [t for t in drawn.ax.get_xticklabels() if t.get_text()]
    }
    if drawn.risk_ax is not None:
        for text in drawn.risk_ax.texts:
            gid = text.get_gid() or ""
            if gid.startswith("risk:"):
                rows.setdefault(text.get_position()[1], []).append(text)
    return list(rows.values())


def label_gap(fig: Figure, rows: Sequence[Sequence[Text]]) -> float:
    """The smallest horizontal gap between neighbouring texts of a row, in points (negative when
    two overlap), measured with the figure's renderer (its text extents at its dpi)."""
    smallest = math.inf
    to_pt = 72.0 / fig.dpi
    for row in rows:
        boxes = sorted((t.get_window_extent() for t in row), key=lambda b: b.x0)
        for left, right in pairwise(boxes):
            smallest = min(smallest, (right.x0 - left.x1) * to_pt)
    return smallest


#: Clear space between neighbouring tick labels or counts, in points.
MIN_LABEL_GAP_PT = 2.0


def fit_time_axes(panels: Sequence[DrawnCurves]) -> None:
    """Widen automatic breaks until no two tick labels or counts of any panel come closer than
    :data:`MIN_LABEL_GAP_PT`; panels keep one shared axis. A user's breaks are kept as given."""
    if not panels or not panels[0].axis.automatic:
        return
    fig = panels[0].figure
    t_max = max(float(pc.step_x[-1]) for p in panels for pc in p.curves)
    xlim = panels[0].xlim
    while True:
        lay_out(fig)
        gap = min(label_gap(fig, time_rows(p)) for p in panels)
        intervals = len(panels[0].axis.ticks) - 1
        if gap >= MIN_LABEL_GAP_PT or intervals <= 1:
            return
        right = t_max if xlim is None else xlim
        axis = time_axis(right, panels[0].time_unit, xlim=xlim, max_intervals=max(intervals - 1, 1))
        for p in panels:
            set_time_axis(p, axis)


def _set_y_axis(ax: Axes, curves: Sequence[PlottedCurve], y_axis: YAxis) -> None:
    if y_axis.full is None:
        values = np.concatenate([np.concatenate((c.step_y, c.band_upper)) for c in curves])
        top = float(np.nanmax(values[np.isfinite(values)])) if np.isfinite(values).any() else 1.0
        ax.set_ylim(0.0, top * 1.05 if top > 0 else 1.0)
        return
    full = y_axis.full
    ax.set_ylim(0.0, full * 1.02)
    ticks = np.linspace(0.0, full, 6)
    ax.set_yticks(ticks, [f"{t:.0f}" if full > 1.0 else f"{t:.1f}" for t in ticks])


def _draw_landmarks(
    ax: Axes,
    curves: Sequence[PlottedCurve],
    style: FigureStyle,
    full: float,
    segments: list[Segment],
) -> None:
    """Marker and rate at each landmark time; labels nudged apart so they do not collide."""
    if not curves or curves[0].landmark_x.size == 0:
        return
    min_gap = 0.06 * full
    for j, t in enumerate(curves[0].landmark_x):
        ax.axvline(
            float(t),
            color="0.6",
            linewidth=0.5,
            linestyle=(0, (2, 2)),
            zorder=0,
            gid=f"landmark:{j}",
        )
        ys = np.array([c.landmark_y[j] for c in curves])
        order = np.argsort(-np.nan_to_num(ys, nan=-1.0))
        placed: list[float] = []
        for k in order:
            y = float(ys[k])
            if not math.isfinite(y):
                continue
            label_y = y if not placed else min(y, placed[-1] - min_gap)
            placed.append(label_y)
            rate = y / full * 100.0
            ax.plot(
                [t],
                [y],
                marker="o",
                markersize=2.5,
                color=curves[k].color,
                linestyle="none",
                zorder=6,
                gid=f"landmark:{curves[k].label}:{j}",
            )
            ax.annotate(
                f"{rate:.0f}%",
                xy=(float(t), label_y),
                xytext=(3, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=style.small_font_size,
                color=curves[k].color,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                zorder=7,
                gid=f"landmark-text:{curves[k].label}:{j}",
            )
            segments.append((float(t), float(t), label_y - min_gap / 2, label_y + min_gap / 2))
