"""Kaplan-Meier figures ready for a journal: curves, CI bands, medians, number at risk, log-rank p.

:func:`plot_km` draws, for each group of a :class:`~hccsurv.core.km.KaplanMeierGroups`:

* the estimate as a right-continuous step function starting at ``(0, 1)``
  (``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``, Kaplan & Meier 1958), drawn ``steps-post``;
* ``+`` marks at censoring times, on the curve;
* the pointwise confidence band ``[lower, upper]`` of the estimator as a shaded step band;
* dotted lines from the y axis to each group's median and down to the x axis (not drawn for a
  group whose curve does not reach 0.5);
* the number at risk under the plot, at the x ticks (see :mod:`.risk_table`);
* the log-rank p-value with the test named, and an optional hazard-ratio text.

``kind="cumulative_incidence"`` plots ``1 - S(t)`` with band ``[1 - upper, 1 - lower]``;
``kind="cumulative_hazard"`` plots ``-log S(t)`` with band ``[-log upper, -log lower]`` (the
KM-based cumulative hazard, R ``plot(fit, cumhaz = TRUE)`` uses Nelson-Aalen instead).

The legend and the statistics text go into a corner of the plot that no curve, band or median
line crosses; if no corner is free they go above the plot, never over the curves.

References
----------
Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. JASA 1958;53:457-81.
Pocock SJ, Clayton TC, Altman DG. Lancet 2002;359:1686-9 (survival plot good practice).
Morris TP, et al. KMunicate. BMJ Open 2019;9:e030215.

Examples
--------
>>> from hccsurv.core.km import kaplan_meier_groups
>>> km = kaplan_meier_groups(
...     [1.0, 3.0, 4.0, 6.0, 2.0, 5.0, 8.0, 9.0], [1, 1, 0, 1, 1, 0, 1, 0], list("AAAABBBB")
... )
>>> fig = plot_km(km, logrank=0.073)
>>> fig.annotation, fig.xticks.tolist(), fig.risk_table.at_risk.tolist()
('Log-rank p = 0.073', [0.0, 3.0, 6.0, 9.0], [[4, 3, 1, 0], [4, 3, 2, 1]])

Save it with :func:`hccsurv.present.figures.export.save_figure`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredText
from numpy.typing import NDArray

from hccsurv.errors import InputError
from hccsurv.present.figures.risk_table import (
    GroupedCurves,
    RiskRow,
    RiskTable,
    SurvivalCurve,
    compute_risk_table,
    draw_risk_table,
)
from hccsurv.present.figures.style import FigureStyle, freeze_layout, lay_out, without_ligatures
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_median_ci, format_p


def layout_engine() -> ConstrainedLayoutEngine:
    """The constrained layout of Kaplan-Meier figures: 4 pt margins, a small gap under the plot."""
    return ConstrainedLayoutEngine(w_pad=4.0 / 72, h_pad=4.0 / 72, hspace=0.02, wspace=0.04)


Kind = Literal["survival", "cumulative_incidence", "cumulative_hazard"]
_KINDS: tuple[str, ...] = ("survival", "cumulative_incidence", "cumulative_hazard")
_YLABELS: dict[str, str] = {
    "survival": "Survival probability",
    "cumulative_incidence": "Cumulative incidence",
    "cumulative_hazard": "Cumulative hazard",
}
#: Candidate tick spacings by time unit; the smallest giving at most ``max_intervals`` wins.
_BREAKS: dict[str, tuple[float, ...]] = {
    "months": (1.0, 3.0, 6.0, 12.0, 24.0, 60.0, 120.0),
    "days": (7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0, 1825.0),
    "weeks": (1.0, 2.0, 4.0, 8.0, 13.0, 26.0, 52.0, 104.0),
    "years": (0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
}
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


class _HasP(Protocol):
    @property
    def p(self) -> float | None: ...


@dataclass(frozen=True)
class PlottedCurve:
    """The data drawn for one group, in plot units (proportion or percent)."""

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


@dataclass(frozen=True)
class KMFigure:
    """A drawn Kaplan-Meier figure and the data behind it.

    ``risk_ax`` and ``risk_table`` are ``None`` when ``risk_table=False``. ``annotation`` is the
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
class KMFacetFigure:
    """Kaplan-Meier panels, one per stratum, in one figure."""

    figure: Figure
    panels: tuple[KMFigure, ...]


