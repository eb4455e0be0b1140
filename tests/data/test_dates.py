"""Date spellings found in clinical spreadsheets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hccsurv.data.dates import parse_date_column


def _parse(values: list[object], date_format: str | None = None) -> tuple[list[str], list[str]]:
    series = pd.Series(values, dtype=object)
    ids = [f"P{i + 1}" for i in range(len(values))]
    dates, problems = parse_date_column(series, column="d", ids=ids, date_format=date_format)
    shown = ["" if pd.isna(d) else d.strftime("%Y-%m-%d") for d in dates]
    return shown, [str(p) for p in problems]


@pytest.mark.parametrize(
    "value",
    [
        "2023-12-31",
        "2023/12/31",
        "2023-12-31 08:30",
        "2023-12-31T08:30:15",
        "31/12/2023",
        "31.12.2023",
        "31-12-2023",
        "45291",
        45291,
        45291.75,
        dt.date(2023, 12, 31),
        dt.datetime(2023, 12, 31, 14, 5),
        pd.Timestamp("2023-12-31 23:59"),
        np.datetime64("2023-12-31"),
    ],
)
def test_spellings_of_one_date(value: object) -> None:
    assert _parse([value]) == (["2023-12-31"], [])


def test_empty_cells_are_missing_without_problem() -> None:
    assert _parse([None, "", "  ", np.nan]) == (["", "", "", ""], [])


def test_datetime_column_passes_through() -> None:
    series = pd.Series(pd.to_datetime(pd.Series(["2023-01-02 10:00", None])))
    dates, problems = parse_date_column(series, column="d", ids=["a", "b"])
    assert problems == []
    assert dates.iloc[0] == pd.Timestamp("2023-01-02") and pd.isna(dates.iloc[1])


def test_day_first_decided_by_column() -> None:
    assert _parse(["03/04/2023", "25/04/2023"]) == (["2023-04-03", "2023-04-25"], [])


def test_month_first_decided_by_column() -> None:
    assert _parse(["03/04/2023", "04/25/2023"]) == (["2023-03-04", "2023-04-25"], [])


def test_dots_are_always_day_first() -> None:
    assert _parse(["03.04.2023"]) == (["2023-04-03"], [])


def test_ambiguous_dates_reported() -> None:
    shown, problems = _parse(["03/04/2023", "05/05/2023"])
    assert shown == ["", "2023-05-05"]
    assert problems == [
        "patient P1, column 'd', value '03/04/2023': 03/04/2023 could be day-first or "
        'month-first; set study.read.date_format (e.g. "%d/%m/%Y") or write dates as YYYY-MM-DD'
    ]


def test_forced_format_resolves_ambiguity() -> None:
    assert _parse(["03/04/2023", "05/06/2023"], "%d/%m/%Y") == (["2023-04-03", "2023-06-05"], [])


def test_forced_format_mismatch_reported() -> None:
    shown, problems = _parse(["2023-04-03"], "%d/%m/%Y")
    assert shown == [""]
    assert problems == [
        "patient P1, column 'd', value '2023-04-03': does not match study.read.date_format "
        "'%d/%m/%Y'; fix the cell"
    ]


def test_unparseable_and_impossible_dates_reported() -> None:
    shown, problems = _parse(["yesterday", "2023-02-30", "31/13/2023", 12])
    assert shown == ["", "", "", ""]
    assert problems == [
        "patient P1, column 'd', value 'yesterday': cannot be read as a date; write dates as "
        "YYYY-MM-DD (or set study.read.date_format to the format used)",
        "patient P2, column 'd', value '2023-02-30': cannot be read as a date; write dates as "
        "YYYY-MM-DD (or set study.read.date_format to the format used)",
        "patient P3, column 'd', value '31/13/2023': cannot be read as a date; write dates as "
        "YYYY-MM-DD (or set study.read.date_format to the format used)",
        "patient P4, column 'd', value '12': a number here is read as an Excel serial day, which "
        "must lie between 1901 and 2100; write dates as YYYY-MM-DD (or set "
        "study.read.date_format to the format used)",
    ]


def test_excel_epoch() -> None:
    # day 0 = 1899-12-30 (Excel 1900 system after its 1900-02-29 bug); 366 is before 1901
    assert _parse([367, 43831]) == (["1901-01-01", "2020-01-01"], [])
    assert _parse([366])[0] == [""]
