"""Write the figures shown in the README (`docs/figures/*.png`) from R's survival datasets and the
demo study, through the public plotting API only.

* `pbc`: survival by treatment in the randomised patients (time in days, automatic breaks);
* `veteran`: survival by treatment, with Korean group labels (the font chain);
* `colon`: death by treatment arm (time in years), and the Cox model's hazard ratios;
* the demo study's Kaplan-Meier figure and forest plot, as `hccsurv run` draws them.

The datasets are `tests/reference/data/{pbc,veteran,colon}.csv`, exported from R by
`validation/r/export_datasets.R`. Re-run after a change to the figures:

    PYTHONPATH=src python tools/make_doc_figures.py
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import hccsurv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "reference" / "data"
OUT = ROOT / "docs" / "figures"
DAYS_PER_YEAR = 365.25


def _save(ax_or_fig: object, name: str) -> None:
    fig = ax_or_fig.get_figure() if hasattr(ax_or_fig, "get_figure") else ax_or_fig
    hccsurv.save_figure(fig, OUT / name, formats=("png",), dpi=200)  # type: ignore[arg-type]
    print(f"wrote {OUT / name}.png")


def pbc() -> None:
    d = pd.read_csv(DATA / "pbc.csv").dropna(subset=["trt"])
    arm = np.where(d["trt"] == 1, "D-penicillamine", "Placebo")
    death = (d["status"] == 2).astype(int)  # transplant (1) censored, as in R's examples
    km = hccsurv.kaplan_meier_groups(d["time"], death, arm)
    lr = hccsurv.logrank(d["time"], death, arm)
    style = hccsurv.FigureStyle(width_mm=120.0, height_mm=95.0)
    ax = hccsurv.plot_km(
        km,
        logrank=lr,
        time_unit="days",
        style=style,
        legend_medians=True,
        title="PBC (Mayo Clinic trial): overall survival",
    )
    _save(ax, "pbc_km")


def veteran() -> None:
    d = pd.read_csv(DATA / "veteran.csv")
    arm = np.where(d["trt"] == 1, "표준 치료", "시험 치료")  # standard / test chemotherapy
    km = hccsurv.kaplan_meier_groups(d["time"], d["status"], arm, order=["표준 치료", "시험 치료"])
    lr = hccsurv.logrank(d["time"], d["status"], arm)
    style = hccsurv.FigureStyle(width_mm=120.0, height_mm=95.0)
    ax = hccsurv.plot_km(
        km,
        logrank=lr,
        time_unit="days",
        style=style,
        title="Veteran lung cancer trial: 전체 생존 (overall survival)",
        xlabel="Time (days)",
        ylabel="생존 확률 (survival)",
    )
    _save(ax, "veteran_km")


def colon() -> None:
    d = pd.read_csv(DATA / "colon.csv")
    d = d[d["etype"] == 2]  # death (etype 1 is recurrence)
    years = d["time"] / DAYS_PER_YEAR
    order = ["Obs", "Lev", "Lev+5FU"]
    km = hccsurv.kaplan_meier_groups(years, d["status"], d["rx"], order=order)
    lr = hccsurv.logrank(years, d["status"], d["rx"])
    style = hccsurv.FigureStyle(width_mm=120.0, height_mm=100.0)
    ax = hccsurv.plot_km(
        km,
        logrank=lr,
        time_unit="years",
        style=style,
        landmarks=(5.0,),
        title="Colon cancer adjuvant trial: overall survival",
    )
    _save(ax, "colon_km")
    frame = pd.DataFrame(
        {
            "time": years,
            "status": d["status"],
            "treatment": d["rx"],
            "age": d["age"],
            "sex": np.where(d["sex"] == 1, "Male", "Female"),
            "nodes_4plus": np.where(d["node4"] == 1, "> 4", "1-4"),
            "obstruction": np.where(d["obstruct"] == 1, "Yes", "No"),
        }
    )
    fit = hccsurv.coxph(
        frame,
        "time",
        "status",
        ["treatment", "age", "sex", "nodes_4plus", "obstruction"],
        reference={"treatment": "Obs", "sex": "Female", "nodes_4plus": "1-4", "obstruction": "No"},
    )
    labels = {
        "treatment": "Treatment",
        "age": "Age (per year)",
        "sex": "Sex",
        "nodes_4plus": "Positive nodes",
        "obstruction": "Bowel obstruction",
    }
    fig = hccsurv.plot_forest(
        {"Multivariable Cox model": fit},
        labels=labels,
        title="Colon cancer: hazard ratios for death",
    )
    _save(fig, "colon_forest")
    subgroups = hccsurv.plot_forest(
        _colon_subgroups(frame), title="Colon cancer: death, Lev+5FU vs observation, by subgroup"
    )
    _save(subgroups, "colon_subgroups")


def _colon_subgroups(frame: pd.DataFrame) -> hccsurv.SubgroupData:
    """Lev+5FU vs observation within subgroups: HR from a Cox model in each level, interaction p
    from the likelihood-ratio test of treatment x subgroup (R: anova(coxph(~ tx * level)))."""
    d = frame[frame["treatment"].isin(["Lev+5FU", "Obs"])].copy()
    d["tx"] = (d["treatment"] == "Lev+5FU").astype(float)
    d["older"] = np.where(d["age"] >= 65, "\u2265 65 years", "< 65 years")

    def row(variable: str, level: str, part: pd.DataFrame) -> hccsurv.SubgroupRow:
        counts = [part[part["tx"] == k] for k in (1.0, 0.0)]
        hr = hccsurv.coxph(part, "time", "status", ["tx"]).to_frame().iloc[0]
        return hccsurv.SubgroupRow(
            variable,
            level,
            n=tuple(len(c) for c in counts),
            events=tuple(int(c["status"].sum()) for c in counts),
            hr=float(hr["hr"]),
            lower=float(hr["hr_lower"]),
            upper=float(hr["hr_upper"]),
        )

    rows, p_values = [], {}
    subgroups = (
        ("sex", "Sex"),
        ("older", "Age"),
        ("nodes_4plus", "Positive nodes"),
        ("obstruction", "Bowel obstruction"),
    )
    for column, name in subgroups:
        levels = sorted(d[column].unique())
        rows += [row(name, str(level), d[d[column] == level]) for level in levels]
        d["level"] = (d[column] == levels[-1]).astype(float)
        d["tx_level"] = d["tx"] * d["level"]
        reduced = hccsurv.coxph(d, "time", "status", ["tx", "level"]).loglik
        full = hccsurv.coxph(d, "time", "status", ["tx", "level", "tx_level"]).loglik
        chi2 = max(2.0 * (full - reduced), 0.0)
        p_values[name] = math.erfc(math.sqrt(chi2 / 2.0))  # chi-squared tail, 1 df
    return hccsurv.SubgroupData(
        arms=("Lev+5FU", "Obs"),
        overall=row("Overall", "", d),
        rows=tuple(rows),
        interaction_p=p_values,
    )


def demo() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = hccsurv.run_study(None, Path(tmp) / "out").out_dir
        for name in ("km_os", "forest_os"):
            shutil.copyfile(out / "figures" / f"{name}.png", OUT / f"demo_{name}.png")
            print(f"wrote {OUT / f'demo_{name}.png'}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    pbc()
    veteran()
    colon()
    demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
