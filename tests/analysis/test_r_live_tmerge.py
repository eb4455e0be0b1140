"""Live parity of ``hccsurv.tmerge`` with R's ``survival::tmerge`` on fresh random tables."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.analysis.test_tmerge import assert_rows_equal, merged

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "tmerge.R"


@pytest.mark.r_live(packages=("survival",))
@pytest.mark.parametrize("seed", [20, 7])
def test_live_tmerge(rscript: str, tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(30, 80)), int(rng.integers(50, 200))
    entry = np.floor(rng.uniform(0, 20, n))
    patients = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "entry": entry,
            "futime": entry + 1 + np.floor(rng.exponential(150.0, n)),
            "status": (rng.uniform(size=n) < 0.6).astype(int),
        }
    )
    t = np.floor(rng.uniform(0, 250, m))
    t[rng.choice(m, 5, replace=False)] = np.nan
    events = pd.DataFrame(
        {"id": rng.integers(1, n + 1, m), "t": t, "v": np.round(rng.normal(size=m), 3)}
    )
    p_csv, e_csv, out = tmp_path / "p.csv", tmp_path / "e.csv", tmp_path / "out.json"
    patients.to_csv(p_csv, index=False)
    events.to_csv(e_csv, index=False, float_format="%.17g")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(p_csv), str(e_csv), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert_rows_equal(merged(patients, events), json.loads(out.read_text()))
