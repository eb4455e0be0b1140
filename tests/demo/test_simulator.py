"""The seeded demo-cohort simulator and the shipped ``cohort.csv`` (issue 7's acceptance)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.child_pugh import child_pugh_class, child_pugh_points
from hccsurv.demo.simulator import COLUMNS, CUTOFF, DEMO_SEED, simulate_cohort, write_demo_data

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "hccsurv" / "demo" / "cohort.csv"
DATE_COLUMNS = ("progression_date", "death_date", "last_assessment_date", "last_contact_date")


def _calibration() -> ModuleType:
    path = ROOT / "validation" / "calibrate_demo.py"
    spec = importlib.util.spec_from_file_location("calibrate_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def test_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    first = write_demo_data(DEMO_SEED, tmp_path / "a.csv").read_bytes()
    second = write_demo_data(DEMO_SEED, tmp_path / "b.csv").read_bytes()
    assert first == second
    assert first == SHIPPED.read_bytes()  # the shipped file is the simulator's output
    assert write_demo_data(DEMO_SEED + 1, tmp_path / "c.csv").read_bytes() != first


def test_columns_n_and_response_counts() -> None:
    cohort = _read(SHIPPED)
    assert tuple(cohort.columns) == COLUMNS
    assert len(cohort) == 100
    assert cohort["patient_id"].tolist() == [f"HCC{i:03d}" for i in range(1, 101)]
    assert cohort["group"].value_counts().to_dict() == {"First-line": 66, "Post-ate-beva": 34}
    response = cohort.groupby("group")["best_response"]
    first_line = response.get_group("First-line").value_counts().to_dict()
    post_ab = response.get_group("Post-ate-beva").value_counts().to_dict()
    assert first_line == {"CR": 1, "PR": 11, "SD": 27, "PD": 27}
    assert post_ab == {"PR": 12, "SD": 17, "PD": 5}
    assert set(cohort["ascites"]) <= {"none", "mild", "moderate"}
    assert set(cohort["encephalopathy"]) <= {"none", "grade1-2", "grade3-4"}


@pytest.mark.parametrize("seed", [DEMO_SEED, 0, 1, 2, 3, 4])
def test_dates_are_ordered(seed: int) -> None:
    cohort = simulate_cohort(seed)
    start = pd.to_datetime(cohort["haic_start"])
    dates = {c: pd.to_datetime(cohort[c].replace("", None)) for c in DATE_COLUMNS}
    assert start.min() >= pd.Timestamp("2022-03-01") and start.max() <= pd.Timestamp("2024-07-31")
    assert cohort["haic_start"].is_monotonic_increasing
    cutoff = pd.Timestamp(CUTOFF)
    for c in DATE_COLUMNS:
        present = dates[c].dropna()
        assert (present <= cutoff).all(), c
        assert (present >= start[present.index]).all(), c
    both = dates["progression_date"].notna() & dates["death_date"].notna()
    assert (dates["progression_date"][both] < dates["death_date"][both]).all()
    died = dates["death_date"].notna()
    assert (dates["last_contact_date"][died] == dates["death_date"][died]).all()
    prog = dates["progression_date"].notna()
    assert (dates["last_contact_date"][prog] >= dates["progression_date"][prog]).all()
    assert (dates["last_assessment_date"] <= dates["last_contact_date"]).all()
    assert (dates["progression_date"][prog] <= dates["last_assessment_date"][prog]).all()
    # What a lesion file needs to reproduce the best response (hccsurv.demo.lesions):
    # PD has a progression date; SD is assessed >= 42 days; CR/PR leave room for confirmation.
    bor = cohort["best_response"]
    assert prog[bor == "PD"].all()
    last_day = (dates["last_assessment_date"] - start).dt.days.to_numpy(dtype=float)
    pd_day = (dates["progression_date"] - start).dt.days.to_numpy(dtype=float)
    end = pd.Series(np.where(prog, pd_day - 1, last_day), index=cohort.index)
    assert (end[bor == "SD"] >= 42).all()
    assert (end[bor.isin(["CR", "PR"])] >= 49).all()


def test_every_cr_pr_sd_patient_has_a_post_baseline_scan() -> None:
    cohort = _read(SHIPPED)
    not_pd = cohort["best_response"] != "PD"
    scanned = cohort["last_assessment_date"] > cohort["haic_start"]  # ISO dates sort as strings
    assert scanned[not_pd].all()


def test_child_pugh_from_raw_labs_is_mostly_a() -> None:
    cohort = pd.read_csv(SHIPPED, keep_default_na=False)
    cls = child_pugh_class(
        child_pugh_points(
            cohort["bilirubin_mg_dl"],
            cohort["albumin_g_dl"],
            cohort["inr"],
            cohort["ascites"],
            cohort["encephalopathy"],
        )
    )
    counts = cls.value_counts()
    assert set(counts.index) == {"A", "B"}
    assert counts["A"] > 60


def test_shipped_cohort_meets_the_published_margins() -> None:
    # lifelines Cox (Efron ties) and KM, as in validation/calibrate_demo.py
    cal = _calibration()
    frame = cal.analysis_frame(pd.read_csv(SHIPPED, keep_default_na=False))
    fails, info = cal.check(frame, strict=False)
    assert fails == []
    assert info["deaths"] == 47
    hr_os = info["os_multivariable"]["group"][0]
    hr_pfs = info["pfs_multivariable"]["group"][0]
    assert abs(hr_os - 0.404) <= 0.1 and abs(hr_pfs - 0.441) <= 0.1
