"""BCLC 2022 staging (Reig 2022): the decision order of domain reference §4 and its boundaries."""

from __future__ import annotations

import pandas as pd
import pytest

from hccsurv.clinical.bclc import bclc_stage
from hccsurv.errors import InputError


@pytest.mark.parametrize(
    ("number", "size", "mvi", "ehs", "cp", "ecog", "stage"),
    [
        (1, 20, False, False, "A", 0, "0"),  # single <= 2 cm (boundary included)
        (1, 20.0000000001, False, False, "A", 0, "0"),  # within tolerance
        (1, 21, False, False, "A", 0, "A"),
        (1, 150, False, False, "A", 0, "A"),  # single, any size
        (3, 30, False, False, "A", 0, "A"),  # 2-3 nodules, largest <= 3 cm
        (2, 31, False, False, "A", 0, "B"),
        (4, 10, False, False, "A", 0, "B"),
        (2, 20, True, False, "A", 0, "C"),  # macrovascular invasion
        (1, 15, False, True, "A", 0, "C"),  # extrahepatic spread
        (1, 15, False, False, "A", 1, "C"),  # ECOG 1-2
        (1, 15, False, False, "A", 2, "C"),
        (1, 15, False, False, "A", 3, "D"),  # ECOG >= 3
        (1, 15, True, True, "C", 0, "D"),  # end-stage liver function first
        (1, 15, False, False, "B", 0, "0"),  # Child-Pugh B preserved by default
    ],
)
def test_decision_order(
    number: int, size: float, mvi: bool, ehs: bool, cp: str, ecog: int, stage: str
) -> None:
    assert bclc_stage(number, size, mvi, ehs, cp, ecog) == stage


def test_child_pugh_b_end_stage_option() -> None:
    assert bclc_stage(1, 15, False, False, "B7", 0, child_pugh_b="end_stage") == "D"
    assert bclc_stage(1, 15, False, False, "A6", 0, child_pugh_b="end_stage") == "0"


def test_yes_no_flags_series_and_missing() -> None:
    idx = pd.Index(["a", "b", "c"])
    out = bclc_stage(
        pd.Series([1, 2, 1], index=idx),
        pd.Series([50, 80, None], index=idx),
        pd.Series(["Yes", "No", "No"], index=idx),
        pd.Series(["No", "No", "No"], index=idx),
        pd.Series(["A", "A", "A"], index=idx),
        pd.Series([0, 0, 0], index=idx),
    )
    assert out.tolist() == ["C", "B", None]
    assert list(out.index) == list(idx)


def test_invalid_inputs_named() -> None:
    with pytest.raises(InputError, match=r"ecog.*5"):
        bclc_stage(1, 10, False, False, "A", 5)
    with pytest.raises(InputError, match=r"macrovascular_invasion.*'maybe'"):
        bclc_stage(1, 10, "maybe", False, "A", 0)
    with pytest.raises(InputError, match=r"child_pugh_class.*'X'"):
        bclc_stage(1, 10, False, False, "X", 0)
    with pytest.raises(InputError, match="tumor_number"):
        bclc_stage(0, 10, False, False, "A", 0)
