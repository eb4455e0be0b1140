"""Shared helpers of the benchmark modules: data, timing, R runner and the skip budget.

Contract of a ``bench_*.py`` module: ``run(sizes: list[int], r: str | None) -> list[dict]`` with
rows ``{"task", "n", "times", "tool", "seconds"}`` (``times`` is ``"integer-days"`` or
``"continuous"``; ``seconds`` is the best of k repeats, data generation excluded; NaN with a
``"note"`` when a peer was skipped). Optional: ``targets(rows) -> list[dict]`` with keys
``target``, ``met`` (bool or None) and ``detail``.
"""

from __future__ import annotations

import atexit
import math
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

TIME_KINDS = ("integer-days", "continuous")
PEER_BUDGET_SECONDS = 60.0


@dataclass(frozen=True)
class Data:
    time: np.ndarray
    event: np.ndarray
    group: np.ndarray


def make_data(n: int, kind: str, seed: int = 12345) -> Data:
    """Two-arm cohort: exponential event times (median ~ 1 year), uniform censoring, 2 groups."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    event_time = rng.exponential(365.0 * (1.0 + 0.5 * group))
    censor_time = rng.uniform(30.0, 3000.0, n)
    t = np.minimum(event_time, censor_time)
    if kind == "integer-days":
        t = np.ceil(t)
    return Data(time=t, event=(event_time <= censor_time).astype(np.int64), group=group)


def repeats_for(n: int) -> int:
    """Best of k: more repeats for small n."""
    return 15 if n <= 10_000 else 9 if n <= 100_000 else 7 if n <= 1_000_000 else 3


def peer_repeats_for(n: int) -> int:
    """Repeats of the peers: as ``repeats_for`` but a single fit at n >= 1e7 (minutes each)."""
    return 1 if n >= 10_000_000 else repeats_for(n)


def best_of(fn: Callable[[], object], k: int) -> float:
    """Minimum wall time of ``k`` calls (``time.perf_counter``)."""
    best = math.inf
    for _ in range(k):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Budget:
    """Skips a (task, tool, times) series once the next size is predicted to be too slow."""

    limit: float = PEER_BUDGET_SECONDS
    last: dict[tuple[str, str, str], tuple[int, float]] = field(default_factory=dict)

    def skip_reason(self, key: tuple[str, str, str], n: int, k: int) -> str | None:
        if key not in self.last:
            return None
        n0, s0 = self.last[key]
        predicted = s0 * (n / n0) * 1.2
        if predicted * k > self.limit:
            return (
                f"skipped: too slow (predicted {predicted:.0f} s per fit x {k} repeats from "
                f"{s0:.2f} s at n = {n0:,}; budget {self.limit:.0f} s)"
            )
        return None

    def record(self, key: tuple[str, str, str], n: int, seconds: float) -> None:
        self.last[key] = (n, seconds)


def row(task: str, n: int, kind: str, tool: str, seconds: float, note: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"task": task, "n": n, "times": kind, "tool": tool, "seconds": seconds}
    if note:
        out["note"] = note
    return out


def timed(
    budget: Budget, task: str, n: int, kind: str, tool: str, fn: Callable[[], object], k: int
) -> dict[str, Any]:
    """Time ``fn`` (best of ``k``) unless the budget says it would take too long."""
    key = (task, tool, kind)
    reason = budget.skip_reason(key, n, k)
    if reason is not None:
        return row(task, n, kind, tool, math.nan, reason)
    seconds = best_of(fn, k)
    budget.record(key, n, seconds)
    return row(task, n, kind, tool, seconds)


def run_r(
    rscript: str,
    budget: Budget,
    task: str,
    n: int,
    kind: str,
    data: Data,
    fit_expr: str,
    k: int,
) -> dict[str, Any]:
    """Time an R expression with ``system.time`` inside R (best of k), data read from a CSV.

    ``fit_expr`` sees a data frame ``d`` with columns ``time``, ``status``, ``group``.
    """
    key = (task, "R survival", kind)
    reason = budget.skip_reason(key, n, k)
    if reason is not None:
        return row(task, n, kind, "R survival", math.nan, reason)
    csv = _csv_for(data, n, kind)
    code = (
        "suppressPackageStartupMessages(library(survival));"
        f"d <- read.csv('{csv}', colClasses = c('numeric', 'integer', 'integer'));"
        f"el <- sapply(seq_len({k}), function(i) system.time({fit_expr})[['elapsed']]);"
        "cat(sprintf('%.6f', min(el)))"
    )
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=True)
    seconds = float(proc.stdout.strip().split()[-1])
    budget.record(key, n, seconds)
    return row(task, n, kind, "R survival", seconds)


_CSV_DIR = Path(tempfile.mkdtemp(prefix="hccsurv-bench-"))
atexit.register(shutil.rmtree, _CSV_DIR, True)


def _csv_for(data: Data, n: int, kind: str) -> Path:
    """Write the data once per (n, kind) for R (full precision), reused by every task."""
    path = _CSV_DIR / f"{kind}-{n}.csv"
    if not path.exists():
        import pandas as pd

        frame = pd.DataFrame({"time": data.time, "status": data.event, "group": data.group})
        fmt = "%.0f" if kind == "integer-days" else "%.17g"
        frame.to_csv(path, index=False, float_format=fmt)
    return path


def argsort_seconds(n: int) -> float:
    """Best-of-k time of one ``np.argsort`` of ``n`` untied float64 values."""
    x = np.random.default_rng(7).exponential(365.0, n)
    return best_of(lambda: np.argsort(x), repeats_for(n))


def speed_targets(
    rows: list[dict[str, Any]], task: str, n: int = 1_000_000
) -> list[dict[str, Any]]:
    """The hccsurv targets at ``n``: >= 10x the fastest of lifelines / statsmodels on integer
    days; within 3x of one argsort of ``n`` floats on continuous untied times."""

    def sec(tool: str, kind: str, t: str = task) -> float:
        for r in rows:
            if r["task"] == t and r["n"] == n and r["tool"] == tool and r["times"] == kind:
                return float(r["seconds"])
        return math.nan

    out = []
    ours = sec("hccsurv", "integer-days")
    peers = [sec(p, "integer-days") for p in ("lifelines", "statsmodels")]
    finite = [p for p in peers if math.isfinite(p)]
    if math.isfinite(ours) and finite:
        ratio = min(finite) / ours
        out.append(
            {
                "target": f"{task}, n = {n:,}, integer days: >= 10x faster than the fastest of "
                "lifelines and statsmodels",
                "met": ratio >= 10.0,
                "detail": f"{ratio:.1f}x ({ours:.4f} s vs {min(finite):.4f} s)",
            }
        )
    else:
        out.append({"target": f"{task} integer-days 10x", "met": None, "detail": "not measured"})
    ours_c = sec("hccsurv", "continuous")
    base = sec("numpy", "continuous", "np.argsort (reference)")
    if math.isfinite(ours_c) and math.isfinite(base):
        ratio = ours_c / base
        out.append(
            {
                "target": f"{task}, n = {n:,}, continuous untied: within 3x of one np.argsort",
                "met": ratio <= 3.0,
                "detail": f"{ratio:.2f}x argsort ({ours_c:.4f} s vs {base:.4f} s)",
            }
        )
    else:
        out.append(
            {"target": f"{task} continuous 3x argsort", "met": None, "detail": "not measured"}
        )
    return out
