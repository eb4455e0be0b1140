"""Export hccsurv's analysis data set of the demo study for the R parity check.

``python validation/export_demo.py`` writes ``tests/reference/data/demo_derived.csv``: the
analysed demo cohort with its derived variables, endpoints (TTP with its cause column), best
responses from the lesion engine, and the propensity score and matching weights, so that
``validation/r/demo_study.R`` recomputes Table 1, the response tests, the survival summaries, the
Cox models and the adjusted Cox model, and ``validation/r/demo_competing.R`` the competing-risks
analysis of TTP (cmprsk), in R on exactly the data hccsurv analysed.
``tests/report/test_demo_r_parity.py`` checks that this file still equals what hccsurv derives
today, then compares every number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hccsurv.analysis.results import StudyResults
from hccsurv.analysis.study import analyze_study
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.report.pipeline import demo_config_path

OUT = Path(__file__).resolve().parents[1] / "tests" / "reference" / "data" / "demo_derived.csv"

COLUMNS = (
    "group",
    "age",
    "sex",
    "etiology",
    "bclc_stage",
    "bclc_c",
    "child_pugh_class",
    "ecog_0",
    "afp_ng_ml",
    "afp_ge_400",
    "tumor_size_mm",
    "tumor_gt_10cm",
    "multiple_tumors",
    "portal_vein_invasion",
    "extrahepatic_metastasis",
    "albi_grade",
    "OS_time",
    "OS_event",
    "PFS_time",
    "PFS_event",
    "TTP_time",
    "TTP_event",
    "TTP_cause",
)


def demo_analysis() -> StudyResults:
    """The demo study, analysed (no files written)."""
    config = load_config(demo_config_path())
    return analyze_study(load_cohort(config), config)


def derived_frame(analysis: StudyResults) -> pd.DataFrame:
    """The analysis data set: one row per analysed patient, no identifiers."""
    frame = analysis.cohort.frame.loc[:, list(COLUMNS)].copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str)
    assert analysis.response is not None
    frame["bor"] = analysis.response.best_response.to_numpy()
    adjusted = analysis.adjusted
    assert adjusted is not None and adjusted.matching is not None
    position = {label: i for i, label in enumerate(adjusted.propensity.rows)}
    idx = np.array([position[label] for label in frame.index])
    frame["ps_linear"] = adjusted.propensity.linear[idx]
    frame["match_weight"] = adjusted.matching.weights[idx]
    frame["match_subclass"] = adjusted.matching.subclass[idx]
    return frame.reset_index(drop=True)


def main() -> None:
    derived_frame(demo_analysis()).to_csv(OUT, index=False, float_format="%.17g")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
