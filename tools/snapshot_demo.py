"""Capture what the demo run writes (results.json, every table's raw CSV and Markdown cells, the
patient flow, the methods paragraph, and each figure's data: every line's data coordinates (steps,
medians, censoring marks), every filled band's vertices (confidence bands) and every text (at-risk
counts, forest rows, legends)) into `tests/reference/demo_snapshot.json`.

Run on main before the top-of-house redesign (issue 13); `tests/report/test_demo_snapshot.py`
compares every later run against it, so "every number and table cell of the demo is unchanged" is
checked rather than claimed. Re-run only when a change of a number is intended:

    PYTHONPATH=src python tools/snapshot_demo.py
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure

from hccsurv.analysis.study import analyze_study
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.present.study_figures import study_figures
from hccsurv.present.study_tables import format_options
from hccsurv.report.pipeline import demo_config_path, run_study

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "reference" / "demo_snapshot.json"


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [list(row) for row in csv.reader(handle)]


def capture(out_dir: Path) -> dict[str, Any]:
    """The comparable content of one finished demo run in `out_dir`."""
    tables = out_dir / "tables"
    return {
        "results": json.loads((out_dir / "results.json").read_text(encoding="utf-8")),
        "tables_csv": {p.stem: _csv_rows(p) for p in sorted(tables.glob("*.csv"))},
        "tables_md": {
            p.stem: p.read_text(encoding="utf-8").splitlines() for p in sorted(tables.glob("*.md"))
        },
        "flow": _csv_rows(out_dir / "flow.csv"),
        "methods": (out_dir / "methods.txt").read_text(encoding="utf-8"),
    }


def _points(values: Any) -> list[list[float]]:
    return [[float(v) for v in row] for row in np.asarray(values, dtype=float).reshape(-1, 2)]


def figure_data(fig: Figure) -> list[dict[str, Any]]:
    """Per axes, in data units (not layout): lines (KM steps, medians), filled bands (confidence
    bands), segments (forest CIs), markers (HRs, SMDs) and texts (at-risk counts, row labels)."""
    axes = []
    for ax in fig.get_axes():
        legend = ax.get_legend()
        axes.append(
            {
                "lines": [_points(ln.get_xydata()) for ln in ax.lines],
                "bands": [
                    _points(np.concatenate([p.vertices for p in c.get_paths()]))
                    for c in ax.collections
                    if isinstance(c, PolyCollection) and c.get_paths()
                ],
                "segments": [
                    _points(np.concatenate(c.get_segments()))
                    for c in ax.collections
                    if isinstance(c, LineCollection) and c.get_segments()
                ],
                "markers": [
                    _points(c.get_offsets())
                    for c in ax.collections
                    if isinstance(c, PathCollection)
                ],
                "texts": [t.get_text() for t in ax.texts if t.get_text()],
                "legend": [] if legend is None else [t.get_text() for t in legend.get_texts()],
            }
        )
    return axes


def figures() -> dict[str, list[dict[str, Any]]]:
    """The data of every figure of the demo run, by figure name."""
    config = load_config(demo_config_path())
    cohort = load_cohort(config)
    results = analyze_study(cohort, config)
    captured: dict[str, list[dict[str, Any]]] = {}
    for view in study_figures(results, format_options(config)):
        fig = view.draw()
        captured[view.name] = figure_data(fig)
        plt.close(fig)
    return captured


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = run_study(None, Path(tmp) / "out").out_dir
        snapshot = capture(out_dir)
    snapshot["figures"] = figures()
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
