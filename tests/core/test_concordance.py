"""hccsurv.core.concordance against R survival::concordance and a brute-force pair count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.core.concordance import concordance
from hccsurv.core.cox import cox_fit
from hccsurv.errors import InputError

REF = load_reference("cox")


def _brute(
    t: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, float, float]:
    """O(n^2) weighted counts, R's definitions: i has the event, j at risk after it."""
    conc = disc = tie = 0.0
    for i in range(len(t)):
        if not d[i]:
            continue
        for j in range(len(t)):
            if j == i or not (t[j] > t[i] or (t[j] == t[i] and not d[j])):
                continue
            pw = w[i] * w[j]
            if x[j] > x[i]:
                conc += pw
            elif x[j] < x[i]:
                disc += pw
            else:
                tie += pw
    return conc, disc, tie


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 120
    t = rng.integers(1, 25, n).astype(float)
    d = rng.random(n) < 0.6
    x = rng.integers(0, 6, n).astype(float)
    w = rng.integers(1, 4, n).astype(float)
    c = concordance(t, d, x, weights=w)
    conc, disc, tie = _brute(t, d, x, w)
    np.testing.assert_allclose(
        [c.concordant, c.discordant, c.tied_x], [conc, disc, tie], rtol=1e-12
    )
    np.testing.assert_allclose(c.value, (conc + tie / 2) / (conc + disc + tie), rtol=1e-12)
    r = concordance(t, d, x, weights=w, reverse=True)
    np.testing.assert_allclose(r.value, 1 - c.value, rtol=1e-12)
    np.testing.assert_allclose(r.se, c.se, rtol=1e-12)


def test_cox_concordance_matches_r() -> None:
    # R: summary(coxph(Surv(time, status) ~ age + sex + factor(ph.ecog) + wt.loss))$concordance
    d = pd.read_csv(R_DATA_DIR / "lung.csv").dropna(subset=["age", "sex", "ph.ecog", "wt.loss"])
    x = np.column_stack(
        [d["age"], d["sex"], d["ph.ecog"] == 1, d["ph.ecog"] == 2, d["ph.ecog"] == 3, d["wt.loss"]]
    ).astype(float)
    fit = cox_fit(d["time"], d["status"] - 1, x)
    c = concordance(d["time"], d["status"] - 1, fit.linear_predictor, reverse=True)
    np.testing.assert_allclose([c.value, c.se], REF["lung_multi"]["concordance"], rtol=1e-6)
    # R: fit$concordance counts
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y) == (10997.0, 5997.0, 6.0, 22.0)


def test_strata_weights_match_r() -> None:
    # R: concordance(Surv(time, status) ~ ph.ecog + strata(sex), dd, weights = w):
    #    C 0.387357624682, se 0.0286271382451; tied.y 35, tied.xy 18 (summed over strata)
    d = pd.read_csv(R_DATA_DIR / "lung.csv").dropna(subset=["age", "sex", "ph.ecog", "wt.loss"])
    w = np.arange(len(d)) % 3 + 1.0
    c = concordance(d["time"], d["status"] - 1, d["ph.ecog"], weights=w, strata=d["sex"])
    np.testing.assert_allclose([c.value, c.se], [0.387357624682, 0.0286271382451], rtol=1e-9)
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (
        7651,
        15800,
        12721,
        35,
        18,
    )


def test_frame_and_errors() -> None:
    c = concordance([1, 2, 3], [1, 1, 0], [3.0, 2.0, 1.0], reverse=True)
    assert c.value == 1.0
    assert list(c.to_frame().columns)[:2] == ["concordance", "se"]
    with pytest.raises(InputError, match="score"):
        concordance([1, 2], [1, 0], [1.0, np.nan])
    assert np.isnan(concordance([1, 2], [0, 0], [1.0, 2.0]).value)


def test_large_ties_strata_weights_match_r() -> None:
    # issue 15: n = 100,000 with tied times, tied scores, 3 strata and non-integer weights,
    # rebuilt from the integer formulas of validation/r/concordance_large.R
    ref = load_reference("concordance_large")
    i = np.arange(1, ref["n"] + 1, dtype=np.int64)
    time = ((i * 7919) % 1000 + 1).astype(float)
    status = ((i * 104729) % 10 < 7).astype(float)
    x = ((i * 15485863) % 97) / 10
    stratum = i % 3
    w = 0.5 + ((i * 31) % 7) / 4
    cases = {
        "weighted_strata": concordance(time, status, x, strata=stratum, weights=w),
        "plain": concordance(time, status, x),
        "reverse": concordance(time, status, x, reverse=True),
    }
    for key, got in cases.items():
        want = ref[key]
        np.testing.assert_allclose(
            [got.value, got.se, got.concordant, got.discordant, got.tied_x, got.tied_y],
            [want[k] for k in ("concordance", "se", "concordant", "discordant", "tied_x")]
            + [want["tied_y"]],
            rtol=1e-9,
            err_msg=key,
        )
        assert got.tied_xy == pytest.approx(want["tied_xy"], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_continuous_score_with_tied_days_matches_brute_force(seed: int) -> None:
    # few distinct times, many distinct scores: the descent runs over the time positions
    rng = np.random.default_rng(seed)
    n = 150
    t = rng.integers(1, 12, n).astype(float)
    d = rng.random(n) < 0.6
    x = rng.normal(size=n)
    x[:10] = x[10:20]  # some tied scores too
    w = rng.uniform(0.5, 2.0, n)
    c = concordance(t, d, x, weights=w)
    conc, disc, tie = _brute(t, d, x, w)
    np.testing.assert_allclose(
        [c.concordant, c.discordant, c.tied_x], [conc, disc, tie], rtol=1e-12
    )
    # the infinitesimal-jackknife se from per-subject pair counts, listed pair by pair
    infl = np.zeros((n, 3))
    for i in np.flatnonzero(d):
        for j in range(n):
            if j != i and (t[j] > t[i] or (t[j] == t[i] and not d[j])):
                k = 0 if x[j] > x[i] else 1 if x[j] < x[i] else 2
                infl[i, k] += w[j]
                infl[j, k] += w[i]
    total = conc + disc + tie
    somer = (conc - disc) / total
    dfbeta = w * ((infl[:, 0] - infl[:, 1]) - infl.sum(axis=1) * somer) / (2 * total)
    np.testing.assert_allclose(c.se, np.sqrt((dfbeta**2).sum()), rtol=1e-10)
