"""Live parity: fresh seeded data with non-integer weights -> Rscript validation/r/weights.R."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.test_weights import check_against_r

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "weights.R"


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [3, 2026])
def test_live_non_integer_weights(rscript: str, tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.5, n).astype(float)
    frame = pd.DataFrame(
        {
            "time": np.ceil(rng.exponential(20 * np.exp(-0.3 * x1 + 0.4 * x2))),
            "status": rng.binomial(1, 0.7, n).astype(float),
            "x1": x1,
            "x2": x2,
            "w": 1.0 / rng.uniform(0.15, 0.95, n),
        }
    )
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps({k: frame[k].tolist() for k in frame}))
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(src), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    check_against_r(frame, json.loads(out.read_text()))
