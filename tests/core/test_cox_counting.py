"""Counting-process Cox ``(start, stop]`` against ``validation/r/cox_counting.R`` (survival 3.5).

``tests/reference/cox_counting.json`` holds R's ``coxph(Surv(start, stop, event) ~ ...)`` on the
Stanford heart transplant rows and on a random split draw (Efron, Breslow, strata, cluster).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.core.cox import cox_fit
from hccsurv.errors import InputError

REF = json.loads(
    (Path(__file__).resolve().parents[1] / "reference" / "cox_counting.json").read_text()
)["cases"]
COVARIATES = {"heart": ["age", "surgery", "transplant"], "split": ["x1", "x2"]}
FITS = [(data, case) for data in REF for case in REF[data] if case != "data"]


def check(model: hccsurv.CoxModel, ref: dict[str, Any]) -> None:
    fit = model.fit
    np.testing.assert_allclose(fit.coef, ref["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.se, ref["se"], rtol=1e-8)
    if ref["robust_se"] is not None:
        np.testing.assert_allclose(fit.robust_se, ref["robust_se"], rtol=1e-8)
        assert fit.robust_score_test.chisq == pytest.approx(ref["robust_score"], rel=1e-8)
    assert [fit.loglik_null, fit.loglik] == pytest.approx(ref["loglik"], rel=1e-10)
    assert fit.lr_test.chisq == pytest.approx(ref["lr"], rel=1e-7)
    assert fit.wald_test.chisq == pytest.approx(ref["wald"], rel=1e-8)
    assert fit.score_test.chisq == pytest.approx(ref["score"], rel=1e-8)
    assert (fit.n, fit.n_events) == (ref["n"], ref["nevent"])


@pytest.mark.parametrize(("data", "case"), FITS)
def test_counting_process_cox_matches_r(data: str, case: str) -> None:
    ref = REF[data][case]
    frame = pd.DataFrame(REF[data]["data"])
    model = hccsurv.coxph(
        frame,
        "stop",
        "event",
        COVARIATES[data],
        start_col="start",
        cluster="id" if ref["robust_se"] is not None else None,
        strata="grp" if case == "strata" else None,
        ties=ref["ties"],
    )
    check(model, ref)
    assert model.to_dict()["start_col"] == "start"
    assert np.isnan(model.concordance)


def test_split_rows_with_constant_covariates_equal_the_unsplit_fit() -> None:
    # cutting a patient's follow-up at any day changes no risk set: the same fit
    rng = np.random.default_rng(7)
    n = 90
    stop = rng.integers(5, 300, n).astype(float)
    event = (rng.uniform(size=n) < 0.7).astype(float)
    x = rng.normal(size=(n, 2))
    cut = np.floor(stop * rng.uniform(0.2, 0.8, n))
    start = np.concatenate((np.zeros(n), cut))
    stops = np.concatenate((cut, stop))
    events = np.concatenate((np.zeros(n), event))
    whole = cox_fit(stop, event, x)
    split = cox_fit(stops, events, np.vstack((x, x)), entry=start)
    np.testing.assert_allclose(split.coef, whole.coef, rtol=1e-9)
    np.testing.assert_allclose(split.se, whole.se, rtol=1e-9)
    assert split.loglik == pytest.approx(whole.loglik, rel=1e-12)


def test_bad_start_names_the_row() -> None:
    with pytest.raises(InputError, match=r"row 1: start .* below the stop time"):
        cox_fit([5.0, 6.0, 7.0], [1, 0, 1], [[0.1], [0.5], [0.2]], entry=[0.0, 6.0, 1.0])


def test_counting_process_model_refuses_right_censored_only_methods() -> None:
    frame = pd.DataFrame(REF["heart"]["data"])
    model = hccsurv.coxph(frame, "stop", "event", ["age"], start_col="start", cluster="id")
    with pytest.raises(InputError, match="counting-process rows"):
        model.zph()
