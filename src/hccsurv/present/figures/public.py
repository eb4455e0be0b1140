"""The public plotting API: one call per figure, from a result, into a new or the user's axes.

``hccsurv.plot_km`` draws Kaplan-Meier curves (a :class:`~hccsurv.core.km.KaplanMeier`, curves by
group, or an endpoint summary of a study, which also brings its log-rank test and time unit)
and returns the plot's Axes, so the figure can be edited and saved like any matplotlib figure.
``hccsurv.plot_forest`` draws a Cox model's hazard ratios (a fitted model, its table, or several
models side by side) or a subgroup forest plot (:class:`~.subgroup.SubgroupData`) and returns
the Figure. Both take the options of the drawing functions they call
(:func:`hccsurv.present.figures.km.plot_km`, :func:`~.forest.plot_forest`,
:func:`~.subgroup.plot_subgroup_forest`), e.g. ``style=FigureStyle(width_mm=120)``.

Examples
--------
>>> import hccsurv
>>> km = hccsurv.kaplan_meier_groups([2, 3, 5, 7, 1, 4, 6, 9], [1, 0, 1, 1, 1, 1, 0, 0],
...                                  list("AAAABBBB"))
>>> ax = hccsurv.plot_km(km, time_unit="months")
>>> [t.get_text() for t in ax.get_xticklabels()][:3]
['0', '2', '4']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hccsurv.errors import InputError
from hccsurv.present.figures import forest, km, subgroup
from hccsurv.present.figures.risk_table import GroupedCurves, SurvivalCurve

__all__ = ["plot_forest", "plot_km"]


@dataclass(frozen=True)
class _OneCurve:
    """A single curve as curves by group, labelled like R's single-stratum legend."""

    labels: tuple[str, ...]
    curves: Mapping[str, SurvivalCurve]


def _as_curves(result: object) -> tuple[GroupedCurves, dict[str, Any]]:
    """The curves of ``result`` and the options it implies (its log-rank test, time unit)."""
    groups = getattr(result, "km_groups", None)
    if groups is not None:  # an endpoint summary of a study
        defaults = {"logrank": getattr(result, "logrank", None)}
        if isinstance(getattr(result, "time_unit", None), str):
            defaults["time_unit"] = result.time_unit  # type: ignore[attr-defined]
        return groups, defaults
    if hasattr(result, "labels") and hasattr(result, "curves"):
        return result, {}  # type: ignore[return-value]
    if hasattr(result, "surv") and hasattr(result, "n_risk"):
        return _OneCurve(("All patients",), {"All patients": result}), {}  # type: ignore[dict-item]
    raise InputError(
        f"plot_km: cannot draw a {type(result).__name__}; pass hccsurv.kaplan_meier(...), "
        "hccsurv.kaplan_meier_groups(...) or a study's endpoint summary"
    )


def plot_km(result: object, ax: Axes | None = None, **options: Any) -> Axes:
    """Draw Kaplan-Meier curves with confidence bands, medians and the number at risk.

    Parameters
    ----------
    result
        A :class:`~hccsurv.core.km.KaplanMeier` (one curve), a
        :class:`~hccsurv.core.km.KaplanMeierGroups`, or a study's endpoint summary (its log-rank
        p and time unit are used unless given).
    ax
        Axes to draw into (from ``fig.add_subplot``: its cell is split for the risk table, or
        pass ``risk_table=False``); default a new 85 mm figure.
    **options
        Any option of :func:`hccsurv.present.figures.km.plot_km`: ``time_unit``, ``logrank``,
        ``xlim``, ``break_every``, ``risk_table``, ``landmarks``, ``kind``, ``style``, ...

    Returns
    -------
    matplotlib.axes.Axes
        The plot's Axes (``ax.get_figure()`` is the figure to save).
    """
    curves, defaults = _as_curves(result)
    return km.plot_km(curves, ax=ax, **{**defaults, **options}).ax


def plot_forest(result: object, **options: Any) -> Figure:
    """Draw a forest plot: a Cox model's hazard ratios, or a subgroup forest plot.

    Parameters
    ----------
    result
        A fitted Cox model (anything with ``to_frame()`` giving its HR table), a DataFrame of
        that table, a mapping model name -> model or table (drawn side by side), or
        :class:`~hccsurv.present.figures.subgroup.SubgroupData`.
    **options
        Options of :func:`~hccsurv.present.figures.forest.plot_forest` (``labels``, ``style``,
        ``title``, ...) or of :func:`~hccsurv.present.figures.subgroup.plot_subgroup_forest`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(result, subgroup.SubgroupData):
        return subgroup.plot_subgroup_forest(result, **options).figure
    if isinstance(result, Mapping):
        frames = {str(name): _frame(model) for name, model in result.items()}
        return forest.plot_forest(frames, **options).figure
    return forest.plot_forest(_frame(result), **options).figure


def _frame(model: object) -> pd.DataFrame:
    if isinstance(model, pd.DataFrame):
        return model
    to_frame = getattr(model, "to_frame", None)
    if to_frame is None:
        raise InputError(
            f"plot_forest: cannot draw a {type(model).__name__}; pass a fitted Cox model "
            "(hccsurv.coxph), its to_frame() table, or SubgroupData"
        )
    frame = to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"plot_forest: {type(model).__name__}.to_frame() gave no DataFrame")
    return frame
