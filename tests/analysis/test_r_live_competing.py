"""Live parity on fresh seeded data: survfit's multi-state CIF (IJ se), cmprsk::crr, coxph on
survival::finegray data and the cause-specific coxph, each against hccsurv at 1e-7 or tighter.

Times are rounded (ties, censorings tied with events), there are three causes, a three-level
factor and a numeric covariate, and the censoring code is 9 (``censored=``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hccsurv

R_PROGRAM = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(cmprsk); library(survival); library(jsonlite)})
d <- read.csv(args[1])
d$arm <- factor(d$arm, c("ctl", "haic", "tace"))
status0 <- ifelse(d$status == 9, 0, d$status)
X <- model.matrix(~ age + arm, d)[, -1]
f <- crr(d$time, status0, X, failcode = 1)
se <- sqrt(diag(f$var))
fit <- survfit(Surv(time, factor(status0, 0:3)) ~ 1, data = d)
keep <- rowSums(fit$n.event[, -1]) > 0
d$ev <- factor(status0, 0:3, c("cens", "prog", "death", "tx"))
fgd <- finegray(Surv(time, ev) ~ age + arm, data = d, etype = "prog")
cf <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + arm, weight = fgwt, data = fgd)
cs <- coxph(Surv(time, status0 == 2) ~ age + arm, data = d)
out <- list(
  crr = list(coef = unname(f$coef), se = unname(se), p = unname(2 * pnorm(-abs(f$coef / se)))),
  fg = list(coef = unname(coef(cf)), se = unname(sqrt(diag(cf$var)))),
  cs = list(coef = unname(coef(cs)), se = unname(sqrt(diag(cs$var)))),
  aj = list(time = fit$time[keep], est = fit$pstate[keep, 2:4], se = fit$std.err[keep, 2:4])
)
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
"""


@pytest.mark.r_live(packages=("cmprsk",))
@pytest.mark.parametrize("seed", [181, 182])
def test_live_competing_risks(rscript: str, tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 500
    frame = pd.DataFrame(
        {
            "time": np.round(rng.exponential(20.0, n), 0) + 1.0,
            "status": rng.choice([9, 1, 2, 3], n, p=[0.3, 0.35, 0.25, 0.1]),
            "age": np.round(rng.normal(62.0, 9.0, n), 1),
            "arm": rng.choice(["ctl", "haic", "tace"], n),
        }
    )
    csv, script, out = tmp_path / "d.csv", tmp_path / "cr.R", tmp_path / "out.json"
    frame.to_csv(csv, index=False)
    script.write_text(R_PROGRAM, encoding="utf-8")
    proc = subprocess.run(
        [rscript, str(script), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))
    covs = ["age", "arm"]
    crr = hccsurv.finegray(frame, "time", "status", covs, cause=1, censored=9).to_frame()
    np.testing.assert_allclose(crr["coef"], ref["crr"]["coef"], rtol=1e-7)
    np.testing.assert_allclose(crr["se"], ref["crr"]["se"], rtol=1e-7)
    np.testing.assert_allclose(crr["p"], ref["crr"]["p"], rtol=1e-7)
    fg = hccsurv.finegray(
        frame, "time", "status", covs, cause=1, censored=9, method="finegray"
    ).to_frame()
    np.testing.assert_allclose(fg["coef"], ref["fg"]["coef"], rtol=1e-7)
    np.testing.assert_allclose(fg["se"], ref["fg"]["se"], rtol=1e-7)
    cs = hccsurv.cause_specific_cox(frame, "time", "status", covs, cause=2, censored=9)
    np.testing.assert_allclose(cs.to_frame()["coef"], ref["cs"]["coef"], rtol=1e-7)
    np.testing.assert_allclose(cs.to_frame()["se"], ref["cs"]["se"], rtol=1e-7)
    cif = hccsurv.cumulative_incidence(frame["time"], frame["status"], censored=9)
    for j, cause in enumerate((1, 2, 3)):
        curve = cif.curve(cause)
        np.testing.assert_allclose(curve.time, ref["aj"]["time"], rtol=1e-12)
        est = np.asarray(ref["aj"]["est"])[:, j]
        np.testing.assert_allclose(curve.estimate, est, rtol=1e-9)
        se = np.asarray(ref["aj"]["se"])[:, j]
        np.testing.assert_allclose(np.sqrt(curve.variance), se, rtol=1e-9)
