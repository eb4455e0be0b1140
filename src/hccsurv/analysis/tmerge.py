"""Time-varying covariates as counting-process rows, R ``survival::tmerge``.

``tmerge(patients, events, id="id", stop="os_time", event="os_event", tdc={"responded":
"response_time"}, cumtdc={"cycles": "cycle_time"})`` is R's

.. code-block:: r

    d <- tmerge(patients, patients, id = id, os_event = event(os_time, os_event))
    d <- tmerge(d, events, id = id, responded = tdc(response_time), cycles = cumtdc(cycle_time))

Each patient's follow-up ``(start, stop]`` is cut at every event time strictly inside it; the
rows are ``(tstart, tstop]`` and the event of the patient falls on the last row. A variable's value
on the row starting at :math:`a` uses the events with time :math:`\\le a` (an event at or before
the start applies from the start, one at or after the stop is never seen), as R:

- ``tdc={"name": "time_col"}``: 0 before the first event time, 1 from it on;
  ``tdc={"name": ("time_col", "value_col")}``: the value of the latest event (ties in time: the
  last row of ``events``), missing (NaN, R's ``tdcstart = NA``) before the first.
- ``cumtdc={"name": "time_col"}``: the number of events so far (0 before the first);
  ``cumtdc={"name": ("time_col", "value_col")}``: the running sum of the values (NaN before the
  first, as R).

An event row with a missing time is no event (R ignores it: a patient without a response date
never responded). Times are numbers on the follow-up scale (e.g. days since treatment start):
convert dates first. Reference: Therneau, Crowson & Atkinson, *Using time dependent covariates
and time dependent coefficients in the Cox model* (survival vignette), section 3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from hccsurv.errors import InputError

__all__ = ["tmerge"]

Spec = str | tuple[str, str]


def _spec(name: str, spec: Spec, events: pd.DataFrame) -> tuple[str, str | None]:
    time_col, value_col = (spec, None) if isinstance(spec, str) else spec
    for col in (time_col, value_col):
        if col is not None and col not in events.columns:
            raise InputError(
                f"'{name}': column '{col}' is not in the events table; "
                f"it has {list(events.columns)}"
            )
    return time_col, value_col


def _events_of(
    events: pd.DataFrame, id_col: str, name: str, time_col: str, value_col: str | None
) -> dict[object, tuple[np.ndarray, np.ndarray]]:
    """Per patient, the (time, value) pairs of one variable in the events table's row order."""
    times = pd.to_numeric(events[time_col], errors="coerce").to_numpy(dtype=np.float64)
    raw = events[time_col].to_numpy()
    not_number = np.flatnonzero(np.isnan(times) & pd.notna(raw))
    if not_number.size:
        i = int(not_number[0])
        raise InputError(
            f"'{name}': patient {events[id_col].tolist()[i]!r} has {time_col}={raw[i]!r}, which is "
            "not a number; give times on the follow-up scale (convert dates to days first)"
        )
    values = (
        np.ones(times.shape[0])
        if value_col is None
        else pd.to_numeric(events[value_col], errors="coerce").to_numpy(dtype=np.float64)
    )
    out: dict[object, tuple[np.ndarray, np.ndarray]] = {}
    keep = ~np.isnan(times)
    no_value = np.flatnonzero(keep & np.isnan(values))
    if no_value.size:
        i = int(no_value[0])
        raise InputError(
            f"'{name}': patient {events[id_col].tolist()[i]!r} at {time_col}="
            f"{float(times[i])!r} has no numeric {value_col}; fill the value or drop the event row"
        )
    ids = events[id_col].to_numpy()[keep]
    for key, t, v in zip(ids.tolist(), times[keep], values[keep], strict=True):
        ts, vs = out.setdefault(key, (np.empty(0), np.empty(0)))
        out[key] = (np.append(ts, t), np.append(vs, v))
    return out


def _value(
    times: np.ndarray, values: np.ndarray, at: float, cumulative: bool, count: bool
) -> float:
    """The variable on a row starting at ``at``: events with time <= ``at``."""
    seen = times <= at
    if not bool(seen.any()):
        return 0.0 if count else math.nan
    if cumulative:
        return float(values[seen].sum())
    # the latest time; ties: the last event row, as R
    latest = float(times[seen].max())
    return float(values[seen][times[seen] == latest][-1])


