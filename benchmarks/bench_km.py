"""Kaplan-Meier: hccsurv vs lifelines, statsmodels, scikit-survival and R ``survfit``."""

from __future__ import annotations

from typing import Any

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

from hccsurv.core.km import kaplan_meier

TASK = "kaplan_meier"


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    from lifelines import KaplanMeierFitter
    from sksurv.nonparametric import kaplan_meier_estimator
    from statsmodels.duration.survfunc import SurvfuncRight

    budget = Budget()
    rows: list[dict[str, Any]] = []
    for kind in TIME_KINDS:
        for n in sizes:
            d = make_data(n, kind)
            k = repeats_for(n)
            kp = peer_repeats_for(n)
            ev_bool = d.event.astype(bool)
            peers = {
                "hccsurv": lambda d=d: kaplan_meier(d.time, d.event),
                "lifelines": lambda d=d: KaplanMeierFitter().fit(d.time, d.event),
                "statsmodels": lambda d=d: SurvfuncRight(d.time, d.event),
                "scikit-survival": lambda d=d, e=ev_bool: kaplan_meier_estimator(
                    e, d.time, conf_type="log-log"
                ),
            }
            for tool, fn in peers.items():
                rows.append(timed(budget, TASK, n, kind, tool, fn, k if tool == "hccsurv" else kp))
                print(f"  {TASK} {kind} n={n:,} {tool}: {rows[-1]['seconds']:.4f} s", flush=True)
            if r is not None:
                rows.append(
                    run_r(
                        r, budget, TASK, n, kind, d, "survfit(Surv(time, status) ~ 1, data = d)", kp
                    )
                )
                print(f"  {TASK} {kind} n={n:,} R: {rows[-1]['seconds']:.4f} s", flush=True)
    return rows


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return speed_targets(rows, TASK)
