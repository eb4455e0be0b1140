"""Pairwise log-rank and Cox comparisons (analysis/pairwise.py) against R.

References: validation/r/pairwise_subgroup.R (survminer::pairwise_survdiff written out, one coxph
with Tukey contrasts) -> tests/reference/pairwise_subgroup.json.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.pairwise import pairwise_cox, pairwise_logrank
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("pairwise_subgroup")


def _colon() -> pd.DataFrame:
    d = pd.read_csv(R_DATA_DIR / "colon.csv")
    return d[d["etype"] == 2].reset_index(drop=True)


def _veteran() -> pd.DataFrame:
    return pd.read_csv(R_DATA_DIR / "veteran.csv")


def _close(actual: Any, expected: Any, rtol: float = 1e-9) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rtol
    )


@pytest.mark.parametrize(
    ("key", "data", "group", "kwargs"),
    [
        ("colon_logrank", _colon, "rx", {}),
        ("colon_logrank_bh", _colon, "rx", {"adjust": "BH"}),
        ("colon_logrank_rho1_strata", _colon, "rx", {"rho": 1.0, "strata": "sex"}),
        ("veteran_logrank", _veteran, "celltype", {}),
        ("veteran_logrank_bonferroni", _veteran, "celltype", {"adjust": "bonferroni"}),
    ],
)
def test_pairwise_logrank_matches_survminer(
    key: str, data: Any, group: str, kwargs: dict[str, Any]
) -> None:
    d = data()
    if "strata" in kwargs:
        kwargs = {**kwargs, "strata": d[kwargs["strata"]].to_numpy()}
    res = pairwise_logrank(d["time"], d["status"], d[group], **kwargs)
    ref = REF[key]
    frame = res.to_frame()
    assert list(frame["group1"]) == ref["group1"]
    assert list(frame["group2"]) == ref["group2"]
    _close(frame["chisq"], ref["chisq"])
    _close(frame["p"], ref["p"])
    _close(frame["p_adjusted"], ref["p_adjusted"])
    json.dumps(res.to_dict())


def test_pairwise_logrank_counts_and_matrix() -> None:
    d = _colon()
    res = pairwise_logrank(d["time"], d["status"], d["rx"])
    frame = res.to_frame()
    obs = d[d["rx"] == "Obs"]
    row = frame[(frame["group1"] == "Lev") & (frame["group2"] == "Obs")].iloc[0]
    assert row["n2"] == len(obs)
    assert row["events2"] == int(obs["status"].sum())
    m = res.matrix()
    assert list(m.index) == ["Lev+5FU", "Obs"] and list(m.columns) == ["Lev", "Lev+5FU"]
    assert m.loc["Obs", "Lev+5FU"] == pytest.approx(REF["colon_logrank"]["p_adjusted"][2])
    assert np.isnan(m.loc["Lev+5FU", "Lev+5FU"])


def test_pairwise_logrank_order_changes_pairs_not_values() -> None:
    d = _colon()
    res = pairwise_logrank(d["time"], d["status"], d["rx"], order=["Obs", "Lev", "Lev+5FU"])
    frame = res.to_frame()
    assert list(zip(frame["group1"], frame["group2"], strict=True)) == [
        ("Obs", "Lev"),
        ("Obs", "Lev+5FU"),
        ("Lev", "Lev+5FU"),
    ]
    _close(sorted(frame["p_adjusted"]), sorted(REF["colon_logrank"]["p_adjusted"]))


def test_pairwise_logrank_needs_three_groups() -> None:
    d = _veteran()
    with pytest.raises(InputError, match="three or more groups"):
        pairwise_logrank(d["time"], d["status"], d["trt"])


@pytest.mark.parametrize(
    ("key", "data", "group", "kwargs"),
    [
        ("colon_cox", _colon, "rx", {"covariates": ["age"], "strata": "sex"}),
        ("veteran_cox", _veteran, "celltype", {"covariates": ["karno"]}),
    ],
)
def test_pairwise_cox_matches_r_contrasts(
    key: str, data: Any, group: str, kwargs: dict[str, Any]
) -> None:
    res = pairwise_cox(data(), "time", "status", group, **kwargs)
    ref = REF[key]
    frame = res.to_frame()
    _close(frame["coef"], ref["coef"], rtol=1e-7)
    _close(frame["se"], ref["se"], rtol=1e-6)
    _close(frame["p"], ref["p"], rtol=1e-6)
    _close(frame["p_adjusted"], ref["p_adjusted"], rtol=1e-6)
    _close(frame["hr"], np.exp(frame["coef"]))
    z = 1.959963984540054
    _close(frame["hr_lower"], np.exp(frame["coef"] - z * frame["se"]))
    assert json.loads(json.dumps(res.to_dict()))["adjust"] == "holm"


def test_pairwise_cox_numeric_codes_are_groups() -> None:
    d = _colon()
    d["arm"] = d["rx"].map({"Obs": 1, "Lev": 2, "Lev+5FU": 3})
    res = pairwise_cox(d, "time", "status", "arm", covariates=["age"], strata="sex")
    assert res.labels == ("1", "2", "3")
    # 2 vs 1 is Lev vs Obs: the reverse of R's Obs vs Lev contrast
    _close(res.coef[0], -REF["colon_cox"]["coef"][1], rtol=1e-7)


def test_pairwise_cox_input_errors() -> None:
    d = _colon()
    with pytest.raises(InputError, match="'arm' is not in the data"):
        pairwise_cox(d, "time", "status", "arm")
    with pytest.raises(InputError, match="do not list it among the covariates"):
        pairwise_cox(d, "time", "status", "rx", covariates=["rx"])
    with pytest.raises(InputError, match="three or more groups"):
        pairwise_cox(d, "time", "status", "sex")
