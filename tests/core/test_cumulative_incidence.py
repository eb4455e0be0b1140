"""Aalen-Johansen CIF against ``cmprsk::cuminc`` (tests/reference/competing.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hccsurv.core.cumulative_incidence import (
    cumulative_incidence_cuminc,
    cumulative_incidence_cuminc_groups,
)
from hccsurv.errors import InputError

REFERENCE = Path(__file__).parents[1] / "reference" / "competing.json"


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


@pytest.mark.parametrize("case", ["mgus2", "synthetic_ties"])
def test_matches_cuminc(case: str) -> None:
    ref = _reference()[case]
    for cause, curve in ref["cuminc"].items():
        fit = cumulative_incidence_cuminc(ref["time"], ref["status"], cause=int(cause))
        np.testing.assert_allclose(fit.time, curve["time"], rtol=1e-12)
        np.testing.assert_allclose(fit.estimate, curve["est"], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(fit.variance, curve["var"], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("cause", [1, 2])
def test_groups_match_cuminc_per_group(cause: int) -> None:
    ref = _reference()
    mgus2 = ref["mgus2"]
    female, male = cumulative_incidence_cuminc_groups(
        mgus2["time"], mgus2["status"], ref["mgus2_sex"], cause=cause
    )
    assert (female.group, male.group) == ("F", "M")
    for fit, key in ((female, "mgus2_female"), (male, "mgus2_male")):
        curve = ref[key]["cuminc"][str(cause)]
        np.testing.assert_allclose(fit.time, curve["time"], rtol=1e-12)
        np.testing.assert_allclose(fit.estimate, curve["est"], rtol=1e-9)
        np.testing.assert_allclose(fit.variance, curve["var"], rtol=1e-9)


def test_cause_without_events_is_empty() -> None:
    ref = _reference()["synthetic_ties"]
    fit = cumulative_incidence_cuminc(ref["time"], ref["status"], cause=3)
    assert fit.time.size == 0
    assert fit.estimate.size == 0


def test_to_frame_and_dict() -> None:
    fit = cumulative_incidence_cuminc([1.0, 2.0, 2.0, 3.0], [1, 2, 0, 1])
    frame = fit.to_frame()
    assert list(frame.columns) == ["group", "cause", "time", "estimate", "variance"]
    # cause 1 jumps at t=1 (1/4) and t=3 (S(2-) = 3/4 * 2/3 = 1/2, one of one at risk)
    np.testing.assert_allclose(frame["estimate"], [0.25, 0.75])
    assert json.dumps(fit.to_dict())


def test_rejects_mismatched_lengths() -> None:
    with pytest.raises(InputError):
        cumulative_incidence_cuminc([1.0, 2.0], [1])
