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

The drawing is the shared curve-figure machinery of :mod:`.curves` (time axis, risk table,
legend placement); this module turns Kaplan-Meier estimates into its :class:`~.curves.PlottedCurve`
records.

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
>>> fig.annotation, fig.xticks.tolist()
('Log-rank p = 0.073', [0.0, 2.0, 4.0, 6.0, 8.0, 10.0])
>>> fig.risk_table.at_risk.tolist()
[[4, 3, 2, 1, 0, 0], [4, 4, 3, 2, 2, 0]]

Save it with :func:`hccsurv.present.figures.export.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from hccsurv.errors import InputError
from hccsurv.present.figures.curve_plot import plot_curves
from hccsurv.present.figures.curves import (
    CurveFigure,
    PlottedCurve,
    RiskCounts,
    YAxis,
    draw_curves,
    fit_time_axes,
    make_axes,
    new_figure,
)
from hccsurv.present.figures.placement import place_legends
from hccsurv.present.figures.risk_table import (
    GroupedCurves,
    RiskRow,
    RiskTable,
    SurvivalCurve,
    compute_risk_table,
)
from hccsurv.present.figures.style import FigureStyle, settle_layout
from hccsurv.present.figures.time_axis import time_axis, time_breaks
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_median_ci, format_p

__all__ = ["KMFacetFigure", "KMFigure", "Kind", "plot_km", "plot_km_facets", "time_breaks"]

#: A drawn Kaplan-Meier figure (the curve figure of :mod:`.curves`).
KMFigure = CurveFigure

Kind = Literal["survival", "cumulative_incidence", "cumulative_hazard"]
_KINDS: tuple[str, ...] = ("survival", "cumulative_incidence", "cumulative_hazard")
_YLABELS: dict[str, str] = {
    "survival": "Survival probability",
    "cumulative_incidence": "Cumulative incidence",
    "cumulative_hazard": "Cumulative hazard",
}


class _HasP(Protocol):
    @property
    def p(self) -> float | None: ...


@dataclass(frozen=True)
class KMFacetFigure:
    """Kaplan-Meier panels, one per stratum, in one figure."""

    figure: Figure
    panels: tuple[CurveFigure, ...]


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
    legend_label: str,
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
        legend_label=legend_label,
    )


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
    xlim: float | None = None,
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
        Unit of ``km`` times; labels the x axis and picks the round tick spacing.
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
    xlim
        Cut the x axis at this time (default: the first break at or after the last follow-up).
    break_every
        Tick spacing (default: automatic round breaks, :func:`~.time_axis.time_breaks`, widened
        if labels would touch).
    label_order
        Labels that fix colours and line styles (default ``km.labels``); facets pass the union.
    format_options
        Number formats of the p-value and medians (shared with the tables).

    Returns
    -------
    KMFigure
        The figure, its axes and the data drawn.
    """
    style = FigureStyle() if style is None else style
    curves, y_axis = _km_curves(
        km,
        style=style,
        kind=kind,
        landmarks=landmarks,
        show_median=show_median,
        legend_medians=legend_medians,
        ylabel=ylabel,
        time_unit=time_unit,
        label_order=label_order,
        format_options=format_options,
    )
    return plot_curves(
        curves,
        y_axis=y_axis,
        risk_counts=_risk_counts(km, tuple(km.labels)) if risk_table else None,
        ax=ax,
        style=style,
        annotation=_annotation(logrank, hr_text, format_options),
        time_unit=time_unit,
        risk_rows=risk_table_rows,
        show_ci=show_ci,
        show_censor=show_censor,
        kind=kind,
        title=title,
        xlabel=xlabel,
        xlim=xlim,
        break_every=break_every,
    )


def _km_curves(
    km: GroupedCurves,
    *,
    style: FigureStyle,
    kind: str,
    landmarks: Sequence[float],
    show_median: bool,
    legend_medians: bool,
    ylabel: str | None,
    time_unit: str,
    label_order: Sequence[str] | None,
    format_options: FormatOptions,
) -> tuple[tuple[PlottedCurve, ...], YAxis]:
    """The Kaplan-Meier adapter: estimates to :class:`PlottedCurve` records and the y axis."""
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
    curves = tuple(
        _curve_data(
            km.curves[g],
            label=g,
            color=style.color(order.index(g)),
            line_style=style.line_style(order.index(g)),
            kind=kind,
            scale=scale,
            landmarks=lm,
            legend_label=_legend_label(km.curves[g], g, legend_medians, time_unit, format_options),
        )
        for g in labels
    )
    default_ylabel = _YLABELS[kind] + (" (%)" if percent else "")
    y_axis = YAxis(
        label=default_ylabel if ylabel is None else ylabel,
        full=None if kind == "cumulative_hazard" else scale,
        median_y=float(_transform(kind, np.array([0.5]))[0]) * scale if show_median else None,
    )
    return curves, y_axis


def _risk_counts(km: GroupedCurves, labels: tuple[str, ...]) -> RiskCounts:
    def counts(times: NDArray[np.float64]) -> RiskTable:
        return compute_risk_table(km, times, labels=labels)

    return counts


def _legend_label(
    curve: SurvivalCurve, label: str, with_median: bool, time_unit: str, options: FormatOptions
) -> str:
    """``label``, or "label: median 6.8 (4.1–NR)"; whole days in days, one decimal otherwise."""
    if not with_median:
        return label
    digits = 0 if time_unit == "days" else 1
    text = format_median_ci(
        curve.median, curve.median_lower, curve.median_upper, digits, options=options
    )
    return f"{label}: median {text}"


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
    xlim: float | None = None,
    break_every: float | None = None,
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> KMFacetFigure:
    """One Kaplan-Meier panel per stratum (e.g. OS by group within each BCLC stage).

    All panels share colours (by the union of group labels, in first-seen order), the x range
    and the breaks, so that they can be compared at a glance. Each panel has its own risk table
    and log-rank p (``logranks[stratum]``).
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
    axis = time_axis(t_max, time_unit, break_every=break_every, xlim=xlim, max_intervals=6)
    n_cols = min(ncols, len(names))
    n_rows = -(-len(names) // n_cols)
    with style.rc_context():
        fig = new_figure(style)
        grid = fig.add_gridspec(n_rows, n_cols)
        drawn = []
        for i, name in enumerate(names):
            km = facets[name]
            _, ax, risk_ax = make_axes(
                fig.add_subplot(grid[i // n_cols, i % n_cols]), style, risk_table, km.labels, 1
            )
            curves, y_axis = _km_curves(
                km,
                style=style,
                kind=kind,
                landmarks=landmarks,
                show_median=show_median,
                legend_medians=False,
                ylabel=None,
                time_unit=time_unit,
                label_order=union,
                format_options=format_options,
            )
            logrank = None if logranks is None else logranks.get(name)
            drawn.append(
                draw_curves(
                    fig,
                    ax,
                    risk_ax,
                    curves,
                    style=style,
                    axis=axis,
                    y_axis=y_axis,
                    risk_counts=_risk_counts(km, tuple(km.labels)) if risk_table else None,
                    risk_rows=("at_risk",),
                    show_ci=show_ci,
                    show_censor=True,
                    annotation=_annotation(logrank, None, format_options),
                    kind=kind,
                    time_unit=time_unit,
                    xlim=xlim,
                    title=name,
                    xlabel=None,
                )
            )
        fit_time_axes(drawn)
        # legends are placed once every panel exists, so that the layout is final
        panels = place_legends(drawn)
        settle_layout(fig)
    return KMFacetFigure(figure=fig, panels=panels)
