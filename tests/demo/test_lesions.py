"""The demo lesion generator and the shipped demo lesion file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.response import ResponseRules, assess_response, response_counts
from hccsurv.demo.lesions import DEMO_DIR, lesions_csv, simulate_lesions
from hccsurv.errors import InputError

RULES = ResponseRules()  # the demo study.toml uses the defaults


def _cohort() -> pd.DataFrame:
    """A small cohort whose dates support each recorded best response."""
    rows = [
        # id, bor, start, progression, last assessment, size, number, PVT, EHS
        ("D01", "CR", "2023-01-10", "", "2023-12-01", 45, 1, "No", "No"),
        ("D02", "PR", "2023-02-01", "2023-09-20", "2023-11-15", 80, 3, "Yes", "No"),
        ("D03", "PR", "2023-03-01", "", "2023-05-10", 120, 2, "No", "Yes"),
        ("D04", "SD", "2023-01-05", "2023-06-01", "2023-06-01", 60, 2, "No", "No"),
        ("D05", "SD", "2023-04-01", "", "2023-05-20", 35, 1, "No", "No"),
        ("D06", "PD", "2023-02-10", "2023-03-30", "2023-07-01", 95, 4, "Yes", "Yes"),
        ("D07", "PD", "2023-05-01", "2023-08-20", "2023-08-20", 150, 2, "No", "No"),
        ("D08", "NE", "2023-06-01", "", "2023-06-01", 70, 1, "No", "No"),
    ]
    cols = [
        "patient_id",
        "best_response",
        "haic_start",
        "progression_date",
        "last_assessment_date",
        "tumor_size_mm",
        "tumor_number",
        "portal_vein_invasion",
        "extrahepatic_metastasis",
    ]
    frame = pd.DataFrame(rows, columns=cols).replace({"": np.nan})
    frame["group"] = "all"
    frame["death_date"] = np.nan
    return frame


def _assess(lesions: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    start = dict(zip(cohort["patient_id"], cohort["haic_start"], strict=True))
    result = assess_response(lesions, RULES, treatment_start=start)
    return result.best.to_frame().set_index("patient_id")


@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    cohort = _cohort()
    return cohort, simulate_lesions(cohort, seed=7)


def test_consensus_reproduces_recorded_best_response(
    small: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cohort, lesions = small
    best = _assess(lesions, cohort)
    assert best["bor"].to_dict() == dict(
        zip(cohort["patient_id"], cohort["best_response"], strict=True)
    )
    recorded_pd = cohort.set_index("patient_id")["progression_date"].fillna("")
    for pid in ("D06", "D07"):
        assert best.loc[pid, "pd_date"] == recorded_pd[pid]


def test_scan_dates_follow_the_cohort(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cohort, lesions = small
    last = lesions.groupby("patient_id")["assessment_date"].max()
    first = lesions.groupby("patient_id")["assessment_date"].min()
    recorded = cohort.set_index("patient_id")
    for pid in ("D01", "D02", "D03", "D04", "D06", "D07"):
        assert last[pid] == recorded.loc[pid, "last_assessment_date"]
    assert (first <= recorded["haic_start"]).all()  # baseline on or before start
    assert set(lesions.loc[lesions["patient_id"] == "D08", "assessment_date"]) == {first["D08"]}
    assert set(lesions["reader"]) == {"R1", "R2", "consensus"}
    # at most 2 targets per organ (RECIST selection rule)
    base = lesions[(lesions["lesion_kind"] == "target") & (lesions["reader"] == "consensus")]
    per_organ = base.drop_duplicates(["patient_id", "lesion_id"]).groupby(["patient_id", "organ"])
    assert per_organ.size().max() <= 2


def test_same_seed_same_bytes_other_seed_other_bytes(
    small: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cohort, lesions = small
    assert lesions_csv(simulate_lesions(cohort, seed=7)) == lesions_csv(lesions)
    assert lesions_csv(simulate_lesions(cohort, seed=8)) != lesions_csv(lesions)


def test_records_that_cannot_be_reproduced_are_listed() -> None:
    cohort = _cohort()
    cohort.loc[cohort["patient_id"] == "D05", "last_assessment_date"] = "2023-04-20"
    cohort.loc[cohort["patient_id"] == "D07", "progression_date"] = np.nan
    with pytest.raises(InputError) as err:
        simulate_lesions(cohort, seed=7)
    text = str(err.value)
    assert "2 cohort record(s)" in text
    assert "D05: best_response SD" in text and "no scan possible >= 42 days" in text
    assert "D07: best_response PD" in text and "without a progression_date" in text


# --- the shipped demo files -------------------------------------------------------------------


def _shipped() -> tuple[pd.DataFrame, Path]:
    return pd.read_csv(DEMO_DIR / "cohort.csv"), DEMO_DIR / "lesions.csv"


def test_shipped_lesion_file_is_the_generator_output() -> None:
    cohort, path = _shipped()
    assert lesions_csv(simulate_lesions(cohort)) == path.read_text(encoding="utf-8")


def test_shipped_lesion_file_reproduces_the_published_response_counts() -> None:
    cohort, path = _shipped()
    best = _assess(pd.read_csv(path), cohort)
    recorded = cohort.set_index("patient_id")
    assert (best["bor"] == recorded["best_response"]).all()
    has_pd = recorded["progression_date"].notna()
    assert (
        best.loc[has_pd[has_pd].index, "pd_date"] == recorded.loc[has_pd, "progression_date"]
    ).all()
    start = dict(zip(cohort["patient_id"], cohort["haic_start"], strict=True))
    result = assess_response(pd.read_csv(path), RULES, treatment_start=start)
    counts = response_counts(
        result.best, dict(zip(cohort["patient_id"], cohort["group"], strict=True))
    )
    table = counts.to_frame().set_index("group")
    assert table.loc["First-line", ["n_cr", "n_pr", "n_sd", "n_pd"]].tolist() == [1, 11, 27, 27]
    assert table.loc["Post-ate-beva", ["n_cr", "n_pr", "n_sd", "n_pd"]].tolist() == [0, 12, 17, 5]
    assert table.loc["First-line", ["orr_events", "dcr_events", "denominator"]].tolist() == [
        12,
        39,
        66,
    ]
    assert table.loc["Post-ate-beva", ["orr_events", "dcr_events", "denominator"]].tolist() == [
        12,
        29,
        34,
    ]
    assert round(100 * table.loc["First-line", "orr"], 1) == 18.2
    assert round(100 * table.loc["Post-ate-beva", "orr"], 1) == 35.3
    assert round(100 * table.loc["First-line", "dcr"], 1) == 59.1
    assert round(100 * table.loc["Post-ate-beva", "dcr"], 1) == 85.3
    assert result.agreement is not None
    assert 0.6 <= result.agreement.visit_weighted.kappa <= 0.95
    assert 0.6 <= result.agreement.bor_kappa.kappa <= 0.95
