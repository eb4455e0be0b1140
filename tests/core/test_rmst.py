"""RMST (survRM2 rmst1/rmst2 formulas) and the landmark difference against R.

Reference: ``validation/r/km_logrank.R`` -> ``tests/reference/km_logrank.json``: the survRM2
``rmst1``/``rmst2`` definitions written out in R (survRM2 is not installed), R's
``summary(survfit(...), rmean = tau)$table[c("rmean", "se(rmean)")]`` and
``summary(survfit(...), times = t)`` for the landmark difference.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.core.landmark import landmark_difference
from hccsurv.core.rmst import rmst, rmst_compare
from hccsurv.errors import InputError

CASES: dict[str, Any] = load_reference("km_logrank")["cases"]
EXACT = 1e-9

RMST = [
    pytest.param(name, label, id=f"{name}-{label}")
    for name, case in CASES.items()
    if "rmst" in case["overall"]
    for label in ["overall", *(case.get("labels") or [])]
]


@pytest.mark.parametrize(("name", "label"), RMST)
def test_rmst(name: str, label: str) -> None:
    case = CASES[name]
    t = np.asarray(case["time"], dtype=float)
    e = np.asarray(case["status"], dtype=float)
    ref = case["overall"]
    if label != "overall":
        keep = np.array(case["group"]) == label
        t, e, ref = t[keep], e[keep], case["groups"][label]
    tau = case["spec"]["tau"]
    if tau > t.max():
        with pytest.raises(InputError, match="survRM2"):
            rmst(t, e, tau)
        return
    res = rmst(t, e, tau)
    # R: survRM2::rmst1 formulas; summary(survfit(...), rmean = tau)$table[c("rmean", "se(rmean)")]
    assert res.estimate == pytest.approx(ref["rmst"]["estimate"], rel=EXACT)
    assert res.estimate == pytest.approx(ref["rmean"], rel=EXACT)
    assert res.se == pytest.approx(ref["rmst"]["se"], rel=EXACT)
    assert res.se == pytest.approx(ref["rmean_se"], rel=EXACT)
    assert (res.lower, res.upper) == pytest.approx(
        (ref["rmst"]["lower"], ref["rmst"]["upper"]), rel=EXACT
    )


COMPARE = [name for name, case in CASES.items() if "rmst_compare" in case]


@pytest.mark.parametrize("name", COMPARE)
def test_rmst_compare(name: str) -> None:
    case = CASES[name]
    ref = case["rmst_compare"]
    # R: survRM2::rmst2 contrasts (arm 2 - arm 1, arm 2 / arm 1 on the log scale)
    res = rmst_compare(case["time"], case["status"], np.array(case["group"]), case["spec"]["tau"])
    for field in (
        "difference",
        "difference_se",
        "difference_lower",
        "difference_upper",
        "difference_p",
        "ratio",
        "ratio_log_se",
        "ratio_lower",
        "ratio_upper",
        "ratio_p",
    ):
        assert getattr(res, field) == pytest.approx(ref[field], rel=1e-8), field
    assert list(res.to_frame()["quantity"]) == ["rmst", "rmst", "difference", "ratio"]
    json.dumps(res.to_dict())


def test_tau_beyond_a_group_is_an_error() -> None:
    with pytest.raises(InputError, match=r"group 'b'.*survRM2"):
        rmst_compare([1, 5, 9, 2, 3], [1, 0, 1, 1, 0], ["a", "a", "a", "b", "b"], tau=4)


LANDMARK = [name for name, case in CASES.items() if "landmark" in case]


@pytest.mark.parametrize("name", LANDMARK)
def test_landmark(name: str) -> None:
    case = CASES[name]
    ref = case["landmark"]
    # R: summary(survfit(...), times = t)$surv / $std.err per group, difference on linear scale
    res = landmark_difference(
        case["time"], case["status"], np.array(case["group"]), case["spec"]["landmark"]
    )
    assert res.scale == "linear"
    np.testing.assert_allclose(res.surv, ref["surv"], rtol=EXACT)
    np.testing.assert_allclose(res.std_err, ref["std_err"], rtol=EXACT)
    for field in ("difference", "se", "lower", "upper", "z", "p"):
        assert getattr(res, field) == pytest.approx(ref[field], rel=1e-8), field
    assert list(res.to_frame().columns)[:3] == ["time", "group1", "group2"]
