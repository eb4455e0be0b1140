"""hccsurv.coxph (analysis/coxph.py) on data frames against R (validation/r/cox.R -> cox.json)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.coxph import COEFFICIENT_COLUMNS, coxph
from hccsurv.analysis.design import build_design
from hccsurv.errors import InputError, StatisticalWarning

REF: dict[str, Any] = load_reference("cox")


def _close(actual: Any, expected: Any, rtol: float = 1e-6) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rtol
    )


def _lung() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "lung.csv")
    d["event"] = d["status"] - 1
    d["ecog"] = pd.Categorical(d["ph.ecog"].map(lambda v: None if pd.isna(v) else str(int(v))))
    return d


def _check_model(frame: pd.DataFrame, ref: dict[str, Any]) -> None:
    _close(frame["coef"], ref["coef"], rtol=1e-8)
    _close(frame["se"], ref["se"])
    _close(frame["p"], ref["p"])
    _close(frame["hr_lower"], ref["hr_lower"])
    _close(frame["hr_upper"], ref["hr_upper"])


def test_lung_multivariable_frame() -> None:
    # R: coxph(Surv(time, status) ~ age + sex + factor(ph.ecog) + wt.loss, data = lung)
    ref = REF["lung_multi"]
    m = coxph(_lung(), "time", "event", ["age", "sex", "ecog", "wt.loss"])
    frame = m.to_frame()
    assert tuple(frame.columns) == COEFFICIENT_COLUMNS
    _check_model(frame, ref)
    assert list(frame["level"]) == [None, None, "1", "2", "3", None]
    assert list(frame["reference"]) == [None, None, "0", "0", "0", None]
    assert frame["robust_se"].isna().all()
    assert (m.n, m.n_events, m.n_dropped) == (213, ref["nevent"], 15)
    assert len(m.dropped) == 15 and 13 in m.dropped  # row 14 of lung has wt.loss NA
    _close([m.loglik_null, m.loglik], ref["loglik"], rtol=1e-9)
    _close(
        [m.lr_test.chisq, m.wald_test.chisq, m.score_test.chisq],
        [ref["lr"][0], ref["wald"][0], ref["score"][0]],
    )
    # R: summary(fit)$concordance
    _close([m.concordance, m.concordance_se], ref["concordance"])
    # R: manual Wald test of the three ph.ecog coefficients
    ecog = m.term_test("ecog")
    assert ecog.df == 3
    _close([ecog.chisq, ecog.p], [ref["term_wald"]["ecog"]["chisq"], ref["term_wald"]["ecog"]["p"]])
    # one-df terms: term p equals the coefficient p
    _close(m.term_test("age").p, frame["p"].iloc[0], rtol=1e-12)
    assert m.iterations == ref["iter"] and m.converged and m.warnings == ()


def test_lung_zph() -> None:
    # R: cox.zph(fit, transform = "km", terms = TRUE)$table
    for case, ties in (("lung_multi", "efron"), ("lung_multi_breslow", "breslow")):
        ref = REF[case]["zph"]
        z = (
            coxph(_lung(), "time", "event", ["age", "sex", "ecog", "wt.loss"], ties=ties)
            .zph()
            .to_frame()
        )
        assert list(z["term"]) == ["age", "sex", "ecog", "wt.loss", "GLOBAL"]
        _close(z["chisq"], ref["chisq"])
        _close(z["df"], ref["df"])
        _close(z["p"], ref["p"])


def test_lung_predicted_survival() -> None:
    # R: survfit(fit, newdata = data.frame(age = 60, sex = 2, ecog = "1", wt.loss = 5))
    ref = REF["lung_multi"]["predict"]
    m = coxph(_lung(), "time", "event", ["age", "sex", "ecog", "wt.loss"])
    curve = m.predict_survival({"age": 60, "sex": 2, "ecog": "1", "wt.loss": 5})
    _close(curve.time, ref["time"], rtol=0)
    _close(curve.n_risk, ref["n_risk"])
    _close(curve.cumhaz, ref["cumhaz"])
    _close(curve.surv, ref["surv"])
    _close(curve.std_err, ref["std_err"])
    _close(curve.lower, ref["lower"])
    _close(curve.upper, ref["upper"])
    refb = REF["lung_multi_breslow"]["predict"]
    mb = coxph(_lung(), "time", "event", ["age", "sex", "ecog", "wt.loss"], ties="breslow")
    cb = mb.predict_survival({"age": 60, "sex": 2, "ecog": "1", "wt.loss": 5})
    _close(cb.surv, refb["surv"])
    _close(cb.std_err, refb["std_err"])
    with pytest.raises(InputError, match="not a level"):
        m.predict_survival({"age": 60, "sex": 2, "ecog": "7", "wt.loss": 5})
    with pytest.raises(InputError, match=r"no value for 'wt\.loss'"):
        m.predict_survival({"age": 60, "sex": 2, "ecog": "1"})


def test_veteran_reference_levels() -> None:
    v = pd.read_csv(R_DATA_DIR / "veteran.csv")
    # R: coxph(Surv(time, status) ~ trt + relevel(factor(celltype), "squamous") + karno)
    sq = coxph(
        v, "time", "status", ["trt", "celltype", "karno"], reference={"celltype": "squamous"}
    )
    _check_model(sq.to_frame(), REF["veteran_squamous"])
    assert list(sq.to_frame()["level"].iloc[1:4]) == ["adeno", "large", "smallcell"]
    _close(
        sq.term_test("celltype").chisq, REF["veteran_squamous"]["term_wald"]["celltype"]["chisq"]
    )
    z = sq.zph().to_frame()
    _close(z["chisq"], REF["veteran_squamous"]["zph"]["chisq"])
    # R: coxph(Surv(time, status) ~ trt + factor(celltype) + karno): alphabetical, reference adeno
    alpha = coxph(v, "time", "status", ["trt", "celltype", "karno"])
    _check_model(alpha.to_frame(), REF["veteran_alpha"])
    assert set(alpha.to_frame()["reference"].dropna()) == {"adeno"}
    # the term test does not depend on the reference level
    _close(alpha.term_test("celltype").chisq, sq.term_test("celltype").chisq, rtol=1e-9)


def test_veteran_strata_and_prediction() -> None:
    # R: coxph(Surv(time, status) ~ trt + karno + strata(celltype)); survfit(newdata=...)
    v = pd.read_csv(R_DATA_DIR / "veteran.csv")
    m = coxph(v, "time", "status", ["trt", "karno"], strata="celltype")
    _check_model(m.to_frame(), REF["veteran_strata"])
    curve = m.predict_survival({"trt": 2, "karno": 60, "celltype": "large"})
    ref = REF["veteran_strata"]["predict"]
    _close(curve.time, ref["time"], rtol=0)
    _close(curve.surv, ref["surv"])
    _close(curve.std_err, ref["std_err"])
    with pytest.raises(InputError, match="stratum column"):
        m.predict_survival({"trt": 2, "karno": 60})


def test_colon_recurrence() -> None:
    # R: coxph(Surv(time, status) ~ relevel(rx, "Obs") + sex + age + nodes, colon[etype == 2, ])
    c = pd.read_csv(R_DATA_DIR / "colon.csv")
    c = c[c["etype"] == 2]
    m = coxph(c, "time", "status", ["rx", "sex", "age", "nodes"], reference={"rx": "Obs"})
    ref = REF["colon"]
    _check_model(m.to_frame(), ref)
    assert m.n == ref["n"] and m.n_dropped == len(c) - ref["n"]
    _close([m.concordance, m.concordance_se], ref["concordance"])
    _close(m.term_test("rx").chisq, ref["term_wald"]["rx"]["chisq"])
    _close(m.zph().to_frame()["chisq"], ref["zph"]["chisq"])


def test_weights_cluster_robust() -> None:
    d = _lung()
    d["w"] = np.arange(len(d)) % 3 + 1.0
    # R: coxph(Surv(time, status) ~ age + sex, data = lung, weights = w)
    mw = coxph(d, "time", "event", ["age", "sex"], weights="w")
    _check_model(mw.to_frame(), REF["lung_weights"])
    _close([mw.concordance, mw.concordance_se], REF["lung_weights"]["concordance"])
    # R: coxph(Surv(time, status) ~ age + sex, data = lung, cluster = inst)
    mc = coxph(d, "time", "event", ["age", "sex"], cluster="inst")
    ref = REF["lung_cluster"]
    frame = mc.to_frame()
    _close(frame["robust_se"], ref["robust_se"])
    _close(frame["z"], ref["z"])  # z, p and CI use the robust se, as R
    _close(frame["p"], ref["p"])
    _close(frame["hr_upper"], ref["hr_upper"])
    _close(mc.wald_test.chisq, ref["wald"][0])
    _close([mc.concordance, mc.concordance_se], ref["concordance"])
    assert mc.robust and mc.n == 227


def test_monotone_likelihood_warning_reaches_the_model() -> None:
    mono = pd.DataFrame(REF["mono_data"])
    with pytest.warns(StatisticalWarning, match="coefficient may be infinite"):
        m = coxph(mono, "time", "status", ["arm", "x"])
    assert len(m.warnings) == 1 and "arm[C]" in m.warnings[0]


def test_to_dict_is_json() -> None:
    m = coxph(_lung(), "time", "event", ["age", "sex", "ecog", "wt.loss"])
    out = json.loads(json.dumps(m.to_dict()))
    coef = out["coefficients"]
    assert {"coef", "se", "p", "hr_lower", "hr_upper"} <= set(coef[0])
    assert out["loglik"] == pytest.approx(m.loglik) and out["robust"] is False
    assert out["coefficients"][0]["robust_se"] is None


def test_design_errors() -> None:
    d = _lung()
    with pytest.raises(InputError, match="not in the data"):
        coxph(d, "time", "event", ["nope"])
    d["one"] = "x"
    with pytest.raises(InputError, match="single level"):
        coxph(d, "time", "event", ["age", "one"])
    with pytest.raises(InputError, match="reference level '9'"):
        coxph(d, "time", "event", ["ecog"], reference={"ecog": "9"})
    d["const"] = 1.0
    with pytest.raises(InputError, match="'const' is constant"):
        coxph(d, "time", "event", ["age", "const"])
    with pytest.raises(InputError, match="R's 1/2 coding"):
        coxph(d, "time", "status", ["age"])


def test_design_levels_and_dropped_reasons() -> None:
    frame = pd.DataFrame(
        {
            "g": ["b", "a", None, "c", "a"],
            "flag": [True, False, True, True, False],
            "cat": pd.Categorical(["y", "x", "x", "y", "z"], categories=["z", "y", "x"]),
        },
        index=["p1", "p2", "p3", "p4", "p5"],
    )
    design = build_design(frame, ["g", "flag", "cat"])
    assert design.column_names == ("g[b]", "g[c]", "flag", "cat[y]", "cat[x]")
    assert design.term("g").reference == "a" and design.term("cat").reference == "z"
    assert design.rows == ("p1", "p2", "p4", "p5")
    assert design.dropped[0].label == "p3" and design.dropped[0].missing == ("g",)
    np.testing.assert_array_equal(design.matrix[:, 2], [1.0, 0.0, 1.0, 0.0])
