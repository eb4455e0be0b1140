"""Love plot: rows ordered by unadjusted imbalance, absolute SMDs, threshold line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from conftest import R_DATA_DIR
from hccsurv.analysis.adjust.balance import BalanceResult, covariate_balance
from hccsurv.analysis.adjust.propensity import fit_propensity
from hccsurv.analysis.adjust.weighting import ps_weights
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.love import plot_love


def _balance() -> BalanceResult:
    d = pd.read_csv(R_DATA_DIR / "adjust_cohort.csv")
    order = ["First-line", "Post-ate-beva"]
    model = fit_propensity(d, "group", order, ["age", "sex", "child_pugh", "log_afp"])
    w = ps_weights(model.ps, model.treated, estimand="ATE")
    return covariate_balance(
        model.design, model.treated, w.weights, estimand="ATE", adjustment="weighting"
    )


def test_love_plot_data() -> None:
    bal = _balance()
    fig = plot_love(bal, variable_labels={"age": "Age"})
    assert len(fig.labels) == 4 and "Age" in fig.labels
    assert np.all(np.diff(fig.smd_before) <= 0)  # largest unadjusted imbalance first (top)
    assert np.all(fig.smd_after >= 0) and fig.threshold == 0.1
    lines = [ln for ln in fig.ax.get_lines() if np.asarray(ln.get_xdata()).tolist() == [0.1, 0.1]]
    assert len(lines) == 1
    legend = fig.ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["Unadjusted", "Weighted"]
    tick_labels = [t.get_text() for t in fig.ax.get_yticklabels()]
    assert tick_labels == list(fig.labels)
    assert fig.ax.get_yticks()[0] == max(fig.ax.get_yticks())  # first row drawn at the top


def test_love_plot_saves(tmp_path: Path) -> None:
    fig = plot_love(_balance())
    save_figure(fig.figure, tmp_path / "love", formats=("png",))
    assert (tmp_path / "love.png").stat().st_size > 1000
