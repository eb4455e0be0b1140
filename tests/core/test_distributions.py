"""The scipy.special helpers of hccsurv.core.distributions equal scipy.stats bit for bit.

``scipy.stats`` is imported here only, as the oracle; the package itself avoids its import cost.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from hccsurv.core.distributions import (
    average_ranks,
    beta_quantile,
    chi2_sf,
    f_sf,
    hypergeom_logpmf,
    normal_cdf,
    normal_quantile,
    normal_two_sided_p,
    normal_two_sided_p_array,
    t_sf,
)

XS = [0.0, 1e-6, 0.3, 1.0, 1.96, 3.84, 7.5, 25.0, 120.0]
DFS = [1.0, 2.0, 3.0, 5.5, 10.0, 47.0, 300.0]
ZS = [-40.0, -8.0, -1.959963984540054, -0.2, 0.0, 0.5, 2.5, 6.0, 39.0]


@pytest.mark.parametrize(("x", "df"), list(itertools.product(XS, DFS)))
def test_chi2_sf(x: float, df: float) -> None:
    assert chi2_sf(x, df) == float(stats.chi2.sf(x, df))


@pytest.mark.parametrize(("x", "df"), list(itertools.product([-x for x in XS] + XS, DFS)))
def test_t_sf(x: float, df: float) -> None:
    assert t_sf(x, df) == float(stats.t.sf(x, df))


@pytest.mark.parametrize(("x", "df1", "df2"), list(itertools.product(XS, DFS[:4], DFS)))
def test_f_sf(x: float, df1: float, df2: float) -> None:
    assert f_sf(x, df1, df2) == float(stats.f.sf(x, df1, df2))


@pytest.mark.parametrize("z", ZS)
def test_normal(z: float) -> None:
    assert normal_cdf(z) == float(stats.norm.cdf(z))
    assert normal_cdf(-z) == float(stats.norm.sf(z))
    assert normal_two_sided_p(z) == float(2.0 * stats.norm.sf(abs(z)))
    q = float(stats.norm.cdf(z))
    if 0.0 < q < 1.0:
        assert normal_quantile(q) == float(stats.norm.ppf(q))


def test_normal_two_sided_p_array() -> None:
    z = np.array(ZS)
    np.testing.assert_array_equal(normal_two_sided_p_array(z), 2.0 * stats.norm.sf(np.abs(z)))
    for level in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999):
        assert normal_quantile(0.5 + level / 2.0) == float(stats.norm.ppf(0.5 + level / 2.0))


@pytest.mark.parametrize(
    ("a", "b"), [(1, 1), (1, 30), (2, 3), (7, 94), (50, 51), (199, 2), (0.5, 0.5), (12.5, 3.25)]
)
def test_beta_quantile(a: float, b: float) -> None:
    for q in (1e-10, 0.005, 0.025, 0.05, 0.3, 0.5, 0.95, 0.975, 0.995, 1 - 1e-10):
        assert beta_quantile(q, a, b) == float(stats.beta.ppf(q, a, b))


@pytest.mark.parametrize(
    ("total", "good", "draws"),
    [(10, 4, 3), (20, 10, 10), (57, 30, 12), (120, 13, 60), (300, 150, 149), (6, 6, 2)],
)
def test_hypergeom_logpmf(total: int, good: int, draws: int) -> None:
    k = np.arange(max(0, draws - (total - good)), min(draws, good) + 1, dtype=float)
    np.testing.assert_array_equal(
        hypergeom_logpmf(k, total, good, draws), stats.hypergeom.logpmf(k, total, good, draws)
    )


def test_average_ranks() -> None:
    rng = np.random.default_rng(11)
    samples = [
        rng.normal(size=50),
        np.round(rng.normal(size=200) * 2) / 2,
        rng.integers(0, 3, 40).astype(float),
        np.array([5.0]),
        np.full(7, 1.5),
        np.array([3, 1, 2, 2, 3, 3]),
    ]
    for x in samples:
        np.testing.assert_array_equal(average_ranks(x), stats.rankdata(x))
    np.testing.assert_array_equal(average_ranks([2.0, 9.0, 2.0, 1.0]), [2.5, 4.0, 2.5, 1.0])
    assert average_ranks(np.array([])).shape == (0,)
