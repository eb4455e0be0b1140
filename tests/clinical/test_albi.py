"""ALBI (Johnson 2015) and mALBI (Hiraoka 2017): worked examples and grade boundaries (§3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.albi import albi_grade, albi_score, malbi_grade
from hccsurv.clinical.units import albumin_g_dl_to_g_l, bilirubin_mg_dl_to_umol_l
from hccsurv.errors import InputError


def test_worked_example_grade_2_malbi_2b() -> None:
    # bilirubin 1.2 mg/dL = 20.52 umol/L, albumin 3.5 g/dL = 35 g/L -> -2.109, grade 2, mALBI 2b
    score = albi_score(bilirubin_mg_dl_to_umol_l(1.2), albumin_g_dl_to_g_l(3.5))
    assert score == pytest.approx(0.66 * np.log10(20.52) - 0.085 * 35.0, rel=1e-12)
    assert round(score, 3) == -2.109
    assert albi_grade(score) == "2"
    assert malbi_grade(score) == "2b"


def test_worked_example_grade_1() -> None:
    score = albi_score(bilirubin_mg_dl_to_umol_l(0.8), albumin_g_dl_to_g_l(4.2))
    assert round(score, 3) == -2.820
    assert albi_grade(score) == "1"
    assert malbi_grade(score) == "1"


def test_coefficient_option() -> None:
    default = albi_score(20.52, 35.0)
    alt = albi_score(20.52, 35.0, albumin_coefficient=-0.0852)
    assert alt - default == pytest.approx(-0.0002 * 35.0, rel=1e-9)
    with pytest.raises(InputError, match="albumin_coefficient"):
        albi_score(20.52, 35.0, albumin_coefficient=-0.09)


@pytest.mark.parametrize(
    ("score", "grade", "mgrade"),
    [
        (-2.60, "1", "1"),
        (-2.60 + 1e-12, "1", "1"),
        (-2.5999, "2", "2a"),
        (-2.270, "2", "2a"),
        (-2.2699, "2", "2b"),
        (-1.39, "2", "2b"),
        (-1.3899, "3", "3"),
    ],
)
def test_grade_boundaries(score: float, grade: str, mgrade: str) -> None:
    assert albi_grade(score) == grade
    assert malbi_grade(score) == mgrade


def test_vectorised_missing() -> None:
    s = albi_score(pd.Series([20.52, None]), pd.Series([35.0, 40.0]))
    assert np.isnan(s.iloc[1])
    assert albi_grade(s).tolist() == ["2", None]
    assert malbi_grade(s.to_numpy()).tolist() == ["2b", None]
    with pytest.raises(InputError, match="> 0"):
        albi_score(0.0, 35.0)
