"""Risk table and edge cases of the KM figure, with a live check against R ``survfit``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.core.km import kaplan_meier_groups
from hccsurv.errors import InputError
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.risk_table import compute_risk_table

DATA = Path(__file__).parents[1] / "reference" / "data" / "lung.csv"


def test_risk_table_rejects_bad_times_and_groups() -> None:
    km = kaplan_meier_groups([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1], ["a", "a", "b", "b"])
    with pytest.raises(InputError, match="times"):
        compute_risk_table(km, [-1.0, 2.0])
    with pytest.raises(InputError, match="not among"):
        compute_risk_table(km, [0.0, 2.0], labels=["a", "c"])
    table = compute_risk_table(km, [0.0, 1.5, 5.0])
    np.testing.assert_array_equal(table.at_risk, [[2, 1, 0], [2, 2, 0]])
    np.testing.assert_array_equal(table.events, [[0, 1, 1], [0, 0, 2]])
    np.testing.assert_array_equal(table.censored, [[0, 0, 1], [0, 0, 0]])


def test_curve_that_drops_to_zero_has_nan_limits_and_still_draws() -> None:
    time = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 5.0, 7.0])
    event = np.array([1, 1, 1, 1, 1, 0, 1, 0])
    group = np.array(["A"] * 4 + ["B"] * 4)
    km = kaplan_meier_groups(time, event, group)
    assert km.curves["A"].surv[-1] == 0.0
    f = plot_km(km, logrank=0.3, landmarks=(3.0, 6.0))
    a = f.curves[0]
    assert a.step_y[-1] == 0.0
    # landmark past the last follow-up of A is not estimable: no marker
    assert np.isnan(a.landmark_y[1]) and np.isfinite(f.curves[1].landmark_y[1])
    h = plot_km(km, kind="cumulative_hazard")
    assert np.isnan(h.curves[0].step_y[-1])  # -log 0 is not drawn


def test_legend_with_medians() -> None:
    time = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 5.0, 7.0])
    event = np.array([1, 1, 1, 1, 1, 0, 0, 0])
    group = np.array(["A"] * 4 + ["B"] * 4)
    km = kaplan_meier_groups(time, event, group)
    f = plot_km(km, legend_medians=True)
    legend = f.ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[0].startswith("A: median 2.5 (")
    assert labels[1] == "B: median NR (2.0–NR)"


@pytest.mark.r_live
def test_drawn_numbers_match_r_survfit(rscript: str, tmp_path: Path) -> None:
    d = pd.read_csv(DATA)
    rng = np.random.default_rng(20241125)
    # fresh seeded data: lung times in months with jitter, three random arms
    time = (d["time"].to_numpy() + rng.uniform(0.0, 1.0, len(d))) / 30.4375
    event = (d["status"].to_numpy() == 2).astype(int)
    group = rng.choice(["A", "B", "C"], len(d))
    km = kaplan_meier_groups(time, event, group)
    fig = plot_km(km)
    assert fig.risk_table is not None
    csv = tmp_path / "d.csv"
    pd.DataFrame({"time": time, "status": event, "group": group}).to_csv(csv, index=False)
    ticks = ",".join(f"{t:.17g}" for t in fig.xticks)
    code = (
        "suppressPackageStartupMessages({library(survival); library(jsonlite)});"
        f"d <- read.csv('{csv}');"
        "fit <- survfit(Surv(time, status) ~ group, data = d);"
        f"s <- summary(fit, times = c({ticks}), extend = TRUE);"
        "m <- unname(summary(fit)$table[, 'median']);"
        "cat(toJSON(list(n_risk = s$n.risk, strata = as.character(s$strata), "
        "median = m), digits = NA))"
    )
    # R: summary(survfit(Surv(time, status) ~ group), times = ticks, extend = TRUE)$n.risk
    out = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    r_risk = np.array(ref["n_risk"], dtype=float).reshape(3, len(fig.xticks))
    np.testing.assert_array_equal(fig.risk_table.at_risk, r_risk)
    ours = np.array([np.nan if c.median is None else c.median for c in fig.curves])
    theirs = np.array([np.nan if m is None else m for m in ref["median"]], dtype=float)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)  # NA (not reached) on both sides
