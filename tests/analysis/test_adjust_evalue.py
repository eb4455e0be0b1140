"""E-values (VanderWeele & Ding 2017) worked by hand on the study's multivariable OS HR."""

from __future__ import annotations

import math

import pytest

from hccsurv.analysis.adjust.evalue import evalue_hr, evalue_rr, hr_to_rr
from hccsurv.errors import InputError


def test_rare_outcome_hand_example() -> None:
    # HR 0.404 (0.197-0.829): 1/0.404 = 2.47525, E = 2.47525 + sqrt(2.47525 * 1.47525) = 4.38616;
    # CI limit closest to 1 is 0.829: 1/0.829 = 1.20627, E = 1.20627 + sqrt(1.20627 * 0.20627)
    ev = evalue_hr(0.404, 0.197, 0.829, rare=True)
    rr = 1 / 0.404
    assert ev.evalue == pytest.approx(rr + math.sqrt(rr * (rr - 1)), rel=1e-12)
    assert ev.evalue == pytest.approx(4.386164, abs=1e-6)
    assert ev.evalue_ci == pytest.approx(1.705092, abs=1e-6)


def test_common_outcome_sqrt_transform() -> None:
    # RR = (1 - 0.5^sqrt(0.404)) / (1 - 0.5^sqrt(1/0.404)) = 0.536677, 1/RR = 1.863316
    ev = evalue_hr(0.404, 0.197, 0.829, rare=False)
    assert ev.rr == pytest.approx(0.5366766, abs=1e-7)
    assert ev.evalue == pytest.approx(3.131642, abs=1e-6)
    assert ev.rr_limit == pytest.approx(hr_to_rr(0.829, rare=False))
    assert ev.evalue_ci == pytest.approx(1.536261, abs=1e-6)
    assert "sqrt" in ev.transform


def test_interval_containing_one_and_harmful_hr() -> None:
    ev = evalue_hr(1.3, 0.9, 1.8, rare=True)
    assert ev.evalue_ci == 1.0
    assert ev.evalue == pytest.approx(1.3 + math.sqrt(1.3 * 0.3))
    assert evalue_hr(2.0, 1.5, 2.6, rare=True).rr_limit == 1.5


def test_rare_decided_from_event_share() -> None:
    assert evalue_hr(0.5, 0.3, 0.8, event_share=0.1).rare_outcome
    assert not evalue_hr(0.5, 0.3, 0.8, event_share=0.47).rare_outcome
    with pytest.raises(InputError, match="event_share"):
        evalue_hr(0.5, 0.3, 0.8)


def test_invalid_input() -> None:
    with pytest.raises(InputError, match="does not contain"):
        evalue_hr(0.5, 0.6, 0.8, rare=True)
    with pytest.raises(InputError, match="positive"):
        evalue_rr(0.0)
    assert evalue_rr(1.0) == 1.0
