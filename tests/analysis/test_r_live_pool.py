"""Live parity of ``hccsurv.pool`` with ``summary(mice::pool(...), conf.int = TRUE)``.

Seeded random data; each of m=5 "completed" datasets is the data with a re-drawn noisy copy of
``x`` (a stand-in for imputation, so that the between-imputation variance is non-zero). The same
CSVs go to R, which runs ``with``-style ``coxph`` fits, ``as.mira``, ``pool`` and
``summary(conf.int = TRUE)``; every column, the Barnard-Rubin df included, must agree at 1e-6.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.coxph import coxph
from hccsurv.analysis.pooling import pool
from hccsurv.core.rubin import barnard_rubin_df, rubin_pool

R_PROGRAM = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(survival); library(mice); library(jsonlite)})
files <- args[-length(args)]
fits <- lapply(files, function(f) coxph(Surv(time, event) ~ x + z, data = read.csv(f)))
s <- summary(pool(as.mira(fits)), conf.int = TRUE)
p <- pool(as.mira(fits))$pooled
out <- list(estimate = s$estimate, std.error = s$std.error, statistic = s$statistic,
            df = s$df, p.value = s$p.value, conf.low = s[["2.5 %"]], conf.high = s[["97.5 %"]],
            riv = p$riv, lambda = p$lambda, fmi = p$fmi, dfcom = p$dfcom[1],
            version = as.character(packageVersion("mice")))
write_json(out, args[length(args)], digits = NA, auto_unbox = TRUE)
"""


#: summary(pool(...), conf.int = TRUE)'s columns (mice 3.15), written out, not read from the code
MICE_COLUMNS = (
    "estimate",
    "std.error",
    "statistic",
    "df",
    "p.value",
    "conf.low",
    "conf.high",
    "riv",
    "lambda",
    "fmi",
)


def _completed(seed: int, m: int) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 150
    x = rng.normal(size=n)
    z = rng.integers(0, 2, n)
    t = rng.exponential(np.exp(-(0.5 * x - 0.3 * z)))
    c = rng.uniform(0.5, 3.0, n)
    base = pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(int), "z": z})
    return [base.assign(x=x + rng.normal(scale=0.5, size=n)) for _ in range(m)]


@pytest.mark.r_live(packages=("survival", "mice"))
def test_pool_matches_mice(rscript: str, tmp_path: Path) -> None:
    frames = _completed(20261205, 5)
    files = []
    for i, f in enumerate(frames):
        path = tmp_path / f"imp{i + 1}.csv"
        f.to_csv(path, index=False, float_format="%.17g")
        files.append(str(path))
    prog = tmp_path / "pool.R"
    prog.write_text(R_PROGRAM)
    out = tmp_path / "out.json"
    subprocess.run([rscript, str(prog), *files, str(out)], check=True, capture_output=True)
    ref = json.loads(out.read_text())
    assert ref["version"] == "3.15.0"
    fits = [coxph(f, "time", "event", ["x", "z"]) for f in frames]
    res = pool(fits)
    frame = res.to_frame()
    assert res.dfcom == ref["dfcom"] == fits[0].n_events - 2
    for col in MICE_COLUMNS:
        np.testing.assert_allclose(frame[col], ref[col], rtol=1e-6, err_msg=col)
    d = res.to_dict()
    assert set(d["terms"]) == {"x", "z"}
    assert set(d["terms"]["x"]) == set(MICE_COLUMNS)


def test_rubin_pool_by_hand() -> None:
    q = np.array([[1.0], [2.0], [3.0]])
    u = np.array([[0.5], [0.5], [0.5]])
    r = rubin_pool(q, u, dfcom=float("inf"))
    # B = 1, T = 0.5 + 4/3, lambda = (4/3)/T, df_old = 2 / lambda^2.
    t = 0.5 + 4.0 / 3.0
    assert r.t[0] == pytest.approx(t)
    assert r.df[0] == pytest.approx(2.0 / ((4.0 / 3.0) / t) ** 2)
    # A finite complete-data df shrinks the Barnard-Rubin df below the large-sample one.
    assert barnard_rubin_df(3, [1.0], [t], 10.0)[0] < r.df[0]
    with pytest.raises(ValueError):
        rubin_pool(q[:1], u[:1], dfcom=10.0)
