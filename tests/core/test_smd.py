"""Standardized mean differences: hand-computed values and the identities between the forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hccsurv.core.smd import level_proportions, smd_binary, smd_categorical, smd_continuous
from hccsurv.errors import InputError


def test_continuous_pooled_sd() -> None:
    x1, x0 = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0]
    # means 2.5 and 4; variances 5/3 and 4 -> d = -1.5 / sqrt((5/3 + 4) / 2)
    assert smd_continuous(x1, x0) == pytest.approx(-1.5 / math.sqrt((5 / 3 + 4) / 2), rel=1e-12)


def test_binary_and_two_level_categorical_agree() -> None:
    x1 = np.array([1, 1, 0, 1, 0, 1])
    x0 = np.array([0, 0, 1, 0, 0, 0, 1])
    p1, p0 = 4 / 6, 2 / 7
    want = (p1 - p0) / math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    assert smd_binary(x1, x0) == pytest.approx(want, rel=1e-12)
    assert smd_categorical(x1, x0, levels=[0, 1]) == pytest.approx(abs(want), rel=1e-12)


def test_categorical_yang_dalton_by_hand() -> None:
    g1 = ["a"] * 5 + ["b"] * 3 + ["c"] * 2
    g0 = ["a"] * 2 + ["b"] * 4 + ["c"] * 4
    t, c = np.array([0.3, 0.2]), np.array([0.4, 0.4])
    s = np.array(
        [
            [(0.3 * 0.7 + 0.4 * 0.6) / 2, -(0.3 * 0.2 + 0.4 * 0.4) / 2],
            [-(0.3 * 0.2 + 0.4 * 0.4) / 2, (0.2 * 0.8 + 0.4 * 0.6) / 2],
        ]
    )
    want = math.sqrt(float((t - c) @ np.linalg.inv(s) @ (t - c)))
    assert smd_categorical(g1, g0, levels=["a", "b", "c"]) == pytest.approx(want, rel=1e-12)


def test_weights_equal_to_replication() -> None:
    rng = np.random.default_rng(7)
    x1, x0 = rng.normal(size=8), rng.normal(1, size=9)
    w1 = rng.integers(1, 4, size=8)
    # integer frequency weights give the means of the replicated data
    weighted = smd_continuous(x1, x0, w1=w1)
    rep = smd_continuous(np.repeat(x1, w1), x0)
    assert weighted is not None and rep is not None
    m_w = np.average(x1, weights=w1)
    assert m_w == pytest.approx(np.repeat(x1, w1).mean())
    # variances differ only by the reliability-weight denominator; unit weights give plain SMD
    assert smd_continuous(x1, x0, w1=np.ones(8), w0=np.ones(9)) == pytest.approx(
        smd_continuous(x1, x0), rel=1e-12
    )
    assert np.sign(weighted) == np.sign(rep)
    props = level_proportions(["a", "b", "a"], ["a", "b"], w=[1.0, 2.0, 1.0])
    assert props == pytest.approx([0.5, 0.5])


def test_degenerate_and_errors() -> None:
    assert smd_continuous([1.0, 1.0], [1.0, 1.0]) == 0.0
    assert smd_continuous([1.0, 1.0], [2.0, 2.0]) is None
    assert smd_categorical(["a", "a"], ["a"], levels=["a", "b"]) == 0.0
    with pytest.raises(InputError, match=r"x1\[0\] is 2.0"):
        smd_binary([2, 0], [1, 0])
    with pytest.raises(InputError, match="weights"):
        smd_continuous([1.0, 2.0], [1.0, 3.0], w1=[1.0])
    with pytest.raises(InputError, match=r"x0\[1\]"):
        smd_continuous([1.0, 2.0], [1.0, float("nan")])
