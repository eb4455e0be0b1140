"""Patient-level validation of a cohort: every problem at once, each with its fix.

Rules (``Problem.rule``), in the order they are checked:

==========================  ===================================================================
``missing_id``              the id cell is empty
``duplicate_id``            the same id on more than one row (one problem listing every row);
                            in long format, the same id and key value on more than one row
``formula_no_value``        an XLSX formula cell of a column the config uses has no saved value
``date_unparseable``        a date cell cannot be read (see :mod:`hccsurv.data.dates`)
``date_ambiguous``          a date could be day-first or month-first
``missing_start``           an endpoint's start date is empty
``event_before_start``      an event date (progression, death, ...) precedes the start date
``progression_after_death`` progression dated after death
``contact_before_event``    last contact precedes a recorded event date
``contact_after_cutoff``    last contact after the data cut-off
``nonpositive_followup``    last contact on or before the start date
``missing_group``           the group cell is empty
``unknown_group``           the group is not one of ``groups.labels``
``event_code``              a ready status holds a value that is none of the endpoint's
                            ``event_codes``, ``censored_codes`` and ``competing_codes``
``negative_time``           a ready time column holds a negative time
``age_range``               age outside 18-100 years
``afp_negative``            AFP below 0
``ecog_range``              ECOG not an integer 0-4
``bilirubin_unit``          bilirubin impossible, or implausible for the stated unit
``albumin_unit``            albumin impossible, or implausible for the stated unit
``inr_range``               INR impossible or implausible
``not_a_number``            text ("sixty", "2,2") in a column read as a number (see below)
``not_finite``              +-inf (or an overflowing ``1e309``) in a column read as a number
``response_value``          a best-response cell that is not one of the codes CR PR SD PD NE
``category_value``          ascites, encephalopathy or a yes/no input not recognised (checked by
                            :func:`hccsurv.data.derive.check_categories`)
==========================  ===================================================================

Columns read as numbers: the numeric clinical inputs (age, AFP, ECOG, bilirubin, albumin, INR,
tumour size and number, height, weight), ready endpoint times, Table 1 rows of kind normal or
skewed, the source of a binary or ordinal ``[[derived]]`` cut and Cox candidates without a
reference. A text cell there would otherwise become a silent missing value.

Best-response codes: :mod:`hccsurv.data.responses`.

Laboratory plausibility (a value outside the plausible band of the stated unit, but inside that
of the other unit, gets the unit hint): bilirubin 0.1-35 mg/dL or 2-600 µmol/L; albumin 1.0-6.5
g/dL or 10-65 g/L; INR 0.5-10. When every value of a column looks like the other unit, one
column-level problem replaces the per-patient ones (the fix is the ``[units]`` entry).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hccsurv.config import EndpointConfig, StudyConfig
from hccsurv.data.responses import RESPONSE_CODES, response_codes, response_hints
from hccsurv.errors import Problem

__all__ = [
    "RULE_LABELS",
    "as_text",
    "date_columns",
    "file_rows",
    "patient_labels",
    "validate_cohort",
    "validate_long_rows",
]

#: Short labels of the rules, used as exclusion reasons in the patient flow.
RULE_LABELS: dict[str, str] = {
    "missing_id": "missing patient id",
    "duplicate_id": "duplicate patient id",
    "formula_no_value": "formula without a saved value",
    "date_unparseable": "unreadable date",
    "date_ambiguous": "ambiguous date",
    "missing_start": "missing start date",
    "event_before_start": "event before start",
    "progression_after_death": "progression after death",
    "contact_before_event": "last contact before an event",
    "contact_after_cutoff": "last contact after the cut-off",
    "nonpositive_followup": "no follow-up after start",
    "missing_group": "missing group",
    "unknown_group": "unknown group",
    "event_code": "invalid event code",
    "negative_time": "negative time",
    "age_range": "age out of range",
    "afp_negative": "negative AFP",
    "ecog_range": "ECOG out of range",
    "bilirubin_unit": "implausible bilirubin",
    "albumin_unit": "implausible albumin",
    "inr_range": "implausible INR",
    "not_a_number": "text in a numeric column",
    "not_finite": "not a finite number",
    "response_value": "unrecognised best response",
    "category_value": "unrecognised category",
}

# (plausible low, plausible high) per unit.
_LAB_BANDS: dict[str, dict[str, tuple[float, float]]] = {
    "bilirubin": {"mg/dL": (0.1, 35.0), "umol/L": (2.0, 600.0)},
    "albumin": {"g/dL": (1.0, 6.5), "g/L": (10.0, 65.0)},
}


def _iso(value: pd.Timestamp) -> str:
    return value.strftime("%Y-%m-%d")


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Collector:
    def __init__(self, ids: pd.Series, rows: list[int]) -> None:
        self.ids = ids
        self.rows = pd.Series(rows, index=ids.index)
        self.problems: list[Problem] = []

    def emit(
        self,
        mask: pd.Series,
        rule: str,
        column: str,
        values: pd.Series,
        template: str,
        **fields: pd.Series | str,
    ) -> None:
        """Add one problem per flagged row; ``template`` is filled per row from ``fields``.

        A Series field gives that row's value (dates as YYYY-MM-DD); the value itself is ``{v}``.
        """
        for key in mask.index[mask.fillna(False).to_numpy(dtype=bool)]:
            row = {
                name: _show(f[key]) if isinstance(f, pd.Series) else f for name, f in fields.items()
            }
            raw = values[key]
            value = None if _is_empty(raw) else _show(raw)
            self.problems.append(
                Problem(
                    where=column,
                    message=template.format(v=value, **row),
                    patient=str(self.ids[key]),
                    column=column,
                    value=value,
                    rule=rule,
                    row=int(self.rows[key]),
                )
            )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or bool(pd.isna(value))


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return _iso(value)
    return _fmt(value)


def _date_columns(config: StudyConfig) -> dict[str, list[str]]:
    """Roles of the date columns: start, event, contact, assessment."""
    roles: dict[str, list[str]] = {"start": [], "event": [], "contact": [], "assessment": []}
    for ep in config.endpoints.values():
        if ep.start is None or ep.events is None or ep.last_contact is None:
            continue
        roles["start"].append(ep.start)
        roles["event"].extend(ep.events)
        roles["event"].extend((ep.competing or {}).values())
        roles["contact"].append(ep.last_contact)
        if ep.last_assessment is not None:
            roles["assessment"].append(ep.last_assessment)
    for col in (config.study.death_column, config.study.progression_column):
        if col is not None:
            roles["event"].append(col)
    return {k: list(dict.fromkeys(v)) for k, v in roles.items()}


def as_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text (whole floats without ``.0``); missing cells as ``""``."""
    return raw.map(lambda v: _fmt(v).strip() if pd.notna(v) else "")