def time_breaks(t_max: float, time_unit: str = "months", *, max_intervals: int = 8) -> float:
    """Spacing of the x ticks: every 3 months up to 24 months, every 6 up to 48, and so on.

    The smallest candidate spacing for ``time_unit`` (months: 1, 3, 6, 12, 24, ...) with at most
    ``max_intervals`` intervals over ``[0, t_max]``; for other units a 1-2-5 sequence.
    """
    if not (math.isfinite(t_max) and t_max > 0):
        raise InputError(f"time_breaks: t_max={t_max!r} must be a positive finite time")
    candidates = _BREAKS.get(time_unit)
    if candidates is None:
        exponent = math.floor(math.log10(t_max / max_intervals))
        candidates = tuple(m * 10.0**e for e in (exponent, exponent + 1) for m in (1.0, 2.0, 5.0))
    for step in candidates:
        if math.ceil(t_max / step - 1e-9) <= max_intervals:
            return step
    return candidates[-1] * math.ceil(t_max / (candidates[-1] * max_intervals))


def _transform(kind: str, s: NDArray[np.float64]) -> NDArray[np.float64]:
    if kind == "survival":
        return s
    if kind == "cumulative_incidence":
        return 1.0 - s
    with np.errstate(divide="ignore"):
        h = -np.log(s)
    return np.where(np.isfinite(h), h, np.nan)


def _curve_data(
    curve: SurvivalCurve,
    *,
    label: str,
    color: str,
    line_style: str | tuple[float, tuple[float, ...]],
    kind: str,
    scale: float,
    landmarks: NDArray[np.float64],
) -> PlottedCurve:
    time = np.asarray(curve.time, dtype=np.float64)
    surv = np.asarray(curve.surv, dtype=np.float64)
    lower = np.asarray(curve.lower, dtype=np.float64)
    upper = np.asarray(curve.upper, dtype=np.float64)
    step_x = np.concatenate(([0.0], time))
    s = np.concatenate(([1.0], surv))
    lo = np.concatenate(([1.0], lower))
    hi = np.concatenate(([1.0], upper))
    y = _transform(kind, s) * scale
    a, b = _transform(kind, lo) * scale, _transform(kind, hi) * scale
    band_lower, band_upper = (a, b) if kind == "survival" else (b, a)
    censored = np.asarray(curve.n_censor, dtype=np.float64) > 0
    if landmarks.size:
        s_lm = np.asarray(curve.survival_at(landmarks).surv, dtype=np.float64)
        # past the last follow-up time the rate is not estimable: no marker
        s_lm = np.where(landmarks <= time[-1], s_lm, np.nan)
        lm_y = _transform(kind, s_lm) * scale
    else:
        lm_y = np.empty(0)
    median = None if curve.median is None else float(curve.median)
    return PlottedCurve(
        label=label,
        color=color,
        line_style=line_style,
        step_x=step_x,
        step_y=y,
        band_lower=band_lower,
        band_upper=band_upper,
        censor_x=time[censored],
        censor_y=y[1:][censored],
        median=median,
        landmark_x=landmarks.copy(),
        landmark_y=lm_y,
    )


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
    box: tuple[float, float, float, float],
    curves: Sequence[PlottedCurve],
    segments: Sequence[tuple[float, float, float, float]],
    taken: Sequence[tuple[float, float, float, float]],
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


def _data_box(
    ax: Axes, artist: Legend | AnchoredText, fig: Figure
) -> tuple[float, float, float, float]:
    # a clearance of 2 pt around the box, so that text never touches a line
    clearance = 2.0 * fig.dpi / 72.0
    bbox = artist.get_window_extent().padded(clearance)
    bbox = bbox.transformed(ax.transData.inverted())
    return (float(bbox.x0), float(bbox.x1), float(bbox.y0), float(bbox.y1))


