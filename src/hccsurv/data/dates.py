"""Reading date columns written in the ways clinical spreadsheets write them.

Accepted spellings, per cell:

- ISO ``2023-12-31`` (also ``2023/12/31``, with an optional time ``2023-12-31 08:30``);
- day-first ``31/12/2023``, ``31.12.2023``, ``31-12-2023``. Dots are always day-first. For ``/`` and
  ``-`` the column decides: a first part above 12 anywhere proves day-first, a second part above 12
  proves month-first (US). A column with evidence for both, or with no evidence at all while some
  value could be read both ways (``03/04/2023``), is ambiguous: those values are reported and the
  fix is to set ``study.read.date_format`` (for example ``"%d/%m/%Y"``);
- Excel serial day numbers (``45291`` = 2023-12-31; day 0 = 1899-12-30), numeric or as text,
  between 1900 and 2100;
- cells that are already dates or datetimes (XLSX, Parquet, SAS/SPSS/Stata readers).

With a forced format (``study.read.date_format``) every text cell must match it exactly.
The time of day is dropped: durations are whole days (HCC_REFERENCE §0, §9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hccsurv.errors import Problem

__all__ = ["EXCEL_EPOCH", "parse_date_column"]

#: Day 0 of Excel's 1900 date system as used by every reader (the 1900 leap-year bug absorbed).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN = 367  # 1901-01-01
_SERIAL_MAX = 73415  # 2100-12-31

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$"
_XYZ = rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}){_TIME}$"
_SERIAL = r"^\d{1,5}(?:\.\d+)?$"

_FIX = "write dates as YYYY-MM-DD (or set study.read.date_format to the format used)"


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"year": year, "month": month, "day": day}).astype("float64")
    out = pd.to_datetime(frame, errors="coerce")
    return pd.Series(out, index=year.index)


def _excel(serial: pd.Series) -> pd.Series:
    values = serial.astype("float64")
    ok = (values >= _SERIAL_MIN) & (values <= _SERIAL_MAX)
    days = np.floor(values.where(ok))
    return pd.Series(EXCEL_EPOCH + pd.to_timedelta(days, unit="D"), index=serial.index)


def parse_date_column(
    values: pd.Series,
    *,
    column: str,
    ids: Sequence[str] | pd.Series,
    date_format: str | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Parse one column of dates.

    Parameters
    ----------
    values
        The raw column (strings, numbers, dates or a mix; empty cells are NaN/None/"").
    column
        Its name, for the messages.
    ids
        Patient ids aligned with ``values``, for the messages.
    date_format
        A forced ``strptime`` format for text cells (``study.read.date_format``).

    Returns
    -------
    dates, problems
        ``datetime64[ns]`` dates (midnight; NaT where empty or unreadable) with the index of
        ``values``, and one :class:`~hccsurv.errors.Problem` per unreadable or ambiguous cell.
    """
    id_list = [str(i) for i in ids]
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        return stamps.dt.normalize().astype("datetime64[ns]"), []
    problems: list[Problem] = []
    kinds = values.map(
        lambda v: (
            "empty"
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
            else "date"
            if isinstance(v, (dt.date, pd.Timestamp, np.datetime64))
            else "number"
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            else "text"
        )
    )
    is_date = kinds == "date"
    if is_date.any():
        out[is_date] = pd.to_datetime(values[is_date].map(pd.Timestamp)).dt.normalize()
    is_num = kinds == "number"
    if is_num.any():
        out[is_num] = _excel(values[is_num])
    text = values[kinds == "text"].astype(str).str.strip()
    text = text[text != ""]
    ambiguous = pd.Series(False, index=text.index)
    if len(text) and date_format is not None:
        out[text.index] = pd.to_datetime(text, format=date_format, errors="coerce").dt.normalize()
    elif len(text):
        iso = text.str.extract(_ISO)
        hit = iso["y"].notna()
        if hit.any():
            out[hit[hit].index] = _from_parts(
                iso.loc[hit, "y"], iso.loc[hit, "m"], iso.loc[hit, "d"]
            )
        xyz = text.str.extract(_XYZ)
        hit = xyz["y"].notna()
        if hit.any():
            a = xyz.loc[hit, "a"].astype(int)
            b = xyz.loc[hit, "b"].astype(int)
            dots = xyz.loc[hit, "sep"] == "."
            evidence_dmy = bool(((a > 12) & ~dots).any())
            evidence_mdy = bool(((b > 12) & ~dots).any())
            month_first = evidence_mdy and not evidence_dmy
            day = b.where(month_first & ~dots, a)
            month = a.where(month_first & ~dots, b)
            out[day.index] = _from_parts(xyz.loc[hit, "y"], month, day)
            if evidence_dmy == evidence_mdy:
                ambiguous[a.index] = ~dots & (a <= 12) & (b <= 12) & (a != b)
        serial = text.str.fullmatch(_SERIAL)
        if serial.any():
            out[serial[serial].index] = _excel(text[serial].astype(float))
    bad = text.index[out[text.index].isna().to_numpy() | ambiguous.to_numpy()]
    bad_num = values.index[is_num.to_numpy() & out.isna().to_numpy()]
    positions = {k: i for i, k in enumerate(values.index)}
    for key in bad.union(bad_num, sort=False):
        raw = values[key]
        if bool(ambiguous.get(key, False)):
            message = (
                f"{raw} could be day-first or month-first; set study.read.date_format "
                '(e.g. "%d/%m/%Y") or write dates as YYYY-MM-DD'
            )
            out[key] = pd.NaT
            rule = "date_ambiguous"
        elif date_format is not None and key in text.index:
            message = f"does not match study.read.date_format {date_format!r}; fix the cell"
            rule = "date_unparseable"
        elif key not in text.index:
            message = (
                "a number here is read as an Excel serial day, which must lie between 1901 and "
                f"2100; {_FIX}"
            )
            rule = "date_unparseable"
        else:
            message = f"cannot be read as a date; {_FIX}"
            rule = "date_unparseable"
        problems.append(
            Problem(
                where=column,
                message=message,
                patient=id_list[positions[key]],
                column=column,
                value=str(raw),
                rule=rule,
            )
        )
    return out, problems