def tmerge(
    patients: pd.DataFrame,
    events: pd.DataFrame,
    *,
    id: str,
    stop: str,
    event: str,
    start: str | None = None,
    tdc: Mapping[str, Spec] | None = None,
    cumtdc: Mapping[str, Spec] | None = None,
) -> pd.DataFrame:
    """Counting-process rows ``(tstart, tstop]`` with time-varying covariates (R ``tmerge``).

    Parameters
    ----------
    patients : DataFrame
        One row per patient: ``id``, follow-up ``stop`` time and ``event`` (0/1); other columns are
        copied to every row of the patient.
    events : DataFrame
        Any number of rows per patient: the ``id`` column and the time (and value) columns named
        in ``tdc`` / ``cumtdc``.
    id, stop, event : str
        Column names; ``event`` in the result is the per-row event (1 on the patient's last row
        only when the patient's event is 1).
    start : str, optional
        Entry-time column (delayed entry); 0 for every patient by default.
    tdc, cumtdc : mapping, optional
        New column name -> time column, or (time column, value column); see the module doc.

    Returns
    -------
    DataFrame
        The patient columns, then ``tstart``, ``tstop``, and the new columns; rows by patient (in
        the patients' order) and time. Fit with ``hccsurv.coxph(rows, "tstop", event, ...,
        start_col="tstart", cluster=id)``.

    Raises
    ------
    InputError
        A missing column, a duplicated or missing patient id, an event row for a patient not in
        ``patients``, stop <= start, or a non-numeric time or value (naming patient and column).
    """
    specs = [
        (name, *_spec(name, spec, events), cumulative)
        for mapping, cumulative in ((tdc or {}, False), (cumtdc or {}, True))
        for name, spec in mapping.items()
    ]
    if not specs:
        raise InputError("give at least one time-varying variable in tdc= or cumtdc=")
    needed = [id, stop, event] + ([start] if start is not None else [])
    missing = [c for c in needed if c not in patients.columns]
    if missing or id not in events.columns:
        where = "patients" if missing else "events"
        raise InputError(f"column(s) {missing or [id]} not in the {where} table")
    clash = [name for name, *_ in specs if name in patients.columns or name in ("tstart", "tstop")]
    if clash:
        raise InputError(f"new column(s) {clash} already exist; choose other names")
    ids = patients[id]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated()].tolist()[0]
        raise InputError(f"patient id {bad!r} is missing or duplicated in '{id}'; one row each")
    unknown = ~events[id].isin(set(ids.tolist()))
    if bool(unknown.any()):
        raise InputError(
            f"events has rows for patient {events[id][unknown].tolist()[0]!r}, who is not in the "
            "patients table; add the patient or drop the rows"
        )
    per_var = {
        name: _events_of(events, id, name, time_col, value_col)
        for name, time_col, value_col, _ in specs
    }
    stops = pd.to_numeric(patients[stop], errors="coerce").to_numpy(dtype=np.float64)
    starts = (
        np.zeros(len(patients))
        if start is None
        else pd.to_numeric(patients[start], errors="coerce").to_numpy(dtype=np.float64)
    )
    status = pd.to_numeric(patients[event], errors="coerce").to_numpy(dtype=np.float64)
    source, tstart, tstop, ev = [], [], [], []
    columns: dict[str, list[float]] = {name: [] for name, *_ in specs}
    for i, key in enumerate(ids.tolist()):
        a, b = float(starts[i]), float(stops[i])
        if not (math.isfinite(a) and math.isfinite(b) and a < b) or status[i] not in (0.0, 1.0):
            raise InputError(
                f"patient {key!r}: start {a!r}, {stop}={b!r}, {event}={float(status[i])!r}; need "
                "start < stop (finite) and an event of 0 or 1. Fix or drop the patient"
            )
        inner = np.concatenate([v[key][0] for v in per_var.values() if key in v] or [np.empty(0)])
        cuts = np.unique(inner[(inner > a) & (inner < b)])
        lo = np.concatenate(([a], cuts))
        hi = np.concatenate((cuts, [b]))
        source.extend([i] * lo.shape[0])
        tstart.extend(lo.tolist())
        tstop.extend(hi.tolist())
        ev.extend([0.0] * (lo.shape[0] - 1) + [status[i]])
        for name, _, value_col, cumulative in specs:
            ts, vs = per_var[name].get(key, (np.empty(0), np.empty(0)))
            count = value_col is None
            columns[name].extend(_value(ts, vs, float(x), cumulative, count) for x in lo)
    out = patients.iloc[source].reset_index(drop=True)
    out["tstart"] = tstart
    out["tstop"] = tstop
    out[event] = np.asarray(ev, dtype=np.int64)
    for name, values in columns.items():
        out[name] = values
    return out