def plot_km(
    km: GroupedCurves,
    *,
    ax: Axes | None = None,
    style: FigureStyle | None = None,
    logrank: _HasP | float | None = None,
    hr_text: str | None = None,
    time_unit: str = "months",
    risk_table: bool = True,
    risk_table_rows: Sequence[RiskRow] = ("at_risk",),
    show_ci: bool = True,
    show_median: bool = True,
    show_censor: bool = True,
    landmarks: Sequence[float] = (),
    kind: Kind = "survival",
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend_medians: bool = False,
    xmax: float | None = None,
    break_every: float | None = None,
    label_order: Sequence[str] | None = None,
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> KMFigure:
    """Draw Kaplan-Meier curves by group, publication-ready.

    Parameters
    ----------
    km
        Curves by group (``hccsurv.core.km.kaplan_meier_groups``); groups are drawn in
        ``km.labels`` order, coloured and dashed by their position in ``label_order``.
    ax
        Axes to draw into. When ``risk_table`` is true it must come from a grid
        (``fig.add_subplot``): its cell is split into the plot and the risk table. Default: a
        new figure of ``style.width_mm x style.height_mm`` with constrained layout.
    style
        :class:`FigureStyle` (default: single column, 85 mm).
    logrank
        A log-rank result (anything with ``.p``) or a p-value; printed "Log-rank p = 0.073".
    hr_text
        Extra statistics line, e.g. ``"HR 0.40 (95% CI 0.20–0.83)"``.
    time_unit
        Unit of ``km`` times; labels the x axis and picks the tick spacing.
    risk_table, risk_table_rows
        Draw the table under the plot, with these blocks (``"at_risk"``, ``"events"``,
        ``"censored"``).
    show_ci, show_median, show_censor
        Shaded confidence bands; dotted median lines; ``+`` censoring marks.
    landmarks
        Times at which to mark each curve with its rate (e.g. ``(12,)`` for 12-month survival).
    kind
        ``"survival"``, ``"cumulative_incidence"`` (``1 - S``) or ``"cumulative_hazard"``
        (``-log S``).
    title, xlabel, ylabel
        Text; defaults ``"Time (months)"`` and the name of ``kind`` (with "(%)" when
        ``style.percent``).
    legend_medians
        Append "median 6.8 (4.1–NR)" to each legend entry.
    xmax, break_every
        Right end of the x axis (default: the last follow-up time) and the tick spacing
        (default: :func:`time_breaks`).
    label_order
        Labels that fix colours and line styles (default ``km.labels``); facets pass the union.
    format_options
        Number formats of the p-value and medians (shared with the tables).

    Returns
    -------
    KMFigure
        The figure, its axes and the data drawn.
    """
    own_figure = ax is None
    built = _build(
        km,
        ax=ax,
        style=FigureStyle() if style is None else style,
        logrank=logrank,
        hr_text=hr_text,
        time_unit=time_unit,
        risk_table=risk_table,
        risk_table_rows=risk_table_rows,
        show_ci=show_ci,
        show_median=show_median,
        show_censor=show_censor,
        landmarks=landmarks,
        kind=kind,
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
        legend_medians=legend_medians,
        xmax=xmax,
        break_every=break_every,
        label_order=label_order,
        format_options=format_options,
    )
    if own_figure:
        without_ligatures(built.figure)  # before any text is measured: extents are the output's
    result = _finish(built)
    if own_figure:
        # a legend or text in a corner of the plot leaves the layout it was placed on as it
        # was (the layout does not see it); a box above the plot takes room: lay out again
        freeze_layout(result.figure, lay_out_first=result.legend_outside)
    return result


@dataclass(frozen=True)
class _Built:
    """A drawn KM plot whose legend and statistics text are not placed yet."""

    figure: Figure
    ax: Axes
    risk_ax: Axes | None
    curves: tuple[PlottedCurve, ...]
    risk_table: RiskTable | None
    xticks: NDArray[np.float64]
    annotation: str
    kind: str
    handles: tuple[Line2D, ...]
    segments: tuple[tuple[float, float, float, float], ...]
    style: FigureStyle


def _finish(built: _Built) -> KMFigure:
    """Place the legend and the statistics text on the laid-out figure."""
    with built.style.rc_context():
        choice = _place_legend_and_text(
            built.figure,
            built.ax,
            built.handles,
            built.annotation,
            built.style,
            built.curves,
            built.segments,
        )
    outside = "outside" in choice
    return KMFigure(
        figure=built.figure,
        ax=built.ax,
        risk_ax=built.risk_ax,
        curves=built.curves,
        risk_table=built.risk_table,
        xticks=built.xticks,
        annotation=built.annotation,
        kind=built.kind,
        legend_outside=outside,
    )


def _build(
    km: GroupedCurves,
    *,
    ax: Axes | None,
    style: FigureStyle,
    logrank: _HasP | float | None,
    hr_text: str | None,
    time_unit: str,
    risk_table: bool,
    risk_table_rows: Sequence[RiskRow],
    show_ci: bool,
    show_median: bool,
    show_censor: bool,
    landmarks: Sequence[float],
    kind: str,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
    legend_medians: bool,
    xmax: float | None,
    break_every: float | None,
    label_order: Sequence[str] | None,
    format_options: FormatOptions,
) -> _Built:
    if kind not in _KINDS:
        raise InputError(f"plot_km: kind={kind!r}; choose one of {list(_KINDS)}")
    labels = tuple(km.labels)
    if not labels:
        raise InputError("plot_km: km has no groups; pass curves with at least one group")
    order = tuple(labels if label_order is None else label_order)
    missing = [g for g in labels if g not in order]
    if missing:
        raise InputError(f"plot_km: groups {missing!r} are missing from label_order={order!r}")
    percent = style.percent and kind != "cumulative_hazard"
    scale = 100.0 if percent else 1.0
    lm = np.sort(np.asarray(landmarks, dtype=np.float64).reshape(-1))
    if np.any(~np.isfinite(lm)) or np.any(lm < 0):
        raise InputError(f"plot_km: landmarks {list(landmarks)!r} must be finite times >= 0")

    with style.rc_context():
        fig, ax, risk_ax = _make_axes(ax, style, risk_table, len(labels), len(risk_table_rows))
        colors = {g: style.color(order.index(g)) for g in labels}
        curves = tuple(
            _curve_data(
                km.curves[g],
                label=g,
                color=colors[g],
                line_style=style.line_style(order.index(g)),
                kind=kind,
                scale=scale,
                landmarks=lm,
            )
            for g in labels
        )
        t_last = max(float(pc.step_x[-1]) for pc in curves)
        right = t_last if xmax is None else float(xmax)
        if not (math.isfinite(right) and right > 0):
            raise InputError(f"plot_km: xmax={xmax!r} must be a positive time")
        step = time_breaks(right, time_unit) if break_every is None else float(break_every)
        if not (math.isfinite(step) and step > 0):
            raise InputError(f"plot_km: break_every={break_every!r} must be a positive time")
        n_int = max(math.ceil(right / step - 1e-9), 1)
        xticks = np.arange(n_int + 1, dtype=np.float64) * step
        x_end = float(xticks[-1]) if xmax is None else right
        xticks = xticks[xticks <= x_end + 1e-9]

        handles: list[Line2D] = []
        segments: list[tuple[float, float, float, float]] = []
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
                label=_legend_label(km.curves[pc.label], pc.label, legend_medians, format_options),
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
            if show_median and pc.median is not None:
                y_med = float(_transform(kind, np.array([0.5]))[0]) * scale
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
        _draw_landmarks(ax, curves, style, percent, segments)

        ax.set_xlim(0.0, x_end)
        ax.set_xticks(xticks, [_tick_text(t) for t in xticks])
        ax.set_xlabel(f"Time ({time_unit})" if xlabel is None else xlabel)
        _set_y_axis(ax, curves, kind, percent)
        default_ylabel = _YLABELS[kind] + (" (%)" if percent else "")
        ax.set_ylabel(default_ylabel if ylabel is None else ylabel)
        ax.tick_params(labelsize=style.small_font_size, labelfontfamily=list(style.font_family))
        if title is not None:
            ax.set_title(title, loc="left", fontsize=style.font_size + 1.0, fontweight="bold")

        table = None
        if risk_ax is not None:
            table = compute_risk_table(km, xticks, labels=labels)
            draw_risk_table(risk_ax, table, colors=colors, style=style, rows=risk_table_rows)

    return _Built(
        figure=fig,
        ax=ax,
        risk_ax=risk_ax,
        curves=curves,
        risk_table=table,
        xticks=xticks,
        annotation=_annotation(logrank, hr_text, format_options),
        kind=kind,
        handles=tuple(handles),
        segments=tuple(segments),
        style=style,
    )


def _new_figure(style: FigureStyle) -> Figure:
    """A figure of the style's physical size and dpi on the Agg canvas, with constrained layout.

    Laid out at the output dpi, the PNG is drawn with the text extents the layout measured (the
    Agg renderer and its text metrics are reused, not measured again). The 4 pt margins absorb
    the small growth of text at another dpi (glyph hinting), so that nothing is clipped at the
    figure edge.
    """
    fig = Figure(figsize=style.figsize_inches, dpi=style.dpi, layout=layout_engine())
    FigureCanvasAgg(fig)
    return fig


def _make_axes(
    ax: Axes | None, style: FigureStyle, risk_table: bool, n_groups: int, n_blocks: int
) -> tuple[Figure, Axes, Axes | None]:
    """The figure, the plot Axes and (with ``risk_table``) the table Axes under it."""
    table_in = (n_blocks * (n_groups + 1) + 0.5) * style.small_font_size * 1.45 / 72.0
    if ax is None:
        fig = _new_figure(style)
        if not risk_table:
            return fig, fig.add_subplot(), None
        plot_in = max(style.figsize_inches[1] - table_in, 2.0 * table_in)
        gs = fig.add_gridspec(2, 1, height_ratios=[plot_in, table_in])
        main = fig.add_subplot(gs[0])
        return fig, main, fig.add_subplot(gs[1], sharex=main)
    parent = ax.get_figure(root=True)
    if not isinstance(parent, Figure):
        raise InputError("plot_km: ax does not belong to a figure; pass an Axes from a Figure")
    if not risk_table:
        return parent, ax, None
    spec = ax.get_subplotspec()
    if spec is None:
        raise InputError(
            "plot_km: risk_table=True needs an ax made by fig.add_subplot (a grid cell) so that "
            "the cell can be split; pass such an ax or risk_table=False"
        )
    cell_in = (
        parent.get_size_inches()[1]
        * (spec.rowspan.stop - spec.rowspan.start)
        / spec.get_gridspec().nrows
    )
    plot_in = max(cell_in - table_in, 2.0 * table_in)
    sub = spec.subgridspec(2, 1, height_ratios=[plot_in, table_in])
    ax.set_subplotspec(sub[0])
    return parent, ax, parent.add_subplot(sub[1], sharex=ax)


def _tick_text(t: float) -> str:
    return f"{t:g}"


def _legend_label(
    curve: SurvivalCurve, label: str, with_median: bool, options: FormatOptions
) -> str:
    if not with_median:
        return label
    text = format_median_ci(
        curve.median, curve.median_lower, curve.median_upper, 1, options=options
    )
    return f"{label}: median {text}"


def _set_y_axis(ax: Axes, curves: Sequence[PlottedCurve], kind: str, percent: bool) -> None:
    if kind == "cumulative_hazard":
        values = np.concatenate([np.concatenate((c.step_y, c.band_upper)) for c in curves])
        top = float(np.nanmax(values[np.isfinite(values)])) if np.isfinite(values).any() else 1.0
        ax.set_ylim(0.0, top * 1.05 if top > 0 else 1.0)
        return
    full = 100.0 if percent else 1.0
    ax.set_ylim(0.0, full * 1.02)
    ticks = np.linspace(0.0, full, 6)
    ax.set_yticks(ticks, [f"{t:.0f}" if percent else f"{t:.1f}" for t in ticks])


def _draw_landmarks(
    ax: Axes,
    curves: Sequence[PlottedCurve],
    style: FigureStyle,
    percent: bool,
    segments: list[tuple[float, float, float, float]],
) -> None:
    """Marker and rate at each landmark time; labels nudged apart so they do not collide."""
    if not curves or curves[0].landmark_x.size == 0:
        return
    full = 100.0 if percent else 1.0
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


def _annotation(logrank: _HasP | float | None, hr_text: str | None, options: FormatOptions) -> str:
    """ "Log-rank p = 0.073" (or "p < 0.001"), then ``hr_text``; a test without p is left out."""
    lines = []
    p = logrank if logrank is None or isinstance(logrank, (int, float)) else logrank.p
    if p is not None:
        text = format_p(float(p), options=options)
        if text[0] in "<>":
            lines.append(f"Log-rank p {text[0]} {text[1:]}")
        else:
            lines.append(f"Log-rank p = {text}")
    if hr_text:
        lines.append(hr_text)
    return "\n".join(lines)


def _place_legend_and_text(
    fig: Figure,
    ax: Axes,
    handles: Sequence[Line2D],
    annotation: str,
    style: FigureStyle,
    curves: Sequence[PlottedCurve],
    segments: Sequence[tuple[float, float, float, float]],
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
    lay_out(fig)  # so that box sizes in data units are known
    taken: list[tuple[float, float, float, float]] = []

    legend = ax.legend(
        handles=list(handles),
        labels=[str(h.get_label()) for h in handles],
        loc=_CORNERS[0],
        handlelength=2.6,
        borderaxespad=0.4,
    )
    without_ligatures(legend)
    corner: str | None = _first_free_corner(fig, ax, legend, curves, segments, taken)
    if corner is None:
        corner = "outside"
        legend.remove()
        without_ligatures(
            ax.legend(
                handles=list(handles),
                labels=[str(h.get_label()) for h in handles],
                loc="lower left",
                bbox_to_anchor=(0.0, 1.01),
                ncols=len(handles),
                handlelength=2.6,
                borderaxespad=0.0,
            )
        )
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
        without_ligatures(text)
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
            without_ligatures(outside_text)
            ax.add_artist(outside_text)
    else:
        text_corner = ""
    return corner, text_corner


def _first_free_corner(
    fig: Figure,
    ax: Axes,
    artist: Legend | AnchoredText,
    curves: Sequence[PlottedCurve],
    segments: Sequence[tuple[float, float, float, float]],
    taken: list[tuple[float, float, float, float]],
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


def plot_km_facets(
    facets: Mapping[str, GroupedCurves],
    *,
    logranks: Mapping[str, _HasP | float] | None = None,
    ncols: int = 2,
    style: FigureStyle | None = None,
    time_unit: str = "months",
    risk_table: bool = True,
    kind: Kind = "survival",
    show_ci: bool = True,
    show_median: bool = True,
    landmarks: Sequence[float] = (),
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> KMFacetFigure:
    """One Kaplan-Meier panel per stratum (e.g. OS by group within each BCLC stage).

    All panels share colours (by the union of group labels, in first-seen order), the x range
    and the tick spacing, so that they can be compared at a glance. Each panel has its own
    risk table and log-rank p (``logranks[stratum]``).
    """
    if not facets:
        raise InputError("plot_km_facets: no strata given; pass a mapping stratum -> curves")
    if ncols < 1:
        raise InputError(f"plot_km_facets: ncols={ncols!r} must be >= 1")
    style = FigureStyle.double_column() if style is None else style
    names = list(facets)
    union: list[str] = []
    for km in facets.values():
        union += [g for g in km.labels if g not in union]
    t_max = max(float(np.max(km.curves[g].time)) for km in facets.values() for g in km.labels)
    step = time_breaks(t_max, time_unit, max_intervals=6)
    x_end = step * math.ceil(t_max / step - 1e-9)
    n_cols = min(ncols, len(names))
    n_rows = math.ceil(len(names) / n_cols)
    with style.rc_context():
        fig = _new_figure(style)
        grid = fig.add_gridspec(n_rows, n_cols)
        built = [
            _build(
                facets[name],
                ax=fig.add_subplot(grid[i // n_cols, i % n_cols]),
                style=style,
                logrank=None if logranks is None else logranks.get(name),
                hr_text=None,
                time_unit=time_unit,
                risk_table=risk_table,
                risk_table_rows=("at_risk",),
                show_ci=show_ci,
                show_median=show_median,
                show_censor=True,
                landmarks=landmarks,
                kind=kind,
                title=name,
                xlabel=None,
                ylabel=None,
                legend_medians=False,
                xmax=x_end,
                break_every=step,
                label_order=union,
                format_options=format_options,
            )
            for i, name in enumerate(names)
        ]
    # legends are placed once every panel exists, so that the layout is final
    without_ligatures(fig)
    panels = tuple(_finish(b) for b in built)
    freeze_layout(fig, lay_out_first=any(p.legend_outside for p in panels))
    return KMFacetFigure(figure=fig, panels=panels)