def file_rows(frame: pd.DataFrame) -> list[int]:
    """The 1-based file row of each row: ``attrs["file_rows"]`` from the reader, else header = 1."""
    rows = frame.attrs.get("file_rows")
    if isinstance(rows, list) and len(rows) == len(frame):
        return [int(r) for r in rows]
    return list(range(2, len(frame) + 2))


def patient_labels(frame: pd.DataFrame, id_column: str) -> pd.Series:
    """The id of each row as text, or ``"row N"`` (its file row) when it is empty."""
    ids = as_text(frame[id_column])
    rows = pd.Series([f"row {r}" for r in file_rows(frame)], index=frame.index)
    return ids.where(ids != "", rows)


def date_columns(config: StudyConfig) -> list[str]:
    """Every date column the config refers to, in first-mention order."""
    return list(dict.fromkeys(c for cols in _date_columns(config).values() for c in cols))


def validate_cohort(
    frame: pd.DataFrame,
    dates: pd.DataFrame,
    config: StudyConfig,
    date_problems: list[Problem],
    *,
    id_column: str,
) -> list[Problem]:
    """Check a cohort against every rule and return all problems found.

    Parameters
    ----------
    frame
        The cohort as read (one row per patient).
    dates
        The parsed date columns (``datetime64``; NaT when empty or unreadable), same index.
    config
        The study config (columns, groups, endpoints, units, cut-off).
    date_problems
        Problems already found while parsing the dates; they are kept in the returned list.
    id_column
        The id column (``study.id_column``, or the row numbers when the file has none).
    """
    id_col = id_column
    raw_ids = frame[id_col]
    ids = as_text(raw_ids)
    out = _Collector(patient_labels(frame, id_col), file_rows(frame))

    out.emit(
        ids == "",
        "missing_id",
        id_col,
        raw_ids,
        "the patient id is empty; fill {c} (file row numbers count the header as row 1)",
        c=id_col,
    )
    _check_duplicates(out, frame, ids, id_col)
    out.problems.extend(date_problems)
    _check_dates(out, frame, dates, config)
    _check_groups(out, frame, config)
    _check_ready_endpoints(out, frame, config)
    _check_clinical(out, frame, config)
    _check_response(out, frame, config)
    # a problem found by two routes (a column in two roles) is listed once
    return list(dict.fromkeys(out.problems))


