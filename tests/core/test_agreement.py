"""Cohen's kappa, weighted kappa and their Fleiss-Cohen-Everitt SE.

Reference values: tests/reference/agreement.json, written by validation/r/agreement.R
(``fce_kappa(tab, type)``: the estimator written out in R from Fleiss, Levin & Paik section
18.1-18.2, since irr/psych are not installed; percent-agreement CI from ``binom.test``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from conftest import load_reference
from hccsurv.core.agreement import cohen_kappa, kappa_from_table, weight_matrix
from hccsurv.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_hand_computed_2x2() -> None:
    # n = 50, table [[20, 5], [10, 15]]: p_o = 0.7; margins rows (.5, .5), columns (.6, .4);
    # p_e = .5*.6 + .5*.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4.
    # SE: wbar_i = (.6, .4), wbar_j = (.5, .5), 1 - kappa = .6;
    # sum p_ij (w_ij - (wbar_i + wbar_j) .6)^2
    #   = .4(.34)^2 + .1(.66)^2 + .2(.54)^2 + .3(.46)^2 = .2116;
    # var = (.2116 - (0.4 - 0.5 * 0.6)^2) / (50 * 0.25) = 0.016128.
    res = kappa_from_table(np.array([[20, 5], [10, 15]]))
    assert res.kappa == pytest.approx(0.4, abs=1e-12)
    assert res.se == pytest.approx(np.sqrt(0.016128), abs=1e-12)
    assert res.percent_agreement == pytest.approx(0.7)
    assert res.kappa_ci[0] == pytest.approx(0.4 - 1.959963984540054 * np.sqrt(0.016128))


@pytest.mark.parametrize("name", ["hand_2x2", "recist_4x4", "sparse_4x4"])
@pytest.mark.parametrize("weights", ["none", "linear", "quadratic"])
def test_against_r_reference(name: str, weights: str) -> None:
    ref = load_reference("agreement")[name]
    assert isinstance(ref, dict)
    res = kappa_from_table(np.array(ref["table"]), weights)  # type: ignore[arg-type]
    expected = ref[weights]
    np.testing.assert_allclose(res.kappa, expected["kappa"], rtol=1e-10)
    np.testing.assert_allclose(res.se, expected["se"], rtol=1e-10)
    np.testing.assert_allclose(res.kappa_ci, (expected["lower"], expected["upper"]), rtol=1e-10)
    np.testing.assert_allclose(res.expected, expected["expected"], rtol=1e-10)
    np.testing.assert_allclose(
        res.percent_agreement_ci, (expected["pa_lower"], expected["pa_upper"]), rtol=1e-8
    )


@pytest.mark.parametrize("weights", ["none", "linear", "quadratic"])
def test_against_statsmodels(weights: str) -> None:
    table = np.array([[10, 2, 0, 0], [3, 15, 4, 1], [0, 3, 20, 2], [0, 1, 2, 12]])
    ours = kappa_from_table(table, weights)  # type: ignore[arg-type]
    theirs = sm_kappa(table, wt=None if weights == "none" else weights)
    np.testing.assert_allclose(ours.kappa, theirs.kappa, rtol=1e-12)
    np.testing.assert_allclose(ours.se, theirs.std_kappa, rtol=1e-10)


def test_from_calls_and_weights() -> None:
    scale = ("CR", "PR", "SD", "PD")
    a = ["CR", "PR", "SD", "PD", "SD", "PR"]
    b = ["CR", "SD", "SD", "PD", "PD", "PR"]
    res = cohen_kappa(a, b, scale, "linear")
    assert res.n == 6 and res.table.sum() == 6 and res.table[1, 2] == 1
    np.testing.assert_allclose(weight_matrix(4, "linear")[0], [1, 2 / 3, 1 / 3, 0])
    np.testing.assert_allclose(weight_matrix(4, "quadratic")[0], [1, 8 / 9, 5 / 9, 0])
    json.dumps(res.to_dict())
    assert list(res.to_frame().columns)[:3] == ["weights", "n", "percent_agreement"]


def test_perfect_expected_agreement_gives_nan_kappa() -> None:
    res = kappa_from_table(np.array([[5, 0], [0, 0]]))
    assert np.isnan(res.kappa) and res.percent_agreement == 1.0


def test_input_errors() -> None:
    with pytest.raises(InputError, match="not on the scale"):
        cohen_kappa(["CR", "XX"], ["CR", "PR"], ("CR", "PR"))
    with pytest.raises(InputError, match="square"):
        kappa_from_table(np.ones((2, 3)))
    with pytest.raises(InputError, match="empty"):
        kappa_from_table(np.zeros((2, 2)))
    with pytest.raises(InputError, match="weights"):
        weight_matrix(3, "cubic")  # type: ignore[arg-type]


@pytest.mark.r_live
def test_live_parity_with_r(rscript: str) -> None:
    rng = np.random.default_rng(20240601)
    truth = rng.integers(0, 4, size=120)
    other = np.clip(truth + rng.choice([-1, 0, 0, 0, 1], size=120), 0, 3)
    table = np.zeros((4, 4), dtype=int)
    np.add.at(table, (truth, other), 1)
    values = ",".join(str(v) for v in table.flatten(order="F"))
    code = (
        "HCCSURV_LIB_ONLY <- TRUE; source('validation/r/agreement.R'); "
        f"tab <- matrix(c({values}), 4); "
        "cat(toJSON(lapply(c(none='none', linear='linear', quadratic='quadratic'), "
        "function(t) fce_kappa(tab, t)), digits = NA, auto_unbox = TRUE))"
    )
    out = subprocess.run(
        [rscript, "-e", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    ref = json.loads(out.stdout)
    for weights in ("none", "linear", "quadratic"):
        res = kappa_from_table(table, weights)  # type: ignore[arg-type]
        np.testing.assert_allclose(res.kappa, ref[weights]["kappa"], rtol=1e-10)
        np.testing.assert_allclose(res.se, ref[weights]["se"], rtol=1e-10)
