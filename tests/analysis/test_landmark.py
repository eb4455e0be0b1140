"""``hccsurv.landmark`` against R (``validation/r/landmark.R``): survfit, survdiff and coxph of
``Surv(time - L, event) ~ group (+ age)`` on the patients with ``time > L``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.errors import InputError

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "landmark.json").read_text())
DATA = pd.DataFrame(REF["data"]).astype({"resp": float})


def check(result: hccsurv.LandmarkAnalysis, ref: dict[str, Any]) -> None:
    assert (result.n, result.n_excluded) == (ref["n"], ref["n_excluded"])
    counts = np.cumsum([0, *ref["km_strata"]])
    for k, label in enumerate(result.labels):
        curve = result.km.curves[label]
        part = slice(int(counts[k]), int(counts[k + 1]))
        np.testing.assert_allclose(curve.time, ref["km_time"][part], rtol=1e-12)
        np.testing.assert_allclose(curve.surv, ref["km_surv"][part], rtol=1e-10)
        assert curve.median == pytest.approx(ref["median"][k], rel=1e-12)
    assert result.logrank.chisq == pytest.approx(ref["logrank_chisq"], rel=1e-8)
    np.testing.assert_allclose(result.cox.fit.coef, ref["coef"], rtol=1e-7)
    np.testing.assert_allclose(result.cox.fit.se, ref["se"], rtol=1e-7)


@pytest.mark.parametrize("case", sorted(REF["cases"]))
def test_landmark_matches_r(case: str) -> None:
    ref = REF["cases"][case]
    result = hccsurv.landmark(
        DATA, "time", "event", landmark=ref["landmark"], switch_col="resp", covariates=["age"]
    )
    check(result, ref)
    frame = result.to_frame()
    assert frame["group"].tolist() == ["no", "yes"]
    assert frame["hr"].iloc[1] == pytest.approx(np.exp(ref["coef"][0]), rel=1e-7)
    assert result.to_dict()["n_excluded"] == ref["n_excluded"]


def test_group_col_gives_the_same_analysis_as_switch_col() -> None:
    status = (DATA["resp"] <= 3).astype(int)
    by_group = hccsurv.landmark(
        DATA.assign(status=status), "time", "event", landmark=3, group_col="status"
    )
    by_switch = hccsurv.landmark(DATA, "time", "event", landmark=3, switch_col="resp")
    assert by_group.hr == pytest.approx(by_switch.hr, rel=1e-12)
    assert by_group.excluded == by_switch.excluded


def test_bad_inputs_are_named() -> None:
    with pytest.raises(InputError, match="exactly one of"):
        hccsurv.landmark(DATA, "time", "event", landmark=3)
    with pytest.raises(InputError, match="positive"):
        hccsurv.landmark(DATA, "time", "event", landmark=0, switch_col="resp")
    bad = DATA.assign(status="maybe")
    with pytest.raises(InputError, match=r"patient 0: status='maybe' is not a landmark status"):
        hccsurv.landmark(bad, "time", "event", landmark=3, group_col="status")
    with pytest.raises(InputError, match="in the group 'yes'"):
        hccsurv.landmark(DATA, "time", "event", landmark=0.5, switch_col="resp")
