"""Log-rank / Fleming-Harrington tests and the trend test against R ``survdiff``.

Reference: ``validation/r/km_logrank.R`` -> ``tests/reference/km_logrank.json``:
``survdiff(Surv(time, status) ~ g, rho = 0 / 1)`` and ``survdiff(... ~ g + strata(s))``
(n, obs, exp, var, chisq; df = number of groups with expected > 0, minus 1), and the trend
chi-square ``(s'(O - E))^2 / (s' V s)`` with scores 1..k computed in R from the survdiff output.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from lifelines.statistics import logrank_test, multivariate_logrank_test

from conftest import load_reference
from hccsurv.core.logrank import logrank, logrank_trend
from hccsurv.errors import InputError

CASES: dict[str, Any] = load_reference("km_logrank")["cases"]
EXACT = 1e-9


def _arr(values: Any) -> np.ndarray:
    return np.asarray(values if isinstance(values, list) else [values], dtype=float)


SURVDIFF = [
    pytest.param(name, key, id=f"{name}-{key}")
    for name, case in CASES.items()
    for key in case.get("survdiff", {})
]


@pytest.mark.parametrize(("name", "key"), SURVDIFF)
def test_survdiff(name: str, key: str) -> None:
    case = CASES[name]
    ref = case["survdiff"][key]
    strata = np.array(case["strata"]) if key.startswith("strata") else None
    rho = 1.0 if key.endswith("rho1") else 0.0
    # R: survdiff(Surv(time, status) ~ g [+ strata(s)], rho = rho)
    res = logrank(case["time"], case["status"], np.array(case["group"]), strata=strata, rho=rho)
    assert res.labels == tuple(case["labels"])
    np.testing.assert_array_equal(res.n, _arr(ref["n"]))
    np.testing.assert_allclose(res.observed, _arr(ref["observed"]), rtol=EXACT)
    np.testing.assert_allclose(res.expected, _arr(ref["expected"]), rtol=EXACT)
    k = len(res.labels)
    np.testing.assert_allclose(
        res.variance, np.asarray(ref["variance"], dtype=float).reshape(k, k), rtol=EXACT, atol=1e-9
    )
    assert res.chisq == pytest.approx(ref["chisq"], rel=EXACT)
    assert res.df == ref["df"]
    assert res.p == pytest.approx(ref["p"], rel=1e-8)
    frame = res.to_frame()
    assert list(frame.columns) == ["group", "n", "observed", "expected", "oe2_e", "oe2_v"]
    json.dumps(res.to_dict())


TREND = [name for name, case in CASES.items() if "trend" in case]


@pytest.mark.parametrize("name", TREND)
def test_trend(name: str) -> None:
    case = CASES[name]
    ref = case["trend"]
    # R: x <- survdiff(...); u <- sum(s * (x$obs - x$exp)); chisq <- u^2 / (t(s) %*% x$var %*% s)
    res = logrank_trend(case["time"], case["status"], np.array(case["group"]))
    np.testing.assert_array_equal(res.scores, _arr(ref["scores"]))
    assert res.statistic == pytest.approx(ref["statistic"], rel=EXACT)
    assert res.variance == pytest.approx(ref["variance"], rel=EXACT)
    assert res.chisq == pytest.approx(ref["chisq"], rel=EXACT)
    assert res.p == pytest.approx(ref["p"], rel=1e-8)


def test_trend_scores_follow_order() -> None:
    case = CASES["colon_rx"]
    g = np.array(case["group"])
    a = logrank_trend(case["time"], case["status"], g, scores=[3, 2, 1])
    b = logrank_trend(case["time"], case["status"], g, order=["Obs", "Lev+5FU", "Lev"])
    assert a.chisq == pytest.approx(b.chisq, rel=1e-12)
    with pytest.raises(InputError, match="3 finite numbers"):
        logrank_trend(case["time"], case["status"], g, scores=[1, 2])


def test_lifelines_agrees_on_logrank_but_not_peto() -> None:
    # lifelines' logrank_test is the same hypergeometric-variance log-rank test as survdiff,
    # so chisq agrees (R_PARITY_NOTES: 10.3267419549 on lung). Its weightings="peto" uses a
    # different weight (n_j / (n+1)-type Peto-Peto) from R's rho = 1 (pooled KM S(t-)), so it
    # differs from survdiff(rho = 1) (12.707848 vs 12.714151); we follow R.
    case = CASES["lung_sex"]
    t, e, g = _arr(case["time"]), _arr(case["status"]), np.array(case["group"])
    ours = logrank(t, e, g)
    ll = logrank_test(t[g == "1"], t[g == "2"], e[g == "1"], e[g == "2"])
    assert ours.chisq == pytest.approx(ll.test_statistic, rel=1e-9)
    peto = logrank(t, e, g, rho=1.0)
    ll_peto = logrank_test(t[g == "1"], t[g == "2"], e[g == "1"], e[g == "2"], weightings="peto")
    assert abs(peto.chisq - ll_peto.test_statistic) > 1e-3
    vet = CASES["veteran_celltype"]
    mv = multivariate_logrank_test(_arr(vet["time"]), np.array(vet["group"]), _arr(vet["status"]))
    ours_k = logrank(vet["time"], vet["status"], np.array(vet["group"]))
    assert ours_k.chisq == pytest.approx(mv.test_statistic, rel=1e-9)


def test_integer_and_continuous_paths_agree() -> None:
    rng = np.random.default_rng(5)
    t = rng.integers(1, 40, 500).astype(float)
    e = rng.integers(0, 2, 500)
    g = rng.integers(0, 3, 500)
    a = logrank(t, e, g)
    b = logrank(t + 0.25, e, g)  # same order, non-integer times: the argsort path
    assert a.chisq == pytest.approx(b.chisq, rel=1e-12)
    np.testing.assert_allclose(a.variance, b.variance, rtol=1e-12)


def test_one_group_is_an_error_and_single_patient_group_works() -> None:
    with pytest.raises(InputError, match="at least two groups"):
        logrank([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    res = logrank([1, 2, 3, 4], [1, 0, 1, 1], ["a", "a", "a", "b"])
    assert res.n.tolist() == [3, 1] and res.df == 1
