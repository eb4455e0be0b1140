"""Model building (analysis/models.py): univariate screening by term Wald p, then multivariable."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.coxph import coxph
from hccsurv.analysis.models import MODEL_BUILDING_COLUMNS, build_cox_models
from hccsurv.errors import InputError

REF = load_reference("cox")


def _lung() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "lung.csv")
    d["event"] = d["status"] - 1
    d["ecog"] = pd.Categorical(d["ph.ecog"].map(lambda v: None if pd.isna(v) else str(int(v))))
    return d


def test_screening_and_multivariable() -> None:
    d = _lung()
    mb = build_cox_models(d, "time", "event", ["age", "sex", "ecog", "wt.loss", "meal.cal"])
    # univariate models are complete-case on their own variable
    assert [m.n for m in mb.univariate] == [228, 228, 227, 214, 181]
    # age p = 0.042, sex 0.0015, ecog term p < 0.001 are selected; wt.loss and meal.cal are not
    assert mb.selected == ("age", "sex", "ecog")
    assert "term-level Wald p" in mb.selection_p
    multi = mb.multivariable
    assert multi is not None and multi.n == 227 and multi.n_dropped == 1
    # the multivariable model is exactly coxph on the selected terms
    direct = coxph(d, "time", "event", ["age", "sex", "ecog"])
    np.testing.assert_allclose(multi.fit.coef, direct.fit.coef, rtol=1e-12)
    table = mb.to_frame()
    assert tuple(table.columns) == MODEL_BUILDING_COLUMNS
    assert len(table) == 1 + 1 + 3 + 1 + 1
    ecog = table[table["variable"] == "ecog"]
    assert list(ecog["level"]) == ["1", "2", "3"] and ecog["selected"].all()
    assert (ecog["multi_n"] == 227).all()
    unsel = table[table["variable"] == "wt.loss"].iloc[0]
    assert not unsel["selected"] and np.isnan(unsel["multi_hr"]) and unsel["uni_n"] == 214
    # univariate sex equals R coxph(Surv(time, status) ~ sex, lung)
    sex = table[table["variable"] == "sex"].iloc[0]
    np.testing.assert_allclose(sex["uni_p"], REF["lung_sex"]["p"], rtol=1e-6)
    json.dumps(mb.to_dict())


def test_factor_selected_by_term_p_not_by_dummy_p() -> None:
    d = _lung()
    mb = build_cox_models(d, "time", "event", ["ecog"], threshold=0.01)
    uni = mb.univariate[0]
    # ph.ecog 3 has p > 0.01 on its own, but the 3-df term test is far below
    assert uni.to_frame()["p"].max() > 0.01
    assert uni.term_test("ecog").p < 0.01 and mb.selected == ("ecog",)


def test_nothing_selected() -> None:
    d = _lung()
    mb = build_cox_models(d, "time", "event", ["meal.cal"], threshold=0.05)
    assert mb.multivariable is None and mb.selected == ()
    assert "no multivariable model" in mb.notes[0]
    assert mb.to_frame()["multi_hr"].isna().all()


def test_bad_threshold() -> None:
    with pytest.raises(InputError, match="threshold"):
        build_cox_models(_lung(), "time", "event", ["age"], threshold=0.0)
