"""Live parity: fresh seeded random data with ties, a factor and case weights -> Rscript -> compare.

R runs ``coxph`` (Efron and Breslow, weights, factor with a non-alphabetical reference),
``cox.zph`` and ``summary(fit)$concordance`` on the same CSV; hccsurv.coxph must agree at
rtol 1e-6 (coefficients 1e-8).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.coxph import coxph

R_PROGRAM = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(survival); library(jsonlite)})
d <- read.csv(args[1])
d$stage <- relevel(factor(d$stage), ref = "II")
out <- list()
for (ti in c("efron", "breslow")) {
  fit <- coxph(Surv(time, event) ~ age + stage + treated, data = d, weights = w, ties = ti)
  z <- cox.zph(fit)$table
  out[[ti]] <- list(coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
                    loglik = unname(fit$loglik), score = unname(fit$score),
                    wald = unname(fit$wald.test), concordance = unname(fit$concordance[c(6, 7)]),
                    zph = unname(z[, "chisq"]), n = fit$n)
}
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
"""


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    stage = rng.choice(["I", "II", "III", "IV"], n, p=[0.2, 0.3, 0.3, 0.2])
    age = rng.normal(60, 10, n).round()
    treated = rng.integers(0, 2, n)
    lp = (
        0.03 * (age - 60)
        + np.select([stage == "III", stage == "IV"], [0.5, 1.0], 0.0)
        - 0.4 * treated
    )
    t = rng.exponential(20 * np.exp(-lp))
    c = rng.uniform(5, 40, n)
    frame = pd.DataFrame(
        {
            "time": np.ceil(np.minimum(t, c)),  # integer months: many ties
            "event": (t <= c).astype(int),
            "age": age,
            "stage": stage,
            "treated": treated,
            "w": rng.integers(1, 4, n).astype(float),
        }
    )
    frame.loc[rng.choice(n, 10, replace=False), "age"] = np.nan  # complete cases
    return frame


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [11, 12])
def test_live_coxph(rscript: str, tmp_path: Path, seed: int) -> None:
    frame = _draw(seed)
    csv, script, out = tmp_path / "d.csv", tmp_path / "cox.R", tmp_path / "out.json"
    frame.to_csv(csv, index=False, na_rep="NA")
    script.write_text(R_PROGRAM, encoding="utf-8")
    proc = subprocess.run(
        [rscript, str(script), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))
    for ties in ("efron", "breslow"):
        r = ref[ties]
        m = coxph(
            frame,
            "time",
            "event",
            ["age", "stage", "treated"],
            reference={"stage": "II"},
            weights="w",
            ties=ties,
        )
        f = m.fit
        assert m.n == r["n"] == 290
        np.testing.assert_allclose(f.coef, r["coef"], rtol=1e-8)
        np.testing.assert_allclose(f.se, r["se"], rtol=1e-6)
        np.testing.assert_allclose([m.loglik_null, m.loglik], r["loglik"], rtol=1e-9)
        np.testing.assert_allclose(
            [m.score_test.chisq, m.wald_test.chisq], [r["score"], r["wald"]], rtol=1e-6
        )
        np.testing.assert_allclose([m.concordance, m.concordance_se], r["concordance"], rtol=1e-6)
        np.testing.assert_allclose(m.zph().to_frame()["chisq"], r["zph"], rtol=1e-6)
