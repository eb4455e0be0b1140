"""R parity of the propensity-score chain on the committed cohort (tests/reference/adjust.json).

Reference: ``Rscript validation/r/adjust.R`` (R 4.2.2, survival 3.5-3, MatchIt 4.5.1):
``glm(treat ~ ..., binomial)``; ``matchit(..., method = "nearest", distance = "glm",
link = "linear.logit", mahvars = ~lps, caliper =, ratio =, replace =, m.order =, exact =)``;
``coxph(Surv(time, event) ~ treat, weights = weights, cluster = subclass)`` (or
``robust = TRUE``); ``survfit(..., weights =, influence = TRUE)`` for the RMST; cobalt-formula
balance written out in R. :func:`compare_reference` is shared with the live test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.adjust.balance import covariate_balance
from hccsurv.analysis.adjust.matching import match_nearest
from hccsurv.analysis.adjust.outcomes import adjusted_outcome, weighted_rmst
from hccsurv.analysis.adjust.propensity import PropensityModel, fit_propensity
from hccsurv.analysis.adjust.weighting import ps_weights

COVARIATES = ["age", "sex", "etiology", "child_pugh", "log_afp", "tumor_gt_10cm"]
ORDER = ["First-line", "Post-ate-beva"]
RTOL = 1e-6
_SPECIAL = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}

MATCH_OPTIONS: dict[str, dict[str, Any]] = {
    "nearest_caliper": {"caliper": 0.2},
    "nearest_smallest": {"m_order": "smallest"},
    "nearest_data_caliper": {"m_order": "data", "caliper": 0.1},
    "ratio2_caliper": {"ratio": 2, "caliper": 0.2},
    "ratio3": {"ratio": 3},
    "replace_caliper": {"replace": True, "caliper": 0.2},
    "replace_ratio2": {"replace": True, "ratio": 2},
    "exact_sex_caliper": {"exact": ["sex"], "caliper": 0.2},
    "tight_caliper": {"caliper": 0.02},
}
WEIGHT_OPTIONS: dict[str, dict[str, Any]] = {
    "ate": {"estimand": "ATE"},
    "att": {"estimand": "ATT"},
    "stabilized": {"estimand": "ATE", "weight_type": "stabilized"},
    "overlap": {"weight_type": "overlap"},
}


def arr(values: Any) -> np.ndarray:
    """R JSON (scalars unboxed, NA as text) as a float array."""
    seq = values if isinstance(values, list) else [values]
    return np.array([_SPECIAL[v] if isinstance(v, str) else v for v in seq], dtype=float)


def close(actual: Any, expected: Any, rtol: float = RTOL, atol: float = 0.0) -> None:
    np.testing.assert_allclose(
        np.atleast_1d(np.asarray(actual, dtype=float)),
        arr(expected),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
    )


def _compare_cox(outcome: Any, ref: dict[str, Any]) -> None:
    close(outcome.coef, ref["coef"])
    close(outcome.se, ref["se"])
    close(outcome.robust_se, ref["robust_se"])
    close(outcome.p, ref["p"])
    close([outcome.hr_lower, outcome.hr_upper], [ref["hr_lower"], ref["hr_upper"]])
    if outcome.score_chisq is not None:
        close(outcome.score_chisq, ref["robust_score"])


def _compare_rmst(
    frame: pd.DataFrame, treated: np.ndarray, w: np.ndarray, cl: Any, ref: Any
) -> None:
    keep = w > 0
    r = weighted_rmst(
        frame["time"].to_numpy()[keep],
        frame["event"].to_numpy()[keep],
        treated[keep],
        w[keep],
        np.asarray(cl)[keep],
        float(ref["tau"]),
    )
    close([r.reference, r.treated], [ref["rmst0"], ref["rmst1"]])
    close(
        [r.reference_se, r.treated_se, r.difference_se],
        [ref["se0"], ref["se1"], ref["difference_se"]],
    )


def _balance_rows(model: PropensityModel, w: np.ndarray, estimand: str) -> pd.DataFrame:
    bal = covariate_balance(model.design, model.treated, w, estimand=estimand, adjustment="x")
    frame = bal.to_frame()
    # R's model.matrix columns: the non-reference levels only
    is_ref = [
        t.reference is not None and len(t.levels) > 1 and r.level == t.reference
        for r in bal.rows
        for t in [model.design.term(r.variable)]
    ]
    return frame.loc[~np.array(is_ref)].reset_index(drop=True)


def compare_reference(ref: dict[str, Any], frame: pd.DataFrame) -> None:
    """Run every computation of validation/r/adjust.R on ``frame`` and compare with ``ref``."""
    model = fit_propensity(frame, "group", ORDER, COVARIATES)
    close(model.coef, ref["ps"]["coef"], rtol=1e-8)
    close(model.se, ref["ps"]["se"])
    close(model.ps, ref["ps"]["ps"], rtol=1e-8)
    close(model.linear, ref["ps"]["linear"], rtol=1e-8)

    for den, estimand in (("pooled", "ATE"), ("treated", "ATT")):
        rows = _balance_rows(model, np.ones(model.n), estimand)
        close(rows["smd_before"], ref["balance_unadjusted"][den]["smd"])
        close(rows["variance_ratio_before"], ref["balance_unadjusted"][den]["variance_ratio"])

    for case in ref["matching"]:
        opts = dict(MATCH_OPTIONS[case["name"]])
        if "exact" in opts:
            opts["exact"] = frame[opts["exact"]]
        m = match_nearest(model.linear, model.treated, **opts)
        expected_mm = np.asarray(case["match_matrix"], dtype=int).reshape(m.match_matrix.shape)
        np.testing.assert_array_equal(
            m.match_matrix, np.where(expected_mm > 0, expected_mm - 1, -1)
        )
        np.testing.assert_array_equal(m.treated_positions + 1, arr(case["treated_rows"]))
        np.testing.assert_array_equal(m.subclass, np.maximum(arr(case["subclass"]), 0))
        close(m.weights, case["weights"], rtol=1e-12)
        close(m.distance, case["distance"], rtol=1e-8)
        if isinstance(case["caliper"], float):
            close(m.caliper_width, case["caliper"], rtol=1e-8)
        out = adjusted_outcome(
            frame["time"], frame["event"], model.treated, m.weights, m.cluster, labels=ORDER
        )
        _compare_cox(out, case["cox"])
        close([out.medians[g][0] for g in ORDER], case["median"], rtol=1e-12)
        _compare_rmst(frame, model.treated, m.weights, m.cluster, case["rmst"])
        if case["name"] == "nearest_caliper":
            rows = _balance_rows(model, m.weights, "ATT")
            close(rows["smd_after"], ref["balance_matched"]["smd"])
            close(rows["variance_ratio_after"], ref["balance_matched"]["variance_ratio"])

    design = model.design.to_frame().reset_index(drop=True)
    for name, case in ref["weighting"].items():
        w = ps_weights(model.ps, model.treated, **WEIGHT_OPTIONS[name])
        close(w.weights, case["weights"], rtol=1e-8)
        close([w.ess_treated, w.ess_control], [case["ess_treated"], case["ess_control"]])
        out = adjusted_outcome(
            frame["time"], frame["event"], model.treated, w.weights, w.cluster, labels=ORDER
        )
        _compare_cox(out, case["cox"])
        close([out.medians[g][0] for g in ORDER], case["median"], rtol=1e-12)
        dr = adjusted_outcome(
            frame["time"],
            frame["event"],
            model.treated,
            w.weights,
            w.cluster,
            labels=ORDER,
            covariates=design,
        )
        _compare_cox(dr, {k: arr(v)[0] for k, v in case["cox_dr"].items()})
        _compare_rmst(frame, model.treated, w.weights, w.cluster, case["rmst"])
        rows = _balance_rows(model, w.weights, "ATT" if name == "att" else "ATE")
        # ATT weights balance the PS-model covariates exactly (the logistic score equations):
        # SMDs of order 1e-14 there, hence the absolute tolerance
        close(rows["smd_after"], case["balance"]["smd"], atol=1e-10)
        close(rows["variance_ratio_after"], case["balance"]["variance_ratio"])


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(R_DATA_DIR / "adjust_cohort.csv")


def test_parity_with_r_reference(cohort: pd.DataFrame) -> None:
    # Rscript validation/r/adjust.R: glm + MatchIt 4.5.1 + coxph(weights, cluster) + survfit IJ
    ref = load_reference("adjust")
    assert ref["n"] == len(cohort)
    compare_reference(ref, cohort)


def test_reference_cases_exercise_unmatched_and_ratio(cohort: pd.DataFrame) -> None:
    ref: dict[str, Any] = load_reference("adjust")
    cases = {c["name"]: np.asarray(c["match_matrix"]) for c in ref["matching"]}
    assert (cases["tight_caliper"] < 0).any()  # some treated patients unmatched
    assert cases["ratio3"].shape[1] == 3 and (cases["ratio3"][:, 2] < 0).any()
