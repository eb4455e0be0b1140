"""Number at risk (and optionally cumulative events and censored) under a Kaplan-Meier plot.

The table is drawn in its own Axes that shares the x axis of the curves, so every count sits at
the x position of a tick of the plot above and follows any change of the limits. The number at
risk at time ``t`` is the number of patients whose follow-up time is ``>= t`` (R
``summary(survfit(...), times = t)$n.risk``, ``survminer::ggsurvplot(risk.table = TRUE)``);
cumulative events and censored counts include those at ``t`` itself.

References
----------
Pocock SJ, Clayton TC, Altman DG. Survival plots of time-to-event outcomes in clinical trials:
good practice and pitfalls. Lancet 2002;359:1686-9.
Morris TP, et al. Proposals on Kaplan-Meier plots in medical research and a survey of
stakeholder views: KMunicate. BMJ Open 2019;9:e030215.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError
from hccsurv.present.figures.style import FigureStyle

if TYPE_CHECKING:
    import pandas as pd

RiskRow = Literal["at_risk", "events", "censored"]
_ROW_TITLES: dict[str, str] = {
    "at_risk": "Number at risk",
    "events": "Cumulative events",
    "censored": "Cumulative censored",
}


class SurvivalAtLike(Protocol):
    """The estimate at chosen times (``hccsurv.core.km.SurvivalAt``)."""

    @property
    def surv(self) -> NDArray[np.float64]: ...


class SurvivalCurve(Protocol):
    """What the figures need from one Kaplan-Meier curve (``hccsurv.core.km.KaplanMeier``)."""

    @property
    def time(self) -> NDArray[np.float64]: ...
    @property
    def n_risk(self) -> NDArray[np.float64]: ...
    @property
    def n_event(self) -> NDArray[np.float64]: ...
    @property
    def n_censor(self) -> NDArray[np.float64]: ...
    @property
    def surv(self) -> NDArray[np.float64]: ...
    @property
    def lower(self) -> NDArray[np.float64]: ...
    @property
    def upper(self) -> NDArray[np.float64]: ...
    @property
    def median(self) -> float | None: ...
    @property
    def median_lower(self) -> float | None: ...
    @property
    def median_upper(self) -> float | None: ...

    def n_at_risk(self, times: ArrayLike) -> NDArray[np.float64]: ...

    def survival_at(self, times: ArrayLike) -> SurvivalAtLike: ...


class GroupedCurves(Protocol):
    """Kaplan-Meier curves by group (``hccsurv.core.km.KaplanMeierGroups``)."""

    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def curves(self) -> Mapping[str, SurvivalCurve]: ...


@dataclass(frozen=True)
class RiskTable(Result):
    """Counts under a KM plot: one row per group, one column per time.

    Attributes
    ----------
    times
        The time points (the x ticks of the plot).
    labels
        Group labels, in row order.
    at_risk
        ``(groups, times)`` number at risk (follow-up ``>= t``).
    events, censored
        ``(groups, times)`` cumulative events and censored counts up to and including ``t``.
    """

    times: NDArray[np.float64]
    labels: tuple[str, ...]
    at_risk: NDArray[np.int64]
    events: NDArray[np.int64]
    censored: NDArray[np.int64]

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: group, time, n_risk, cum_events, cum_censored."""
        import pandas as pd

        n_t = self.times.size
        return pd.DataFrame(
            {
                "group": np.repeat(np.asarray(self.labels, dtype=object), n_t),
                "time": np.tile(self.times, len(self.labels)),
                "n_risk": self.at_risk.ravel(),
                "cum_events": self.events.ravel(),
                "cum_censored": self.censored.ravel(),
            }
        )


