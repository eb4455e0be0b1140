"""The adverse-event table (Fisher p-values against R's fisher.test, committed) and the exposure
summary (counts, RDI and intervals worked out by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.safety import adverse_event_table, exposure_summary
from hccsurv.core.group_tests import wilcoxon_rank_sum
from hccsurv.errors import NotEstimableError
from hccsurv.present.format import FormatOptions
from hccsurv.present.tables.safety import exposure_tables

REF = Path(__file__).parents[1] / "reference"
GROUPS = ("HAIC", "Sorafenib")


def _cycles(*rows: tuple[object, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["patient_id", "cycle", "date", "drug", "dose", "status"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_fisher_p_values_equal_r_fisher_test() -> None:
    arms = pd.read_csv(REF / "data" / "safety_arms.csv")
    graded = pd.read_csv(REF / "data" / "safety_grades.csv", parse_dates=["date"])
    expected = json.loads((REF / "safety.json").read_text(encoding="utf-8"))
    by_arm = dict(zip(arms["patient_id"], arms["arm"], strict=True))
    cycles = _cycles(*((p, 1, "2020-01-01", "x", 1.0, "given") for p in by_arm))
    terms = [r["term"] for r in expected["rows"]]
    table = adverse_event_table(graded, by_arm, GROUPS, cycles, terms)
    assert table.n == expected["n"]
    assert len(table.rows) == len(expected["rows"]) == 7
    for got, want in zip(table.rows, expected["rows"], strict=True):
        assert got.term == want["term"]
        assert got.any_grade == want["any_grade"]
        assert got.grade3 == want["grade3"]
        assert got.p_any == pytest.approx(want["p_any"], rel=1e-6)
        assert got.p_grade3 == pytest.approx(want["p_grade3"], rel=1e-6)
    ps = [r.p_grade3 for r in table.rows]
    assert min(ps) < 0.05 and max(ps) == 1.0  # a significant row and an all-zero row
    # worst grades add up to the any-grade count
    assert all(sum(r.worst[g]) == r.any_grade[g] for r in table.rows for g in GROUPS)


def test_grade3_followed_by_a_paused_or_stopped_cycle() -> None:
    term = "Platelet count decreased"
    graded = pd.DataFrame(
        {
            "patient_id": ["A", "B", "C", "C"],
            "date": pd.to_datetime(["2020-01-02", "2020-01-02", "2020-01-02", "2020-02-15"]),
            "term": [term] * 4,
            "grade": [3.0, 4.0, 1.0, 3.0],
        }
    )
    cycles = _cycles(
        ("A", 1, "2020-01-01", "x", 1, "paused"),  # in progress on the G3 day and paused
        ("B", 1, "2020-01-01", "x", 1, "given"),
        ("B", 2, "2020-02-01", "x", 1, "given"),  # B: G4 but no pause
        ("C", 1, "2020-01-01", "x", 1, "given"),
        ("C", 2, "2020-02-01", "x", 1, "given"),
        ("C", 3, "2020-03-01", "x", 1, "stopped"),  # the cycle after C's G3 was stopped
    )
    arms = {"A": "HAIC", "B": "HAIC", "C": "Sorafenib"}
    [row] = adverse_event_table(graded, arms, GROUPS, cycles, [term]).rows
    assert row.grade3 == {"HAIC": 2, "Sorafenib": 1}
    assert row.grade3_then_paused == {"HAIC": 1, "Sorafenib": 1}
    assert row.worst == {"HAIC": (0, 0, 1, 1), "Sorafenib": (0, 0, 1, 0)}


def test_exposure_cycles_rdi_reductions_delays_and_time_on_treatment() -> None:
    cycles = _cycles(
        ("A", 1, "2020-01-01", "5-FU", 1500.0, "given"),
        ("A", 1, "2020-01-01", "Cisplatin", 60.0, "given"),
        ("A", 2, "2020-02-01", "5-FU", 1200.0, "paused"),  # RDI 0.8: a reduction
        ("A", 2, "2020-02-01", "Cisplatin", 60.0, "given"),
        ("B", 1, "2020-01-01", "5-FU", 3000.0, "given"),  # BSA 2
        ("B", 1, "2020-01-01", "Cisplatin", 120.0, "given"),
        ("B", 2, "2020-03-01", "5-FU", 3000.0, "given"),  # 60 days later: a delay
        ("B", 2, "2020-03-01", "Cisplatin", 120.0, "given"),
        ("B", 3, "2020-04-01", "5-FU", 3000.0, "given"),
        ("B", 3, "2020-04-01", "Cisplatin", 120.0, "given"),
        ("C", 1, "2020-01-01", "5-FU", 1500.0, "given"),
        ("C", 1, "2020-01-01", "Cisplatin", 60.0, "given"),
        ("D", 1, "2020-01-01", "5-FU", 1500.0, "given"),
        ("D", 1, "2020-01-01", "Cisplatin", 60.0, "stopped"),
    )
    arms = {"A": "HAIC", "B": "HAIC", "C": "Sorafenib", "D": "Sorafenib"}
    bsa = {"A": 1.0, "B": 2.0, "C": 1.0, "D": 1.0}
    out = exposure_summary(
        cycles, arms, GROUPS, {"5-FU": 1500.0, "Cisplatin": 60.0}, bsa, days_per_unit=30.4375
    )
    rows = {r.name: r for r in out.distributions}
    n_cycles = rows["Cycles per patient"]
    assert n_cycles.by_arm["HAIC"].median == 2.5 and n_cycles.by_arm["Sorafenib"].max == 1.0
    want = wilcoxon_rank_sum([2.0, 3.0], [1.0, 1.0]).p_value
    assert n_cycles.test is not None and n_cycles.test.p_value == pytest.approx(want, rel=1e-12)
    fu = rows["Relative dose intensity, 5-FU"].by_arm["HAIC"]
    assert (fu.min, fu.max) == pytest.approx((2700 / 3000, 1.0), rel=1e-12)
    per_cycle = rows["Relative dose intensity per cycle, 5-FU"].by_arm["HAIC"]
    assert per_cycle.n == 5 and per_cycle.min == pytest.approx(0.8, rel=1e-12)
    counts = {r.name.split(" ")[0]: r.count for r in out.counts}
    assert counts == {
        "Dose": {"HAIC": 1, "Sorafenib": 0},
        "Delay": {"HAIC": 1, "Sorafenib": 0},
        "Cycle": {"HAIC": 1, "Sorafenib": 1},
    }
    km = out.time_on_treatment.curves["HAIC"]
    assert np.asarray(km.time) == pytest.approx(np.array([31.0, 91.0]) / 30.4375, rel=1e-12)


def test_an_arm_without_treated_patients_is_not_estimable() -> None:
    cycles = _cycles(("A", 1, "2020-01-01", "5-FU", 1500.0, "given"))
    graded = pd.DataFrame({"patient_id": [], "date": [], "term": [], "grade": []})
    with pytest.raises(NotEstimableError, match=r"arm\(s\) \['Sorafenib'\]"):
        adverse_event_table(graded, {"A": "HAIC"}, GROUPS, cycles, ["Anemia"])
    with pytest.raises(NotEstimableError, match=r"arm\(s\) \['Sorafenib'\]"):
        exposure_summary(cycles, {"A": "HAIC"}, GROUPS, {"5-FU": 1500.0}, {"A": 1.0})


def test_a_patient_without_bsa_has_no_rdi_and_the_table_says_so() -> None:
    cycles = _cycles(
        ("A", 1, "2020-01-01", "5-FU", 1500.0, "given"),
        ("B", 1, "2020-01-01", "5-FU", 1400.0, "given"),
        ("C", 1, "2020-01-01", "5-FU", 1500.0, "given"),
    )
    arms = {"A": "HAIC", "B": "HAIC", "C": "Sorafenib"}
    out = exposure_summary(cycles, arms, GROUPS, {"5-FU": 1500.0}, {"A": 1.0, "C": 1.0})
    rdi = out.distributions[1]
    assert rdi.name == "Relative dose intensity, 5-FU"
    assert (rdi.by_arm["HAIC"].n, rdi.by_arm["Sorafenib"].n) == (1, 1)
    [table] = exposure_tables(out, FormatOptions())
    assert "Relative dose intensity not computed for 1 patient(s) without a BSA." in table.footnotes
