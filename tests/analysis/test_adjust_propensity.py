"""Propensity model: separation errors, constant covariates, missing-data policies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.adjust.balance import covariate_balance
from hccsurv.analysis.adjust.propensity import fit_propensity
from hccsurv.errors import InputError

ORDER = ["First-line", "Post-ate-beva"]


def _cohort(n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.where(rng.uniform(size=n) < 0.4, ORDER[1], ORDER[0])
    return pd.DataFrame(
        {
            "group": group,
            "age": np.round(rng.normal(64, 10, n), 1),
            "sex": rng.choice(["Male", "Female"], n, p=[0.7, 0.3]),
            "ecog": rng.choice(["0", "1", "2"], n),
        },
        index=[f"P{i:03d}" for i in range(n)],
    )


def test_level_in_one_group_only_is_named() -> None:
    d = _cohort()
    d.loc[d["group"] == ORDER[0], "sex"] = "Male"
    d.loc[d.index[d["group"] == ORDER[1]][:5], "sex"] = "Female"
    with pytest.raises(InputError, match=r"perfect separation.*'sex' = 'Female' is in the non-ref"):
        fit_propensity(d, "group", ORDER, ["age", "sex"])


def test_non_overlapping_ranges_are_named() -> None:
    d = _cohort()
    d["age"] = np.where(d["group"] == ORDER[1], 80.0, 50.0) + np.arange(len(d)) * 0.01
    with pytest.raises(InputError, match=r"ranges of 'age' do not overlap"):
        fit_propensity(d, "group", ORDER, ["age", "sex"])


def test_constant_covariate_is_rejected() -> None:
    d = _cohort()
    d["cp"] = 1.0
    with pytest.raises(InputError, match=r"'cp' is constant"):
        fit_propensity(d, "group", ORDER, ["age", "cp"])


def test_factor_constant_within_one_group_is_separation() -> None:
    d = _cohort()
    d.loc[d["group"] == ORDER[1], "sex"] = "Male"  # every non-reference patient is male
    with pytest.raises(
        InputError, match=r"every patient with 'sex' = 'Female' is in the reference"
    ):
        fit_propensity(d, "group", ORDER, ["age", "sex"])


def test_number_constant_within_treated_uses_pooled_sd() -> None:
    d = _cohort()
    d["dose"] = np.where(d["group"] == ORDER[1], 1.0, np.linspace(0.0, 2.0, len(d)))
    model = fit_propensity(d, "group", ORDER, ["age", "dose"])
    bal = covariate_balance(
        model.design, model.treated, np.ones(model.n), estimand="ATT", adjustment="matching"
    )
    row = bal.rows[1]
    assert row.variable == "dose" and np.isfinite(row.smd_before)
    assert any("constant in the non-reference group" in n for n in bal.notes)


def test_indicator_only_in_one_group_is_separation() -> None:
    d = _cohort()
    d.loc[d.index[d["group"] == ORDER[1]][:2], "age"] = np.nan
    with pytest.raises(InputError, match=r"'age_missing' = 1 is in the non-reference group"):
        fit_propensity(d, "group", ORDER, ["age", "sex"], missing="indicator")


def test_complete_cases_are_counted() -> None:
    d = _cohort()
    d.loc[["P001", "P007"], "age"] = np.nan
    model = fit_propensity(d, "group", ORDER, ["age", "sex", "ecog"])
    assert model.n_dropped == 2 and model.dropped == ("P001", "P007")
    assert model.n == len(d) - 2
    assert model.to_dict()["n_dropped"] == 2


def test_missing_indicator_keeps_everyone() -> None:
    d = _cohort()
    rows = [d.index[d["group"] == ORDER[0]][0], d.index[d["group"] == ORDER[1]][0]]
    d.loc[rows, "age"] = np.nan
    d.loc[d.index[:10], "ecog"] = None
    model = fit_propensity(d, "group", ORDER, ["age", "sex", "ecog"], missing="indicator")
    assert model.n == len(d) and model.n_dropped == 0
    assert "age_missing" in model.coef_names
    assert "ecog[(missing)]" in model.coef_names


def test_rare_level_separation_names_the_coefficient() -> None:
    d = _cohort()
    first = d.index[d["group"] == ORDER[1]][0]
    d.loc[first, "ecog"] = "3"
    with pytest.raises(InputError, match=r"perfect separation.*'ecog' = '3'"):
        fit_propensity(d, "group", ORDER, ["age", "ecog"])


def test_unknown_group_value_names_the_patient() -> None:
    d = _cohort()
    d.loc["P004", "group"] = "Lenvatinib"
    with pytest.raises(InputError, match=r"patient 'P004'.*'Lenvatinib'"):
        fit_propensity(d, "group", ORDER, ["age"])


def test_to_frame_and_dict() -> None:
    model = fit_propensity(
        _cohort(), "group", ORDER, ["age", "sex", "ecog"], reference={"ecog": "1"}
    )
    frame = model.to_frame()
    assert list(frame.columns) == ["term", "coef", "se", "z", "p", "odds_ratio"]
    assert list(frame["term"]) == ["(Intercept)", "age", "sex[Male]", "ecog[0]", "ecog[2]"]
    out = model.to_dict()
    assert "P000" not in str(out)
    assert set(out["ps_quantiles"]["by_group"]) == set(ORDER)
