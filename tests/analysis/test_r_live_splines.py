"""Live parity of ``hccsurv.spline_cox`` with rms on fresh random data (n below and above 100)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.analysis.test_splines import check

import hccsurv

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "splines.R"


@pytest.mark.r_live(packages=("survival", "rms"))
@pytest.mark.parametrize(("seed", "n", "nk"), [(20, 70, 4), (8, 250, 5)])
def test_live_spline_cox(rscript: str, tmp_path: Path, seed: int, n: int, nk: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(3.0, 1.0, n), 2)
    hazard = np.exp(0.5 * np.log(x) - 0.2 * (np.log(x) - 3.0) ** 2)
    d = pd.DataFrame(
        {
            "time": np.round(rng.exponential(10.0 / hazard), 3) + 0.01,
            "event": (rng.uniform(size=n) < 0.8).astype(int),
            "x": x,
            "age": np.round(rng.normal(62.0, 9.0, n)),
        }
    )
    ref_x = float(np.round(np.median(x), 1))
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False, float_format="%.17g")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(nk), repr(ref_x), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    result = hccsurv.spline_cox(
        d, "time", "event", "x", knots=nk, covariates=["age"], reference=ref_x, grid=ref["grid"]
    )
    check(result, ref)
