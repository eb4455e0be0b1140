"""The cumulative-incidence adapter of :func:`~.curve_plot.plot_curves`: one figure per endpoint
with competing events, every cause of every group on one plot (colour = group, line style =
cause; per-cause curves, not stacked, so that each starts at 0 and its CI band is readable), the
dotted median where a CIF reaches 50 %, the landmarks, Gray's p of each cause and the number at
risk (patients still free of any event) under the plot.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from hccsurv.analysis.competing_study import CompetingEndpoint
from hccsurv.present.figures.curve_plot import plot_curves
from hccsurv.present.figures.curves import PlottedCurve, RiskCounts, YAxis
from hccsurv.present.figures.risk_table import RiskTable
from hccsurv.present.figures.style import FigureStyle
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_p

__all__ = ["cif_risk_counts", "plot_cif"]


def _curves(
    ep: CompetingEndpoint, style: FigureStyle, landmarks: NDArray[np.float64]
) -> tuple[PlottedCurve, ...]:
    assert ep.cif is not None
    scale = 100.0 if style.percent else 1.0
    out = []
    for code, cause in enumerate(ep.causes, start=1):
        for g, group in enumerate(ep.groups):
            c = ep.cif.curve(code, group)
            est, _, _, _ = c.at(landmarks)
            # the curve runs flat to the group's last follow-up, as a Kaplan-Meier curve does
            last = float(ep.data["time"][ep.data["group"] == group].max())
            tail = 1 if not c.time.size or last > c.time[-1] else 0
            ends = [
                (v[-1] if v.size else fill)
                for v, fill in ((c.estimate, 0.0), (c.lower, np.nan), (c.upper, np.nan))
            ]
            x = np.concatenate(([0.0], c.time, [last] * tail))
            y = np.concatenate(([0.0], c.estimate, [ends[0]] * tail))
            lower = np.concatenate(([np.nan], c.lower, [ends[1]] * tail))
            upper = np.concatenate(([np.nan], c.upper, [ends[2]] * tail))
            label = f"{group}: {cause}"
            out.append(
                PlottedCurve(
                    # the risk table's rows are the groups: cause 1's curve carries the group
                    label=group if code == 1 else label,
                    color=style.color(g),
                    line_style=style.line_style(code - 1),
                    step_x=x,
                    step_y=y * scale,
                    band_lower=lower * scale,
                    band_upper=upper * scale,
                    censor_x=np.empty(0),
                    censor_y=np.empty(0),
                    median=c.median,
                    landmark_x=landmarks.copy(),
                    landmark_y=np.where(landmarks <= last, est, np.nan) * scale,
                    legend_label=label,
                )
            )
    return tuple(out)


def cif_risk_counts(ep: CompetingEndpoint) -> RiskCounts:
    """Counts per group at given times: at risk (follow-up >= t), cumulative events of any
    cause and cumulative censored up to t, from the patients analysed."""
    time = ep.data["time"].to_numpy(dtype=np.float64)
    cause = ep.data["cause"].to_numpy(dtype=np.float64)
    group = ep.data["group"].to_numpy(dtype=str)

    def counts(times: NDArray[np.float64]) -> RiskTable:
        at = np.asarray(times, dtype=np.float64)
        rows = [group == g for g in ep.groups]
        t_col = time[:, None]
        at_risk = np.array([(t_col[m] >= at).sum(axis=0) for m in rows], dtype=np.int64)
        ended = t_col <= at
        events = np.array([(ended[m] & (cause[m] > 0)[:, None]).sum(axis=0) for m in rows])
        censored = np.array([(ended[m] & (cause[m] == 0)[:, None]).sum(axis=0) for m in rows])
        return RiskTable(
            times=at,
            labels=tuple(ep.groups),
            at_risk=at_risk,
            events=events.astype(np.int64),
            censored=censored.astype(np.int64),
        )

    return counts


def _annotation(ep: CompetingEndpoint, options: FormatOptions) -> str:
    parts = []
    for code, cause in enumerate(ep.causes, start=1):
        p = ep.gray_p(code)
        if p is not None:
            text = format_p(p, options=options)
            parts.append(f"Gray's test, {cause}: p {text if text[0] in '<>' else '= ' + text}")
    return "\n".join(parts)


def plot_cif(
    ep: CompetingEndpoint,
    *,
    style: FigureStyle | None = None,
    time_unit: str = "months",
    risk_table: bool = True,
    show_ci: bool = True,
    break_every: float | None = None,
    xlim: float | None = None,
    format_options: FormatOptions = DEFAULT_OPTIONS,
) -> Figure:
    """Cumulative incidence of every cause by group (``ep.cif`` must be estimated)."""
    style = FigureStyle() if style is None else style
    lm = np.sort(np.asarray(ep.landmarks, dtype=np.float64))
    scale = 100.0 if style.percent else 1.0
    drawn = plot_curves(
        _curves(ep, style, lm),
        y_axis=YAxis(
            label="Cumulative incidence" + (" (%)" if style.percent else ""),
            full=scale,
            median_y=0.5 * scale,
        ),
        risk_counts=cif_risk_counts(ep) if risk_table else None,
        style=style,
        annotation=_annotation(ep, format_options),
        time_unit=time_unit,
        show_ci=show_ci,
        show_censor=False,
        kind="cumulative_incidence",
        xlim=xlim,
        break_every=break_every,
    )
    return drawn.figure
