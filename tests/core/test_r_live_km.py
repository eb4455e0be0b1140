"""Live parity: fresh seeded random data -> Rscript ``validation/r/km_logrank.R`` -> compare.

Each case draws new data (tied and untied times, 2 or 3 groups), writes it to a temporary CSV,
runs R (``survfit``, ``summary(fit, times =, extend = TRUE)``, ``quantile``, ``survdiff`` with
rho 0 and 1, trend, RMST) and compares with hccsurv at rtol 1e-9.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hccsurv.core.km import CONF_TYPES, kaplan_meier
from hccsurv.core.logrank import logrank, logrank_trend
from hccsurv.core.rmst import rmst

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "km_logrank.R"
_SPECIAL = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}
RTOL = 1e-9


def _arr(values: Any) -> np.ndarray:
    seq = values if isinstance(values, list) else [values]
    return np.array([_SPECIAL[v] if isinstance(v, str) else v for v in seq], dtype=float)


def _close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), _arr(expected), rtol=RTOL, atol=0.0, equal_nan=True
    )


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 250))
    k = 2 + seed % 2
    group = rng.choice([f"g{j}" for j in range(k)], n)
    rate = 0.03 * (1.0 + np.array([int(g[1]) for g in group]))
    event_time = rng.exponential(1.0 / rate)
    censor_time = rng.uniform(5.0, 60.0, n)
    time = np.minimum(event_time, censor_time)
    if seed % 3 == 0:
        time = np.ceil(time)  # heavy ties
    return pd.DataFrame(
        {
            "time": np.round(time, 6),
            "status": (event_time <= censor_time).astype(int),
            "group": group,
        }
    )


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [20240611, 7, 912])
def test_live_km_logrank(rscript: str, tmp_path: Path, seed: int) -> None:
    d = _draw(seed)
    tmax_group = d.groupby("group")["time"].max().min()
    spec = {
        "times": [0.0, float(d.time.median()), 12.0, 24.5, float(d.time.max()) + 1.0],
        "probs": [0.25, 0.5, 0.75],
        "tau": float(np.floor(0.8 * tmax_group)),
    }
    csv, spec_path, out = tmp_path / "d.csv", tmp_path / "spec.json", tmp_path / "out.json"
    d.to_csv(csv, index=False)
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(spec_path), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    t, e, g = d.time.to_numpy(), d.status.to_numpy(), d.group.to_numpy()
    for label, keep, r in [("overall", np.ones(len(d), bool), ref["overall"])] + [
        (lab, g == lab, ref["groups"][lab]) for lab in ref["labels"]
    ]:
        fit = kaplan_meier(t[keep], e[keep])  # R: survfit(Surv(time, status) ~ 1)
        for f in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
            _close(getattr(fit, f), r["curve"][f])
        for conf_type in CONF_TYPES:
            fit_c = kaplan_meier(t[keep], e[keep], conf_type=conf_type)
            q = fit_c.quantile(spec["probs"])  # R: quantile(fit, c(.25, .5, .75))
            _close(q.time, r["quantiles"][conf_type]["time"])
            if conf_type != "none":
                _close(fit_c.lower, r["ci"][conf_type]["lower"])
                _close(q.lower, r["quantiles"][conf_type]["lower"])
                _close(q.upper, r["quantiles"][conf_type]["upper"])
            at = fit_c.survival_at(spec["times"])  # R: summary(fit, times, extend = TRUE)
            _close(at.surv, r["at"][conf_type]["surv"])
            _close(at.n_risk, r["at"][conf_type]["n_risk"])
        assert rmst(t[keep], e[keep], spec["tau"]).estimate == pytest.approx(
            r["rmean"], rel=RTOL
        ), label
    for rho in (0, 1):
        lr = logrank(t, e, g, rho=float(rho))  # R: survdiff(Surv(time, status) ~ group, rho)
        sd = ref["survdiff"][f"rho{rho}"]
        _close(lr.observed, sd["observed"])
        _close(lr.expected, sd["expected"])
        assert lr.chisq == pytest.approx(sd["chisq"], rel=RTOL)
    if "trend" in ref:
        assert logrank_trend(t, e, g).chisq == pytest.approx(ref["trend"]["chisq"], rel=RTOL)
