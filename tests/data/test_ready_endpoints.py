"""Ready time/status endpoints: status codes, competing causes, no id column, long format."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from hccsurv.data.cohort import NUMBERED_ROWS, load_cohort
from hccsurv.errors import CohortValidationError, ConfigError

from ._cohorts import make_config

STUDY = {"data": "cohort.csv", "time_unit": "days"}
GROUPS = {"column": "arm", "labels": ["A", "B"]}


def _ready(**keys: Any) -> dict[str, Any]:
    return {"label": "Death", "time": "time", "event": "status", "time_unit": "days", **keys}


def _config(endpoint: dict[str, Any], **study: Any) -> Any:
    return make_config(study=STUDY | study, groups=GROUPS, endpoints={"OS": endpoint}, clinical={})


def _frame() -> pd.DataFrame:
    """pbc-like 0/1/2 status: 2 = death, 1 = transplant, 0 = censored; no id column."""
    return pd.DataFrame(
        {
            "arm": ["A", "A", "A", "B", "B", "B"],
            "time": [10.0, 20.0, 30.0, 15.0, 25.0, 35.0],
            "status": [2, 1, 0, 2, 2, 0],
        }
    )


def test_status_codes_decode_event_and_causes() -> None:
    endpoint = _ready(event_codes=[2], competing_codes={"Transplant": 1})
    cohort = load_cohort(_config(endpoint), data=_frame())
    frame = cohort.frame
    # the competing event counts as censored in OS_event: the cause-specific analysis
    np.testing.assert_array_equal(frame["OS_event"], [1, 0, 0, 1, 1, 0])
    np.testing.assert_array_equal(frame["OS_cause"], [1, 2, 0, 1, 1, 0])
    assert cohort.causes == {"OS": ("Death", "Transplant")}
    assert cohort.flow.endpoints[0].events == 3


def test_r_one_two_coding() -> None:
    frame = _frame().assign(status=[2, 1, 1, 2, 2, 1])
    cohort = load_cohort(_config(_ready(event_codes=[2], censored_codes=[1])), data=frame)
    np.testing.assert_array_equal(cohort.frame["OS_event"], [1, 0, 0, 1, 1, 0])
    assert "OS_cause" not in cohort.frame
    assert cohort.causes == {}


def test_a_code_outside_the_coding_names_patient_column_and_value() -> None:
    # without competing_codes, pbc's 1 (transplant) is neither an event nor censored: refused,
    # never read as censored or dropped
    with pytest.raises(CohortValidationError) as info:
        load_cohort(_config(_ready(event_codes=[2])), data=_frame())
    (problem,) = info.value.problems
    assert (problem.patient, problem.column, problem.value, problem.rule) == (
        "2",
        "status",
        "1",
        "event_code",
    )
    assert "must be 2 (event), 0 (censored)" in problem.message
    assert "competing_codes" in problem.message


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"event_codes": [1], "censored_codes": [1]}, "status code 1 is in both"),
        ({"event_codes": [2], "competing_codes": {"Transplant": [0]}}, "status code 0"),
        ({"event_codes": []}, "event_codes is empty"),
        ({"key": "etype"}, "needs both key"),
    ],
)
def test_bad_codes_refused(keys: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(_ready(**keys))


def test_codes_belong_to_ready_columns() -> None:
    endpoint = {
        "label": "OS",
        "start": "s",
        "events": ["d"],
        "last_contact": "c",
        "event_codes": [2],
    }
    with pytest.raises(ConfigError, match="event_codes belong"):
        _config(endpoint)


def test_no_id_column_rows_numbered_and_said() -> None:
    cohort = load_cohort(_config(_ready(event_codes=[2], censored_codes=[0, 1])), data=_frame())
    assert cohort.id_column == "row"
    assert cohort.frame["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert cohort.flow.note == NUMBERED_ROWS
    assert cohort.flow.to_dict()["note"] == NUMBERED_ROWS


def test_numbered_rows_avoid_a_file_column_named_row() -> None:
    frame = _frame().assign(row=["x"] * 6)
    cohort = load_cohort(_config(_ready(event_codes=[2], censored_codes=[0, 1])), data=frame)
    assert cohort.id_column == "row_1"
    assert cohort.frame["row"].tolist() == ["x"] * 6


def _long() -> pd.DataFrame:
    """colon-like: a row per patient and etype (1 recurrence, 2 death); patient 4 lacks etype 1."""
    return pd.DataFrame(
        {
            "id": [1, 1, 2, 2, 3, 3, 4, 5, 5],
            "arm": ["A", "A", "A", "A", "B", "B", "B", "B", "B"],
            "etype": [1, 2, 1, 2, 1, 2, 2, 2, 1],
            "time": [5.0, 9.0, 7.0, 7.0, 3.0, 8.0, 6.0, 12.0, 4.0],
            "status": [1, 1, 0, 0, 1, 0, 1, 0, 1],
        }
    )


def _long_config() -> Any:
    endpoints = {
        "OS": _ready(key="etype", key_value=2),
        "RFS": _ready(label="Recurrence", key="etype", key_value=1),
    }
    return make_config(
        study=STUDY | {"id_column": "id"}, groups=GROUPS, endpoints=endpoints, clinical={}
    )


def test_long_format_one_row_per_patient_and_key() -> None:
    cohort = load_cohort(_long_config(), data=_long())
    frame = cohort.frame
    assert frame["id"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(frame["OS_time"], [9.0, 7.0, 8.0, 6.0, 12.0])
    np.testing.assert_array_equal(frame["OS_event"], [1, 0, 0, 1, 0])
    # patient 5's etype-1 row comes after its etype-2 row; patient 4 has none: left out of RFS
    np.testing.assert_array_equal(frame["RFS_time"], [5.0, 7.0, 3.0, np.nan, 4.0])
    assert [(e.endpoint, e.n, e.events) for e in cohort.flow.endpoints] == [
        ("OS", 5, 2),
        ("RFS", 4, 3),
    ]
    assert cohort.flow.read == 5
    assert "long format: 9 rows" in cohort.flow.note
    assert any("RFS: 1 patient(s)" in w for w in cohort.warnings)


def test_long_format_repeated_key_and_bad_status_named() -> None:
    frame = pd.concat([_long(), _long().iloc[[0]]], ignore_index=True)
    frame.loc[3, "status"] = 7
    with pytest.raises(CohortValidationError) as info:
        load_cohort(_long_config(), data=frame)
    found = {(p.rule, p.patient, p.row, p.value) for p in info.value.problems}
    assert found == {("duplicate_id", "1", 2, "1 with etype = 1"), ("event_code", "2", 5, "7")}
    assert "on file rows 2, 11" in str(info.value)


def test_long_format_needs_an_id_column() -> None:
    with pytest.raises(ConfigError, match="long-format endpoints \\(OS: key"):
        _config(_ready(key="etype", key_value=2))


def test_derived_group_and_status() -> None:
    """A recode is the status (R's ``status == 2``), a cut is the group; both validated."""
    frame = _frame().assign(age=[50, 70, 66, 40, 80, 61])
    derived = [
        {"name": "dead", "column": "status", "map": {"2": "1", "1": "0", "0": "0"}},
        {"name": "old", "column": "age", "op": ">=", "value": 65, "labels": ["young", "old"]},
    ]
    config = make_config(
        study=STUDY,
        groups={"column": "old", "labels": ["young", "old"]},
        endpoints={"OS": _ready(event="dead")},
        clinical={},
        derived=derived,
    )
    cohort = load_cohort(config, data=frame)
    np.testing.assert_array_equal(cohort.frame["OS_event"], [1, 0, 0, 1, 1, 0])
    assert cohort.frame["old"].astype(str).tolist() == [
        "young",
        "old",
        "old",
        "young",
        "old",
        "young",
    ]
    assert list(cohort.frame["old"].cat.categories) == ["young", "old"]
    # a derived status that is not a code is named like a status read from the file
    frame.loc[2, "status"] = 3
    derived[0]["map"] = {"2": "1", "1": "0", "0": "0", "3": "9"}
    config = make_config(
        study=STUDY,
        groups={"column": "old", "labels": ["young", "old"]},
        endpoints={"OS": _ready(event="dead")},
        clinical={},
        derived=derived,
    )
    with pytest.raises(CohortValidationError) as info:
        load_cohort(config, data=frame)
    assert [(p.patient, p.column, p.value) for p in info.value.problems] == [("3", "dead", "9")]


def test_competing_codes_take_lists_in_cause_order() -> None:
    frame = _frame().assign(status=[2, 3, 0, 4, 1, 0])
    endpoint = _ready(event_codes=[2], competing_codes={"Relapse": [3, 4], "Transplant": 1})
    cohort = load_cohort(_config(endpoint), data=frame)
    np.testing.assert_array_equal(cohort.frame["OS_cause"], [1, 2, 0, 2, 3, 0])
    assert cohort.causes == {"OS": ("Death", "Relapse", "Transplant")}
