"""Live parity of the counting-process Cox model on fresh split data.

Each patient's follow-up is cut at a random day where ``x2`` switches, as ``tmerge`` would; R's
``coxph(Surv(start, stop, event) ~ x1 + x2, ...)`` (``validation/r/cox_counting.R``) and
``hccsurv.coxph(..., start_col="start")`` must agree at 1e-7 (Efron, Breslow with cluster,
strata with cluster).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.core.test_cox_counting import check

import hccsurv

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "cox_counting.R"


def _split_draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 200))
    follow = rng.exponential(150.0, n) + 1.0
    switch = rng.uniform(0.0, 250.0, n)
    if seed % 2:
        follow, switch = np.ceil(follow), np.floor(switch)  # integer days with ties
    x1 = rng.normal(size=n)
    grp = rng.choice(["a", "b"], n)
    event = (rng.uniform(size=n) < 0.7).astype(int)
    rows = []
    for i in range(n):
        if 0 < switch[i] < follow[i]:
            rows.append((i, 0.0, switch[i], 0, x1[i], 0, grp[i]))
            rows.append((i, switch[i], follow[i], event[i], x1[i], 1, grp[i]))
        else:
            rows.append((i, 0.0, follow[i], event[i], x1[i], 0, grp[i]))
    return pd.DataFrame(rows, columns=["id", "start", "stop", "event", "x1", "x2", "grp"])


@pytest.mark.r_live(packages=("survival",))
@pytest.mark.parametrize("seed", [20, 31])
def test_live_counting_process_cox(rscript: str, tmp_path: Path, seed: int) -> None:
    d = _split_draw(seed)
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False, float_format="%.17g")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    common = {"start_col": "start"}
    check(hccsurv.coxph(d, "stop", "event", ["x1", "x2"], **common), ref["efron"])
    check(
        hccsurv.coxph(d, "stop", "event", ["x1", "x2"], cluster="id", ties="breslow", **common),
        ref["breslow"],
    )
    check(
        hccsurv.coxph(d, "stop", "event", ["x1", "x2"], strata="grp", cluster="id", **common),
        ref["strata"],
    )
