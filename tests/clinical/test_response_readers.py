"""Two readers: adjudication cascade and agreement."""

from __future__ import annotations

import pandas as pd
import pytest

from hccsurv.clinical.response import (
    ReaderRoles,
    ResponseRules,
    adjudicate,
    adjudicated_best_response,
    assess_response,
    graded_responses,
    reader_agreement,
)
from hccsurv.core.agreement import cohen_kappa
from hccsurv.errors import InputError

from ._response_cases import graded, new_row, target_rows

BASELINES = {"P1": "2023-01-01", "P2": "2023-01-01", "P3": "2023-01-01", "P4": "2023-01-01"}


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    parts = [
        # P1 has a consensus reading: it wins whatever the readers said.
        graded([(42, "PR"), (84, "PR")], "P1", "R1"),
        graded([(42, "SD"), (84, "SD")], "P1", "R2"),
        graded([(42, "PR"), (84, "SD")], "P1", "consensus"),
        # P2: agree on day 42, disagree on day 84, third reader settles it.
        graded([(42, "PR"), (84, "PR")], "P2", "R1"),
        graded([(42, "PR"), (84, "SD")], "P2", "R2"),
        graded([(84, "PR")], "P2", "R3"),
        # P3: disagree, no third reader: the more conservative read (PD over SD).
        graded([(42, "SD"), (84, "SD")], "P3", "R1"),
        graded([(42, "SD"), (84, "PD")], "P3", "R2"),
        # P4: R2 missed day 84.
        graded([(42, "PR"), (84, "PR")], "P4", "R1"),
        graded([(42, "PR")], "P4", "R2"),
    ]
    return pd.concat(parts, ignore_index=True)


def test_adjudication_cascade(readings: pd.DataFrame) -> None:
    tp = graded_responses(readings, BASELINES)
    adj = adjudicate(tp).to_frame().set_index(["patient_id", "assessment_date"])
    day84 = "2023-03-26"
    assert adj.loc[("P1", day84), "source"] == "consensus"
    assert adj.loc[("P1", day84), "overall_response"] == "SD"
    assert adj.loc[("P2", "2023-02-12"), "source"] == "agreement"
    assert adj.loc[("P2", day84), ["source", "overall_response"]].tolist() == ["third reader", "PR"]
    assert adj.loc[("P3", day84), ["source", "overall_response"]].tolist() == ["conservative", "PD"]
    assert adj.loc[("P4", day84), ["source", "overall_response"]].tolist() == [
        "single reader",
        "PR",
    ]
    assert set(adj["reader"]) == {"adjudicated"}


def test_adjudication_options(readings: pd.DataFrame) -> None:
    tp = graded_responses(readings, BASELINES)
    conservative = adjudicate(tp, ResponseRules(adjudication="conservative")).to_frame()
    conservative = conservative.set_index(["patient_id", "assessment_date"])
    assert conservative.loc[("P1", "2023-02-12"), "source"] == "conservative"
    assert conservative.loc[("P1", "2023-02-12"), "overall_response"] == "SD"
    assert conservative.loc[("P2", "2023-03-26"), "overall_response"] == "SD"
    third = adjudicate(tp, ResponseRules(adjudication="third_reader")).to_frame()
    third = third.set_index(["patient_id", "assessment_date"])
    assert third.loc[("P2", "2023-03-26"), "source"] == "third reader"
    assert third.loc[("P1", "2023-03-26"), "source"] == "conservative"


def test_best_response_per_reader_and_adjudicated(readings: pd.DataFrame) -> None:
    tp = graded_responses(readings, BASELINES)
    _, by_reader, best = adjudicated_best_response(tp)
    frame = best.to_frame().set_index("patient_id")
    assert frame["bor"].to_dict() == {"P1": "SD", "P2": "PR", "P3": "SD", "P4": "PR"}
    assert frame.loc["P1", "reader_calls"] == "R1=PR; R2=SD; consensus=SD"
    assert set(by_reader.reader) == {"R1", "R2", "R3", "consensus"}


def test_agreement_matches_kappa_on_the_paired_calls(readings: pd.DataFrame) -> None:
    tp = graded_responses(readings, BASELINES)
    agreement = reader_agreement(tp, weights="quadratic")
    # Visits read by both R1 and R2 (P4 day 84 is read by R1 only).
    r1 = ["PR", "PR", "PR", "PR", "SD", "SD", "PR"]
    r2 = ["SD", "SD", "PR", "SD", "SD", "PD", "PR"]
    scale = ("CR", "PR", "SD", "PD")
    expected = cohen_kappa(r1, r2, scale, "quadratic")
    assert agreement.visit_weighted.kappa == pytest.approx(expected.kappa, abs=1e-12)
    assert agreement.visit_kappa.percent_agreement == pytest.approx(3 / 7)
    assert agreement.bor_kappa.n == 4
    assert list(agreement.to_frame()["level"]) == ["visit", "visit", "bor", "bor"]


def test_agreement_needs_both_readers(readings: pd.DataFrame) -> None:
    tp = graded_responses(readings, BASELINES)
    with pytest.raises(InputError, match=r"set ReaderRoles\.primary"):
        reader_agreement(tp, ReaderRoles(primary=("A", "B")))


def test_assess_response_end_to_end_from_lesions() -> None:
    dates = ["2023-01-01", "2023-02-15", "2023-04-01"]
    rows = []
    for reader, values in (
        ("R1", [(40.0,), (20.0,), (20.0,)]),
        ("R2", [(40.0,), (30.0,), (30.0,)]),
        ("consensus", [(40.0,), (22.0,), (21.0,)]),
    ):
        rows += target_rows(dates, values, reader=reader)
    rows.append(new_row(dates[2], 12.0, True, reader="R2"))
    result = assess_response(pd.DataFrame(rows), treatment_start={"P1": "2023-01-01"})
    assert result.best.bor == ("PR",)
    assert result.best.reader_calls == ("R1=PR; R2=SD; consensus=PR",)
    assert result.agreement is not None
    assert result.agreement.visit_kappa.n == 2
    assert list(result.to_frame()["bor"]) == ["PR"]


def test_only_baseline_scans_give_ne() -> None:
    rows = pd.DataFrame(target_rows(["2023-01-01"], [(40.0, 20.0)]))
    result = assess_response(rows)
    assert result.best.bor == ("NE",)
    assert not result.best.evaluable[0]
    assert result.agreement is None
