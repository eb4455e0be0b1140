"""Delayed entry by group: ``kaplan_meier_groups(..., entry=)`` and ``logrank(..., entry=)``.

Reference values: ``validation/r/logrank_entry.R`` -> ``tests/reference/logrank_entry.json``
(``survfit(Surv(start, stop, event) ~ group)`` and survdiff's O, E, V written out on the
counting-process risk sets, checked there against the Breslow ``coxph`` score test).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import hccsurv
from conftest import load_reference

REF: dict[str, Any] = load_reference("logrank_entry")


def _nan(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@pytest.mark.parametrize("name", sorted(REF["cases"]))
def test_groups_km_with_entry_matches_r(name: str) -> None:
    case = REF["cases"][name]
    fit = hccsurv.kaplan_meier_groups(
        case["stop"], case["event"], case["group"], entry=case["start"]
    )
    assert fit.labels == tuple(case["curves"])
    for label, ref in case["curves"].items():
        km = fit.curves[label]
        np.testing.assert_array_equal(km.time, ref["time"])
        np.testing.assert_allclose(km.n_risk, ref["n_risk"], rtol=1e-12)
        np.testing.assert_allclose(km.n_event, ref["n_event"], rtol=1e-12)
        np.testing.assert_allclose(km.surv, ref["surv"], rtol=1e-9)
        # R leaves the standard error undefined once the curve reaches 0; ours is inf there
        se = _nan(ref["std_err"])
        undefined = np.isnan(se)
        assert not np.any(np.isfinite(km.std_err[undefined]))
        np.testing.assert_allclose(km.std_err[~undefined], se[~undefined], rtol=1e-9)
        np.testing.assert_allclose(km.lower, _nan(ref["lower"]), rtol=1e-9)
        np.testing.assert_allclose(km.upper, _nan(ref["upper"]), rtol=1e-9)


@pytest.mark.parametrize("name", sorted(REF["cases"]))
def test_logrank_with_entry_matches_r(name: str) -> None:
    case = REF["cases"][name]
    strata = case["strata"] if len(set(case["strata"])) > 1 else None
    lr = hccsurv.logrank(
        case["stop"], case["event"], case["group"], strata=strata, entry=case["start"]
    )
    np.testing.assert_allclose(lr.observed, case["observed"], rtol=1e-12)
    np.testing.assert_allclose(lr.expected, case["expected"], rtol=1e-9)
    np.testing.assert_allclose(lr.variance, case["variance"], rtol=1e-9)
    assert lr.chisq == pytest.approx(case["chisq"], rel=1e-9)
    if "coxph_score" in case:
        assert lr.chisq == pytest.approx(case["coxph_score"], rel=1e-9)


def test_late_entry_changes_the_test() -> None:
    case = REF["cases"]["three_groups"]
    plain = hccsurv.logrank(case["stop"], case["event"], case["group"])
    delayed = hccsurv.logrank(case["stop"], case["event"], case["group"], entry=case["start"])
    assert plain.chisq != pytest.approx(delayed.chisq, rel=1e-6)
