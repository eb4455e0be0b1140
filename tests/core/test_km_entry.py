"""Delayed entry in ``kaplan_meier(time, event, entry=start)`` against R.

Reference values: ``validation/r/km_entry.R`` -> ``tests/reference/km_entry.json``
(counting-process ``survfit(Surv(start, stop, event) ~ 1)`` on ``survival::heart`` and a
left-truncated draw with integer days).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import hccsurv
from conftest import load_reference
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("km_entry")


def _nan(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@pytest.mark.parametrize("name", sorted(REF["cases"]))
def test_counting_process_km_matches_r(name: str) -> None:
    case = REF["cases"][name]
    km = hccsurv.kaplan_meier(
        case["stop"], case["event"], entry=case["start"], conf_type=case["conf_type"]
    )
    np.testing.assert_array_equal(km.time, case["time"])
    np.testing.assert_allclose(km.n_risk, case["n_risk"], rtol=1e-12)
    np.testing.assert_allclose(km.n_event, case["n_event"], rtol=1e-12)
    np.testing.assert_allclose(km.n_censor, case["n_censor"], rtol=1e-12)
    np.testing.assert_allclose(km.surv, case["surv"], rtol=1e-9)
    np.testing.assert_allclose(km.std_err, _nan(case["std_err"]), rtol=1e-9)
    np.testing.assert_allclose(km.lower, _nan(case["lower"]), rtol=1e-9)
    np.testing.assert_allclose(km.upper, _nan(case["upper"]), rtol=1e-9)
    assert km.median == pytest.approx(case["median"], rel=1e-12)


def test_entry_at_zero_is_the_ordinary_curve() -> None:
    case = REF["cases"]["days_plain"]
    stop, event = case["stop"], case["event"]
    plain = hccsurv.kaplan_meier(stop, event)
    zero = hccsurv.kaplan_meier(stop, event, entry=np.zeros(len(stop)))
    np.testing.assert_allclose(zero.surv, plain.surv, rtol=1e-12)
    np.testing.assert_allclose(zero.n_risk, plain.n_risk, rtol=1e-12)


def test_entry_must_precede_exit() -> None:
    with pytest.raises(InputError, match="below time"):
        hccsurv.kaplan_meier([5.0, 3.0], [1, 0], entry=[1.0, 3.0])
    with pytest.raises(InputError, match="shape"):
        hccsurv.kaplan_meier([5.0, 3.0], [1, 0], entry=[1.0])
