"""Live parity of ``hccsurv.landmark`` with R on a fresh random cohort (3- and 6-month)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.analysis.test_landmark import check

import hccsurv

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "landmark.R"


@pytest.mark.r_live(packages=("survival",))
@pytest.mark.parametrize(("seed", "at"), [(20, 3.0), (5, 6.0)])
def test_live_landmark(rscript: str, tmp_path: Path, seed: int, at: float) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(150, 300))
    resp = np.where(rng.uniform(size=n) < 0.4, rng.uniform(1.0, 9.0, n), np.nan)
    d = pd.DataFrame(
        {
            "time": np.round(rng.exponential(14.0, n), 2),
            "event": (rng.uniform(size=n) < 0.75).astype(int),
            "resp": resp,
            "age": np.round(rng.normal(62.0, 9.0, n)),
        }
    )
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False, float_format="%.17g")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(at), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = hccsurv.landmark(
        d, "time", "event", landmark=at, switch_col="resp", covariates=["age"]
    )
    check(result, json.loads(out.read_text()))
