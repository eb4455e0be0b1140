"""Forced covariates, "all candidates", the LR test and model terms against R.

References: validation/r/selection_terms.R -> tests/reference/selection_terms.json.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.coxph import coxph
from hccsurv.analysis.selection import lr_test, select_multivariable
from hccsurv.analysis.terms import TermSpec, add_interaction, add_transforms
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("selection_terms")
CANDIDATES = ["celltype", "karno", "age", "diagtime", "prior"]


def _veteran() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "veteran.csv")
    d["trt"] = d["trt"].astype(str)
    return d


def _lung() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "lung.csv")
    d["status"] = d["status"] - 1
    d["ecog"] = d["ph.ecog"].map(lambda v: None if pd.isna(v) else str(int(v)))
    return d


def _close(actual: Any, expected: Any, rtol: float = 1e-6) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rtol
    )


@pytest.mark.parametrize(("key", "rule"), [("veteran_forced", "p<0.05"), ("veteran_all", "all")])
def test_forced_treatment_stays_in(key: str, rule: str) -> None:
    ref = REF[key]
    res = select_multivariable(_veteran(), "time", "status", CANDIDATES, forced=["trt"], rule=rule)
    assert list(res.selected) == ref["selected"]
    _close(res.univariate_p, ref["p"])
    assert res.multivariable is not None
    _close(res.multivariable.fit.coef, ref["coef"], rtol=1e-7)
    _close(res.multivariable.fit.se, ref["se"])
    _close(res.multivariable.loglik, ref["loglik"], rtol=1e-9)
    table = res.to_frame().set_index("variable")
    assert table.loc["trt", "forced"] and table.loc["trt", "uni_term_p"] > 0.9
    json.dumps(res.to_dict())


def test_rule_text_and_parsing() -> None:
    d = _veteran()
    res = select_multivariable(
        d, "time", "status", ["karno", "age"], forced=["trt"], rule="p<=0.05"
    )
    assert res.rule == "p<=0.05"
    assert res.rule_text == (
        "candidates with a univariate term Wald p <=0.05 entered the multivariable model; "
        "forced into the model: trt"
    )
    assert res.selected == ("trt", "karno")
    none = select_multivariable(d, "time", "status", ["age"], rule="p<0.01")
    assert none.selected == () and none.multivariable is None
    assert select_multivariable(d, "time", "status", ["age"], rule="all").rule_text == (
        "all candidates entered the multivariable model"
    )
    for bad in ("p<2", "q<0.1", "0.1"):
        with pytest.raises(InputError, match="rule="):
            select_multivariable(d, "time", "status", ["age"], rule=bad)
    with pytest.raises(InputError, match="twice"):
        select_multivariable(d, "time", "status", ["age"], forced=["trt", "trt"])


def test_transforms_and_interactions_match_r() -> None:
    d = _lung()
    frame, centres = add_transforms(
        d,
        [TermSpec("meal.cal", "log"), TermSpec("age", "per", 10), TermSpec("wt.loss", "center")],
    )
    _close(centres["wt.loss - mean"], d["wt.loss"].mean(), rtol=1e-12)
    frame, ecog_sex = add_interaction(frame, "ecog", "sex")
    frame, age_wt = add_interaction(frame, "age", "wt.loss")
    assert ecog_sex == ["ecog[1]:sex", "ecog[2]:sex", "ecog[3]:sex"]
    # ecog 3 is one patient: R's NA coefficient; hccsurv asks for the column to be dropped
    covs = ["log(meal.cal)", "age/10", "wt.loss - mean", "ecog", "sex"]
    with pytest.raises(InputError, match=r"'ecog\[3\]:sex' is collinear"):
        coxph(frame, "time", "status", [*covs, *ecog_sex, *age_wt])
    model = coxph(frame, "time", "status", [*covs, *ecog_sex[:2], *age_wt])
    ref = REF["lung_terms"]
    _close(model.fit.coef, ref["coef"], rtol=1e-7)
    _close(model.fit.se, ref["se"])
    assert model.n == ref["n"]


def test_centre_on_a_value_and_log10() -> None:
    d = _lung()
    frame, centres = add_transforms(
        d, [TermSpec("age", "center", 60.0), TermSpec("meal.cal", "log10", name="lmc")]
    )
    assert centres == {"age - 60": 60.0}
    model = coxph(frame, "time", "status", ["age - 60", "lmc"])
    _close(model.fit.coef, REF["lung_centre_60"]["coef"], rtol=1e-7)


def test_lr_test_matches_anova() -> None:
    d = _lung()
    frame, names = add_interaction(d, "age", "sex")
    fit0 = coxph(frame, "time", "status", ["age", "sex"])
    fit1 = coxph(frame, "time", "status", ["age", "sex", *names])
    res = lr_test(fit0, fit1)
    ref = REF["lung_lr"]
    assert res.df == ref["df"]
    _close([res.chisq, res.p], [ref["chisq"], ref["p"]])
    with pytest.raises(InputError, match="not nested"):
        lr_test(fit0, coxph(frame, "time", "status", ["age", *names]))
    with pytest.raises(InputError, match="different rows"):
        lr_test(coxph(frame, "time", "status", ["age"]), coxph(d, "time", "status", ["meal.cal"]))


def test_term_errors_name_the_row_and_fix() -> None:
    d = pd.DataFrame({"x": [1.0, 0.0, 2.0], "g": ["a", "b", "a"]})
    with pytest.raises(InputError, match=r"row 1: 'x' = 0 has no logarithm"):
        add_transforms(d, [TermSpec("x", "log")])
    with pytest.raises(InputError, match="needs value = k > 0"):
        add_transforms(d, [TermSpec("x", "per")])
    with pytest.raises(InputError, match="must be numeric"):
        add_transforms(d, [TermSpec("g", "center")])
    with pytest.raises(InputError, match="unknown"):
        add_transforms(d, [TermSpec("x", "sqrt")])
    with pytest.raises(InputError, match="already exists"):
        add_transforms(d, [TermSpec("x", "per", 2.0, name="g")])
    with pytest.raises(InputError, match="two different columns"):
        add_interaction(d, "x", "x")
    out, names = add_interaction(d, "g", "x", reference={"g": "b"})
    assert names == ["g[a]:x"]
    assert out["g[a]:x"].tolist() == [1.0, 0.0, 2.0]
