"""Survival summaries of one endpoint: per group and overall, as a paper reports them.

For each curve: n, events, median with its CI (R ``quantile.survfit`` on the ``conf_type`` band;
``None`` when not reached), survival at each landmark time with CI (R ``summary(fit, times=)``),
and the restricted mean survival time up to ``tau`` (survRM2 definitions). Between groups: the
log-rank test (R ``survdiff``), RMST difference and ratio, and the landmark survival difference.
Median follow-up by reverse Kaplan-Meier (Schemper & Smith 1996).

The curves always exist; a comparison that cannot be estimated on the data (no events: R's
survdiff gives p = NA) is ``None`` with its reason in ``not_estimable`` (keys ``logrank``,
``rmst``, ``landmark``), and the rest of the summary is unaffected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from hccsurv.analysis._isolate import attempt
from hccsurv.core._result import Result
from hccsurv.core.followup import FollowUp, median_followup
from hccsurv.core.km import KaplanMeier, KaplanMeierGroups, kaplan_meier, kaplan_meier_groups
from hccsurv.core.landmark import LandmarkDifference, landmark_difference
from hccsurv.core.logrank import LogRank, logrank
from hccsurv.core.rmst import Rmst, RmstComparison, rmst, rmst_compare
from hccsurv.errors import NotEstimableError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class LandmarkRate(Result):
    """Kaplan-Meier survival at one time with its pointwise CI."""

    time: float
    estimate: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class CurveSummary(Result):
    """One Kaplan-Meier curve summarised as a paper reports it."""

    label: str
    n: int
    events: int
    median: float | None
    median_lower: float | None
    median_upper: float | None
    landmarks: tuple[LandmarkRate, ...]
    rmst: Rmst | None
    followup: FollowUp


@dataclass(frozen=True)
class EndpointSummary(Result):
    """Everything the survival-summary table and the figures of one endpoint need."""

    endpoint: str
    label: str
    time_unit: str
    conf_type: str
    conf_level: float
    overall: CurveSummary
    groups: tuple[CurveSummary, ...]
    logrank: LogRank | None
    rmst_comparison: RmstComparison | None
    landmark_differences: tuple[LandmarkDifference, ...]
    km_groups: KaplanMeierGroups
    km_overall: KaplanMeier
    notes: tuple[str, ...]
    not_estimable: dict[str, str]

    @property
    def group_labels(self) -> tuple[str, ...]:
        """Group labels in display order (first = reference)."""
        return tuple(g.label for g in self.groups)

    def group(self, label: str) -> CurveSummary:
        """The summary of the group called ``label``."""
        for g in self.groups:
            if g.label == label:
                return g
        raise KeyError(label)

    def to_frame(self) -> pd.DataFrame:
        """One row per curve (overall last): n, events, median and CI, landmark rates, RMST."""
        import pandas as pd

        rows = []
        for curve in (*self.groups, self.overall):
            row: dict[str, object] = {
                "endpoint": self.endpoint,
                "curve": curve.label,
                "n": curve.n,
                "events": curve.events,
                "median": curve.median,
                "median_lower": curve.median_lower,
                "median_upper": curve.median_upper,
                "followup_median": curve.followup.median,
                "rmst": None if curve.rmst is None else curve.rmst.estimate,
                "rmst_se": None if curve.rmst is None else curve.rmst.se,
            }
            for lm in curve.landmarks:
                key = _landmark_key(lm.time)
                row[f"surv_{key}"] = lm.estimate
                row[f"surv_{key}_lower"] = lm.lower
                row[f"surv_{key}_upper"] = lm.upper
            rows.append(row)
        return pd.DataFrame(rows)


def _landmark_key(t: float) -> str:
    return f"{t:g}"


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _curve_summary(
    label: str,
    km: KaplanMeier,
    time: np.ndarray,
    event: np.ndarray,
    landmarks: Sequence[float],
    tau: float | None,
    conf_type: str,
    conf_level: float,
    known_rmst: Rmst | None = None,
) -> tuple[CurveSummary, str | None]:
    at = km.survival_at(np.asarray(landmarks, dtype=float))
    rates = tuple(
        LandmarkRate(time=float(t), estimate=_opt(s), lower=_opt(lo), upper=_opt(hi))
        for t, s, lo, hi in zip(landmarks, at.surv, at.lower, at.upper, strict=True)
    )
    note = None
    rm: Rmst | None = known_rmst
    if tau is not None and rm is None:
        if float(np.max(time)) >= tau:
            rm = rmst(time, event, tau, conf_level=conf_level)
        else:
            note = (
                f"RMST not estimated for {label}: its longest follow-up ({float(np.max(time)):.3g})"
                f" is shorter than the horizon tau = {tau:g}"
            )
    fu = median_followup(time, event, conf_type=conf_type, conf_level=conf_level)
    summary = CurveSummary(
        label=label,
        n=km.n,
        events=int(km.events),
        median=km.median,
        median_lower=km.median_lower,
        median_upper=km.median_upper,
        landmarks=rates,
        rmst=rm,
        followup=fu,
    )
    return summary, note


def summarize_endpoint(
    endpoint: str,
    time: ArrayLike,
    event: ArrayLike,
    group: Sequence[str] | np.ndarray,
    group_order: Sequence[str],
    *,
    label: str | None = None,
    time_unit: str = "months",
    landmarks: Sequence[float] = (12.0,),
    tau: float | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
    overall_label: str = "All patients",
    strata: np.ndarray | None = None,
) -> EndpointSummary:
    """Summarise one endpoint per group and overall.

    Parameters
    ----------
    time, event : arrays of follow-up time (study unit) and 0/1 event indicator.
    group : group label per patient; ``group_order`` gives the display order, first = reference.
    landmarks : times at which survival is reported (R ``summary(fit, times=)``).
    tau : RMST horizon; ``None`` skips RMST. A group followed for less than ``tau`` gets no RMST
        and a note (survRM2 refuses such a horizon).
    strata : stratum per patient: the log-rank test is stratified (R ``survdiff(Surv(t, e) ~
        group + strata(s))``); the curves are not.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    g = np.asarray(group, dtype=object)
    order = tuple(group_order)
    kmg = kaplan_meier_groups(t, e, g, order=order, conf_type=conf_type, conf_level=conf_level)
    km_all = kaplan_meier(t, e, conf_type=conf_type, conf_level=conf_level)
    masks = {lab: g == lab for lab in order}
    # the two-group comparison carries each group's RMST: computed once, reused per curve
    comparison: RmstComparison | None = None
    not_estimable: dict[str, str] = {}
    notes: list[str] = []
    if tau is not None and len(order) == 2 and all(t[m].max() >= tau for m in masks.values()):
        tried = attempt(lambda: _rmst_compare(t, e, g, tau, order, conf_level))
        comparison = tried.value
        notes.extend(tried.warnings)
        if tried.reason is not None:
            not_estimable["rmst"] = tried.reason
    groups: list[CurveSummary] = []
    short: list[str | None] = []
    for lab in order:
        mask = masks[lab]
        cs, note = _curve_summary(
            lab,
            kmg.curves[lab],
            t[mask],
            e[mask],
            landmarks,
            tau,
            conf_type,
            conf_level,
            known_rmst=None if comparison is None else comparison.groups[lab],
        )
        groups.append(cs)
        short.append(note)
    overall, note = _curve_summary(
        overall_label, km_all, t, e, landmarks, tau, conf_type, conf_level
    )
    short.append(note)
    beyond = [n for n in short if n]  # curves followed for less than the horizon
    notes.extend(beyond)
    if beyond and "rmst" not in not_estimable:
        not_estimable["rmst"] = "; ".join(beyond)
    lr = attempt(lambda: _logrank(t, e, g, order, strata))
    notes.extend(lr.warnings)
    if lr.reason is not None:
        not_estimable["logrank"] = lr.reason
    differences: tuple[LandmarkDifference, ...] = ()
    if len(order) == 2:
        diffs = attempt(
            lambda: tuple(
                landmark_difference(t, e, g, lm, order=order, conf_level=conf_level)
                for lm in landmarks
            )
        )
        differences = diffs.value or ()
        notes.extend(diffs.warnings)
        if diffs.reason is not None:
            not_estimable["landmark"] = diffs.reason
    return EndpointSummary(
        endpoint=endpoint,
        label=label or endpoint,
        time_unit=time_unit,
        conf_type=conf_type,
        conf_level=conf_level,
        overall=overall,
        groups=tuple(groups),
        logrank=lr.value,
        rmst_comparison=comparison,
        landmark_differences=differences,
        km_groups=kmg,
        km_overall=km_all,
        notes=tuple(notes),
        not_estimable=not_estimable,
    )


def _logrank(
    t: np.ndarray,
    e: np.ndarray,
    g: np.ndarray,
    order: tuple[str, ...],
    strata: np.ndarray | None = None,
) -> LogRank:
    if not np.any(e > 0):
        raise NotEstimableError(
            "no events: the log-rank test needs at least one (R survdiff gives p = NA)"
        )
    return logrank(t, e, g, order=order, strata=strata)


def _rmst_compare(
    t: np.ndarray,
    e: np.ndarray,
    g: np.ndarray,
    tau: float,
    order: tuple[str, ...],
    conf_level: float,
) -> RmstComparison:
    if not np.any((e > 0) & (t <= tau)):
        raise NotEstimableError(
            f"no events up to tau = {tau:g}: both RMSTs equal tau with zero variance, so their "
            "difference has no confidence interval or test"
        )
    return rmst_compare(t, e, g, tau, order=order, conf_level=conf_level)