def _check_duplicates(
    out: _Collector,
    frame: pd.DataFrame,
    ids: pd.Series,
    id_col: str,
    fix: str = "give each patient one row with a unique id",
) -> None:
    """One problem per repeated id, on its first row, listing every file row that holds it."""
    rows = pd.Series(file_rows(frame), index=frame.index)
    filled = ids[ids != ""]
    repeated = filled[filled.duplicated(keep=False)]
    where = {
        key: ", ".join(str(r) for r in rows[group.index])
        for key, group in repeated.groupby(repeated, sort=False)
    }
    first = pd.Series(False, index=frame.index)
    first[repeated[~repeated.duplicated()].index] = True
    out.emit(
        first,
        "duplicate_id",
        id_col,
        ids,
        "this id is on file rows {r}; " + fix,
        r=ids.map(where).fillna(""),
    )


def _check_response(out: _Collector, frame: pd.DataFrame, config: StudyConfig) -> None:
    r = config.response
    if r is None or r.source != "column" or r.best_response is None:
        return
    col = r.best_response
    _, bad = response_codes(frame[col])
    out.emit(
        bad,
        "response_value",
        col,
        frame[col],
        "{v!r} is not a best-response code; write one of {codes}{h} (empty = not evaluable)",
        codes=", ".join(RESPONSE_CODES),
        h=response_hints(frame[col]).map(lambda c: f" (here: {c})" if c else ""),
    )


def _check_dates(
    out: _Collector, frame: pd.DataFrame, dates: pd.DataFrame, config: StudyConfig
) -> None:
    roles = _date_columns(config)
    for start_col in roles["start"]:
        start = dates[start_col]
        out.emit(
            frame[start_col].map(_is_empty),
            "missing_start",
            start_col,
            start,
            "the start date is empty; fill {c} (the date treatment started) or remove the patient",
            c=start_col,
        )
        for ev_col in roles["event"]:
            out.emit(
                dates[ev_col] < start,
                "event_before_start",
                ev_col,
                dates[ev_col],
                "{ec} {v} is before {sc} {s}; correct either date",
                ec=ev_col,
                sc=start_col,
                s=start,
            )
        # an event on the start day (death on day 0) is a valid time 0, as in R's survival;
        # zero follow-up without any event stays a likely date error
        event_on_start = pd.Series(False, index=frame.index)
        for ev_col in roles["event"]:
            event_on_start |= dates[ev_col] == start
        for contact_col in roles["contact"]:
            days = (dates[contact_col] - start).dt.days
            out.emit(
                (days < 0) | ((days == 0) & ~event_on_start),
                "nonpositive_followup",
                contact_col,
                dates[contact_col],
                "follow-up is {d} days ({cc} {v}, {sc} {s}); last contact must come after the "
                "start date",
                d=days,
                cc=contact_col,
                sc=start_col,
                s=start,
            )
    death, prog = config.study.death_column, config.study.progression_column
    if death is not None and prog is not None:
        out.emit(
            dates[prog] > dates[death],
            "progression_after_death",
            prog,
            dates[prog],
            "{pc} {v} is after {dc} {d}; correct either date (progression cannot follow death)",
            pc=prog,
            dc=death,
            d=dates[death],
        )
    cutoff = pd.Timestamp(config.study.cutoff) if config.study.cutoff is not None else None
    for contact_col in roles["contact"]:
        contact = dates[contact_col]
        for ev_col in roles["event"]:
            out.emit(
                contact < dates[ev_col],
                "contact_before_event",
                contact_col,
                contact,
                "{cc} {v} is before {ec} {e}; last contact must be on or after every recorded "
                "event (the death date for patients who died)",
                cc=contact_col,
                ec=ev_col,
                e=dates[ev_col],
            )
        if cutoff is not None:
            out.emit(
                contact > cutoff,
                "contact_after_cutoff",
                contact_col,
                contact,
                "{cc} {v} is after the data cut-off {k}; enter the last contact on or before the "
                "cut-off, or move study.cutoff",
                cc=contact_col,
                k=_iso(cutoff),
            )


