"""Fine-Gray (crr and coxph-on-finegray) and cause-specific Cox models on data frames, against
tests/reference/competing_risks.json (validation/r/competing_risks.R)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from conftest import load_reference
from hccsurv.core.fine_gray import fine_gray_fit
from hccsurv.errors import InputError

RTOL = 1e-7  # crr and coxph stop iterating at their own tolerances; both are replayed here


def _frame(case: str) -> tuple[pd.DataFrame, dict[str, Any], list[str], dict[str, str]]:
    ref = dict(load_reference("competing_risks"))[case]
    if case == "mgus2":
        cols = {"age": ref["age"], "sex": ref["sex"], "hgb": ref["hgb"]}
        return (
            pd.DataFrame({"time": ref["time"], "status": ref["status"], **cols}),
            ref,
            ["age", "sex", "hgb"],
            {},
        )
    frame = pd.DataFrame(
        {"time": ref["time"], "status": ref["status"], "x": ref["x"], "arm": ref["arm"]}
    )
    return frame, ref, ["x", "arm"], {"arm": "b"}


def _compare(table: pd.DataFrame, r: dict[str, Any], model_se: bool = True) -> None:
    np.testing.assert_allclose(table["coef"], r["coef"], rtol=RTOL)
    np.testing.assert_allclose(table["se"], r["se"], rtol=RTOL)
    if model_se:
        np.testing.assert_allclose(table["model_se"], r["model_se"], rtol=RTOL)
    np.testing.assert_allclose(table["p"], r["p"], rtol=RTOL)
    np.testing.assert_allclose(table["hr_lower"], r["lower"], rtol=RTOL)
    np.testing.assert_allclose(table["hr_upper"], r["upper"], rtol=RTOL)


@pytest.mark.parametrize(
    ("case", "cause"), [("mgus2", 1), ("mgus2", 2), ("synthetic", 1), ("synthetic", 2)]
)
def test_finegray_matches_crr(case: str, cause: int) -> None:
    frame, ref, covariates, reference = _frame(case)
    model = hccsurv.finegray(frame, "time", "status", covariates, cause=cause, reference=reference)
    r = ref[f"crr{cause}"]
    assert model.method == "crr" and model.fit.ties == "breslow"
    _compare(model.to_frame(), r)
    assert model.fit.loglik == pytest.approx(r["loglik"], rel=1e-9)
    assert model.fit.loglik_null == pytest.approx(r["loglik_null"], rel=1e-9)
    assert model.fit.converged is r["converged"]


@pytest.mark.parametrize(("case", "cause"), [("mgus2", 1), ("mgus2", 2), ("synthetic", 1)])
def test_finegray_matches_coxph_on_finegray_data(case: str, cause: int) -> None:
    frame, ref, covariates, reference = _frame(case)
    model = hccsurv.finegray(
        frame, "time", "status", covariates, cause=cause, reference=reference, method="finegray"
    )
    r = ref[f"finegray{cause}"]
    assert model.fit.ties == "efron"
    _compare(model.to_frame(), r)
    assert model.fit.loglik == pytest.approx(r["loglik"], rel=1e-9)
    assert model.fit.loglik_null == pytest.approx(r["loglik_null"], rel=1e-9)


def test_the_two_weightings_differ_only_where_censorings_tie_events() -> None:
    frame, _, covariates, reference = _frame("synthetic")
    crr = hccsurv.finegray(frame, "time", "status", covariates, reference=reference)
    fg = hccsurv.finegray(
        frame, "time", "status", covariates, reference=reference, method="finegray"
    )
    assert not np.allclose(crr.fit.coef, fg.fit.coef, rtol=1e-6)  # ties: they differ
    t = np.asarray(frame["time"], dtype=float) + np.linspace(0.0, 0.5, len(frame))  # untied
    x = np.column_stack([frame["x"], frame["arm"] == "a"]).astype(float)
    a = fine_gray_fit(t, frame["status"], x, gtol=1e-13)  # iterate crr to the same optimum
    b = fine_gray_fit(t, frame["status"], x, method="finegray")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8)  # no ties: Breslow = Efron, same G
    np.testing.assert_allclose(a.model_se, b.model_se, rtol=1e-6)


@pytest.mark.parametrize(("case", "cause"), [("mgus2", 1), ("mgus2", 2), ("synthetic", 1)])
def test_cause_specific_cox_matches_coxph(case: str, cause: int) -> None:
    frame, ref, covariates, reference = _frame(case)
    cs = hccsurv.cause_specific_cox(
        frame, "time", "status", covariates, cause=cause, reference=reference
    )
    r = ref[f"cs{cause}"]
    table = cs.to_frame()
    assert (table["cause"] == cause).all()
    np.testing.assert_allclose(table["coef"], r["coef"], rtol=RTOL)
    np.testing.assert_allclose(table["se"], r["se"], rtol=RTOL)
    np.testing.assert_allclose(table["p"], r["p"], rtol=RTOL)
    np.testing.assert_allclose(table["hr_lower"], r["lower"], rtol=RTOL)
    np.testing.assert_allclose(table["hr_upper"], r["upper"], rtol=RTOL)
    status = frame["status"].to_numpy()
    assert cs.n_competing == int(((status != cause) & (status != 0)).sum())
    assert cs.model.event_col == f"status == {cause}"


def test_factor_rows_and_results_are_exported() -> None:
    frame, _, covariates, reference = _frame("synthetic")
    model = hccsurv.finegray(frame, "time", "status", covariates, reference=reference)
    table = model.to_frame()
    assert list(table["level"]) == [None, "a", "c"]
    assert list(table["reference"]) == [None, "b", "b"]
    np.testing.assert_allclose(table["hr"], np.exp(table["coef"]), rtol=1e-12)
    out = model.to_dict()
    assert json.dumps(out, allow_nan=False)
    assert out["n"] == len(frame) and out["n_events"] == int((frame["status"] == 1).sum())
    assert out["lr_test"]["df"] == 3


def test_missing_status_is_dropped_and_listed_bad_status_is_an_error() -> None:
    frame, _, covariates, reference = _frame("synthetic")
    frame = frame.astype({"status": float})
    frame.loc[3, "status"] = np.nan
    model = hccsurv.finegray(frame, "time", "status", covariates, reference=reference)
    assert model.dropped == (3,) and model.n == len(frame) - 1
    cs = hccsurv.cause_specific_cox(frame, "time", "status", covariates, reference=reference)
    kept = frame["status"].drop(index=3)
    assert cs.model.n == len(frame) - 1 and cs.n_competing == int((kept == 2).sum())
    frame.loc[5, "status"] = 1.5
    with pytest.raises(InputError, match=r"patient 5: column 'status' = 1.5"):
        hccsurv.finegray(frame, "time", "status", covariates)
    with pytest.raises(InputError, match="censoring code"):
        hccsurv.cause_specific_cox(frame, "time", "status", covariates, cause=0)
    with pytest.raises(InputError, match="no row has 'status' = 3"):
        hccsurv.finegray(frame.drop(index=5), "time", "status", covariates, cause=3)
    frame.loc[7, "time"] = -2.0
    with pytest.raises(InputError, match=r"patient 7: column 'time' = -2 is not"):
        hccsurv.finegray(frame.drop(index=5), "time", "status", covariates)
    frame.loc[7, "time"] = 2.0
    with pytest.raises(InputError, match="method='fast'"):
        hccsurv.finegray(frame.drop(index=5), "time", "status", covariates, method="fast")


def test_term_wald_tests_use_the_reported_variance() -> None:
    frame, _, covariates, reference = _frame("synthetic")
    model = hccsurv.finegray(frame, "time", "status", covariates, reference=reference)
    arm, x = model.term_tests[1], model.term_tests[0]
    b, v = model.fit.coef[1:], model.fit.var[1:, 1:]
    assert (arm.variable, arm.df, x.variable) == ("arm", 2, "x")
    assert arm.chisq == pytest.approx(float(b @ np.linalg.solve(v, b)), rel=1e-12)
    assert x.chisq == pytest.approx(float(model.fit.z[0] ** 2), rel=1e-12)
