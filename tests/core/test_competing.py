"""CIF as R survfit reports it, landmarks, medians and Gray's tests through the public API
(tests/reference/competing_risks.json, written by validation/r/competing_risks.R)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from conftest import load_reference
from hccsurv.core.competing import cumulative_incidence, gray_test
from hccsurv.errors import InputError

RTOL = 1e-9


def _ref() -> dict[str, Any]:
    return dict(load_reference("competing_risks"))


def _check_survfit(fit: hccsurv.CompetingRisks, ref: dict[str, Any], group: str | None) -> None:
    for cause_label, r in ref["causes"].items():
        curve = fit.curve(int(cause_label), group)
        np.testing.assert_allclose(curve.time, ref["time"], rtol=1e-12)
        np.testing.assert_allclose(curve.n_risk, ref["n_risk"], rtol=1e-12)
        np.testing.assert_allclose(curve.n_event, r["n_event"], rtol=1e-12)
        np.testing.assert_allclose(curve.estimate, r["est"], rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(np.sqrt(curve.variance), r["se"], rtol=RTOL, atol=1e-15)
        # R gives NA limits where the CIF is 0 (NaN here)
        np.testing.assert_allclose(curve.lower, _na(r["lower"]), rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(curve.upper, _na(r["upper"]), rtol=RTOL, atol=1e-15)
        table = fit.at(ref["landmarks"])
        rows = table[
            (table["cause"] == int(cause_label))
            & (table["group"].isna() if group is None else table["group"] == group)
        ]
        np.testing.assert_allclose(rows["estimate"], r["lm_est"], rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(rows["std_err"], r["lm_se"], rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(rows["lower"], _na(r["lm_lower"]), rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(rows["upper"], _na(r["lm_upper"]), rtol=RTOL, atol=1e-15)


def _na(values: list[Any]) -> np.ndarray:
    """R's NA (written by jsonlite as the string "NA") as NaN."""
    return np.array([np.nan if v == "NA" else v for v in values], dtype=float)


@pytest.mark.parametrize("case", ["mgus2", "synthetic"])
def test_survfit_curves_and_landmarks(case: str) -> None:
    ref = _ref()[case]
    causes = [int(c) for c in ref["aj"]["causes"]]
    fit = cumulative_incidence(ref["time"], ref["status"], causes=causes)
    assert fit.method == "survfit"
    _check_survfit(fit, ref["aj"], None)


def test_survfit_per_group_matches_survfit_within_each_sex() -> None:
    ref = _ref()["mgus2"]
    fit = cumulative_incidence(ref["time"], ref["status"], group=ref["sex"])
    assert fit.groups == ("F", "M")
    _check_survfit(fit, ref["aj_female"], "F")
    _check_survfit(fit, ref["aj_male"], "M")


def test_cause_without_events_is_a_flat_zero_curve_and_nan_test() -> None:
    ref = _ref()["synthetic"]
    assert ref["cs3_events"] == 0
    fit = cumulative_incidence(ref["time"], ref["status"], group=ref["arm"], causes=[1, 2, 3])
    curve = fit.curve(3, "a")
    assert np.all(curve.estimate == 0.0)
    assert fit.tests is not None
    assert np.isnan(fit.tests.test(3).statistic)
    assert not np.isnan(fit.tests.test(1).statistic)


def test_gray_tests_with_strata_match_cuminc() -> None:
    ref = _ref()["synthetic"]
    tests = gray_test(ref["time"], ref["status"], ref["arm"], strata=ref["strata"])
    frame = tests.to_frame()
    np.testing.assert_allclose(frame["statistic"], ref["gray"]["stat"], rtol=RTOL)
    np.testing.assert_allclose(frame["p_value"], ref["gray"]["pv"], rtol=1e-8)
    assert list(frame["df"]) == ref["gray"]["df"]
    same = cumulative_incidence(ref["time"], ref["status"], ref["arm"], ref["strata"])
    assert same.tests is not None
    np.testing.assert_allclose(same.tests.to_frame()["statistic"], ref["gray"]["stat"], rtol=RTOL)


def test_cuminc_method_keeps_cmprsk_variance_and_its_grid() -> None:
    legacy = load_reference("competing")["mgus2"]
    assert isinstance(legacy, dict)
    fit = cumulative_incidence(legacy["time"], legacy["status"], method="cuminc")
    for cause, r in legacy["cuminc"].items():
        curve = fit.curve(int(cause))
        np.testing.assert_allclose(curve.time, r["time"], rtol=1e-12)
        np.testing.assert_allclose(curve.variance, r["var"], rtol=RTOL)
        se = np.sqrt(curve.variance)
        np.testing.assert_allclose(
            curve.lower,
            curve.estimate * np.exp(-1.959963984540054 * se / curve.estimate),
            rtol=1e-12,
        )
    # the two methods share the estimate at the cause's jumps
    aj = cumulative_incidence(legacy["time"], legacy["status"]).curve(1)
    c1 = fit.curve(1)
    np.testing.assert_allclose(aj.estimate[np.isin(aj.time, c1.time)], c1.estimate, rtol=1e-12)


def test_censoring_code_and_median() -> None:
    # F1 = 1/4 at t=1 and 1/4 + 3/4 * 1/3 = 1/2 at t=2 (then flat: 3 is a censoring coded 9), so
    # its median is the midpoint of 2 and the last time 4 (R's rule for a curve flat at 0.5);
    # F2 = 1/2 * 1 reaches 0.5 at the last time 4; with 3 of 5 censored no median is reached
    fit = cumulative_incidence([1.0, 2.0, 3.0, 4.0], [1, 1, 9, 2], censored=9)
    assert fit.causes == (1, 2)
    assert fit.curve(1).median == pytest.approx(3.0)
    assert fit.curve(2).median == pytest.approx(4.0)
    late = cumulative_incidence([1.0, 2.0, 3.0, 4.0, 5.0], [1, 2, 0, 0, 0])
    assert late.medians()["median"].isna().tolist() == [True, True]
    assert json.dumps(fit.to_dict(), allow_nan=False)
    assert isinstance(fit.to_frame(), pd.DataFrame)


def test_bad_input_names_row_and_fix() -> None:
    with pytest.raises(InputError, match=r"status\[1\] = 1.5"):
        cumulative_incidence([1.0, 2.0], [1, 1.5])
    with pytest.raises(InputError, match=r"time\[0\]"):
        cumulative_incidence([-1.0, 2.0], [1, 1])
    with pytest.raises(InputError, match="neither censored"):
        cumulative_incidence([1.0, 2.0], [1, 2], causes=[1])
    with pytest.raises(InputError, match="give group too"):
        cumulative_incidence([1.0, 2.0], [1, 2], strata=[1, 2])
    with pytest.raises(InputError, match="at least two groups"):
        gray_test([1.0, 2.0], [1, 2], ["a", "a"])


def test_gray_rho_weight_matches_cuminc() -> None:
    ref = _ref()["synthetic"]
    tests = gray_test(ref["time"], ref["status"], ref["arm"], strata=ref["strata"], rho=1.0)
    np.testing.assert_allclose(tests.to_frame()["statistic"], ref["gray_rho1"]["stat"], rtol=RTOL)
    np.testing.assert_allclose(tests.to_frame()["p_value"], ref["gray_rho1"]["pv"], rtol=1e-8)
