"""An endpoint by a status reached during follow-up (a confirmed response), three ways.

Comparing responders with non-responders from the start of treatment credits responders with
the time they had to survive to respond (immortal-time bias; Suissa 2008, *Am J Epidemiol*
167:492-499). :func:`response_time_analysis` reports, side by side:

- the **naive** comparison, ``coxph(Surv(time, event) ~ responder)`` from the start (biased,
  shown only as the comparison readers know);
- **landmark analyses** (:func:`hccsurv.analysis.landmark.landmark`) at each landmark: the
  patients in follow-up after it, by response reached by then, from the landmark;
- the **time-varying covariate**: each patient's follow-up split at the response time
  (:func:`hccsurv.analysis.tmerge.tmerge`), ``coxph(Surv(tstart, tstop, event) ~ responding,
  cluster = id)``: a responder counts as non-responding until the response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.analysis.landmark import LandmarkAnalysis, landmark
from hccsurv.analysis.tmerge import tmerge
from hccsurv.core._result import Result, jsonable
from hccsurv.errors import InputError, NotEstimableError

__all__ = ["TimeVaryingAnalysis", "response_time_analysis"]

LABELS = ("no response", "response")


@dataclass(frozen=True)
class TimeVaryingAnalysis(Result):
    """Naive, landmark and time-varying comparisons of one endpoint by response."""

    endpoint: str
    unit: str
    n: int
    n_responders: int
    notes: tuple[str, ...]
    naive: CoxModel = field(repr=False)
    landmarks: tuple[LandmarkAnalysis, ...] = field(repr=False)
    time_varying: CoxModel = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per method: method, n, events, hr, hr_lower, hr_upper, p (response vs not)."""
        rows = []

        def add(method: str, model: CoxModel) -> None:
            coef = model.to_frame().iloc[0]
            rows.append(
                {
                    "method": method,
                    "n": model.n,
                    "events": model.n_events,
                    "hr": float(coef["hr"]),
                    "hr_lower": float(coef["hr_lower"]),
                    "hr_upper": float(coef["hr_upper"]),
                    "p": float(coef["p"]),
                }
            )

        add("naive (from the start; immortal-time biased)", self.naive)
        for lm in self.landmarks:
            add(f"landmark at {lm.landmark:g} {self.unit}", lm.cox)
        add("time-varying covariate", self.time_varying)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The comparison table, each landmark analysis and the two Cox models."""
        return {
            "endpoint": self.endpoint,
            "unit": self.unit,
            "n": self.n,
            "n_responders": self.n_responders,
            "notes": list(self.notes),
            "comparisons": jsonable(self.to_frame().to_dict(orient="records")),
            "landmarks": [lm.to_dict() for lm in self.landmarks],
            "naive": self.naive.to_dict(),
            "time_varying": self.time_varying.to_dict(),
        }


def response_time_analysis(
    frame: pd.DataFrame,
    id_col: str,
    time_col: str,
    event_col: str,
    response_time: pd.Series,
    landmarks: Sequence[float],
    *,
    endpoint: str,
    unit: str,
) -> TimeVaryingAnalysis:
    """Naive, landmark and time-varying Cox comparisons by response (see the module doc).

    ``response_time`` (aligned with ``frame``) is the time of the confirmed response on the
    endpoint's scale, NaN for patients who never responded. Patients without a usable time or
    event are left out (counted in ``notes``); so are those with no follow-up (time 0) from the
    time-varying model, which needs start < stop.

    Raises
    ------
    NotEstimableError
        No responder, or a landmark without patients in one of the groups.
    """
    usable = (frame[time_col].notna() & frame[event_col].notna()).to_numpy()
    data = frame.loc[usable, [id_col, time_col, event_col]].assign(
        _response=response_time[usable].to_numpy(dtype=np.float64)
    )
    notes = []
    if int((~usable).sum()):
        notes.append(f"{int((~usable).sum())} patient(s) without a usable {endpoint} time or event")
    responded = data["_response"].notna()
    if not bool(responded.any()):
        raise NotEstimableError("no patient has a confirmed response")
    data["_responder"] = np.where(responded, LABELS[1], LABELS[0])
    naive = coxph(data, time_col, event_col, ["_responder"], reference={"_responder": LABELS[0]})
    analyses = []
    for at in landmarks:
        try:
            analyses.append(
                landmark(
                    data, time_col, event_col, landmark=at, switch_col="_response", labels=LABELS
                )
            )
        except InputError as exc:
            raise NotEstimableError(f"landmark at {at:g} {unit}: {exc}") from exc
    followed = data[time_col] > 0
    if int((~followed).sum()):
        notes.append(
            f"{int((~followed).sum())} patient(s) with no follow-up left out of the "
            "time-varying model"
        )
    rows = tmerge(
        data.loc[followed, [id_col, time_col, event_col]],
        data.loc[responded & followed, [id_col, "_response"]],
        id=id_col,
        stop=time_col,
        event=event_col,
        tdc={"_responding": "_response"},
    )
    tv = coxph(rows, "tstop", event_col, ["_responding"], start_col="tstart", cluster=id_col)
    return TimeVaryingAnalysis(
        endpoint=endpoint,
        unit=unit,
        n=int(usable.sum()),
        n_responders=int(responded.sum()),
        notes=tuple(notes),
        naive=naive,
        landmarks=tuple(analyses),
        time_varying=tv,
    )