def _cumulative_at(
    time: NDArray[np.float64], counts: NDArray[np.float64], at: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Sum of ``counts`` over ``time <= at`` for each element of ``at`` (vectorised)."""
    cum = np.concatenate(([0.0], np.cumsum(counts)))
    idx = np.searchsorted(time, at, side="right")
    return np.rint(cum[idx]).astype(np.int64)


def compute_risk_table(
    km: GroupedCurves, times: ArrayLike, *, labels: Sequence[str] | None = None
) -> RiskTable:
    """Counts of ``km`` at ``times`` for each group (default: every group, ``km.labels`` order)."""
    at = np.asarray(times, dtype=np.float64)
    if at.ndim != 1 or at.size == 0 or not np.all(np.isfinite(at)) or np.any(at < 0):
        raise InputError(f"risk table times {at!r} must be a non-empty 1-d array of times >= 0")
    order = tuple(km.labels if labels is None else labels)
    missing = [g for g in order if g not in km.curves]
    if missing:
        raise InputError(f"risk table: groups {missing!r} are not among {list(km.curves)!r}")
    at_risk = np.empty((len(order), at.size), dtype=np.int64)
    events = np.empty_like(at_risk)
    censored = np.empty_like(at_risk)
    for i, label in enumerate(order):
        curve = km.curves[label]
        t = np.asarray(curve.time, dtype=np.float64)
        at_risk[i] = np.rint(np.asarray(curve.n_at_risk(at), dtype=np.float64)).astype(np.int64)
        events[i] = _cumulative_at(t, np.asarray(curve.n_event, dtype=np.float64), at)
        censored[i] = _cumulative_at(t, np.asarray(curve.n_censor, dtype=np.float64), at)
    return RiskTable(times=at, labels=order, at_risk=at_risk, events=events, censored=censored)


#: A group name in the risk table takes at most this share of the figure's width, on at most two
#: lines (the row grows to two); a longer name is shortened with "…" (the legend keeps it whole),
#: so that the table and the plot keep their width.
NAME_WIDTH_SHARE = 0.3
NAME_MAX_LINES = 2


def wrapped_names(labels: Sequence[str], style: FigureStyle) -> tuple[str, ...]:
    """The group names as the risk table shows them: wrapped at word boundaries to
    :data:`NAME_WIDTH_SHARE` of the figure width (an average glyph is about 0.55 em wide)."""
    width_pt = style.width_mm / 25.4 * 72.0
    chars = max(int(NAME_WIDTH_SHARE * width_pt / (0.55 * style.small_font_size)), 8)
    return tuple(
        textwrap.fill(label, chars, max_lines=NAME_MAX_LINES, placeholder=" …")
        if len(label) > chars
        else label
        for label in labels
    )


def table_lines(labels: Sequence[str], style: FigureStyle, n_blocks: int) -> float:
    """The height of the risk table in text lines: per block a title line and each group's
    (wrapped) name, plus half a line of margin."""
    names = wrapped_names(labels, style)
    return n_blocks * (1 + sum(name.count("\n") + 1 for name in names)) + 0.5


def draw_risk_table(
    ax: Axes,
    table: RiskTable,
    *,
    colors: Mapping[str, str],
    style: FigureStyle,
    rows: Sequence[RiskRow] = ("at_risk",),
) -> None:
    """Draw ``table`` into ``ax`` (which shares its x axis with the curves).

    Each block (number at risk, cumulative events, cumulative censored) has a bold title row and
    one row per group; the group names are the y tick labels, coloured like the curves (long
    names wrapped, :func:`wrapped_names`, their row as tall as the name); every count is a text
    centred at its time on the shared x axis.
    """
    unknown = [r for r in rows if r not in _ROW_TITLES]
    if unknown or not rows:
        raise InputError(f"risk table rows {list(rows)!r}: choose from {list(_ROW_TITLES)}")
    values = {"at_risk": table.at_risk, "events": table.events, "censored": table.censored}
    ytick_pos: list[float] = []
    ytick_lab: list[str] = []
    ytick_col: list[str] = []
    y = 0.0
    header_transform = blended_transform_factory(ax.transAxes, ax.transData)
    for block in rows:
        ax.text(
            0.0,
            y,
            _ROW_TITLES[block],
            transform=header_transform,
            ha="left",
            va="center",
            fontsize=style.small_font_size,
            fontweight="bold",
            gid=f"risk-header:{block}",
        )
        y += 1.0
        for g, (label, name) in enumerate(
            zip(table.labels, wrapped_names(table.labels, style), strict=True)
        ):
            lines = name.count("\n") + 1
            y += (lines - 1) / 2.0  # the counts sit at the middle of a wrapped name
            ytick_pos.append(y)
            ytick_lab.append(name)
            ytick_col.append(colors[label])
            for j, t in enumerate(table.times):
                ax.text(
                    float(t),
                    y,
                    str(int(values[block][g, j])),
                    ha="center",
                    va="center",
                    fontsize=style.small_font_size,
                    gid=f"risk:{block}:{label}:{j}",
                    clip_on=False,
                )
            y += 1.0 + (lines - 1) / 2.0
    ax.set_ylim(y - 0.5, -0.5)
    ax.set_yticks(ytick_pos, ytick_lab)
    for tick_label, color in zip(ax.get_yticklabels(), ytick_col, strict=True):
        tick_label.set_color(color)
        tick_label.set_fontweight("bold")
    # the counts at t = 0 are centred on the y axis: keep the group names clear of half their width
    widest = max((len(str(int(v.max()))) for v in values.values() if v.size), default=1)
    ax.tick_params(
        axis="y",
        length=0,
        pad=0.32 * style.small_font_size * widest + 3.0,
        labelsize=style.small_font_size,
        labelfontfamily=style.fonts(),
    )
    ax.tick_params(axis="x", bottom=False, labelbottom=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.patch.set_visible(False)
