"""Guesses for `hccsurv init` (data/guess.py) on R's datasets and on small edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR
from hccsurv.data.guess import (
    DAYS_ABOVE,
    guess_group,
    guess_id,
    guess_survival_pairs,
    guess_time_unit,
    is_binary,
)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(R_DATA_DIR / f"{name}.csv")


@pytest.mark.parametrize(
    ("name", "id_col", "key", "group", "levels"),
    [
        ("pbc", "id", None, "trt", ["1", "2"]),
        ("veteran", None, None, "trt", ["1", "2"]),
        ("lung", None, None, None, []),
        ("colon", "id", "etype", "rx", ["Obs", "Lev", "Lev+5FU"]),
        ("mgus2", "id", None, None, []),
        ("ovarian", None, None, "rx", ["1", "2"]),
    ],
)
def test_id_and_group_on_r_datasets(
    name: str, id_col: str | None, key: str | None, group: str | None, levels: list[str]
) -> None:
    frame = _read(name)
    ident = guess_id(frame)
    assert ident.column == id_col, ident.reason
    assert ident.key == key
    if id_col is None:
        assert "rows are numbered" in ident.reason
    col, lv, why = guess_group(frame, exclude=[c for c in (ident.column, ident.key) if c])
    assert col == group, why
    assert lv == levels


def test_non_unique_first_column_is_never_the_id() -> None:
    ident = guess_id(_read("lung"))
    assert ident.column is None
    assert "'inst' has repeated values" in ident.reason


def test_colon_is_long_format_by_etype() -> None:
    ident = guess_id(_read("colon"))
    assert ident.key_values == ("1", "2")
    assert "long format" in ident.reason


def test_sex_is_never_the_group() -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "sex_group": ["m", "f", "m", "f"]})
    assert guess_group(frame, exclude=["id"])[0] is None


@pytest.mark.parametrize(
    ("name", "pairs"),
    [
        ("pbc", [("time", "status", (2,), (0,), (1,), "days")]),
        ("veteran", [("time", "status", (1,), (0,), (), "days")]),
        ("lung", [("time", "status", (2,), (1,), (), "days")]),
        ("colon", [("time", "status", (1,), (0,), (), "days")]),
        (
            "mgus2",
            [
                ("ptime", "pstat", (1,), (0,), (), "months"),
                ("futime", "death", (1,), (0,), (), "months"),
            ],
        ),
        ("ovarian", [("futime", "fustat", (1,), (0,), (), "days")]),
    ],
)
def test_time_status_pairs_and_coding(name: str, pairs: list[tuple[object, ...]]) -> None:
    got = guess_survival_pairs(_read(name))
    assert [
        (p.time, p.status, p.event_codes, p.censored_codes, p.competing_codes, p.unit) for p in got
    ] == pairs


def test_coding_words_count_rows() -> None:
    (pair,) = guess_survival_pairs(_read("pbc"))
    assert pair.coding == "0 = censored (232), 1 = competing event (25), 2 = event (161)"
    assert not pair.zero_one


def test_time_unit_by_name_then_by_values() -> None:
    assert guess_time_unit("os_months", pd.Series([5000.0]))[0] == "months"
    assert guess_time_unit("fu_days", pd.Series([3.0]))[0] == "days"
    assert guess_time_unit("time_yr", pd.Series([3.0]))[0] == "years"
    unit, why = guess_time_unit("time", pd.Series([DAYS_ABOVE + 1]))
    assert unit == "days" and "501 days = 1.4 years" in why
    assert guess_time_unit("time", pd.Series([DAYS_ABOVE]))[0] == "months"


def test_status_needs_whole_numbers_and_a_time() -> None:
    frame = pd.DataFrame({"time": [1.0, 2.0, 3.0], "status": [0.5, 1.0, 0.0], "event": [0, 1, 1]})
    (pair,) = guess_survival_pairs(frame)
    assert pair.status == "event"  # 'status' holds a fraction: not a status
    assert guess_survival_pairs(frame.drop(columns="time")) == []
    negative = frame.assign(time=[-1.0, 2.0, 3.0])
    assert guess_survival_pairs(negative) == []


def test_is_binary() -> None:
    assert is_binary(pd.Series([0, 1, np.nan, 1]))
    assert not is_binary(pd.Series([1, 2, 3]))
    assert not is_binary(pd.Series(["no", "yes"]))
