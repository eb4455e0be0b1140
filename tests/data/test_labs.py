"""The laboratory and treatment records: unit conversion, refusals with full messages, baseline
and grading."""

from __future__ import annotations

import pandas as pd
import pytest

from hccsurv.data.labs import grade_labs, read_lab_rows
from hccsurv.data.treatment import read_treatment_rows
from hccsurv.errors import CohortValidationError


def _labs(*rows: tuple[object, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["patient_id", "date", "test", "value", "unit", "lln", "uln"])


def test_units_are_converted_to_the_grading_unit() -> None:
    rows, warnings = read_lab_rows(
        _labs(
            ("P1", "2020-01-01", "Bilirubin", 34.2, "µmol/L", 3.4, 20.52),
            ("P1", "2020-01-01", "ANC", 1200, "/uL", 1800, 7000),
            ("P1", "2020-01-01", "Hb", 95, "g/L", 120, 160),
            ("P1", "2020-01-01", "creatinine", 176.8, "umol/L", 53.04, 106.08),
            ("P1", "2020-01-01", "ALT", 1.0, "ukat/L", 0.1, 0.5),
        )
    )
    assert warnings == []
    got = rows.set_index("test")
    assert got.loc["bilirubin", "value"] == pytest.approx(2.0, rel=1e-12)
    assert got.loc["bilirubin", "uln"] == pytest.approx(1.2, rel=1e-12)
    assert got.loc["neutrophils", "value"] == pytest.approx(1.2, rel=1e-12)
    assert got.loc["hemoglobin", "value"] == pytest.approx(9.5, rel=1e-12)
    assert got.loc["creatinine", "value"] == pytest.approx(2.0, rel=1e-12)
    assert [got.loc["alt", "value"], got.loc["alt", "uln"]] == pytest.approx(
        [60.0, 30.0], rel=1e-12
    )
    assert got.loc["neutrophils", "term"] == "Neutrophil count decreased"


@pytest.mark.parametrize(
    ("row", "column", "value", "needle"),
    [
        (("P7", "2020-01-02", "ferritin", 10, "ng/mL", 1, 2), "test", "ferritin", "unknown test"),
        (("P7", "2020-01-02", "AST", 10, "mg/dL", 1, 40), "unit", "mg/dL", "unit of ast unknown"),
        (("P7", "2020-01-02", "AST", 80, "U/L", 1, None), "uln", None, "the ULN of ast"),
        (("P7", "2020-01-02", "PLT", 80, "10^9/L", None, 400), "lln", None, "the LLN"),
        (("P7", "2020-01-02", "bilirubin", "<0.1", "mg/dL", 0, 1.2), "value", "<0.1", "censored"),
        (("P7", "2020-01-02", "Hb", "hemolysed", "g/dL", 12, 16), "value", "hemolysed", "number"),
        (("P7", "02/31/2020", "Hb", 10, "g/dL", 12, 16), "date", "02/31/2020", "YYYY-MM-DD"),
    ],
)
def test_bad_laboratory_input_is_refused_with_patient_row_column_and_value(
    row: tuple[object, ...], column: str, value: str | None, needle: str
) -> None:
    good = ("P1", "2020-01-01", "AST", 30, "U/L", 0, 40)
    with pytest.raises(CohortValidationError) as err:
        read_lab_rows(_labs(good, row))
    [problem] = err.value.problems
    assert (problem.patient, problem.row, problem.column, problem.value) == (
        "P7",
        3,
        column,
        value,
    )
    assert needle in problem.message


def test_empty_values_are_counted_not_graded() -> None:
    rows, warnings = read_lab_rows(
        _labs(
            ("P1", "2020-01-01", "AST", None, "U/L", 0, 40),
            ("P1", "2020-01-02", "AST", 50, "U/L", 0, 40),
        )
    )
    assert len(rows) == 1
    assert warnings == ["laboratory file: 1 row(s) with an empty value are not graded"]


def test_baseline_is_the_last_value_in_the_window_and_later_values_are_graded() -> None:
    rows, _ = read_lab_rows(
        _labs(
            ("P1", "2019-11-01", "AST", 500, "U/L", 0, 40),  # before the 30-day window
            ("P1", "2019-12-20", "AST", 100, "U/L", 0, 40),
            ("P1", "2020-01-01", "AST", 60, "U/L", 0, 40),  # day of cycle 1: the baseline
            ("P1", "2020-01-02", "AST", 300, "U/L", 0, 40),  # 5 x baseline 60: G2 (> 5 x: G3)
            ("P1", "2020-01-03", "AST", 301, "U/L", 0, 40),
            ("P2", "2020-01-03", "AST", 130, "U/L", 0, 40),  # no baseline: > 3 x ULN, G2
        )
    )
    first = {"P1": pd.Timestamp("2020-01-01"), "P2": pd.Timestamp("2020-01-01")}
    graded = grade_labs(rows, first, window_days=30)
    assert graded["baseline"].fillna(-1).tolist() == [60.0, 60.0, -1.0]
    assert graded["grade"].tolist() == [2.0, 3.0, 2.0]


def _treatment(*rows: tuple[object, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["patient_id", "cycle", "date", "drug", "dose_mg", "status"])


def test_treatment_rows_are_checked() -> None:
    rows = read_treatment_rows(
        _treatment(
            ("P1", 1, "2020-01-01", "cisplatin", 100, None),
            ("P1", 1, "2020-01-01", "5-FU", 2500, "Paused"),
        ),
        drugs=("5-FU", "Cisplatin"),
    )
    assert rows[["drug", "status"]].values.tolist() == [["5-FU", "paused"], ["Cisplatin", "given"]]
    with pytest.raises(CohortValidationError) as err:
        read_treatment_rows(
            _treatment(
                ("P1", 0, "2020-01-01", "cisplatin", -5, "held"),
                ("P2", 1, "2020-01-01", "sorafenib", 100, None),
            ),
            drugs=("5-FU", "Cisplatin"),
        )
    got = [(p.patient, p.row, p.column, p.value) for p in err.value.problems]
    assert got == [
        ("P1", 2, "cycle", "0"),
        ("P1", 2, "dose_mg", "-5"),
        ("P1", 2, "status", "held"),
        ("P2", 3, "drug", "sorafenib"),
    ]


def test_a_cycle_with_two_dates_is_refused() -> None:
    with pytest.raises(CohortValidationError, match="1 problem") as err:
        read_treatment_rows(
            _treatment(
                ("P1", 1, "2020-01-01", "cisplatin", 100, None),
                ("P1", 1, "2020-01-08", "5-FU", 2500, None),
            )
        )
    assert err.value.problems[0].row == 3
