"""Harrell's concordance, alone and inside a Cox fit: hccsurv vs lifelines and R ``survival``.

Issue 15 targets, at n = 2e5 and 1e6 (10 covariates, integer-day times, data of
``bench_cox.make_cox_data``): ``hccsurv.coxph`` with its concordance at least 5x faster than
lifelines (``CoxPHFitter().fit`` plus its ``concordance_index_``, which lifelines computes on
first access) and 10x faster than R's ``coxph`` (which computes the concordance inside every
fit). The ``concordance`` task times the statistic alone on a fixed risk score: hccsurv's
:func:`hccsurv.core.concordance.concordance` (with its standard error) vs
``lifelines.utils.concordance_index`` (no se) and R's ``concordance(..., reverse = TRUE)``.
``python benchmarks/bench_concordance.py`` runs only this module and prints a Markdown section.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_cox import P, make_cox_data
from common import best_of, row

import hccsurv
from hccsurv.core.concordance import concordance

TASKS = ("cox-with-concordance", "concordance")
SIZES = (200_000, 1_000_000)
KIND = "integer-days"
COVARIATES = [f"x{j + 1}" for j in range(P)]


def _r_seconds(rscript: str, csv: Path, expr: str, k: int) -> float:
    code = (
        "suppressPackageStartupMessages(library(survival));"
        f"d <- read.csv('{csv}');"
        f"el <- sapply(seq_len({k}), function(i) system.time({expr})[['elapsed']]);"
        "cat(sprintf('%.6f', min(el)))"
    )
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().split()[-1])


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    import warnings

    import pandas as pd
    from lifelines import CoxPHFitter
    from lifelines.utils import concordance_index

    rows: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="hccsurv-bench-conc-"))
    for n in [s for s in sizes if 100_000 <= s <= 1_000_000]:
        t, e, x = make_cox_data(n, KIND)
        frame = pd.DataFrame(x, columns=COVARIATES)
        frame["time"], frame["status"] = t, e
        score = x @ np.linspace(-0.3, 0.3, P)
        k = 3

        def cox_hccsurv(frame: pd.DataFrame = frame) -> object:
            return hccsurv.coxph(frame, "time", "status", COVARIATES)

        def cox_lifelines(frame: pd.DataFrame = frame) -> object:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return CoxPHFitter().fit(frame, "time", "status").concordance_index_

        def c_hccsurv(t: np.ndarray = t, e: np.ndarray = e, s: np.ndarray = score) -> object:
            return concordance(t, e, s, reverse=True)

        def c_lifelines(t: np.ndarray = t, e: np.ndarray = e, s: np.ndarray = score) -> object:
            return concordance_index(t, -s, e)

        for task, mine, theirs in (
            ("cox-with-concordance", cox_hccsurv, cox_lifelines),
            ("concordance", c_hccsurv, c_lifelines),
        ):
            rows.append(row(task, n, KIND, "hccsurv", best_of(mine, k)))
            rows.append(row(task, n, KIND, "lifelines", best_of(theirs, 1)))
            for rw in rows[-2:]:
                print(f"  {task} n={n:,} {rw['tool']}: {rw['seconds']:.3f} s", flush=True)
        if r is not None:
            csv = tmp / f"conc-{n}.csv"
            out = frame.copy()
            out["score"] = score
            out.to_csv(csv, index=False, float_format="%.17g")
            cox = "coxph(Surv(time, status) ~ . - score, data = d, ties = 'efron')"
            conc = "concordance(Surv(time, status) ~ score, data = d, reverse = TRUE)"
            for task, expr in (("cox-with-concordance", cox), ("concordance", conc)):
                rows.append(row(task, n, KIND, "R survival", _r_seconds(r, csv, expr, 1)))
                print(f"  {task} n={n:,} R: {rows[-1]['seconds']:.3f} s", flush=True)
    return rows


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in sorted({rw["n"] for rw in rows if rw["task"] == "cox-with-concordance"}):
        sec = {
            rw["tool"]: float(rw["seconds"])
            for rw in rows
            if rw["task"] == "cox-with-concordance" and rw["n"] == n
        }
        ours = sec.get("hccsurv", math.nan)
        for peer, goal in (("lifelines", 5.0), ("R survival", 10.0)):
            label = f"hccsurv.coxph with concordance, n = {n:,}: >= {goal:g}x faster than {peer}"
            theirs = sec.get(peer, math.nan)
            if math.isfinite(ours) and math.isfinite(theirs):
                ratio = theirs / ours
                detail = f"{ratio:.1f}x ({ours:.3f} s vs {theirs:.3f} s)"
                out.append({"target": label, "met": ratio >= goal, "detail": detail})
            else:
                out.append({"target": label, "met": None, "detail": "not measured"})
    return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import find_rscript

    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = run(list(SIZES), find_rscript())
    print(f"\n## Concordance and Cox with concordance (issue 15), run {start}\n")
    print("| task | n | hccsurv s | lifelines s | R s | vs lifelines | vs R |")
    print("|---|---|---|---|---|---|---|")
    for task in TASKS:
        for n in SIZES:
            sec = {rw["tool"]: rw["seconds"] for rw in rows if rw["task"] == task and rw["n"] == n}
            h, lf, rr = (sec.get(k, math.nan) for k in ("hccsurv", "lifelines", "R survival"))
            cells = f"{h:.3f} | {lf:.3f} | {rr:.3f} | {lf / h:.1f}x | {rr / h:.1f}x"
            print(f"| {task} | {n:,} | {cells} |")
    for t in targets(rows):
        print(f"- {t['target']}: {t['detail']} ({'met' if t['met'] else 'not met'})")


if __name__ == "__main__":
    main()
