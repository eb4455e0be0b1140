"""Lesion-table checks: every problem is named (patient, lesion, date, value) with its fix."""

from __future__ import annotations

import pandas as pd
import pytest

from hccsurv.clinical.response import LesionColumns, prepare_lesions, timepoint_responses
from hccsurv.errors import CohortValidationError

from ._response_cases import target_rows

DATES = ["2023-01-01", "2023-02-15"]


def _messages(warnings: tuple[object, ...]) -> list[str]:
    return [str(w) for w in warnings]


def test_negative_diameter_and_duplicate_lesion_are_errors_listed_together() -> None:
    rows = target_rows(DATES, [(40.0, 20.0), (-3.0, 20.0)])
    rows.append(dict(rows[0]))  # T1 twice at baseline
    with pytest.raises(CohortValidationError) as err:
        prepare_lesions(pd.DataFrame(rows))
    text = str(err.value)
    assert len(err.value.problems) == 3  # viable and total diameter of T1, and the duplicate
    assert "patient P1" in text and "'viable_diameter_mm'" in text and "-3.0" in text
    assert "lesion T1 on 2023-02-15" in text and "correct the measurement" in text
    assert "lesion id used twice in one reading" in text
    assert "reader R1 on 2023-01-01" in text


def test_missing_column_unknown_kind_and_bad_date() -> None:
    with pytest.raises(CohortValidationError, match=r"lesion_kind.*column not found"):
        prepare_lesions(
            pd.DataFrame(target_rows(DATES, [(40.0,), (30.0,)])).drop(columns="lesion_kind")
        )
    rows = target_rows(DATES, [(40.0,), (30.0,)])
    rows[0]["lesion_kind"] = "tumour"
    rows[1]["assessment_date"] = "15/02/2023x"
    with pytest.raises(CohortValidationError) as err:
        prepare_lesions(pd.DataFrame(rows))
    assert len(err.value.problems) == 2
    assert "unknown lesion kind" in str(err.value) and "YYYY-MM-DD" in str(err.value)


def test_baseline_target_below_10mm_is_warned() -> None:
    prepared = prepare_lesions(pd.DataFrame(target_rows(DATES, [(9.5, 30.0), (9.0, 30.0)])))
    (msg,) = _messages(prepared.warnings)
    assert "patient P1" in msg and "value '9.5'" in msg and "lesion T1 on 2023-01-01" in msg
    assert "follow it as a non-target lesion" in msg


def test_too_many_targets_per_organ_and_in_total() -> None:
    six = (20.0,) * 6
    organs = ["liver", "liver", "liver", "lung", "lung", "bone"]
    rows = target_rows(DATES, [six, six], organs=organs)
    msgs = _messages(prepare_lesions(pd.DataFrame(rows)).warnings)
    assert any("3 targets in one organ" in m and "'liver'" in m for m in msgs)
    assert any("6 targets in total (at most 5)" in m for m in msgs)


def test_target_missing_at_follow_up_is_warned_and_visit_is_ne() -> None:
    rows = target_rows(DATES, [(40.0, 20.0), (40.0, None)])
    tp = timepoint_responses(pd.DataFrame(rows))
    msgs = _messages(tp.warnings)
    assert any("target lesion T2 not measured" in m and "2023-02-15" in m for m in msgs)
    assert tp.overall_response == ("NE",)


def test_assessment_before_baseline_is_not_used_and_listed() -> None:
    rows = target_rows(["2022-12-01", *DATES], [(40.0,), (40.0,), (20.0,)])
    tp = timepoint_responses(pd.DataFrame(rows), treatment_start={"P1": "2023-01-05"})
    msgs = _messages(tp.warnings)
    assert any("assessment before the baseline scan" in m and "2022-12-01" in m for m in msgs)
    assert tp.baseline_date == ("2023-01-01",)
    assert tp.overall_response == ("PR",)


def test_patient_without_start_date_uses_first_scan_as_baseline() -> None:
    rows = target_rows(["2022-12-01", *DATES], [(40.0,), (40.0,), (20.0,)])
    tp = timepoint_responses(pd.DataFrame(rows), treatment_start={"OTHER": "2023-01-05"})
    assert tp.baseline_date == ("2022-12-01", "2022-12-01")
    assert tp.overall_response == ("SD", "PR")


def test_baseline_after_treatment_start_is_an_error() -> None:
    rows = target_rows(DATES, [(40.0,), (20.0,)])
    with pytest.raises(CohortValidationError, match="no assessment on or before treatment start"):
        prepare_lesions(pd.DataFrame(rows), treatment_start={"P1": "2022-12-20"})


def test_target_first_recorded_after_baseline_is_warned() -> None:
    rows = target_rows(DATES, [(40.0, None), (40.0, 12.0)])
    msgs = _messages(prepare_lesions(pd.DataFrame(rows)).warnings)
    assert any("target not recorded at baseline" in m and "'T2'" in m for m in msgs)


def test_column_mapping() -> None:
    rows = pd.DataFrame(target_rows(DATES, [(40.0,), (20.0,)])).rename(
        columns={"patient_id": "id", "viable_diameter_mm": "viable"}
    )
    cols = LesionColumns(patient_id="id", viable_diameter_mm="viable")
    assert timepoint_responses(rows, columns=cols).overall_response == ("PR",)
