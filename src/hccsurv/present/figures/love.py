"""Love plot: absolute standardised mean difference per covariate before and after adjustment.

One row per covariate (or factor level), an open dot for the unadjusted sample and a filled dot
for the matched or weighted sample, with a dashed vertical line at the balance threshold (0.1).
Rows are ordered by the unadjusted imbalance, largest at the top (cobalt ``love.plot(...,
var.order = "unadjusted", abs = TRUE)``).

Reference: Ahmed A et al. (2006) Eur Heart J 27:1431-9 (the plot named after Thomas Love);
Greifer N, cobalt ``love.plot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from hccsurv.analysis.adjust.balance import BalanceResult
from hccsurv.errors import InputError
from hccsurv.present.figures.style import FigureStyle, settle_layout

__all__ = ["LoveFigure", "plot_love"]


@dataclass(frozen=True)
class LoveFigure:
    """A drawn Love plot and the values on it (top row first)."""

    figure: Figure
    ax: Axes
    labels: tuple[str, ...]
    smd_before: NDArray[np.float64]
    smd_after: NDArray[np.float64]
    threshold: float


def plot_love(
    balance: BalanceResult,
    *,
    variable_labels: Mapping[str, str] | None = None,
    style: FigureStyle | None = None,
    after_label: str | None = None,
    title: str | None = None,
) -> LoveFigure:
    """Draw the Love plot of a balance result (absolute SMDs).

    Parameters
    ----------
    balance : BalanceResult
    variable_labels : mapping, optional
        Display names of covariates.
    style : FigureStyle, optional
        Default: single column, height from the number of rows.
    after_label : str, optional
        Legend text of the adjusted sample (default "Matched" or "Weighted").
    """
    if not balance.rows:
        raise InputError("plot_love: the balance result has no covariates")
    names = dict(variable_labels or {})
    labels = [
        names.get(r.variable, r.variable) + ("" if r.level is None else f": {r.level}")
        for r in balance.rows
    ]
    before = np.abs(np.array([r.smd_before for r in balance.rows], dtype=np.float64))
    after = np.abs(np.array([r.smd_after for r in balance.rows], dtype=np.float64))
    order = np.argsort(-np.nan_to_num(before, nan=-1.0), kind="stable")
    labels_sorted = tuple(labels[i] for i in order)
    before, after = before[order], after[order]
    n = len(labels_sorted)
    style = FigureStyle.single_column() if style is None else style
    style = replace(style, height_mm=max(45.0, 5.0 * n + 25.0))
    adjusted = after_label or ("Matched" if balance.adjustment == "matching" else "Weighted")
    y = np.arange(n, dtype=np.float64)[::-1]
    with style.rc_context():
        fig = Figure(figsize=style.figsize_inches, dpi=style.dpi, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        ax.axvline(balance.threshold, color="0.4", linestyle=(0, (4.0, 2.0)), linewidth=0.7)
        ax.axvline(0.0, color="0.7", linewidth=0.5)
        ax.scatter(
            before,
            y,
            s=18,
            facecolors="white",
            edgecolors=style.color(1),
            linewidths=0.9,
            label="Unadjusted",
            zorder=3,
        )
        ax.scatter(after, y, s=18, color=style.color(0), label=adjusted, zorder=4)
        ax.set_yticks(y, labels_sorted)
        finite = np.concatenate([before[np.isfinite(before)], after[np.isfinite(after)]])
        right = max(float(finite.max()) if finite.size else 0.0, balance.threshold) * 1.1
        ax.set_xlim(0.0, right)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlabel("Absolute standardised mean difference")
        ax.legend(loc="lower right")
        if title:
            ax.set_title(title)
        settle_layout(fig)
    return LoveFigure(
        figure=fig,
        ax=ax,
        labels=labels_sorted,
        smd_before=before,
        smd_after=after,
        threshold=balance.threshold,
    )
