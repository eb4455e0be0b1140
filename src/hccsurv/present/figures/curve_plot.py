"""One call for a curve figure of any estimator: :func:`plot_curves`.

An estimator's adapter (Kaplan-Meier in :mod:`.km`; cumulative incidence or landmark curves
alike) builds :class:`~.curves.PlottedCurve` records, the y axis and a function giving the
counts under the plot at chosen times; :func:`plot_curves` makes the axes, draws the curves and
the risk table on the time axis of :mod:`.time_axis`, fits the breaks so that no label touches,
places the legend and the statistics text (:mod:`.placement`), and settles the layout of a
figure it made.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes

from hccsurv.errors import InputError
from hccsurv.present.figures.curves import (
    CurveFigure,
    PlottedCurve,
    RiskCounts,
    YAxis,
    draw_curves,
    fit_time_axes,
    make_axes,
)
from hccsurv.present.figures.placement import place_legends
from hccsurv.present.figures.risk_table import RiskRow
from hccsurv.present.figures.style import FigureStyle, settle_layout
from hccsurv.present.figures.time_axis import time_axis


def plot_curves(
    curves: Sequence[PlottedCurve],
    *,
    y_axis: YAxis,
    risk_counts: RiskCounts | None,
    ax: Axes | None = None,
    style: FigureStyle | None = None,
    annotation: str = "",
    time_unit: str = "months",
    risk_rows: Sequence[RiskRow] = ("at_risk",),
    show_ci: bool = True,
    show_censor: bool = True,
    kind: str = "survival",
    title: str | None = None,
    xlabel: str | None = None,
    xlim: float | None = None,
    break_every: float | None = None,
) -> CurveFigure:
    """Draw ``curves`` with their bands, medians and (given ``risk_counts``) the counts under
    the plot, into ``ax`` (a grid cell of the user's figure) or a new figure of ``style``.

    ``annotation`` is the statistics text (test p-value, HR); ``kind`` names the curve type in
    the result; ``xlim`` cuts the time axis and ``break_every`` fixes its breaks (default:
    automatic round breaks).
    """
    if not curves:
        raise InputError("plot_curves: no curves given; pass at least one PlottedCurve")
    style = FigureStyle() if style is None else style
    own_figure = ax is None
    with style.rc_context():
        fig, ax, risk_ax = make_axes(
            ax, style, risk_counts is not None, [c.label for c in curves], len(risk_rows)
        )
        t_last = max(float(c.step_x[-1]) for c in curves)
        drawn = draw_curves(
            fig,
            ax,
            risk_ax,
            curves,
            style=style,
            axis=time_axis(t_last, time_unit, break_every=break_every, xlim=xlim),
            y_axis=y_axis,
            risk_counts=risk_counts,
            risk_rows=risk_rows,
            show_ci=show_ci,
            show_censor=show_censor,
            annotation=annotation,
            kind=kind,
            time_unit=time_unit,
            xlim=xlim,
            title=title,
            xlabel=xlabel,
        )
        fit_time_axes([drawn])
        (result,) = place_legends([drawn])
        if own_figure:
            settle_layout(fig)
    return result
