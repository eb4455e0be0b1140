"""Live parity: fresh seeded data -> validation/r/pairwise_subgroup.R (live mode) -> compare.

R computes survminer-style pairwise log-rank tests (plain, and Peto-Peto stratified) with Holm,
Cox contrasts between every pair of groups from one stratified model, and a subgroup analysis
(coxph per level, anova of nested fits); hccsurv must agree at rtol 1e-6.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.pairwise import pairwise_cox, pairwise_logrank
from hccsurv.analysis.subgroup import subgroup_analysis

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "pairwise_subgroup.R"


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    group = rng.choice(["A", "B", "C", "D"], n)
    trt = rng.integers(0, 2, n)
    sub = rng.choice(["lo", "mid", "hi"], n)
    x = rng.normal(0, 1, n).round(2)
    s = rng.integers(1, 3, n)
    lp = np.select([group == "B", group == "C"], [0.3, 0.6], 0.0) - 0.4 * trt + 0.3 * x
    lp = lp + 0.5 * trt * (sub == "hi")
    t = rng.exponential(12 * np.exp(-lp))
    c = rng.uniform(4, 30, n)
    return pd.DataFrame(
        {
            "time": np.ceil(np.minimum(t, c)),  # ties
            "status": (t <= c).astype(int),
            "group": group,
            "trt": trt,
            "sub": sub,
            "x": x,
            "s": s,
        }
    )


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [21, 22])
def test_live_pairwise_and_subgroups(rscript: str, tmp_path: Path, seed: int) -> None:
    d = _draw(seed)
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False)
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))

    lr = pairwise_logrank(d["time"], d["status"], d["group"]).to_frame()
    np.testing.assert_allclose(lr["chisq"], ref["logrank"]["chisq"], rtol=1e-8)
    np.testing.assert_allclose(lr["p_adjusted"], ref["logrank"]["p_adjusted"], rtol=1e-8)
    lrs = pairwise_logrank(
        d["time"], d["status"], d["group"], rho=1.0, strata=d["s"].to_numpy()
    ).to_frame()
    np.testing.assert_allclose(lrs["chisq"], ref["logrank_strata"]["chisq"], rtol=1e-8)
    np.testing.assert_allclose(lrs["p_adjusted"], ref["logrank_strata"]["p_adjusted"], rtol=1e-8)

    cox = pairwise_cox(d, "time", "status", "group", covariates=["x"], strata="s").to_frame()
    np.testing.assert_allclose(cox["coef"], ref["cox"]["coef"], rtol=1e-7)
    np.testing.assert_allclose(cox["se"], ref["cox"]["se"], rtol=1e-6)
    np.testing.assert_allclose(cox["p_adjusted"], ref["cox"]["p_adjusted"], rtol=1e-6)

    sg = subgroup_analysis(d, "time", "status", "trt", ["sub"], covariates=["x"])
    rows = sg.to_frame()
    rows = rows[rows["variable"] == "sub"]
    r = ref["subgroup"]
    assert list(rows["level"]) == r["levels"]["level"]
    np.testing.assert_allclose(rows["hr"], r["levels"]["hr"], rtol=1e-6)
    np.testing.assert_allclose(rows["hr_upper"], r["levels"]["upper"], rtol=1e-6)
    np.testing.assert_allclose(rows["p"], r["levels"]["p"], rtol=1e-6)
    t = sg.interaction("sub")
    assert t.df == r["df"]
    np.testing.assert_allclose([t.chisq, t.p], [r["chisq"], r["p"]], rtol=1e-6)
