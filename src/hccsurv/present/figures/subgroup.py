"""The subgroup forest plot of oncology papers: one row per subgroup level, overall HR on top.

Columns, left to right: the subgroup (a bold row per variable, its levels indented), events / n
in each arm, the hazard ratio with its confidence interval on a logarithmic axis (a line at
HR = 1, the overall HR as a dashed vertical line), "HR (95% CI)" as text, and the p-value of
the treatment-by-subgroup interaction on each variable's row. Marker area grows with the
subgroup's size (as in most trial reports), so that small subgroups with wide intervals do not
dominate the eye.

Input is plain data (:class:`SubgroupData`), filled by the subgroup analysis (the interaction
test per variable: a Cox model with arm x subgroup terms, likelihood-ratio or Wald p) or by hand.
A level whose HR is not estimable (no events in an arm) keeps its row and counts, with "NE".

References
----------
Cuzick J. Forest plots and the interpretation of subgroups. Lancet 2005;365:1308.
Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM. Statistics in medicine - reporting of
subgroup analyses in clinical trials. N Engl J Med 2007;357:2189-94.

Examples
--------
>>> row = SubgroupRow("Sex", "Male", n=(40, 38), events=(20, 30), hr=0.6, lower=0.34, upper=1.05)
>>> data = SubgroupData(
...     arms=("Atezo-bev", "Sorafenib"),
...     overall=SubgroupRow("Overall", "", (60, 58), (30, 41), 0.58, 0.36, 0.93),
...     rows=(row,), interaction_p={"Sex": 0.41},
... )
>>> fig = plot_subgroup_forest(data)
>>> [r.text for r in fig.rows]
['All patients', 'Sex', 'Male']
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.layout_engine import ConstrainedLayoutEngine
from numpy.typing import NDArray

from hccsurv.errors import InputError
from hccsurv.present.figures.forest import hr_ticks, nice_limits
from hccsurv.present.figures.style import FigureStyle, settle_layout
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_hr_ci, format_p


@dataclass(frozen=True)
class SubgroupRow:
    """One subgroup level: patients and events per arm, and the HR of arm 1 vs arm 2 in it.

    ``hr``, ``lower``, ``upper`` are NaN when not estimable (e.g. no events in an arm).
    """

    variable: str
    level: str
    n: tuple[int, ...]
    events: tuple[int, ...]
    hr: float
    lower: float
    upper: float


@dataclass(frozen=True)
class SubgroupData:
    """What the subgroup forest plot shows: arms, the overall row, levels, interaction p-values.

    ``arms`` names the compared arms, experimental first (the HR is arm 1 vs arm 2);
    ``interaction_p`` maps a variable to its interaction p (absent: not shown).
    """

    arms: tuple[str, ...]
    overall: SubgroupRow
    rows: tuple[SubgroupRow, ...]
    interaction_p: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.arms) != 2:
            raise InputError(f"SubgroupData: arms={self.arms!r}; give two arms, experimental first")
        for row in (self.overall, *self.rows):
            where = f"SubgroupData: {row.variable} = {row.level!r}"
            if len(row.n) != 2 or len(row.events) != 2:
                raise InputError(f"{where}: give n and events for each of the two arms")
            if any(e > n or e < 0 for e, n in zip(row.events, row.n, strict=True)):
                raise InputError(f"{where}: events {row.events} must lie in [0, n = {row.n}]")
            if math.isfinite(row.hr) and not (0 < row.lower <= row.hr <= row.upper):
                raise InputError(
                    f"{where}: need 0 < lower <= hr <= upper, got {row.lower}, {row.hr}, "
                    f"{row.upper}; pass hazard ratios, not log-hazard coefficients"
                )
        unknown = set(self.interaction_p) - {r.variable for r in self.rows}
        if unknown:
            raise InputError(
                f"SubgroupData: interaction p for {sorted(unknown)} but no rows of those "
                "variables; add their levels or drop the p-values"
            )


@dataclass(frozen=True)
class PlotRow:
    """A drawn row: ``kind`` is "overall", "variable" (a header) or "level"."""

    kind: str
    text: str
    y: float
    hr: float
    lower: float
    upper: float


@dataclass(frozen=True)
class SubgroupForestFigure:
    """A drawn subgroup forest plot and the values on it (top row first)."""

    figure: Figure
    ax: Axes
    rows: tuple[PlotRow, ...]
    xlim: tuple[float, float]
    marker_sizes: NDArray[np.float64]


def _plot_rows(data: SubgroupData) -> list[tuple[PlotRow, SubgroupRow | None]]:
    o = data.overall
    rows: list[tuple[PlotRow, SubgroupRow | None]] = [
        (PlotRow("overall", "All patients", 0.0, o.hr, o.lower, o.upper), o)
    ]
    for variable in dict.fromkeys(r.variable for r in data.rows):
        nan = math.nan
        rows.append((PlotRow("variable", variable, float(len(rows)), nan, nan, nan), None))
        for r in data.rows:
            if r.variable == variable:
                rows.append(
                    (PlotRow("level", r.level, float(len(rows)), r.hr, r.lower, r.upper), r)
                )
    return rows


def plot_subgroup_forest(
    data: SubgroupData,
    *,
    style: FigureStyle | None = None,
    title: str | None = None,
    xlabel: str = "Hazard ratio (95% CI)",
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> SubgroupForestFigure:
    """Draw the subgroup forest plot of ``data``.

    Parameters
    ----------
    data
        Arms, the overall row, one row per subgroup level, the interaction p per variable.
    style
        Fonts, width and dpi (default: double column, 174 mm; height from the rows).
    title
        Figure title.
    xlabel
        Label of the HR axis; "favours" arrows name the arms under it.
    format_options
        HR and p formats, shared with the tables.
    """
    rows = _plot_rows(data)
    n = len(rows)
    style = FigureStyle.double_column() if style is None else style
    style = replace(style, height_mm=n * 4.6 + 24.0)
    hr = np.array([r.hr for r, _ in rows])
    lo = np.array([r.lower for r, _ in rows])
    hi = np.array([r.upper for r, _ in rows])
    xlim = nice_limits(np.r_[lo, hr], np.r_[hi, hr])
    sizes = np.array([sum(src.n) if src is not None else 0 for _, src in rows], dtype=np.float64)
    # marker area (pt^2) grows with the subgroup's share of the patients; the overall diamond
    # is drawn at the size of a subgroup holding everyone
    marker = np.where(sizes > 0, 4.0 + 26.0 * sizes / max(float(sizes.max()), 1.0), 0.0)
    with style.rc_context():
        fig = Figure(
            figsize=style.figsize_inches,
            dpi=style.dpi,
            layout=ConstrainedLayoutEngine(w_pad=4.0 / 72, h_pad=4.0 / 72, wspace=0.0),
        )
        FigureCanvasAgg(fig)
        columns = _text_columns(data, rows, format_options)
        ratios = [1.0] * (len(columns) + 1)
        grid = fig.add_gridspec(1, len(columns) + 1, width_ratios=ratios)
        text_axes: list[Axes] = []
        ax: Axes | None = None
        plot_at = 3  # label, arm 1, arm 2, then the HR axis, then HR text and p
        for i in range(len(columns) + 1):
            if i == plot_at:
                ax = fig.add_subplot(grid[0, i])
                continue
            text_ax = fig.add_subplot(grid[0, i], sharey=text_axes[0] if text_axes else None)
            _blank(text_ax)
            text_axes.append(text_ax)
        assert ax is not None
        ax.sharey(text_axes[0])
        for text_ax, (header, cells, align) in zip(text_axes, columns, strict=True):
            x = 0.0 if align == "left" else 1.0
            # headers stand on the top row's upper edge, however many lines they take
            text_ax.text(x, -0.7, header, ha=align, va="bottom", fontweight="bold")
            for (row, _), cell in zip(rows, cells, strict=True):
                bold = row.kind != "level"
                indent = (
                    6.0
                    if row.kind == "level" and align == "left" and text_ax is text_axes[0]
                    else 0.0
                )
                text_ax.annotate(
                    cell,
                    xy=(x, row.y),
                    xytext=(indent, 0.0),
                    textcoords="offset points",
                    ha=align,
                    va="center",
                    fontsize=style.small_font_size,
                    fontweight="bold" if bold and text_ax is text_axes[0] else "normal",
                )
        _draw_hr_axis(ax, rows, hr, lo, hi, marker, xlim, data, style, xlabel)
        text_axes[0].set_ylim(n - 0.5, -0.7)
        _fit_widths(fig, grid, text_axes, plot_at, style)
        if title is not None:
            fig.suptitle(title, x=0.0, ha="left", fontsize=style.font_size + 1, fontweight="bold")
        settle_layout(fig)
    return SubgroupForestFigure(
        figure=fig,
        ax=ax,
        rows=tuple(r for r, _ in rows),
        xlim=xlim,
        marker_sizes=marker,
    )


def _text_columns(
    data: SubgroupData,
    rows: list[tuple[PlotRow, SubgroupRow | None]],
    options: FormatOptions,
) -> list[tuple[str, list[str], str]]:
    """(header, cells, alignment) of the text columns: label, arms, HR (95% CI), interaction p."""
    label = [r.text for r, _ in rows]
    arms = [
        [f"{src.events[k]}/{src.n[k]}" if src is not None else "" for _, src in rows]
        for k in range(2)
    ]
    hr_text = [
        ""
        if src is None
        else (
            format_hr_ci(r.hr, r.lower, r.upper, options=options) if math.isfinite(r.hr) else "NE"
        )
        for r, src in rows
    ]
    p_text = [
        format_p(float(data.interaction_p[r.text]), options=options)
        if r.kind == "variable" and r.text in data.interaction_p
        else ""
        for r, _ in rows
    ]
    return [
        ("Subgroup", label, "left"),
        (f"{textwrap.fill(data.arms[0], 16)}\nevents/n", arms[0], "right"),
        (f"{textwrap.fill(data.arms[1], 16)}\nevents/n", arms[1], "right"),
        ("HR (95% CI)", hr_text, "left"),
        ("P for\ninteraction", p_text, "right"),
    ]


def _blank(ax: Axes) -> None:
    ax.set_xlim(0.0, 1.0)
    ax.axis("off")
    ax.set_xticks([])
    ax.set_yticks([])


def _draw_hr_axis(
    ax: Axes,
    rows: list[tuple[PlotRow, SubgroupRow | None]],
    hr: NDArray[np.float64],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    marker: NDArray[np.float64],
    xlim: tuple[float, float],
    data: SubgroupData,
    style: FigureStyle,
    xlabel: str,
) -> None:
    y = np.array([r.y for r, _ in rows])
    ok = np.isfinite(hr)
    ax.set_xscale("log")
    ax.axvline(1.0, color="0.35", linewidth=0.6, zorder=0, gid="null")
    if math.isfinite(data.overall.hr):
        ax.axvline(
            data.overall.hr,
            color=style.color(0),
            linewidth=0.6,
            linestyle=(0, (3, 2)),
            zorder=0,
            gid="overall",
        )
    ax.hlines(
        y[ok],
        np.clip(lo[ok], *xlim),
        np.clip(hi[ok], *xlim),
        color="black",
        linewidth=0.9,
        gid="ci",
    )
    overall = np.array([r.kind == "overall" for r, _ in rows])
    for mask, shape in ((ok & ~overall, "s"), (ok & overall, "D")):
        ax.scatter(
            hr[mask],
            y[mask],
            s=marker[mask],
            marker=shape,
            color=style.color(0),
            zorder=3,
            gid="hr" if shape == "s" else "hr-overall",
        )
    ticks = hr_ticks(xlim)
    ax.set_xlim(*xlim)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(f"{xlabel}\n\u2190 {data.arms[0]} better    {data.arms[1]} better \u2192")
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(labelsize=style.small_font_size, labelfontfamily=style.fonts())
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)


def _fit_widths(
    fig: Figure, grid: GridSpec, text_axes: list[Axes], plot_at: int, style: FigureStyle
) -> None:
    """Each text column as wide as its widest text plus a gap; the HR axis takes the rest."""
    gap = 1.5 * style.small_font_size / 72.0
    widths = []
    for text_ax in text_axes:
        extents = [t.get_window_extent().width for t in text_ax.texts]
        widths.append(max(extents, default=0.0) / fig.dpi + gap)
    plot_w = max(style.figsize_inches[0] - 0.15 - sum(widths), 30.0 / 25.4)
    ratios = [*widths[:plot_at], plot_w, *widths[plot_at:]]
    grid.set_width_ratios(ratios)
