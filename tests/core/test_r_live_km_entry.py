"""Live parity for delayed entry: fresh seeded left-truncated data -> ``validation/r/km_entry.R``.

R fits ``survfit(Surv(start, stop, event) ~ 1)``; hccsurv ``kaplan_meier(stop, event,
entry=start)`` must give the same risk sets, curve, Greenwood errors and median at rtol 1e-9.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hccsurv

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "km_entry.R"


def _nan(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@pytest.mark.r_live(packages=("survival",))
@pytest.mark.parametrize("seed", [2020, 11])
def test_live_km_entry(rscript: str, tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 300))
    start = rng.uniform(0.0, 30.0, n)
    stop = start + rng.exponential(40.0, n) + 0.5
    if seed % 2:
        start, stop = np.floor(start), np.ceil(stop)  # integer days with ties
    d = pd.DataFrame({"start": start, "stop": stop, "event": (rng.uniform(size=n) < 0.6) * 1})
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False, float_format="%.17g")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    km = hccsurv.kaplan_meier(d["stop"], d["event"], entry=d["start"])
    np.testing.assert_allclose(km.time, ref["time"], rtol=1e-12)
    np.testing.assert_allclose(km.n_risk, ref["n_risk"], rtol=1e-12)
    np.testing.assert_allclose(km.surv, ref["surv"], rtol=1e-9)
    se = _nan(ref["std_err"])
    ok = ~np.isnan(se)
    np.testing.assert_allclose(km.std_err[ok], se[ok], rtol=1e-9)
    if ref["median"] is None:
        assert km.median is None
    else:
        assert km.median == pytest.approx(ref["median"], rel=1e-9)