def _check_groups(out: _Collector, frame: pd.DataFrame, config: StudyConfig) -> None:
    col = config.groups.column
    values = frame[col]
    text = as_text(values)
    allowed = ", ".join(config.groups.labels)
    out.emit(
        text == "",
        "missing_group",
        col,
        values,
        "the group is empty; fill {c} with one of: {a}",
        c=col,
        a=allowed,
    )
    out.emit(
        (text != "") & ~text.isin(config.groups.labels),
        "unknown_group",
        col,
        values,
        "{v!r} is not a group label; use one of: {a} (or add it to groups.labels)",
        a=allowed,
    )


def _check_ready_endpoints(
    out: _Collector, frame: pd.DataFrame, config: StudyConfig, *, keyed: bool = False
) -> None:
    """Status codes and times of the ready endpoints (``keyed``: the long-format ones)."""
    for name, ep in config.endpoints.items():
        if ep.time is None or ep.event is None or (ep.key is not None) != keyed:
            continue
        rows = frame.index if ep.key is None else frame.index[_key_rows(frame, ep.key, ep)]
        status = pd.to_numeric(frame.loc[rows, ep.event], errors="coerce")
        codes = [
            *ep.status_codes,
            *ep.censored,
            *(c for v in ep.competing_status.values() for c in v),
        ]
        meaning = [
            f"{_fmt_codes(ep.status_codes)} (event)",
            f"{_fmt_codes(ep.censored)} (censored)",
        ]
        meaning += [f"{_fmt_codes(v)} ({k})" for k, v in ep.competing_status.items()]
        out.emit(
            frame.loc[rows, ep.event].notna() & ~status.isin(codes),
            "event_code",
            ep.event,
            frame.loc[rows, ep.event],
            "endpoint {n}: the status must be {m}; correct the value, or add it to "
            "event_codes, censored_codes or competing_codes",
            n=name,
            m=", ".join(meaning),
        )
        time = pd.to_numeric(frame.loc[rows, ep.time], errors="coerce")
        out.emit(
            time < 0,
            "negative_time",
            ep.time,
            time,
            "endpoint {n}: time cannot be negative; correct the value",
            n=name,
        )


def _fmt_codes(codes: tuple[float, ...]) -> str:
    return " or ".join(_fmt(float(c)) for c in codes)


def _key_rows(frame: pd.DataFrame, key: str, ep: EndpointConfig) -> pd.Series:
    """The rows of a long-format endpoint: its key column equals its ``key_value``."""
    return as_text(frame[key]) == _fmt(ep.key_value)


def validate_long_rows(
    frame: pd.DataFrame, config: StudyConfig, *, id_column: str
) -> list[Problem]:
    """Long format (``key`` on endpoints): one row per patient and key value, valid statuses.

    ``frame`` is the file as read (several rows per patient); each keyed endpoint's status and
    time are checked on its own rows.
    """
    out = _Collector(patient_labels(frame, id_column), file_rows(frame))
    ids = as_text(frame[id_column])
    for key in dict.fromkeys(ep.key for ep in config.endpoints.values() if ep.key is not None):
        pairs = (ids + f" with {key} = " + as_text(frame[key])).where(ids != "", "")
        _check_duplicates(out, frame, pairs, id_column, f"give each patient one row per {key}")
    _check_ready_endpoints(out, frame, config, keyed=True)
    return list(dict.fromkeys(out.problems))


def _numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    # +-inf is reported once by _check_numbers, not again by every range rule.
    values = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return values.where(~np.isinf(values.to_numpy()))


def _as_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _check_numbers(out: _Collector, frame: pd.DataFrame, columns: list[str]) -> None:
    """Flag cells of numeric columns that hold text ("sixty", "-", "2,2") or +-inf.

    Later checks coerce such cells to missing, so without this a typo would silently drop the
    value (or reach the estimators as infinity); one vectorised pass per column.
    """
    for col in dict.fromkeys(columns):
        raw = frame[col]
        text = as_text(raw)
        number = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = (text != "") & number.isna()
        # pandas coerces an overflowing literal such as "1e309" to missing; Python's float reads
        # it as inf, so only the (few) unparsed cells are retried to name the right problem.
        number[bad] = text[bad].map(_as_float)
        bad = (text != "") & number.isna()
        out.emit(
            bad,
            "not_a_number",
            col,
            raw,
            "{c} must be a number; write digits with a dot as decimal mark or leave the cell empty",
            c=col,
        )
        out.emit(
            pd.Series(np.isinf(number.to_numpy()), index=frame.index),
            "not_finite",
            col,
            raw,
            "{c} is not a finite number; correct the value or leave the cell empty",
            c=col,
        )


