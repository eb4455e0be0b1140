"""Competing risks: the CIF and Fine-Gray regression against R ``cmprsk`` (and ``survfit``).

Tasks (data: three covariates, cause-1 hazard ``exp(x beta) / 365``, competing hazard 1/500,
uniform censoring on 30-3000 days; about 45% cause 1, 35% competing, 20% censored):

* ``cif-2causes``: ``hccsurv.cumulative_incidence(time, status)`` (both causes, survfit's
  infinitesimal-jackknife variance and log limits) against R ``cmprsk::cuminc(time, status)``
  and ``survfit(Surv(time, factor(status)) ~ 1)``.
* ``finegray-crr-3cov``: ``hccsurv.core.fine_gray.fine_gray_fit`` (``crr``'s estimator and
  its variance) against ``cmprsk::crr(time, status, x)``, whose default variance (``crrvv``)
  costs :math:`O(n^2)`: 1-2.5 minutes at n = 1e4 on the benchmark machine, hours at 1e5, so it
  runs at 1e4 only (``CRR_VARIANCE_MAX_N``).
* ``finegray-crr-3cov-no-variance``: the same hccsurv call (still with its variance) against
  ``crr(..., variance = FALSE)``, the point estimates alone (:math:`O(n K)` per iteration for
  :math:`K` event times); R is skipped once predicted to need more than ``R_LIMIT_SECONDS``.

Target: Fine-Gray at n = 1e5 at least 10x faster than ``crr`` (measured against the
no-variance ``crr``, which favours R).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from common import TIME_KINDS, best_of, repeats_for, row

from hccsurv.core.competing import cumulative_incidence
from hccsurv.core.fine_gray import fine_gray_fit

CIF, FG, FG_POINT = "cif-2causes", "finegray-crr-3cov", "finegray-crr-3cov-no-variance"
CRR_VARIANCE_MAX_N = 10_000
R_LIMIT_SECONDS = 400.0


def make_competing_data(
    n: int, kind: str, seed: int = 1818
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time, status (0 censored, 1, 2) and three covariates (normal, binary, normal)."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.normal(size=n)])
    t1 = rng.exponential(365.0 / np.exp(x @ np.array([0.2, -0.3, 0.1])))
    t2 = rng.exponential(500.0, n)
    c = rng.uniform(30.0, 3000.0, n)
    time = np.minimum(np.minimum(t1, t2), c)
    status = np.where(c <= np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    if kind == "integer-days":
        time = np.ceil(time)
    return time, status, x.astype(np.float64)


def _time_r(rscript: str, csv: Path, expr: str, k: int) -> float:
    code = (
        "suppressPackageStartupMessages({library(survival); library(cmprsk)});"
        f"d <- read.csv('{csv}'); x <- as.matrix(d[, c('x1', 'x2', 'x3')]);"
        f"el <- sapply(seq_len({k}), function(i) system.time({expr})[['elapsed']]);"
        "cat(sprintf('%.6f', min(el)))"
    )
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().split()[-1])


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="hccsurv-bench-cr-"))
    last: dict[tuple[str, str, str], tuple[int, float]] = {}

    def r_row(task: str, tool: str, kind: str, n: int, csv: Path, expr: str, k: int) -> None:
        key = (task, tool, kind)
        if key in last:
            n0, s0 = last[key]
            predicted = s0 * (n / n0) ** 1.5 * k
            if predicted > R_LIMIT_SECONDS:
                note = f"skipped: predicted {predicted:.0f} s (from {s0:.1f} s at n = {n0:,})"
                rows.append(row(task, n, kind, tool, math.nan, note))
                return
        assert r is not None
        seconds = _time_r(r, csv, expr, k)
        last[key] = (n, seconds)
        rows.append(row(task, n, kind, tool, seconds))
        print(f"  {task} {kind} n={n:,} {tool}: {seconds:.3f} s", flush=True)

    for kind in TIME_KINDS:
        for n in sizes:
            time, status, x = make_competing_data(n, kind)
            k = repeats_for(n)
            cif = best_of(lambda t=time, s=status: cumulative_incidence(t, s), k)
            rows.append(row(CIF, n, kind, "hccsurv", cif))
            fg = best_of(lambda t=time, s=status, x=x: fine_gray_fit(t, s, x), min(k, 5))
            rows.append(row(FG, n, kind, "hccsurv", fg))
            rows.append(row(FG_POINT, n, kind, "hccsurv", fg))
            print(f"  competing {kind} n={n:,} hccsurv: cif {cif:.3f} s, crr {fg:.3f} s")
            if r is None:
                continue
            csv = tmp / f"cr-{kind}-{n}.csv"
            frame = pd.DataFrame(x, columns=["x1", "x2", "x3"])
            frame.insert(0, "status", status)
            frame.insert(0, "time", time)
            frame.to_csv(csv, index=False, float_format="%.17g")
            peer_k = min(k, 3)
            r_row(CIF, "R cmprsk", kind, n, csv, "cuminc(d$time, d$status)", peer_k)
            r_row(
                CIF,
                "R survival",
                kind,
                n,
                csv,
                "survfit(Surv(time, factor(status)) ~ 1, data = d)",
                peer_k,
            )
            if n <= CRR_VARIANCE_MAX_N:
                r_row(FG, "R cmprsk", kind, n, csv, "crr(d$time, d$status, x)", 1)
            else:
                note = f"not run: crr's O(n^2) variance (minutes at n = 1e4; hours at n = {n:,})"
                rows.append(row(FG, n, kind, "R cmprsk", math.nan, note))
            r_row(
                FG_POINT, "R cmprsk", kind, n, csv, "crr(d$time, d$status, x, variance = FALSE)", 1
            )
    return rows


def targets(rows: list[dict[str, Any]], n: int = 100_000) -> list[dict[str, Any]]:
    out = []
    for kind in TIME_KINDS:
        sec = {
            r["tool"]: float(r["seconds"])
            for r in rows
            if r["task"] == FG_POINT and r["n"] == n and r["times"] == kind
        }
        ours, peer = sec.get("hccsurv", math.nan), sec.get("R cmprsk", math.nan)
        label = f"{FG}, n = {n:,}, {kind}: >= 10x faster than crr (its point estimates alone)"
        if math.isfinite(ours) and math.isfinite(peer):
            ratio = peer / ours
            detail = f"{ratio:.0f}x ({ours:.3f} s vs {peer:.2f} s)"
            out.append({"target": label, "met": ratio >= 10.0, "detail": detail})
        else:
            out.append({"target": label, "met": None, "detail": "not measured"})
    return out
