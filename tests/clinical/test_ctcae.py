"""CTCAE v5.0 grades on, just above and just below every boundary (domain reference §7).

Expected grades are written out by hand from the reference table, not computed by the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.ctcae import CTCAE_V5, ctcae_grade
from hccsurv.errors import InputError

E = 1e-6  # "just above / below" a boundary
NAN = np.nan

# (term, value, uln, lln, baseline, expected grade)
GRID = [
    # Neutrophils 10^9/L, LLN 2.0: <LLN-1.5 G1, <1.5-1.0 G2, <1.0-0.5 G3, <0.5 G4
    ("Neutrophil count decreased", 2.0, None, 2.0, None, 0),
    ("Neutrophil count decreased", 2.0 - E, None, 2.0, None, 1),
    ("Neutrophil count decreased", 1.5, None, 2.0, None, 1),
    ("Neutrophil count decreased", 1.5 - E, None, 2.0, None, 2),
    ("Neutrophil count decreased", 1.0 + E, None, 2.0, None, 2),
    ("Neutrophil count decreased", 1.0, None, 2.0, None, 2),
    ("Neutrophil count decreased", 1.0 - E, None, 2.0, None, 3),
    ("Neutrophil count decreased", 0.5, None, 2.0, None, 3),
    ("Neutrophil count decreased", 0.5 - E, None, 2.0, None, 4),
    # Platelets 10^9/L, LLN 150
    ("Platelet count decreased", 150.0, None, 150.0, None, 0),
    ("Platelet count decreased", 150.0 - E, None, 150.0, None, 1),
    ("Platelet count decreased", 75.0, None, 150.0, None, 1),
    ("Platelet count decreased", 75.0 - E, None, 150.0, None, 2),
    ("Platelet count decreased", 50.0, None, 150.0, None, 2),
    ("Platelet count decreased", 50.0 - E, None, 150.0, None, 3),
    ("Platelet count decreased", 25.0, None, 150.0, None, 3),
    ("Platelet count decreased", 25.0 - E, None, 150.0, None, 4),
    # Anaemia g/dL, LLN 12: no G4 from a value
    ("Anemia", 12.0, None, 12.0, None, 0),
    ("Anemia", 12.0 - E, None, 12.0, None, 1),
    ("Anemia", 10.0, None, 12.0, None, 1),
    ("Anemia", 10.0 - E, None, 12.0, None, 2),
    ("Anemia", 8.0, None, 12.0, None, 2),
    ("Anemia", 8.0 - E, None, 12.0, None, 3),
    ("Anemia", 3.0, None, 12.0, None, 3),
    # AST, ULN 40, baseline normal (30): >ULN G1, >3 G2, >5 G3, >20 G4
    ("Aspartate aminotransferase increased", 40.0, 40.0, None, 30.0, 0),
    ("Aspartate aminotransferase increased", 40.0 + E, 40.0, None, 30.0, 1),
    ("Aspartate aminotransferase increased", 120.0, 40.0, None, 30.0, 1),
    ("Aspartate aminotransferase increased", 120.0 + E, 40.0, None, 30.0, 2),
    ("Aspartate aminotransferase increased", 200.0, 40.0, None, 30.0, 2),
    ("Aspartate aminotransferase increased", 200.0 + E, 40.0, None, 30.0, 3),
    ("Aspartate aminotransferase increased", 800.0, 40.0, None, 30.0, 3),
    ("Aspartate aminotransferase increased", 800.0 + E, 40.0, None, 30.0, 4),
    # ALT, ULN 40, baseline abnormal (60): >=1.5 G1, >3 G2, >5 G3, >20 G4 (x baseline)
    ("Alanine aminotransferase increased", 90.0 - E, 40.0, None, 60.0, 0),
    ("Alanine aminotransferase increased", 90.0, 40.0, None, 60.0, 1),
    ("Alanine aminotransferase increased", 180.0, 40.0, None, 60.0, 1),
    ("Alanine aminotransferase increased", 180.0 + E, 40.0, None, 60.0, 2),
    ("Alanine aminotransferase increased", 300.0, 40.0, None, 60.0, 2),
    ("Alanine aminotransferase increased", 300.0 + E, 40.0, None, 60.0, 3),
    ("Alanine aminotransferase increased", 1200.0, 40.0, None, 60.0, 3),
    ("Alanine aminotransferase increased", 1200.0 + E, 40.0, None, 60.0, 4),
    # Bilirubin, ULN 1.2, baseline normal (1.0): >ULN G1, >1.5 G2, >3 G3, >10 G4
    ("Blood bilirubin increased", 1.2, 1.2, None, 1.0, 0),
    ("Blood bilirubin increased", 1.2 + E, 1.2, None, 1.0, 1),
    ("Blood bilirubin increased", 1.8, 1.2, None, 1.0, 1),
    ("Blood bilirubin increased", 1.8 + E, 1.2, None, 1.0, 2),
    ("Blood bilirubin increased", 3.6, 1.2, None, 1.0, 2),
    ("Blood bilirubin increased", 3.6 + E, 1.2, None, 1.0, 3),
    ("Blood bilirubin increased", 12.0, 1.2, None, 1.0, 3),
    ("Blood bilirubin increased", 12.0 + E, 1.2, None, 1.0, 4),
    # Bilirubin, baseline abnormal (2.0): >1.0 G1 (strictly above baseline), >1.5, >3, >10
    ("Blood bilirubin increased", 2.0, 1.2, None, 2.0, 0),
    ("Blood bilirubin increased", 2.0 + E, 1.2, None, 2.0, 1),
    ("Blood bilirubin increased", 3.0 + E, 1.2, None, 2.0, 2),
    ("Blood bilirubin increased", 6.0, 1.2, None, 2.0, 2),
    ("Blood bilirubin increased", 6.0 + E, 1.2, None, 2.0, 3),
    ("Blood bilirubin increased", 20.0 + E, 1.2, None, 2.0, 4),
    # Creatinine, ULN 1.0, baseline missing: >ULN G1, >1.5 G2, >3 G3, >6 G4
    ("Creatinine increased", 1.0, 1.0, None, None, 0),
    ("Creatinine increased", 1.0 + E, 1.0, None, None, 1),
    ("Creatinine increased", 1.5, 1.0, None, None, 1),
    ("Creatinine increased", 1.5 + E, 1.0, None, None, 2),
    ("Creatinine increased", 3.0, 1.0, None, None, 2),
    ("Creatinine increased", 3.0 + E, 1.0, None, None, 3),
    ("Creatinine increased", 6.0, 1.0, None, None, 3),
    ("Creatinine increased", 6.0 + E, 1.0, None, None, 4),
    # Creatinine baseline rule (baseline 0.4) even with the value at or below ULN
    ("Creatinine increased", 0.6, 1.0, None, 0.4, 0),
    ("Creatinine increased", 0.6 + E, 1.0, None, 0.4, 2),
    ("Creatinine increased", 1.2, 1.0, None, 0.4, 2),
    ("Creatinine increased", 1.2 + E, 1.0, None, 0.4, 3),
]

AST, ALT, BILI, CREA = (
    "Aspartate aminotransferase increased",
    "Alanine aminotransferase increased",
    "Blood bilirubin increased",
    "Creatinine increased",
)
# The grid's other side: just below each increase boundary, AST at an abnormal and ALT at a
# normal baseline, and the rules of the reference's boundary paragraph not in GRID.
GRID_MORE: list[tuple[str, float, float | None, float | None, float | None, int]] = [
    (AST, 90.0 - E, 40.0, None, 60.0, 0),  # baseline abnormal (60 > ULN 40): >= 1.5 x baseline
    (AST, 90.0, 40.0, None, 60.0, 1),
    (AST, 180.0 - E, 40.0, None, 60.0, 1),
    (AST, 180.0, 40.0, None, 60.0, 1),
    (AST, 180.0 + E, 40.0, None, 60.0, 2),
    (AST, 300.0 - E, 40.0, None, 60.0, 2),
    (AST, 300.0 + E, 40.0, None, 60.0, 3),
    (AST, 1200.0 - E, 40.0, None, 60.0, 3),
    (AST, 1200.0 + E, 40.0, None, 60.0, 4),
    (ALT, 40.0 - E, 40.0, None, 30.0, 0),  # baseline normal: > ULN, 3, 5, 20 x ULN
    (ALT, 40.0 + E, 40.0, None, 30.0, 1),
    (ALT, 120.0 - E, 40.0, None, 30.0, 1),
    (ALT, 200.0 - E, 40.0, None, 30.0, 2),
    (ALT, 200.0, 40.0, None, 30.0, 2),  # = 5 x ULN -> G2
    (ALT, 800.0 - E, 40.0, None, 30.0, 3),
    (ALT, 800.0, 40.0, None, 30.0, 3),  # = 20 x ULN -> G3
    (ALT, 800.0 + E, 40.0, None, 30.0, 4),
    (BILI, 1.8 - E, 1.2, None, 1.0, 1),
    (BILI, 3.6 - E, 1.2, None, 1.0, 2),
    (BILI, 12.0 - E, 1.2, None, 1.0, 3),
    (BILI, 3.0 - E, 1.2, None, 2.0, 1),  # baseline abnormal: 1.5 x baseline on -> G1
    (BILI, 3.0, 1.2, None, 2.0, 1),
    (BILI, 20.0 - E, 1.2, None, 2.0, 3),
    (BILI, 20.0, 1.2, None, 2.0, 3),  # = 10 x baseline -> G3
    (BILI, 1.9, 1.2, None, 1.2, 2),  # baseline = ULN is normal: > 1.5 x ULN
    (BILI, 1.9, 1.2, None, 1.3, 1),  # baseline > the value's ULN is abnormal: > 1 x baseline
    (CREA, 1.5 - E, 1.0, None, None, 1),
    (CREA, 3.0 - E, 1.0, None, None, 2),
    (CREA, 6.0 - E, 1.0, None, None, 3),
    (CREA, 1.2, 1.0, None, 0.8, 1),  # > ULN (G1); = 1.5 x baseline is not > -> G1
    (CREA, 1.2 + E, 1.0, None, 0.8, 2),  # > 1.5 x baseline -> G2, the worse
    (CREA, 2.4, 1.0, None, 0.8, 2),  # > 1.5 x ULN and = 3 x baseline -> G2
    (CREA, 2.4 + E, 1.0, None, 0.8, 3),  # > 3 x baseline -> G3 (ULN alone: G2)
]


@pytest.mark.parametrize(("term", "value", "uln", "lln", "baseline", "expected"), GRID + GRID_MORE)
def test_boundary_grid(
    term: str,
    value: float,
    uln: float | None,
    lln: float | None,
    baseline: float | None,
    expected: int,
) -> None:
    assert ctcae_grade(term, value, uln=uln, lln=lln, baseline=baseline) == expected


def test_vectorised_series_keeps_index_and_is_case_insensitive() -> None:
    values = pd.Series([2.0, 1.2, 0.4, None], index=list("abcd"))
    got = ctcae_grade("NEUTROPHIL COUNT DECREASED", values, lln=1.8)
    assert list(got.index) == list("abcd")
    np.testing.assert_array_equal(got.to_numpy(), [0.0, 2.0, 4.0, NAN])


def test_decrease_with_lln_missing_grades_only_what_the_fixed_cuts_decide() -> None:
    got = ctcae_grade("Platelet count decreased", [100.0, 60.0, 10.0], lln=None)
    np.testing.assert_array_equal(got, [NAN, 2.0, 4.0])


def test_increase_with_uln_missing_is_missing_not_zero() -> None:
    assert np.isnan(ctcae_grade("Aspartate aminotransferase increased", 500.0, uln=None))


def test_aminotransferase_with_baseline_missing_is_graded_against_uln() -> None:
    assert ctcae_grade("Alanine aminotransferase increased", 130.0, uln=40.0) == 2


def test_no_grade_five_and_anaemia_three_is_lab_only() -> None:
    assert max(r.grade for r in CTCAE_V5) == 4
    assert {(r.term, r.grade) for r in CTCAE_V5 if r.lab_only} == {("Anemia", 3)}


@pytest.mark.parametrize("bad", ["<0.1", "hemolysed"])
def test_non_numeric_value_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match="not a number"):
        ctcae_grade("Anemia", [11.0, bad], lln=12.0)


def test_unknown_term_and_version_are_refused() -> None:
    with pytest.raises(InputError, match="not graded"):
        ctcae_grade("Nausea", 1.0)
    with pytest.raises(InputError, match="version"):
        ctcae_grade("Anemia", 1.0, lln=12.0, version="6.0")
