"""Gray's test against ``cmprsk::cuminc(...)$Tests`` (tests/reference/competing.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hccsurv.core.gray_test import gray_test_cuminc
from hccsurv.errors import InputError

REFERENCE = Path(__file__).parents[1] / "reference" / "competing.json"


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


@pytest.mark.parametrize(
    ("key", "data", "group", "strata"),
    [
        ("gray_mgus2_sex", "mgus2", "mgus2_sex", None),
        ("gray_mgus2_sex_strata", "mgus2", "mgus2_sex", "mgus2_old"),
        ("gray_synthetic", "synthetic_ties", "synthetic_group", None),
        ("gray_synthetic_strata", "synthetic_ties", "synthetic_group", "synthetic_strata"),
    ],
)
def test_matches_cuminc_tests(key: str, data: str, group: str, strata: str | None) -> None:
    ref = _reference()
    expected = ref[key]
    for i, cause in enumerate(expected["cause"]):
        fit = gray_test_cuminc(
            ref[data]["time"],
            ref[data]["status"],
            ref[group],
            strata=None if strata is None else ref[strata],
            cause=int(cause),
        )
        assert fit.df == expected["df"][i]
        np.testing.assert_allclose(fit.statistic, expected["stat"][i], rtol=1e-9)
        np.testing.assert_allclose(fit.p_value, expected["pv"][i], rtol=1e-8)
    assert json.dumps(fit.to_dict())
    assert list(fit.to_frame().columns) == ["cause", "statistic", "p_value", "df"]


def test_needs_two_groups() -> None:
    with pytest.raises(InputError):
        gray_test_cuminc([1.0, 2.0], [1, 0], ["a", "a"])
