"""adjust_study: the whole chain on the committed cohort, options, JSON output, outcomes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from conftest import R_DATA_DIR
from hccsurv.analysis.adjust import adjust_study
from hccsurv.analysis.adjust.outcomes import OUTCOME_COLUMNS, adjusted_outcome
from hccsurv.config import AdjustConfig
from hccsurv.errors import InputError

COVARIATES = ["age", "sex", "etiology", "child_pugh", "log_afp", "tumor_gt_10cm"]
ORDER = ["First-line", "Post-ate-beva"]
ENDPOINTS = {"OS": ("time", "event")}


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(R_DATA_DIR / "adjust_cohort.csv").set_index("patient_id")


def test_matching_with_the_config_section(cohort: pd.DataFrame) -> None:
    cfg = AdjustConfig(method="matching", covariates=COVARIATES)
    res = adjust_study(cohort, ENDPOINTS, "group", ORDER, cfg)
    assert res.method == "matching" and res.estimand == "ATT"
    assert res.matching is not None and res.weighting is None
    assert res.flow["n_treated_matched"] == 76 and res.flow["n_treated_unmatched"] == 11
    out = res.outcomes["OS"]
    assert out.cluster == "subclass" and not out.doubly_robust
    assert out.hr_lower < out.hr < out.hr_upper
    assert res.balance.max_abs_smd_after < res.balance.max_abs_smd_before
    assert list(res.to_frame().columns) == list(OUTCOME_COLUMNS)
    text = json.dumps(res.to_dict())
    assert "P001" not in text and "HCC" not in text
    assert any("1:1 nearest-neighbour" in n for n in res.notes)


def test_weighting_doubly_robust_with_an_rmst_horizon(cohort: pd.DataFrame) -> None:
    cfg = AdjustConfig(
        method="weighting",
        covariates=COVARIATES,
        estimand="ATE",
        weight_type="overlap",
        doubly_robust=True,
    )
    res = adjust_study(cohort, ENDPOINTS, "group", ORDER, cfg, rmst_tau=12.0)
    assert res.estimand == "ATO" and res.weighting is not None
    out = res.outcomes["OS"]
    assert out.doubly_robust and out.cluster == "patient" and out.rmst.tau == 12.0
    assert len(out.cox.to_frame()) == 1 + 8  # treated + the 8 design columns
    json.dumps(res.to_dict())


def test_matching_rejects_the_ate() -> None:
    with pytest.raises(ValidationError, match="matching estimates the ATT"):
        AdjustConfig(method="matching", covariates=COVARIATES, estimand="ATE")


def test_the_options_have_one_declaration_with_their_defaults() -> None:
    cfg = AdjustConfig(method="matching", covariates=["age"])
    assert (cfg.caliper, cfg.ratio, cfg.m_order, cfg.missing, cfg.truncate) == (
        0.2,
        1,
        "largest",
        "complete",
        None,
    )
    with pytest.raises(ValidationError, match="covariates"):
        AdjustConfig(method="matching")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="'matching' or 'weighting'"):
        AdjustConfig(method="x", covariates=["age"])  # type: ignore[arg-type]


def test_missing_covariates_are_counted_in_the_flow(cohort: pd.DataFrame) -> None:
    d = cohort.copy()
    d.loc[["P001", "P002", "P003"], "log_afp"] = np.nan
    res = adjust_study(
        d, ENDPOINTS, "group", ORDER, AdjustConfig(method="matching", covariates=COVARIATES)
    )
    assert res.flow["n_missing_covariates"] == 3 and res.flow["n_propensity"] == len(d) - 3


def test_outcome_drops_zero_weights_and_reports_medians() -> None:
    time = np.array([1.0, 4.0, 3.0, 5.0, 2.0, 6.0, 7.0, 8.0])
    event = np.array([1, 1, 0, 1, 1, 0, 1, 1])
    treated = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=bool)
    w = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    out = adjusted_outcome(time, event, treated, w, np.arange(8), labels=("A", "B"))
    assert out.n == 7
    assert out.medians["A"][0] == pytest.approx(4.0)  # A: events at 1, 4, 5 (3 has weight 0)
    with pytest.raises(InputError, match="lacks one of the groups"):
        adjusted_outcome(
            time, event, treated, np.where(treated, 0.0, 1.0), np.arange(8), labels=("A", "B")
        )


def test_covariates_left_imbalanced_are_named_in_a_warning(cohort: pd.DataFrame) -> None:
    # 1:1 matching with the default caliper leaves etiology imbalanced (|SMD| 0.13 and 0.11)
    cfg = AdjustConfig(method="matching", covariates=COVARIATES)
    res = adjust_study(cohort, ENDPOINTS, "group", ORDER, cfg, labels={"etiology": "Etiology"})
    assert not res.balance.all_balanced
    off = [r for r in res.balance.rows if not r.balanced]
    (warning,) = [w for w in res.warnings if w.startswith("After matching")]
    assert f"{len(off)} of {len(res.balance.rows)} covariate terms remain imbalanced" in warning
    worst = max(off, key=lambda r: abs(r.smd_after))
    assert f"Etiology: {worst.level} ({worst.smd_after:+.2f})" in warning
    assert "adjust.doubly_robust = true" in warning
    dr = AdjustConfig(method="matching", covariates=COVARIATES, doubly_robust=True)
    res_dr = adjust_study(cohort, ENDPOINTS, "group", ORDER, dr)
    assert any("the doubly robust model already adjusts for them" in w for w in res_dr.warnings)


def test_no_imbalance_warning_when_weighting_balances(cohort: pd.DataFrame) -> None:
    res = adjust_study(
        cohort, ENDPOINTS, "group", ORDER, AdjustConfig(method="weighting", covariates=COVARIATES)
    )
    assert res.balance.all_balanced
    assert not [w for w in res.warnings if "imbalanced" in w]


def test_exact_matching_and_doubly_robust_from_the_config_section(cohort: pd.DataFrame) -> None:
    cfg = AdjustConfig(method="matching", covariates=COVARIATES, exact=["sex"], doubly_robust=True)
    res = adjust_study(cohort, ENDPOINTS, "group", ORDER, cfg)
    assert any("exact on sex" in n for n in res.notes)
    assert res.outcomes["OS"].doubly_robust
