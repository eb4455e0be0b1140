"""``hccsurv.tmerge`` against R's ``survival::tmerge`` (``validation/r/tmerge.R``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.errors import InputError

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "tmerge.json").read_text())[
    "cases"
]
SPECS: dict[str, Any] = {
    "tdc": {"resp": "t", "val": ("t", "v")},
    "cumtdc": {"cnt": "t", "cv": ("t", "v")},
}
PAIRS = [("id", "id"), ("tstart", "tstart"), ("tstop", "tstop"), ("status", "death")] + [
    (c, c) for c in ("resp", "val", "cnt", "cv")
]


def merged(patients: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    return hccsurv.tmerge(
        patients, events, id="id", stop="futime", event="status", start="entry", **SPECS
    )


def assert_rows_equal(rows: pd.DataFrame, ref: dict[str, list[float | None]]) -> None:
    expected = pd.DataFrame(ref).astype(float)
    assert len(rows) == len(expected)
    for ours, theirs in PAIRS:
        np.testing.assert_allclose(
            rows[ours].to_numpy(float), expected[theirs].to_numpy(float), rtol=1e-12, err_msg=ours
        )


@pytest.mark.parametrize("case", sorted(REF))
def test_tmerge_matches_r(case: str) -> None:
    c = REF[case]
    events = pd.DataFrame(c["events"]).astype({"t": float})
    assert_rows_equal(merged(pd.DataFrame(c["patients"]), events), c["rows"])


def test_fixed_example_by_hand() -> None:
    # patient 1: events at 30 and 60 inside (0, 100] -> three rows, event on the last
    c = REF["fixed"]
    rows = merged(pd.DataFrame(c["patients"]), pd.DataFrame(c["events"]).astype({"t": float}))
    one = rows[rows["id"] == 1]
    assert one["tstart"].tolist() == [0.0, 30.0, 60.0]
    assert one["status"].tolist() == [0, 0, 1]
    assert one["cnt"].tolist() == [0.0, 1.0, 2.0]


def test_tmerge_rows_feed_the_counting_process_cox() -> None:
    c = REF["random"]
    rows = merged(pd.DataFrame(c["patients"]), pd.DataFrame(c["events"]).astype({"t": float}))
    model = hccsurv.coxph(
        rows, "tstop", "status", ["resp"], start_col="tstart", cluster="id", ties="breslow"
    )
    assert model.n == len(rows)
    assert model.n_events == int(pd.DataFrame(c["patients"])["status"].sum())


def test_events_of_an_unknown_patient_are_an_error() -> None:
    p = pd.DataFrame({"id": [1], "futime": [10.0], "status": [1]})
    e = pd.DataFrame({"id": [2], "t": [3.0]})
    with pytest.raises(InputError, match="patient 2, who is not in the patients table"):
        hccsurv.tmerge(p, e, id="id", stop="futime", event="status", tdc={"r": "t"})


def test_a_bad_follow_up_names_the_patient() -> None:
    p = pd.DataFrame({"id": ["a", "b"], "futime": [10.0, 0.0], "status": [1, 0]})
    e = pd.DataFrame({"id": ["a"], "t": [3.0]})
    with pytest.raises(InputError, match=r"patient 'b'.*start < stop"):
        hccsurv.tmerge(p, e, id="id", stop="futime", event="status", tdc={"r": "t"})


def test_a_non_numeric_time_names_patient_and_column() -> None:
    p = pd.DataFrame({"id": ["a"], "futime": [10.0], "status": [1]})
    e = pd.DataFrame({"id": ["a"], "t": ["2024-01-03"]})
    with pytest.raises(InputError, match="patient 'a' has t='2024-01-03'"):
        hccsurv.tmerge(p, e, id="id", stop="futime", event="status", tdc={"r": "t"})
