"""Live R parity on fresh random data: decoded status codes and long-format rows give survdiff.

A long-format file (two rows per patient, ``etype`` 1 and 2, rows shuffled) with a 1/2/3 status
(1 censored, 2 the event, 3 a competing event) is loaded through the config keys
``event_codes``/``censored_codes``/``competing_codes`` and ``key``/``key_value``; each endpoint's
log-rank test must equal R's ``survdiff(Surv(time, status == 2) ~ arm, subset = etype == k)``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.config import parse_config
from hccsurv.core.logrank import logrank
from hccsurv.data.cohort import load_cohort

R_PROGRAM = r"""
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
res <- lapply(c(1, 2), function(k) {
  x <- survdiff(Surv(time, status == 2) ~ arm, data = d, subset = etype == k)
  list(chisq = x$chisq, n = sum(x$n), events = sum(x$obs))
})
write_json(res, args[2], digits = NA, auto_unbox = TRUE)
"""


def _long_file(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 150
    arm = rng.choice(["ctl", "new"], size=n)
    rows = []
    for k in (1, 2):
        time = np.round(rng.exponential(np.where(arm == "new", 400.0, 300.0)) + 1, 1)
        status = rng.choice([1, 2, 3], size=n, p=[0.3, 0.55, 0.15])
        rows.append(
            pd.DataFrame(
                {"pid": np.arange(1, n + 1), "arm": arm, "etype": k, "time": time, "status": status}
            )
        )
    return pd.concat(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.r_live(packages=("survival",))
@pytest.mark.parametrize("seed", [20261208, 7])
def test_long_format_codes_match_survdiff(rscript: str, tmp_path: Path, seed: int) -> None:
    frame = _long_file(seed)
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    prog = tmp_path / "survdiff.R"
    prog.write_text(R_PROGRAM)
    out = tmp_path / "out.json"
    subprocess.run([rscript, str(prog), str(path), str(out)], check=True, capture_output=True)
    ref = json.loads(out.read_text())

    ready = {
        "time": "time",
        "event": "status",
        "time_unit": "days",
        "event_codes": [2],
        "censored_codes": [1],
        "competing_codes": {"Other": 3},
        "key": "etype",
    }
    config = parse_config(
        {
            "study": {"data": "long.csv", "id_column": "pid", "time_unit": "days"},
            "groups": {"column": "arm", "labels": ["ctl", "new"]},
            "endpoints": {
                "E1": {"label": "First", "key_value": 1, **ready},
                "E2": {"label": "Second", "key_value": 2, **ready},
            },
        },
        tmp_path,
    )
    cohort = load_cohort(config)
    assert cohort.causes == {"E1": ("First", "Other"), "E2": ("Second", "Other")}
    f = cohort.frame
    for name, r in zip(("E1", "E2"), ref, strict=True):
        res = logrank(f[f"{name}_time"], f[f"{name}_event"], f["arm"].astype(str))
        np.testing.assert_allclose(res.chisq, r["chisq"], rtol=1e-9)
        assert (int(res.n.sum()), int(res.observed.sum())) == (r["n"], r["events"])
        # the competing code is its own cause, never the event
        assert set(f.loc[f[f"{name}_cause"] == 2, f"{name}_event"]) == {0.0}
