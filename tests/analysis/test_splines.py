"""Restricted cubic splines against R (``validation/r/splines.R``): Hmisc ``rcspline.eval``
knots and basis, ``cph(Surv ~ rcs(x, k) + age)``, ``anova``'s non-linearity test, the LR test
against the linear model and ``rms::contrast`` HR curves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.errors import InputError, StatisticalWarning

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "splines.json").read_text())[
    "cases"
]


def check(result: hccsurv.SplineCox, ref: dict[str, Any]) -> None:
    np.testing.assert_allclose(result.knots, ref["knots"], rtol=1e-12)
    np.testing.assert_allclose(result.model.fit.coef, ref["coef"], rtol=1e-7)
    np.testing.assert_allclose(result.model.fit.se, ref["se"], rtol=1e-7)
    assert result.model.loglik == pytest.approx(ref["loglik"][1], rel=1e-10)
    lr = 2.0 * (ref["loglik"][1] - ref["loglik_linear"])
    assert result.nonlinear_lr.chisq == pytest.approx(lr, rel=1e-7)
    assert result.nonlinear_lr.df == len(ref["knots"]) - 2
    assert result.nonlinear_wald.chisq == pytest.approx(ref["wald_nonlinear"], rel=1e-7)
    assert result.overall_wald.chisq == pytest.approx(ref["wald_x"], rel=1e-7)
    np.testing.assert_allclose(result.log_hr, ref["log_hr"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(result.log_hr_se, ref["log_hr_se"], rtol=1e-7)
    np.testing.assert_allclose(np.log(result.hr_lower), ref["lower"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(np.log(result.hr_upper), ref["upper"], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("case", sorted(REF))
def test_spline_cox_matches_rms(case: str) -> None:
    ref = REF[case]
    data = pd.DataFrame(ref["data"])
    result = hccsurv.spline_cox(
        data,
        "time",
        "event",
        "x",
        knots=ref["nk"],
        covariates=["age"],
        reference=ref["ref"],
        grid=ref["grid"],
    )
    check(result, ref)
    basis = hccsurv.rcs(data["x"].to_numpy()[:10], ref["knots"], name="x")
    np.testing.assert_allclose(basis.basis, ref["basis"], rtol=1e-10, atol=1e-14)
    assert basis.to_frame().columns.tolist() == ["x", "x'", "x''", "x'''"][: len(ref["knots"]) - 1]
    assert result.to_dict()["nonlinear_lr"]["df"] == len(ref["knots"]) - 2


def test_knot_rule_below_100_uses_fifth_smallest_and_largest() -> None:
    x = np.random.default_rng(3).normal(size=60)
    s = np.sort(x)
    knots = hccsurv.rcs_knots(x, 4)
    assert (knots[0], knots[-1]) == (s[4], s[-5])
    inner = np.quantile(x, np.linspace(0.05, 0.95, 4))[1:3]
    np.testing.assert_allclose(knots[1:3], inner, rtol=1e-14)
    # at 100 values and more: the quantiles themselves
    y = np.random.default_rng(4).normal(size=150)
    np.testing.assert_allclose(
        hccsurv.rcs_knots(y, 5), np.quantile(y, np.linspace(0.05, 0.95, 5)), rtol=1e-14
    )


def test_few_distinct_values_warn_and_bad_input_raises() -> None:
    with pytest.warns(StatisticalWarning, match="distinct values"):
        knots = hccsurv.rcs_knots([1, 2, 3, 4, 5, 6, 1, 2], 5)
    assert knots.tolist() == [2.0, 3.0, 4.0, 5.0]
    with pytest.raises(InputError, match="at least 6"):
        hccsurv.rcs_knots([1.0, 2.0, 3.0], 3)
    frame = pd.DataFrame(REF["small3"]["data"]).astype({"x": object})
    frame.loc[2, "x"] = "high"
    with pytest.raises(InputError, match="patient 2: x='high' is not a number"):
        hccsurv.spline_cox(frame, "time", "event", "x", knots=3)
