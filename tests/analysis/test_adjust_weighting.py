"""Propensity-score weights: formulas, trimming, truncation, ESS and the extreme-weight warning."""

from __future__ import annotations

import numpy as np
import pytest

from hccsurv.analysis.adjust.weighting import effective_sample_size, ps_weights
from hccsurv.errors import InputError, StatisticalWarning

PS = np.array([0.2, 0.4, 0.5, 0.6, 0.3, 0.7, 0.5, 0.8])
T = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=bool)


def test_formulas() -> None:
    ate = ps_weights(PS, T, estimand="ATE").weights
    np.testing.assert_allclose(ate, np.where(T, 1 / PS, 1 / (1 - PS)))
    att = ps_weights(PS, T, estimand="ATT").weights
    np.testing.assert_allclose(att, np.where(T, 1.0, PS / (1 - PS)))
    st = ps_weights(PS, T, weight_type="stabilized")
    np.testing.assert_allclose(st.weights, ate * 0.5)
    ov = ps_weights(PS, T, weight_type="overlap")
    assert ov.estimand == "ATO"
    np.testing.assert_allclose(ov.weights, np.where(T, 1 - PS, PS))


def test_ess_is_kish() -> None:
    assert effective_sample_size([1, 1, 1, 1]) == pytest.approx(4.0)
    assert effective_sample_size([1, 3]) == pytest.approx(16 / 10)


def test_extreme_weights_warn_with_the_ess() -> None:
    ps = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.01])
    t = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)
    with pytest.warns(
        StatisticalWarning,
        match=r"effective sample size of the non-reference "
        r"group is 1\.2 of 5 patients",
    ):
        res = ps_weights(ps, t, estimand="ATE")
    assert res.ess_treated == pytest.approx(108**2 / (4 * 4 + 100**2))
    assert res.warnings and "1.2" in res.warnings[0]


def test_trimming_drops_the_tails() -> None:
    ps = np.linspace(0.05, 0.95, 20)
    t = np.arange(20) % 2 == 0
    res = ps_weights(ps, t, trim=0.1)
    assert res.n_trimmed == 4
    assert (res.weights[res.trimmed] == 0).all() and (res.weights[~res.trimmed] > 0).all()


def test_truncation_caps_the_weights() -> None:
    res = ps_weights(PS, T, estimand="ATE", truncate=0.2)
    cap = np.quantile(np.where(T, 1 / PS, 1 / (1 - PS)), 0.8)
    assert res.weights.max() == pytest.approx(cap)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weight_type": "stabilized", "estimand": "ATT"}, "stabilised weights are defined"),
        ({"weight_type": "kernel"}, "weight_type"),
        ({"trim": 0.6}, "trim"),
        ({"estimand": "ATC"}, "estimand"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ps_weights(PS, T, **kwargs)  # type: ignore[arg-type]


def test_scores_must_be_inside_0_1() -> None:
    with pytest.raises(InputError, match=r"row 2: propensity score 1\.0"):
        ps_weights(np.array([0.2, 0.3, 1.0]), np.array([0, 1, 1], dtype=bool))


def test_frames_and_dict() -> None:
    res = ps_weights(PS, T, rows=[f"P{i}" for i in range(8)])
    assert list(res.to_frame().columns) == ["row", "treated", "ps", "trimmed", "weight"]
    assert list(res.summary_frame()["group"]) == ["treated", "control"]
    assert "P1" not in str(res.to_dict())
