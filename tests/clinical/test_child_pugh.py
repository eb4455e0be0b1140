"""Child-Pugh (Pugh 1973): worked example and every boundary of domain reference §2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.child_pugh import (
    ascites_points,
    child_pugh_class,
    child_pugh_label,
    child_pugh_points,
    encephalopathy_points,
)
from hccsurv.errors import InputError


def _points_only(bili: float = 1.0, alb: float = 4.0, inr: float = 1.0) -> float:
    value: float = child_pugh_points(bili, alb, inr, "none", "none")
    return value - 4.0  # the four other items score 1 point each


def test_worked_example_b7() -> None:
    # bilirubin 1.2 (1), albumin 3.2 (2), INR 1.3 (1), mild ascites (2), no HE (1) -> 7 -> B7
    points = child_pugh_points(1.2, 3.2, 1.3, "mild", "none")
    assert points == 7.0
    assert child_pugh_class(points) == "B"
    assert child_pugh_label(points) == "B7"


@pytest.mark.parametrize(
    ("bili", "expected"), [(1.99, 1), (2.0, 2), (2.5, 2), (3.0, 2), (3.01, 3), (2.0 - 1e-12, 2)]
)
def test_bilirubin_bands(bili: float, expected: int) -> None:
    assert _points_only(bili=bili) == expected


@pytest.mark.parametrize(
    ("alb", "expected"), [(3.51, 1), (3.5, 2), (3.0, 2), (2.8, 2), (2.79, 3), (0.1 * 28, 2)]
)
def test_albumin_bands_pugh(alb: float, expected: int) -> None:
    assert _points_only(alb=alb) == expected


@pytest.mark.parametrize(("alb", "expected"), [(3.5, 2), (3.0, 2), (2.9, 3), (2.8, 3)])
def test_albumin_bands_harrison(alb: float, expected: int) -> None:
    total = child_pugh_points(1.0, alb, 1.0, "none", "none", albumin_band="harrison")
    assert total - 4.0 == expected


@pytest.mark.parametrize(
    ("inr", "expected"), [(1.69, 1), (1.7, 2), (2.3, 2), (2.31, 3), (1.1 + 0.6, 2)]
)
def test_inr_bands(inr: float, expected: int) -> None:
    assert _points_only(inr=inr) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("none", 1),
        ("No", 1),
        ("mild", 2),
        ("Slight", 2),
        ("moderate", 3),
        ("Severe", 3),
        ("moderate-severe", 3),
        ("refractory", 3),
    ],
)
def test_ascites_spellings(label: str, expected: int) -> None:
    assert ascites_points(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [("none", 1), ("grade1-2", 2), ("Grade 1", 2), ("grade_2", 2), ("grade3-4", 3), ("grade 4", 3)],
)
def test_encephalopathy_spellings(label: str, expected: int) -> None:
    assert encephalopathy_points(label) == expected


def test_unknown_spelling_names_it() -> None:
    with pytest.raises(InputError, match="'lots'"):
        ascites_points(["none", "lots"])
    with pytest.raises(InputError, match=r"encephalopathy.*'coma'"):
        child_pugh_points(1.0, 4.0, 1.0, "none", "coma")


def test_classes_and_labels() -> None:
    points = np.array([5, 6, 7, 9, 10, 15, np.nan])
    assert list(child_pugh_class(points)) == ["A", "A", "B", "B", "C", "C", None]
    assert list(child_pugh_label(points)) == ["A5", "A6", "B7", "B9", "C10", "C15", None]
    with pytest.raises(InputError, match="5-15"):
        child_pugh_class(4)


def test_missing_in_missing_out_and_series_index() -> None:
    idx = pd.Index(["p1", "p2", "p3"])
    out = child_pugh_points(
        pd.Series([1.0, None, 1.0], index=idx),
        pd.Series([4.0, 4.0, 4.0], index=idx),
        pd.Series([1.0, 1.0, 1.0], index=idx),
        pd.Series(["none", "none", None], index=idx),
        pd.Series(["none", "none", "none"], index=idx),
    )
    assert isinstance(out, pd.Series)
    assert list(out.index) == list(idx)
    assert out["p1"] == 5.0
    assert np.isnan(out["p2"]) and np.isnan(out["p3"])  # missing ascites is not imputed as none
    assert child_pugh_class(out).tolist() == ["A", None, None]


def test_length_mismatch_and_bad_number() -> None:
    with pytest.raises(InputError, match="different lengths"):
        child_pugh_points([1.0, 1.0], [4.0, 4.0, 4.0], 1.0, "none", "none")
    with pytest.raises(InputError, match=r"bilirubin_mg_dl.*'high'"):
        child_pugh_points("high", 4.0, 1.0, "none", "none")
    with pytest.raises(InputError, match="albumin_band"):
        child_pugh_points(1.0, 4.0, 1.0, "none", "none", albumin_band="other")  # type: ignore[arg-type]
