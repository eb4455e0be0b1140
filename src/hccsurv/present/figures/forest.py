"""Forest plot of hazard ratios: univariate and multivariable Cox models side by side.

One row per term level. For a factor, a bold row names the variable, a "Ref." row shows its
reference level, and each other level has its HR with the 95 % confidence interval drawn on a
logarithmic axis (a ratio and its reciprocal are equally far from 1) with a line at HR = 1.
Text columns give "HR (95% CI)" and the p-value of each model; a term absent from a model
(e.g. not selected for the multivariable model) leaves that model's cells empty.

Input: a DataFrame with the columns of the Cox model table (``to_frame()``): ``variable``,
``level``, ``reference``, ``hr``, ``hr_lower``, ``hr_upper``, ``p``; several models either as a
mapping ``{"Univariate": frame, "Multivariable": frame}`` or as one frame with a ``model``
column. ``reference`` is either the name of the variable's reference level (empty for a
continuous term), or a boolean marking rows that *are* the reference level.

References
----------
Lewis S, Clarke M. Forest plots: trying to see the wood and the trees. BMJ 2001;322:1479-80.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"variable": ["group"], "level": ["Post-ate-beva"],
...     "reference": ["First-line"], "hr": [0.404], "hr_lower": [0.197],
...     "hr_upper": [0.829], "p": [0.014]})
>>> fig = plot_forest({"Multivariable": frame})
>>> [r.text for r in fig.rows]
['group', 'First-line', 'Post-ate-beva']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.layout_engine import ConstrainedLayoutEngine
from numpy.typing import NDArray

from hccsurv.errors import InputError
from hccsurv.present.figures.style import FigureStyle, settle_layout
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_hr_ci, format_p

REQUIRED_COLUMNS = ("variable", "level", "reference", "hr", "hr_lower", "hr_upper", "p")
_NICE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


@dataclass(frozen=True)
class ForestRow:
    """One row of the plot: a variable header, a reference level, or an estimated level."""

    variable: str
    level: str | None
    kind: str  # "header", "reference" or "estimate"
    text: str
    y: float


@dataclass(frozen=True)
class ForestPanel:
    """One model's column: its Axes, text Axes and the values drawn (aligned with the rows).

    ``hr``, ``lower``, ``upper``, ``p`` are NaN on header and reference rows and where the model
    lacks the term.
    """

    model: str
    ax: Axes
    text_ax: Axes
    hr: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    p: NDArray[np.float64]


@dataclass(frozen=True)
class ForestFigure:
    """A drawn forest plot."""

    figure: Figure
    label_ax: Axes
    rows: tuple[ForestRow, ...]
    panels: tuple[ForestPanel, ...]
    xlim: tuple[float, float]


def _split_models(frame: pd.DataFrame | Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    if isinstance(frame, pd.DataFrame):
        if "model" in frame.columns:
            models = list(dict.fromkeys(frame["model"].astype(str)))
            return {m: frame[frame["model"].astype(str) == m] for m in models}
        return {"": frame}
    if not frame:
        raise InputError("plot_forest: no model frames given; pass at least one DataFrame")
    return {str(k): v for k, v in frame.items()}


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _rows(
    frames: Mapping[str, pd.DataFrame], labels: Mapping[str, str]
) -> tuple[list[ForestRow], dict[tuple[str, str | None], int]]:
    """The row layout (union of terms, first-seen order) and the index of each term level."""
    order: dict[str, dict[str | None, None]] = {}
    refs: dict[str, str | None] = {}
    for name, f in frames.items():
        missing = [c for c in REQUIRED_COLUMNS if c not in f.columns]
        if missing:
            raise InputError(
                f"plot_forest: model {name!r} lacks columns {missing}; it needs "
                f"{list(REQUIRED_COLUMNS)} (the Cox model's to_frame())"
            )
        bool_ref = f["reference"].dtype == bool
        for rec in f.itertuples(index=False):
            variable = str(rec.variable)
            level = _text(rec.level)
            levels = order.setdefault(variable, {})
            if bool_ref:
                if bool(rec.reference):
                    refs[variable] = level
                else:
                    levels[level] = None
            else:
                ref = _text(rec.reference)
                if ref is not None:
                    refs[variable] = ref
                levels[level] = None
    rows: list[ForestRow] = []
    index: dict[tuple[str, str | None], int] = {}
    for variable, levels in order.items():
        name = labels.get(variable, variable)
        ref = refs.get(variable)
        factor = ref is not None or any(lv not in (None, variable) for lv in levels)
        if not factor:
            index[(variable, next(iter(levels), None))] = len(rows)
            rows.append(ForestRow(variable, None, "estimate", name, float(len(rows))))
            continue
        rows.append(ForestRow(variable, None, "header", name, float(len(rows))))
        if ref is not None:
            rows.append(ForestRow(variable, ref, "reference", ref, float(len(rows))))
        for level in levels:
            index[(variable, level)] = len(rows)
            rows.append(ForestRow(variable, level, "estimate", str(level), float(len(rows))))
    return rows, index


def _values(
    f: pd.DataFrame, index: Mapping[tuple[str, str | None], int], n_rows: int
) -> tuple[NDArray[np.float64], ...]:
    out = np.full((4, n_rows), np.nan)
    keep = ~f["reference"].to_numpy(dtype=bool) if f["reference"].dtype == bool else None
    sub = f if keep is None else f[keep]
    rows = [index[(str(v), _text(lv))] for v, lv in zip(sub["variable"], sub["level"], strict=True)]
    columns = ["hr", "hr_lower", "hr_upper", "p"]
    out[:, rows] = sub[columns].to_numpy(dtype=np.float64).T
    return out[0], out[1], out[2], out[3]


def _limits(panels: list[tuple[NDArray[np.float64], ...]]) -> tuple[float, float]:
    lo = np.concatenate([p[1] for p in panels] + [p[0] for p in panels])
    hi = np.concatenate([p[2] for p in panels] + [p[0] for p in panels])
    return nice_limits(lo, hi)


def nice_limits(lower: NDArray[np.float64], upper: NDArray[np.float64]) -> tuple[float, float]:
    """HR axis limits: round values (0.01, 0.02, 0.05, ..., 100) around every finite interval,
    always including 0.5 to 2."""
    lo = lower[np.isfinite(lower) & (lower > 0)]
    hi = upper[np.isfinite(upper) & (upper > 0)]
    left = min(float(lo.min()) if lo.size else 0.5, 0.5)
    right = max(float(hi.max()) if hi.size else 2.0, 2.0)
    left = max([t for t in _NICE_TICKS if t <= left], default=_NICE_TICKS[0])
    right = min([t for t in _NICE_TICKS if t >= right], default=_NICE_TICKS[-1])
    return left, right


def hr_ticks(xlim: tuple[float, float], min_gap: float = 0.24) -> list[float]:
    """Tick values on the log axis, by priority (1, then 0.1 and 10, 0.5 and 2, ...), keeping
    neighbours at least ``min_gap`` of the axis width apart so that labels never collide.

    The HR axes are at least 25 mm wide; two 4-character labels ("0.02", "0.1") at the small
    font need about 6 mm between their centres, hence 0.24 of the narrowest axis."""
    span = math.log10(xlim[1] / xlim[0])
    priority = (1.0, 0.1, 10.0, 0.5, 2.0, 0.01, 100.0, 0.2, 5.0, 0.05, 20.0, 0.02, 50.0)
    chosen: list[float] = []
    for t in priority:
        if not xlim[0] <= t <= xlim[1]:
            continue
        pos = math.log10(t / xlim[0]) / span
        if all(abs(pos - math.log10(c / xlim[0]) / span) >= min_gap for c in chosen):
            chosen.append(t)
    return sorted(chosen)


def plot_forest(
    frame: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    labels: Mapping[str, str] | None = None,
    style: FigureStyle | None = None,
    height_mm: float | None = None,
    xlabel: str = "Hazard ratio (95% CI)",
    bold_p_below: float | None = 0.05,
    title: str | None = None,
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> ForestFigure:
    """Draw a forest plot of hazard ratios for one or several Cox models.

    Parameters
    ----------
    frame
        The model table(s): one frame (optionally with a ``model`` column) or a mapping model
        name -> frame, with columns ``variable, level, reference, hr, hr_lower, hr_upper, p``.
    labels
        Display names of variables (e.g. ``{"ecog": "ECOG PS"}``).
    style
        Fonts, width and dpi (default: double column, 174 mm).
    height_mm
        Figure height; default from the number of rows (4.2 mm a row plus the axis).
    xlabel
        Label of the HR axes.
    bold_p_below
        Print p-values below this threshold in bold (``None``: never).
    title
        Figure title.
    format_options
        Number formats (HR decimals, p threshold, "Ref." text), shared with the tables.

    Returns
    -------
    ForestFigure
        The figure, the rows and, per model, the values drawn.
    """
    style = FigureStyle.double_column() if style is None else style
    frames = _split_models(frame)
    rows, index = _rows(frames, {} if labels is None else labels)
    if not rows:
        raise InputError("plot_forest: the model frames have no rows; fit a model first")
    values = [_values(f, index, len(rows)) for f in frames.values()]
    for name, (hr, lo, hi, _) in zip(frames, values, strict=True):
        bad = np.isfinite(hr) & ((hr <= 0) | (lo > hr) | (hi < hr))
        if bad.any():
            row = rows[int(np.flatnonzero(bad)[0])]
            raise InputError(
                f"plot_forest: model {name!r}, {row.variable} = {row.level}: hr must be > 0 and "
                "inside [hr_lower, hr_upper]; pass hazard ratios, not log-hazard coefficients"
            )
    xlim = _limits(values)
    n = len(rows)
    height = (n * 4.2 + 20.0) if height_mm is None else height_mm
    style = replace(style, height_mm=height)
    n_models = len(frames)
    with style.rc_context():
        fig = Figure(figsize=style.figsize_inches, dpi=style.dpi, layout=layout_engine())
        FigureCanvasAgg(fig)
        ratios = [1.15] + [1.0, 1.05] * n_models
        grid = fig.add_gridspec(1, 1 + 2 * n_models, width_ratios=ratios)
        label_ax = fig.add_subplot(grid[0, 0])
        _draw_labels(label_ax, rows, style)
        panels = []
        for m, (name, vals) in enumerate(zip(frames, values, strict=True)):
            ax = fig.add_subplot(grid[0, 1 + 2 * m], sharey=label_ax)
            text_ax = fig.add_subplot(grid[0, 2 + 2 * m], sharey=label_ax)
            present = {str(v) for v in frames[name]["variable"]}
            _draw_panel(
                ax,
                text_ax,
                rows,
                vals,
                present,
                style,
                xlim,
                name,
                xlabel,
                bold_p_below,
                format_options,
            )
            hr, lo, hi, p = vals
            panels.append(ForestPanel(name, ax, text_ax, hr, lo, hi, p))
        label_ax.set_ylim(n - 0.5, -1.6)
        _fit_columns(fig, grid, label_ax, panels, style)
        if title is not None:
            fig.suptitle(
                title,
                x=0.0,
                ha="left",
                fontsize=style.font_size + 1,
                fontweight="bold",
            )
        settle_layout(fig)
    return ForestFigure(
        figure=fig, label_ax=label_ax, rows=tuple(rows), panels=tuple(panels), xlim=xlim
    )


def layout_engine() -> ConstrainedLayoutEngine:
    """The constrained layout of forest plots: 4 pt margins, no gap between the columns."""
    return ConstrainedLayoutEngine(w_pad=4.0 / 72, h_pad=4.0 / 72, wspace=0.0)


def _text_width(fig: Figure, ax: Axes, ha: str) -> float:
    """Widest text of ``ax`` with alignment ``ha``, in inches."""
    widths = [
        t.get_window_extent().x1 - ax.bbox.x0 if ha == "left" else t.get_window_extent().width
        for t in ax.texts
        if t.get_horizontalalignment() == ha
    ]
    return max(widths, default=0.0) / fig.dpi


def _fit_columns(
    fig: Figure, grid: GridSpec, label_ax: Axes, panels: list[ForestPanel], style: FigureStyle
) -> None:
    """Size the text columns to their widest text; the HR axes share what is left.

    Widths are measured from each column's left edge, so they do not depend on where the
    layout puts the columns: no layout is needed before.
    """
    gap = 1.2 * style.small_font_size / 72.0
    label_w = _text_width(fig, label_ax, "left") + gap
    text_w = [
        _text_width(fig, p.text_ax, "left") + _text_width(fig, p.text_ax, "right") + 2 * gap
        for p in panels
    ]
    free = style.figsize_inches[0] - 0.15 - label_w - sum(text_w)
    plot_w = max(free / len(panels), 25.0 / 25.4)
    ratios = [label_w]
    for w in text_w:
        ratios += [plot_w, w]
    grid.set_width_ratios(ratios)


def _blank(ax: Axes) -> None:
    ax.set_xlim(0.0, 1.0)
    ax.axis("off")
    # no tick objects at all (the rows share this y axis and none shows y ticks)
    ax.set_xticks([])
    ax.set_yticks([])


def _draw_labels(ax: Axes, rows: list[ForestRow], style: FigureStyle) -> None:
    _blank(ax)
    ax.text(0.0, -1.0, "Variable", ha="left", va="center", fontweight="bold")
    for r in rows:
        indent = 0.0 if r.kind == "header" or r.level is None else 6.0
        ax.annotate(
            r.text,
            xy=(0.0, r.y),
            xytext=(indent, 0.0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=style.small_font_size,
            fontweight="bold" if r.kind == "header" or r.level is None else "normal",
            gid=f"label:{r.y:g}",
        )


def _draw_panel(
    ax: Axes,
    text_ax: Axes,
    rows: list[ForestRow],
    vals: tuple[NDArray[np.float64], ...],
    present: set[str],
    style: FigureStyle,
    xlim: tuple[float, float],
    name: str,
    xlabel: str,
    bold_p_below: float | None,
    options: FormatOptions,
) -> None:
    hr, lo, hi, p = vals
    y = np.array([r.y for r in rows])
    ok = np.isfinite(hr)
    ax.set_xscale("log")
    ax.vlines(1.0, -0.5, len(rows) - 0.5, color="0.35", linewidth=0.6, zorder=0, gid="null")
    ax.hlines(
        y[ok],
        np.clip(lo[ok], xlim[0], xlim[1]),
        np.clip(hi[ok], xlim[0], xlim[1]),
        color="black",
        linewidth=0.9,
        gid="ci",
    )
    ax.plot(
        hr[ok], y[ok], linestyle="none", marker="s", markersize=3.5, color=style.color(0), gid="hr"
    )
    ref = np.array([r.kind == "reference" and r.variable in present for r in rows])
    if ref.any():
        ax.plot(
            np.ones(int(ref.sum())),
            y[ref],
            linestyle="none",
            marker="D",
            markersize=2.5,
            markerfacecolor="white",
            markeredgecolor="0.35",
            gid="ref",
        )
    ticks = hr_ticks(xlim)
    ax.set_xlim(*xlim)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(labelsize=style.small_font_size, labelfontfamily=style.fonts())
    ax.spines["left"].set_visible(False)
    if name:
        ax.text(
            0.5,
            -1.0,
            name,
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            fontweight="bold",
        )
    _blank(text_ax)
    text_ax.text(0.0, -1.0, "HR (95% CI)", ha="left", va="center", fontweight="bold")
    text_ax.text(1.0, -1.0, "p", ha="right", va="center", fontweight="bold")
    for i, r in enumerate(rows):
        if ref[i]:
            text_ax.text(
                0.02,
                r.y,
                "Ref.",
                ha="left",
                va="center",
                fontsize=style.small_font_size,
                gid=f"hr-text:{i}",
            )
        elif ok[i]:
            text_ax.text(
                0.02,
                r.y,
                format_hr_ci(hr[i], lo[i], hi[i], options=options),
                ha="left",
                va="center",
                fontsize=style.small_font_size,
                gid=f"hr-text:{i}",
            )
            if math.isfinite(p[i]):
                strong = bold_p_below is not None and p[i] < bold_p_below
                text_ax.text(
                    0.98,
                    r.y,
                    format_p(float(p[i]), options=options),
                    ha="right",
                    va="center",
                    fontsize=style.small_font_size,
                    fontweight="bold" if strong else "normal",
                    gid=f"p-text:{i}",
                )
