"""Live parity: fresh seeded random competing-risks data with ties -> ``cmprsk::cuminc``.

The CIF and its variance of every cause must agree with R at rtol 1e-9 at each jump, and Gray's
test (three groups, two strata) in statistic and p-value.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hccsurv.core.cumulative_incidence import cumulative_incidence_cuminc
from hccsurv.core.gray_test import gray_test_cuminc

R_PROGRAM = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(cmprsk); library(jsonlite)})
d <- read.csv(args[1])
fit <- cuminc(d$time, d$status, cencode = 0)
out <- list()
for (k in c("1", "2")) {
  curve <- fit[[paste("1", k)]]
  keep <- !duplicated(curve$time, fromLast = TRUE) & curve$time %in% d$time[d$status == k]
  out[[k]] <- list(time = curve$time[keep], est = curve$est[keep], var = curve$var[keep])
}
tests <- cuminc(d$time, d$status, d$group, d$strata, cencode = 0)$Tests
out$gray <- list(stat = unname(tests[, "stat"]), pv = unname(tests[, "pv"]))
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
"""


@pytest.mark.r_live(packages=("cmprsk",))
@pytest.mark.parametrize("seed", [21, 22])
def test_live_cuminc(rscript: str, tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    time = np.ceil(rng.exponential(12.0, n))  # integer months: many ties
    status = rng.choice([0, 1, 2], n, p=[0.3, 0.45, 0.25])
    group = rng.choice(["x", "y", "z"], n)
    strata = rng.integers(1, 3, n)
    csv, script, out = tmp_path / "d.csv", tmp_path / "cuminc.R", tmp_path / "out.json"
    csv.write_text(
        "time,status,group,strata\n"
        + "".join(
            f"{float(t)!r},{int(s)},{g},{int(k)}\n"
            for t, s, g, k in zip(time, status, group, strata, strict=True)
        ),
        encoding="utf-8",
    )
    script.write_text(R_PROGRAM, encoding="utf-8")
    proc = subprocess.run(
        [rscript, str(script), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))
    for cause in (1, 2):
        fit = cumulative_incidence_cuminc(time, status, cause=cause)
        r = ref[str(cause)]
        np.testing.assert_allclose(fit.time, r["time"], rtol=1e-12)
        np.testing.assert_allclose(fit.estimate, r["est"], rtol=1e-9)
        np.testing.assert_allclose(fit.variance, r["var"], rtol=1e-9)
        gray = gray_test_cuminc(time, status, group, strata=strata, cause=cause)
        np.testing.assert_allclose(gray.statistic, ref["gray"]["stat"][cause - 1], rtol=1e-9)
        np.testing.assert_allclose(gray.p_value, ref["gray"]["pv"][cause - 1], rtol=1e-8)
