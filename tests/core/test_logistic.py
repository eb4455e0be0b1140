"""Logistic regression by IRLS against R ``glm(y ~ ., family = binomial)``.

Committed references: ``validation/r/logistic.R`` -> ``tests/reference/logistic.json`` (two
seeded data sets with their design matrices). A live test fits fresh seeded data in R.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.core.logistic import LogisticFit, logistic_fit
from hccsurv.errors import InputError

REF = load_reference("logistic")


def _fit(case: dict[str, Any]) -> LogisticFit:
    return logistic_fit(np.asarray(case["x"]), np.asarray(case["y"]), names=case["names"])


def _compare(res: LogisticFit, case: dict[str, Any]) -> None:
    # R: coef(fit), summary(fit)$coefficients, fit$iter, fit$deviance, fit$linear.predictors
    np.testing.assert_allclose(res.coef, case["coef"], rtol=1e-8)
    np.testing.assert_allclose(res.se, case["se"], rtol=1e-6)
    np.testing.assert_allclose(res.z, case["z"], rtol=1e-6)
    np.testing.assert_allclose(res.p, case["p"], rtol=1e-6)
    np.testing.assert_allclose(res.linear, case["linear"], rtol=1e-8, atol=1e-12)
    assert res.deviance == pytest.approx(case["deviance"], rel=1e-10)
    assert res.iterations == case["iter"]
    assert res.converged is case["converged"]


@pytest.mark.parametrize("name", ["mixed", "strong"])
def test_matches_r_glm(name: str) -> None:
    case: dict[str, Any] = REF[name]  # type: ignore[assignment]
    res = _fit(case)
    _compare(res, case)
    assert res.names == tuple(case["names"])
    np.testing.assert_allclose(res.fitted, 1.0 / (1.0 + np.exp(-res.linear)), rtol=1e-14)


def test_covariance_is_inverse_information() -> None:
    case: dict[str, Any] = REF["mixed"]  # type: ignore[assignment]
    res = _fit(case)
    x = np.asarray(case["x"])
    mu = res.fitted
    info = x.T @ (x * (mu * (1.0 - mu))[:, None])
    # R uses the weights of the last least-squares step, a converged step away from these
    np.testing.assert_allclose(res.cov, np.linalg.inv(info), rtol=1e-4)
    np.testing.assert_allclose(res.se, np.sqrt(np.diag(res.cov)), rtol=1e-15)


def test_frame_and_dict() -> None:
    res = _fit(REF["strong"])  # type: ignore[arg-type]
    frame = res.to_frame()
    assert list(frame.columns) == ["term", "coef", "se", "z", "p"]
    assert frame["term"].tolist() == ["(Intercept)", "x1", "x2"]
    json.dumps(res.to_dict())


def test_maxit_reached_is_reported_not_raised() -> None:
    case: dict[str, Any] = REF["strong"]  # type: ignore[assignment]
    res = logistic_fit(np.asarray(case["x"]), np.asarray(case["y"]), maxit=2)
    assert not res.converged
    assert res.iterations == 2


def test_collinear_column_is_named() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=30)
    x = np.column_stack([np.ones(30), a, 2.0 * a])
    y = (rng.random(30) < 0.5).astype(float)
    with pytest.raises(InputError, match="'twice_a' is a linear combination"):
        logistic_fit(x, y, names=["(Intercept)", "a", "twice_a"])


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.ones((3, 1)), np.array([0.0, 1.0]), "shape"),
        (np.array([[1.0], [np.nan]]), np.array([0.0, 1.0]), "row 1: design column 'x0'"),
        (np.ones((2, 1)), np.array([0.0, 2.0]), "row 1: y is 2.0"),
    ],
)
def test_bad_input(x: np.ndarray, y: np.ndarray, match: str) -> None:
    with pytest.raises(InputError, match=match):
        logistic_fit(x, y)


_LIVE_R = """
suppressPackageStartupMessages(library(jsonlite))
spec <- fromJSON(file("stdin"), simplifyDataFrame = FALSE)
out <- lapply(spec, function(case) {
  x <- as.matrix(case$x)
  fit <- glm(case$y ~ x - 1, family = binomial)
  s <- summary(fit)$coefficients
  list(coef = unname(coef(fit)), se = unname(s[, 2]), z = unname(s[, 3]), p = unname(s[, 4]),
       iter = fit$iter, deviance = fit$deviance, converged = fit$converged,
       linear = unname(fit$linear.predictors))
})
cat(toJSON(out, digits = NA, auto_unbox = TRUE))
"""


@pytest.mark.r_live
def test_live_r_glm(rscript: str) -> None:
    rng = np.random.default_rng(20251125)
    spec = []
    for n, p in ((25, 2), (80, 4), (300, 6)):
        x = np.column_stack([np.ones(n), rng.normal(size=(n, p))])
        x[:, -1] = (x[:, -1] > 0.3).astype(float)
        beta = rng.normal(0, 1.2, p + 1)
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-x @ beta))).astype(float)
        spec.append({"x": x.tolist(), "y": y.tolist()})
    done = subprocess.run(
        [rscript, "-e", _LIVE_R],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for case, ref in zip(spec, json.loads(done.stdout), strict=True):
        _compare(logistic_fit(np.asarray(case["x"]), np.asarray(case["y"])), ref)
