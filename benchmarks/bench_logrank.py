"""Log-rank test: hccsurv vs lifelines, statsmodels, scikit-survival and R ``survdiff``."""

from __future__ import annotations

from typing import Any

import numpy as np
from common import (
    TIME_KINDS,
    Budget,
    make_data,
    peer_repeats_for,
    repeats_for,
    run_r,
    speed_targets,
    timed,
)

from hccsurv.core.logrank import logrank

TASK = "logrank"


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    from lifelines.statistics import logrank_test
    from sksurv.compare import compare_survival
    from statsmodels.duration.survfunc import survdiff

    budget = Budget()
    rows: list[dict[str, Any]] = []
    for kind in TIME_KINDS:
        for n in sizes:
            d = make_data(n, kind)
            k = repeats_for(n)
            kp = peer_repeats_for(n)
            a, b = d.group == 0, d.group == 1
            y = np.empty(n, dtype=[("event", bool), ("time", float)])
            y["event"], y["time"] = d.event.astype(bool), d.time
            peers = {
                "hccsurv": lambda d=d: logrank(d.time, d.event, d.group),
                "lifelines": lambda d=d, a=a, b=b: logrank_test(
                    d.time[a], d.time[b], d.event[a], d.event[b]
                ),
                "statsmodels": lambda d=d: survdiff(d.time, d.event, d.group),
                "scikit-survival": lambda d=d, y=y: compare_survival(y, d.group),
            }
            for tool, fn in peers.items():
                rows.append(timed(budget, TASK, n, kind, tool, fn, k if tool == "hccsurv" else kp))
                print(f"  {TASK} {kind} n={n:,} {tool}: {rows[-1]['seconds']:.4f} s", flush=True)
            if r is not None:
                expr = "survdiff(Surv(time, status) ~ group, data = d)"
                rows.append(run_r(r, budget, TASK, n, kind, d, expr, kp))
                print(f"  {TASK} {kind} n={n:,} R: {rows[-1]['seconds']:.4f} s", flush=True)
    return rows


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return speed_targets(rows, TASK)
