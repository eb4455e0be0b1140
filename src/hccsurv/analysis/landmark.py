"""Landmark analysis: survival from a landmark time by the status reached at it.

Comparing responders with non-responders from the start of treatment is biased in favour of
responders (immortal time: a responder had to live until the response was seen). The landmark
method (Anderson, Cain & Gelber 1983, *J Clin Oncol* 1:710-719; Dafni 2011, *Circ Cardiovasc
Qual Outcomes* 4:363-371) fixes the classification at a landmark time :math:`L`:

- the patients analysed are those still alive and in follow-up after :math:`L` (time
  :math:`> L`); those with an event or censored at or before :math:`L` are excluded and counted;
- each is grouped by the status reached by :math:`L` (with ``switch_col``: a response time
  :math:`\\le L`; a later or missing time is "no" at the landmark, whatever happens later);
- follow-up restarts at the landmark (:math:`t - L`): Kaplan-Meier per group, the log-rank test
  and a Cox model of the landmark group (plus any ``covariates``) on those patients, i.e. R's
  ``survfit/survdiff/coxph(Surv(time - L, event) ~ group, subset = time > L)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.core.logrank import LogRank, logrank
from hccsurv.errors import InputError

__all__ = ["LANDMARK_GROUP", "LandmarkAnalysis", "landmark"]

LANDMARK_GROUP = "landmark_group"
"""The name of the landmark-status term in the Cox model."""


@dataclass(frozen=True)
class LandmarkAnalysis(Result):
    """Survival from one landmark by the status at it (see :func:`landmark`)."""

    landmark: float
    labels: tuple[str, str]
    n: int
    n_excluded: int
    excluded: tuple[Any, ...]
    km: KaplanMeierGroups = field(repr=False)
    logrank: LogRank = field(repr=False)
    cox: CoxModel = field(repr=False)

    @property
    def hr(self) -> tuple[float, float, float, float]:
        """Hazard ratio of the second label against the first: (HR, lower, upper, Wald p)."""
        row = self.cox.to_frame().iloc[0]
        return (float(row["hr"]), float(row["hr_lower"]), float(row["hr_upper"]), float(row["p"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per group: landmark, group, n, events, median from the landmark (with CI),
        then the log-rank p and the HR (second vs first group) with CI and p on the second row."""
        hr, lo, hi, p = self.hr
        rows = []
        for k, label in enumerate(self.labels):
            c = self.km.curves[label]
            rows.append(
                {
                    "landmark": self.landmark,
                    "group": label,
                    "n": c.n,
                    "events": c.events,
                    "median": c.median,
                    "median_lower": c.median_lower,
                    "median_upper": c.median_upper,
                    "logrank_p": self.logrank.p,
                    "hr": hr if k else math.nan,
                    "hr_lower": lo if k else math.nan,
                    "hr_upper": hi if k else math.nan,
                    "hr_p": p if k else math.nan,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Landmark, groups, counts, the per-group table, log-rank and the Cox model."""
        return {
            "landmark": self.landmark,
            "labels": list(self.labels),
            "n": self.n,
            "n_excluded": self.n_excluded,
            "excluded": jsonable(list(self.excluded)),
            "groups": jsonable(self.to_frame().to_dict(orient="records")),
            "logrank": self.logrank.to_dict(),
            "cox": self.cox.to_dict(),
        }


def landmark(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    *,
    landmark: float,
    switch_col: str | None = None,
    group_col: str | None = None,
    labels: tuple[str, str] = ("no", "yes"),
    covariates: Sequence[str] = (),
    conf_level: float = 0.95,
) -> LandmarkAnalysis:
    """Landmark analysis at ``landmark`` (same unit as ``time_col``).

    Parameters
    ----------
    frame : DataFrame
        One row per patient.
    time_col, event_col : str
        Follow-up from the time origin (e.g. treatment start) and the 0/1 event.
    landmark : float
        The landmark time :math:`L > 0`.
    switch_col : str, optional
        Time of the status change (e.g. the first confirmed response); missing = never. The
        status at the landmark is ``labels[1]`` when it is :math:`\\le L`.
    group_col : str, optional
        Instead of ``switch_col``: the status at the landmark, as 0/1 or False/True (for
        example computed by the response engine from the assessments up to :math:`L`).
    labels : (str, str)
        Names of the groups without and with the status; the first is the reference.
    covariates : sequence of str
        Further baseline covariates of the Cox model.
    conf_level : float
        Level of the Kaplan-Meier and hazard-ratio intervals.

    Raises
    ------
    InputError
        Not exactly one of ``switch_col`` / ``group_col``, a landmark that is not positive, a
        non-binary status (naming the patient), or a landmark group without patients.
    """
    if (switch_col is None) == (group_col is None):
        raise InputError("give exactly one of switch_col= (time of the change) or group_col=")
    if not (math.isfinite(landmark) and landmark > 0):
        raise InputError(f"landmark={landmark!r} must be a positive time on the follow-up scale")
    time = pd.to_numeric(frame[time_col], errors="coerce")
    if bool(time.isna().any()):
        who = frame.index[time.isna().to_numpy()].tolist()[0]
        raise InputError(
            f"patient {who!r}: {time_col}={frame.loc[who, time_col]!r} is not a follow-up time; "
            "without it the patient cannot be placed before or after the landmark. Fix or drop it"
        )
    after = (time > landmark).to_numpy()
    used = frame.loc[after]
    if switch_col is not None:
        switch = pd.to_numeric(used[switch_col], errors="coerce")
        status = (switch <= landmark).to_numpy()  # missing (never) compares False
    else:
        raw = used[str(group_col)]
        bad = ~raw.isin([0, 1, True, False])
        if bool(bad.any()):
            who = used.index[bad.to_numpy()].tolist()[0]
            raise InputError(
                f"patient {who!r}: {group_col}={raw[bad].tolist()[0]!r} is not a landmark "
                "status; give 0/1 or False/True (the status reached by the landmark)"
            )
        status = raw.astype(bool).to_numpy()
    group = np.where(status, labels[1], labels[0])
    for label in labels:
        if not bool((group == label).any()):
            raise InputError(
                f"no patient alive after the landmark {landmark!r} is in the group {label!r}; "
                "choose another landmark"
            )
    since = time[after].to_numpy(dtype=np.float64) - landmark
    event = used[event_col]
    data = used.assign(**{"_since_landmark": since, LANDMARK_GROUP: group})
    km = kaplan_meier_groups(since, event, group, order=list(labels), conf_level=conf_level)
    test = logrank(since, event, group, order=list(labels))
    cox = coxph(
        data,
        "_since_landmark",
        event_col,
        [LANDMARK_GROUP, *covariates],
        reference={LANDMARK_GROUP: labels[0]},
        conf_level=conf_level,
    )
    return LandmarkAnalysis(
        landmark=float(landmark),
        labels=labels,
        n=int(after.sum()),
        n_excluded=int((~after).sum()),
        excluded=tuple(frame.index[~after].tolist()),
        km=km,
        logrank=test,
        cox=cox,
    )