_NUMERIC_ROLES = (
    "age",
    "afp",
    "ecog",
    "bilirubin",
    "albumin",
    "inr",
    "tumor_size_mm",
    "tumor_number",
    "height_cm",
    "weight_kg",
)


def _numeric_columns(config: StudyConfig, frame: pd.DataFrame) -> list[str]:
    """Every input column the config reads as a number: numeric clinical inputs, ready endpoint
    times, Table 1 rows of kind normal/skewed, the source of a binary or ordinal cut, and Cox
    candidates without a reference (continuous). Derived columns are not in the file yet."""
    roles = config.clinical.columns()
    cols = [roles[r] for r in _NUMERIC_ROLES if r in roles]
    cols += [ep.time for ep in config.endpoints.values() if ep.time is not None]
    cols += [b.column for b in config.baseline if b.kind != "categorical"]
    cols += [d.column for d in config.derived if d.op is not None or d.breaks is not None]
    cols += [c.column for c in config.cox.candidates if c.reference is None]
    return [c for c in dict.fromkeys(cols) if c in frame.columns]


def _check_clinical(out: _Collector, frame: pd.DataFrame, config: StudyConfig) -> None:
    cols = config.clinical
    _check_numbers(out, frame, _numeric_columns(config, frame))
    if cols.age is not None:
        age = _numeric(frame, cols.age)
        out.emit(
            (age < 18) | (age > 100),
            "age_range",
            cols.age,
            age,
            "age must be 18-100 years for an adult HCC cohort; correct the value",
        )
    if cols.afp is not None:
        afp = _numeric(frame, cols.afp)
        out.emit(
            afp < 0, "afp_negative", cols.afp, afp, "AFP cannot be negative; correct the value"
        )
    if cols.ecog is not None:
        ecog = _numeric(frame, cols.ecog)
        out.emit(
            ecog.notna() & ~ecog.isin([0, 1, 2, 3, 4]),
            "ecog_range",
            cols.ecog,
            ecog,
            "ECOG performance status must be an integer 0-4; correct the value",
        )
    if cols.bilirubin is not None:
        _check_lab_unit(out, frame, cols.bilirubin, "bilirubin", config.units.bilirubin)
    if cols.albumin is not None:
        _check_lab_unit(out, frame, cols.albumin, "albumin", config.units.albumin)
    if cols.inr is not None:
        inr = _numeric(frame, cols.inr)
        out.emit(
            (inr < 0.5) | (inr > 10),
            "inr_range",
            cols.inr,
            inr,
            "INR must lie between 0.5 and 10; a value above 10 looks like a prothrombin time in "
            "seconds: give the INR",
        )


def _check_lab_unit(out: _Collector, frame: pd.DataFrame, col: str, lab: str, unit: str) -> None:
    values = _numeric(frame, col)
    bands = _LAB_BANDS[lab]
    other = next(u for u in bands if u != unit)
    lo, hi = bands[unit]
    olo, ohi = bands[other]
    implausible = values.notna() & ((values < lo) | (values > hi))
    looks_other = implausible & (values >= olo) & (values <= ohi)
    rule = f"{lab}_unit"
    n = int(values.notna().sum())
    band = f"plausible {lo:g}-{hi:g} {unit}"
    if n > 1 and int(looks_other.sum()) == n:
        out.problems.append(
            Problem(
                where=col,
                message=(
                    f"all {n} values of {lab} look like {other}, not {unit} ({band}); "
                    f"set units.{lab} = {other!r}"
                ),
                column=col,
                rule=rule,
            )
        )
        return
    out.emit(
        looks_other,
        rule,
        col,
        values,
        "{lab} {v} with unit {u} looks like {o} ({b}); check units.{lab} or the value",
        lab=lab,
        u=unit,
        o=other,
        b=band,
    )
    out.emit(
        implausible & ~looks_other,
        rule,
        col,
        values,
        "{lab} {v} is impossible or implausible in {u} ({b}); correct the value",
        lab=lab,
        u=unit,
        b=band,
    )
