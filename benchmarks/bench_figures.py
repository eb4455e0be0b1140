"""Kaplan-Meier figure: time to draw one publication figure and save it as PNG (300 dpi) + PDF.

The timed call is ``plot_km`` (curves, CI bands, censor marks, medians, risk table, legend
placement) followed by ``save_figure(..., formats=("png", "pdf"))``; the estimate
(``kaplan_meier_groups``) and the data are made outside the timing. There is no peer: R's
``survminer`` is not installed, and the figure, not the estimator, is what is timed.

Where the time goes (demo-sized figure): building runs constrained layout until it settles
(``style.settle_layout``); saving draws the figure twice (Agg at 300 dpi, then the PDF at
72 dpi), and the PDF subsets each embedded font face with fontTools. The curves themselves are
cheap until n is large.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from common import best_of, make_data, row

from hccsurv.core.km import kaplan_meier_groups
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.km import plot_km

TASK = "km-figure"
DAYS_PER_MONTH = 30.4375
#: Drawing cost is mostly fixed (text layout, font subsetting), so no linear extrapolation:
#: larger sizes are skipped only after one figure took longer than this.
LIMIT_SECONDS = 60.0


def run(sizes: list[int], r: str | None) -> list[dict[str, Any]]:
    del r  # no R peer for figures
    rows: list[dict[str, Any]] = []
    too_slow: str | None = None
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "figure"
        for n in sizes:
            d = make_data(n, "continuous")
            km = kaplan_meier_groups(d.time / DAYS_PER_MONTH, d.event, d.group, order=[0, 1])

            def render(km: Any = km) -> None:
                fig = plot_km(km, logrank=0.05, landmarks=(12.0,))
                save_figure(fig.figure, stem, formats=("png", "pdf"))

            if too_slow is not None:
                rows.append(row(TASK, n, "continuous", "hccsurv", math.nan, too_slow))
            else:
                seconds = best_of(render, 3 if n <= 100_000 else 1)
                rows.append(row(TASK, n, "continuous", "hccsurv", seconds))
                if seconds > LIMIT_SECONDS:
                    too_slow = f"skipped: one figure took {seconds:.0f} s at n = {n:,}"
            print(f"  {TASK} n={n:,} hccsurv: {rows[-1]['seconds']:.3f} s", flush=True)
    return rows
