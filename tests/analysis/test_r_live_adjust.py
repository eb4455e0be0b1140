"""Live parity: fresh seeded cohorts -> Rscript validation/r/adjust.R <csv> <json> -> compare.

R computes the propensity model (``glm``), nine MatchIt 4.5.1 nearest-neighbour matchings,
four weightings, robust weighted Cox models (``coxph(..., weights =, cluster =)``), weighted
medians, IJ RMST variances and cobalt-formula balance; :func:`compare_reference` checks all of
them at rtol 1e-6 (matched pairs, subclasses and weights exactly).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .test_adjust_parity import compare_reference

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "adjust.R"


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(180, 320))
    age = np.round(rng.normal(64, 11, n), 1)
    female = rng.uniform(size=n) < 0.25
    etiology = rng.choice(["HBV", "HCV", "Alcohol", "Other"], n, p=[0.5, 0.2, 0.2, 0.1])
    cp_b = rng.uniform(size=n) < 0.3
    log_afp = np.round(rng.normal(5, 2, n), 3)
    big = (rng.uniform(size=n) < 0.3).astype(int)
    lp = -0.8 - 0.03 * (age - 64) + 0.5 * female - 0.6 * cp_b + 0.15 * (log_afp - 5) + 0.4 * big
    treated = rng.uniform(size=n) < 1 / (1 + np.exp(-lp))
    rate = 0.08 * np.exp(-0.4 * treated + 0.5 * cp_b + 0.1 * (log_afp - 5))
    t_event = rng.exponential(1 / rate)
    t_cens = rng.uniform(3, 36, n)
    return pd.DataFrame(
        {
            "patient_id": [f"R{i:03d}" for i in range(n)],
            "group": np.where(treated, "Post-ate-beva", "First-line"),
            "age": age,
            "sex": np.where(female, "Female", "Male"),
            "etiology": etiology,
            "child_pugh": np.where(cp_b, "B", "A"),
            "log_afp": log_afp,
            "tumor_gt_10cm": big,
            "time": np.round(np.minimum(t_event, t_cens), 4),
            "event": (t_event <= t_cens).astype(int),
        }
    )


@pytest.mark.r_live(packages=("MatchIt",))
@pytest.mark.parametrize("seed", [11, 12])
def test_live_parity(rscript: str, tmp_path: Path, seed: int) -> None:
    frame = _draw(seed)
    csv = tmp_path / "cohort.csv"
    out = tmp_path / "adjust.json"
    frame.to_csv(csv, index=False)
    run = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=SCRIPT.parents[2],
    )
    assert run.returncode == 0, run.stderr
    compare_reference(json.loads(out.read_text()), pd.read_csv(csv))
