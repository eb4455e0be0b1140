"""Cox regression (Efron, 10 covariates): hccsurv vs lifelines, scikit-survival and R ``coxph``.

Targets at n = 1,000,000: on integer-day times >= 5x faster than lifelines and >= 10x faster than R;
on continuous times >= 5x faster than R. Sizes above ``MAX_N`` (1e6) are not run (the 1e7 size
of ``run.py`` is for Kaplan-Meier and log-rank). Peers predicted to need more than
``PEER_LIMIT_SECONDS`` for one fit at a size (extrapolated as ``seconds * (n / n0) ** 1.7`` from
the previous size; lifelines on continuous times grows ~48x from 1e5 to 1e6) are skipped with a
note rather than run for minutes (lifelines on continuous times at 1e6 takes ~85 s on a quiet
machine and ~240 s under load).
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from common import TIME_KINDS, Budget, best_of, repeats_for, row

from hccsurv.core.cox import cox_fit

TASK = "cox-efron-10cov"
P = 10
PEER_LIMIT_SECONDS = 60.0
MAX_N = 1_000_000


def make_cox_data(n: int, kind: str, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exponential survival with log-hazard ``X beta`` (10 standard-normal covariates)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, P))
    beta = np.linspace(-0.3, 0.3, P)
    t = rng.exponential(365.0 / np.exp(x @ beta))
    c = rng.uniform(30.0, 1500.0, n)
    time = np.minimum(t, c)
    if kind == "integer-days":
        time = np.ceil(time)
    return time, (t <= c).astype(np.float64), x


def _write_csv(path: Path, time: np.ndarray, event: np.ndarray, x: np.ndarray, kind: str) -> None:
    import pandas as pd

    frame = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(P)])
    frame.insert(0, "status", event.astype(int))
    frame.insert(0, "time", time)
    frame.to_csv(path, index=False, float_format="%.17g")


def _peer_budget(budget: Budget, tool: str, kind: str, n: int) -> str | None:
    key = (TASK, tool, kind)
    if key not in budget.last:
        return None
    n0, s0 = budget.last[key]
    # peers scale worse than linearly (lifelines continuous: ~48x from 1e5 to 1e6)
    predicted = s0 * (n / n0) ** 1.7
    if predicted > PEER_LIMIT_SECONDS:
        return f"skipped: predicted {predicted:.0f} s for one fit (from {s0:.1f} s at n = {n0:,})"
    return None


def _time_r(rscript: str, csv: Path, k: int) -> float:
    code = (
        "suppressPackageStartupMessages(library(survival));"
        f"d <- read.csv('{csv}');"
        f"el <- sapply(seq_len({k}), function(i) system.time("
        "coxph(Surv(time, status) ~ ., data = d, ties = 'efron'))[['elapsed']]);"
        "cat(sprintf('%.6f', min(el)))"
    )
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().split()[-1])


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    import tempfile
    import warnings

    import pandas as pd
    from lifelines import CoxPHFitter
    from sksurv.linear_model import CoxPHSurvivalAnalysis

    budget = Budget(limit=PEER_LIMIT_SECONDS)
    rows: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="hccsurv-bench-cox-"))
    for kind in TIME_KINDS:
        for n in [s for s in sizes if s <= MAX_N]:
            time, event, x = make_cox_data(n, kind)
            k = repeats_for(n)

            def fit_hccsurv(
                t: np.ndarray = time, e: np.ndarray = event, x: np.ndarray = x
            ) -> object:
                return cox_fit(t, e, x)

            rows.append(row(TASK, n, kind, "hccsurv", best_of(fit_hccsurv, k)))
            print(f"  {TASK} {kind} n={n:,} hccsurv: {rows[-1]['seconds']:.3f} s", flush=True)
            frame = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(P)])
            frame["time"], frame["event"] = time, event
            y = np.empty(n, dtype=[("event", bool), ("time", float)])
            y["event"], y["time"] = event.astype(bool), time

            def fit_lifelines(frame: pd.DataFrame = frame) -> object:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return CoxPHFitter().fit(frame, "time", "event")

            def fit_sksurv(x: np.ndarray = x, y: np.ndarray = y) -> object:
                return CoxPHSurvivalAnalysis(ties="efron").fit(x, y)

            peer_k = 1 if n >= 1_000_000 else k
            for tool, fn in (("lifelines", fit_lifelines), ("scikit-survival", fit_sksurv)):
                reason = _peer_budget(budget, tool, kind, n)
                if reason is not None:
                    rows.append(row(TASK, n, kind, tool, math.nan, reason))
                else:
                    seconds = best_of(fn, peer_k)
                    budget.record((TASK, tool, kind), n, seconds)
                    rows.append(row(TASK, n, kind, tool, seconds))
                print(f"  {TASK} {kind} n={n:,} {tool}: {rows[-1]['seconds']:.3f} s", flush=True)
            if r is not None:
                reason = _peer_budget(budget, "R survival", kind, n)
                if reason is not None:
                    rows.append(row(TASK, n, kind, "R survival", math.nan, reason))
                else:
                    csv = tmp / f"cox-{kind}-{n}.csv"
                    _write_csv(csv, time, event, x, kind)
                    seconds = _time_r(r, csv, peer_k)
                    budget.record((TASK, "R survival", kind), n, seconds)
                    rows.append(row(TASK, n, kind, "R survival", seconds))
                print(f"  {TASK} {kind} n={n:,} R: {rows[-1]['seconds']:.3f} s", flush=True)
    return rows


def targets(rows: list[dict[str, Any]], n: int = 1_000_000) -> list[dict[str, Any]]:
    def sec(tool: str, kind: str) -> float:
        for r in rows:
            if r["task"] == TASK and r["n"] == n and r["tool"] == tool and r["times"] == kind:
                return float(r["seconds"])
        return math.nan

    out = []
    for kind, tool, factor in (
        ("integer-days", "lifelines", 5.0),
        ("integer-days", "R survival", 10.0),
        ("continuous", "R survival", 5.0),
    ):
        ours, peer = sec("hccsurv", kind), sec(tool, kind)
        label = f"{TASK}, n = {n:,}, {kind}: >= {factor:.0f}x faster than {tool}"
        if math.isfinite(ours) and math.isfinite(peer):
            ratio = peer / ours
            out.append(
                {
                    "target": label,
                    "met": ratio >= factor,
                    "detail": f"{ratio:.1f}x ({ours:.3f} s vs {peer:.3f} s)",
                }
            )
        else:
            out.append({"target": label, "met": None, "detail": "not measured"})
    return out
