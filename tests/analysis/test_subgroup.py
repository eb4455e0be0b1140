"""Subgroup analysis (analysis/subgroup.py) against R coxph per level and anova(fit0, fit1).

References: validation/r/pairwise_subgroup.R -> tests/reference/pairwise_subgroup.json.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.coxph import coxph
from hccsurv.analysis.subgroup import SUBGROUP_COLUMNS, subgroup_analysis
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("pairwise_subgroup")


def _lung() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "lung.csv")
    d["status"] = d["status"] - 1
    return d


def _close(actual: Any, expected: Any, rtol: float = 1e-6) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rtol
    )


def _check(res: Any, variable: str, ref: dict[str, Any]) -> None:
    rows = res.to_frame()
    rows = rows[(rows["variable"] == variable) & rows["estimable"]]
    assert list(rows["level"]) == ref["levels"]["level"]
    _close(rows["hr"], ref["levels"]["hr"])
    _close(rows["hr_lower"], ref["levels"]["lower"])
    _close(rows["hr_upper"], ref["levels"]["upper"])
    _close(rows["p"], ref["levels"]["p"])
    t = res.interaction(variable)
    assert t.df == ref["df"]
    _close(t.chisq, ref["chisq"])
    _close(t.p, ref["p"])
    _close([t.loglik0, t.loglik1], [ref["loglik0"], ref["loglik1"]], rtol=1e-9)


def test_lung_sex_by_ecog_with_an_aliased_level() -> None:
    res = subgroup_analysis(_lung(), "time", "status", "sex", ["ph.ecog"], covariates=["age"])
    _check(res, "ph.ecog", REF["lung_sex_ecog"])
    # ph.ecog = 3 is one man: not estimable, a row with the reason; its interaction is aliased
    rows = res.to_frame()
    last = rows.iloc[-1]
    assert last["level"] == "3" and not last["estimable"]
    assert last["reason"] == "no patients in arm '2'"
    assert (last["n_reference"], last["n_treatment"]) == (1, 0)
    assert math.isnan(last["hr"])
    assert res.interaction("ph.ecog").aliased == ("sex=2:ph.ecog=3",)
    assert list(rows.columns) == list(SUBGROUP_COLUMNS)


def test_veteran_trt_by_celltype_stratified() -> None:
    d = pd.read_csv(R_DATA_DIR / "veteran.csv")
    res = subgroup_analysis(d, "time", "status", "trt", ["celltype", "prior"], strata="prior")
    _check(res, "celltype", REF["veteran_trt_celltype"])
    # the overall row is the stratified treatment HR on every patient
    overall = coxph(d.assign(trt=d["trt"].astype(str)), "time", "status", ["trt"], strata="prior")
    _close(res.overall.hr, overall.fit.hr[0], rtol=1e-9)
    assert res.overall.n_reference + res.overall.n_treatment == len(d)
    assert res.overall.events_treatment == int(d.loc[d["trt"] == 2, "status"].sum())
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["reference"] == "1" and doc["comparator"] == "2"
    assert len(doc["rows"]) == 1 + 4 + 2


def test_colon_two_arms_with_covariates_and_missing_values() -> None:
    d = pd.read_csv(R_DATA_DIR / "colon.csv")
    d = d[(d["etype"] == 2) & (d["rx"] != "Lev")]
    res = subgroup_analysis(
        d, "time", "status", "rx", ["obstruct"], covariates=["age", "nodes"], reference="Lev+5FU"
    )
    _check(res, "obstruct", REF["colon_rx_obstruct"])
    # n per arm counts the rows the model used: nodes is missing in some rows
    used = d.dropna(subset=["nodes"])
    assert res.overall.n_reference == int((used["rx"] == "Lev+5FU").sum())


def test_arm_without_events_is_a_row_not_an_error() -> None:
    rng = np.random.default_rng(3)
    n = 200
    d = pd.DataFrame(
        {
            "time": rng.exponential(10, n).round(1) + 0.1,
            "event": rng.integers(0, 2, n),
            "arm": rng.choice(["A", "B"], n),
            "site": rng.choice(["x", "y"], n),
        }
    )
    d.loc[(d["site"] == "y") & (d["arm"] == "B"), "event"] = 0
    res = subgroup_analysis(d, "time", "event", "arm", ["site"])
    rows = res.to_frame().set_index("level")
    assert rows.loc["x", "estimable"]
    assert not rows.loc["y", "estimable"]
    assert rows.loc["y", "reason"] == "no events in arm 'B': the hazard ratio is not finite"
    # the interaction model has an infinite coefficient: the LR statistic is kept, with a note
    t = res.interaction("site")
    assert t.df == 1 and t.note is not None and "infinite" in t.note


def test_input_errors() -> None:
    d = _lung()
    with pytest.raises(InputError, match="exactly two values"):
        subgroup_analysis(d, "time", "status", "ph.ecog", ["sex"])
    with pytest.raises(InputError, match=r"\['nope'\] are not in the data"):
        subgroup_analysis(d, "time", "status", "sex", ["nope"])
    with pytest.raises(InputError, match="cut it into a few groups"):
        subgroup_analysis(d, "time", "status", "sex", ["age"])
    with pytest.raises(InputError, match="do not list it"):
        subgroup_analysis(d, "time", "status", "sex", ["sex"])
    with pytest.raises(InputError, match="reference 3"):
        subgroup_analysis(d, "time", "status", "sex", ["ph.ecog"], reference=3)


def test_subgroup_that_is_also_a_stratum() -> None:
    d = pd.read_csv(R_DATA_DIR / "veteran.csv")
    res = subgroup_analysis(d, "time", "status", "trt", ["prior"], strata="prior")
    _check(res, "prior", REF["veteran_trt_prior_strata"])
    note = res.interaction("prior").note
    assert note is not None and "'prior' is a stratum" in note
