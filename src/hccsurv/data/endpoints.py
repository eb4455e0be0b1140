"""Time-to-event endpoints from dates: time in the study unit and an event indicator.

For an endpoint from dates (HCC_REFERENCE §9; FDA 2018 endpoint guidance, time zero = start of
treatment):

- event date ``E`` = the earliest non-missing date among the ``events`` columns (PFS = progression
  or death, whichever comes first);
- censoring date ``C`` = last contact (``censoring = "last_followup"``) or the last adequate tumour
  assessment (``censoring = "last_assessment"``);
- administrative censoring at the cut-off ``K``: an event on or before ``K`` counts
  (``end = E``, ``event = 1``); an event after ``K`` or no event gives ``event = 0`` and
  ``end = min(C, K)``. A patient whose event lies after the cut-off was known event-free up to
  ``K``, so a missing or later ``C`` gives ``end = K`` with ``last_followup``;
- ``time = (end - start)`` in days divided by the days per study unit (months: 30.4375).

A patient without a start date, or without an event and without a censoring date, has a missing
time and event and is left out of that endpoint only.

With competing events (``competing = {label = "date column"}``), the first of the endpoint's own
event dates and the competing dates ends follow-up: ``time`` runs to it and ``cause`` says whose
it is (1 = the endpoint's own event, 2.. = the competing columns in config order, 0 = censored);
``event`` is 1.0 for cause 1 only, so a competing event censors the cause-specific analyses, as
``Surv(time, cause == 1)`` does in R. A tie on one date goes to the endpoint's own event, then to
the first competing column: the event of interest was observed on that day.

Ready ``time`` + ``event`` columns are converted from their unit to the study unit; the cut-off
cannot be applied to them. The status is decoded with the endpoint's codes (R's ``Surv(time,
status == 2)`` for the 1/2 coding of ``lung``): ``event = 1`` for an ``event_codes`` value, ``0``
for a ``censored_codes`` or ``competing_codes`` value (a competing event ends follow-up for the
endpoint's own event, so every analysis of ``event`` is the cause-specific one), and, with
competing codes, ``cause`` = 0 censored, 1 the endpoint's event, 2..k the competing causes in
config order (``cmprsk::cuminc``'s ``fstatus``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccsurv.config import DAYS_PER_UNIT, EndpointConfig
from hccsurv.errors import InputError

__all__ = ["EndpointValues", "endpoint_from_columns", "endpoint_from_dates"]


@dataclass(frozen=True)
class EndpointValues:
    """Per-patient values of one endpoint (aligned with the cohort frame).

    ``time`` is in the study unit (float, NaN when not computable), ``event`` is 1.0 / 0.0 / NaN,
    ``end`` is the date at which follow-up for this endpoint ends (NaT for ready columns),
    ``cause`` is the cause code with competing events (0 = censored, 1 = own event, 2.. = the
    competing causes; NaN when the time is), else ``None``.
    """

    time: pd.Series
    event: pd.Series
    end: pd.Series
    cause: pd.Series | None = None


def endpoint_from_dates(
    dates: pd.DataFrame,
    endpoint: EndpointConfig,
    *,
    cutoff: pd.Timestamp | None,
    days_per_unit: float,
) -> EndpointValues:
    """Compute time and event from parsed date columns.

    Parameters
    ----------
    dates
        Parsed ``datetime64`` columns, including every column the endpoint names.
    endpoint
        An endpoint from dates (``endpoint.from_dates`` is true).
    cutoff
        Data cut-off; ``None`` applies no administrative censoring.
    days_per_unit
        Days in one study time unit.
    """
    if endpoint.start is None or endpoint.events is None or endpoint.last_contact is None:
        raise InputError("endpoint_from_dates needs an endpoint defined from dates")
    if endpoint.competing:
        return _with_competing(dates, endpoint, cutoff=cutoff, days_per_unit=days_per_unit)
    start = dates[endpoint.start]
    event_date = dates[list(endpoint.events)].min(axis=1, skipna=True)
    censor_col = (
        endpoint.last_assessment
        if endpoint.censoring == "last_assessment" and endpoint.last_assessment is not None
        else endpoint.last_contact
    )
    censor = dates[censor_col]
    if cutoff is not None:
        k = pd.Timestamp(cutoff)
        event_counts = event_date.notna() & (event_date <= k)
        after_cutoff = event_date.notna() & (event_date > k)
        censor = censor.where(censor.isna() | (censor <= k), k)
        if endpoint.censoring == "last_followup":
            censor = censor.where(~(after_cutoff & censor.isna()), k)
    else:
        event_counts = event_date.notna()
    end = event_date.where(event_counts, censor)
    days = (end - start).dt.days.astype("float64")
    known = start.notna() & end.notna()
    time = (days / days_per_unit).where(known)
    event = pd.Series(np.where(event_counts, 1.0, 0.0), index=dates.index).where(known)
    return EndpointValues(time=time, event=event, end=end.where(known))


def _with_competing(
    dates: pd.DataFrame,
    endpoint: EndpointConfig,
    *,
    cutoff: pd.Timestamp | None,
    days_per_unit: float,
) -> EndpointValues:
    """Time to the first of the own and competing events; the cause is whose date that is."""
    assert endpoint.competing is not None and endpoint.events is not None
    competing = list(endpoint.competing.values())
    any_event = endpoint.model_copy(
        update={"events": [*endpoint.events, *competing], "competing": None, "cause_label": None}
    )
    values = endpoint_from_dates(dates, any_event, cutoff=cutoff, days_per_unit=days_per_unit)
    ended = values.event == 1.0
    # the first column group whose earliest date is the end date, own events first (ties)
    candidates = [dates[list(endpoint.events)].min(axis=1, skipna=True)]
    candidates += [dates[c] for c in competing]
    cause = pd.Series(0.0, index=dates.index)
    for code in range(len(candidates), 0, -1):
        cause = cause.where(~(ended & (candidates[code - 1] == values.end)), float(code))
    cause = cause.where(values.time.notna())
    event = (cause == 1.0).astype("float64").where(cause.notna())
    return EndpointValues(time=values.time, event=event, end=values.end, cause=cause)


def endpoint_from_columns(
    frame: pd.DataFrame, endpoint: EndpointConfig, *, days_per_unit: float
) -> EndpointValues:
    """Take ready ``time`` and status columns, decode the status, convert time to the study unit.

    A status outside the endpoint's codes is a validation problem found earlier
    (:mod:`hccsurv.data.validate`); here it would read as missing.
    """
    if endpoint.time is None or endpoint.event is None or endpoint.time_unit is None:
        raise InputError("endpoint_from_columns needs an endpoint with time, event and time_unit")
    raw_time = pd.to_numeric(frame[endpoint.time], errors="coerce").astype("float64")
    status = pd.to_numeric(frame[endpoint.event], errors="coerce").astype("float64")
    cause = pd.Series(np.nan, index=frame.index)
    cause[status.isin(endpoint.censored)] = 0.0
    cause[status.isin(endpoint.status_codes)] = 1.0
    for k, codes in enumerate(endpoint.competing_status.values(), start=2):
        cause[status.isin(codes)] = float(k)
    time = raw_time * DAYS_PER_UNIT[endpoint.time_unit] / days_per_unit
    known = time.notna() & cause.notna()
    end = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return EndpointValues(
        time=time.where(known),
        event=(cause == 1.0).astype("float64").where(known),
        end=end,
        cause=cause.where(known) if endpoint.competing_status else None,
    )
