"""The demo treatment and laboratory records: seeded, of the HAIC-FP design, and shown by a run."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hccsurv.cli import app
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.demo.safety import simulate_safety, write_safety_data
from hccsurv.errors import CohortValidationError, DataReadError
from hccsurv.report.pipeline import demo_config_path

DEMO = demo_config_path().parent


def test_committed_demo_records_are_the_seeded_simulation(tmp_path: Path) -> None:
    written = write_safety_data(DEMO / "cohort.csv", 23, tmp_path)
    for path in written:
        assert path.read_bytes() == (DEMO / path.name).read_bytes()


def test_demo_records_follow_the_template_design() -> None:
    cohort = pd.read_csv(DEMO / "cohort.csv")
    treatment, labs = simulate_safety(cohort, 23)
    first = cohort.iloc[0]
    area = math.sqrt(first["height_cm"] * first["weight_kg"] / 3600)  # Mosteller
    doses = treatment[(treatment["patient_id"] == first["patient_id"]) & (treatment["cycle"] == 1)]
    assert doses.set_index("drug")["dose_mg"].to_dict() == {
        "5-FU": round(1500 * area, 1),
        "Cisplatin": round(60 * area, 1),
    }
    # labs on the 3 infusion days of each cycle, 7 tests a day
    day1 = pd.to_datetime(treatment["date"]).groupby(treatment["patient_id"]).min()
    on = labs[pd.to_datetime(labs["date"]) >= labs["patient_id"].map(day1)]
    per_cycle = on.groupby("patient_id").size() / treatment.groupby("patient_id")["cycle"].max()
    assert set(per_cycle) == {21.0}
    assert {"paused", "stopped", "given"} == set(treatment["status"])


def test_the_demo_run_grades_and_counts_from_the_records() -> None:
    cohort = load_cohort(load_config(demo_config_path()))
    assert cohort.safety is not None and cohort.safety.labs is not None
    graded = cohort.safety.labs
    assert set(graded["grade"].dropna()) >= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert graded["grade"].notna().all()


def test_demo_data_can_write_the_safety_records(tmp_path: Path) -> None:
    out = tmp_path / "cohort.csv"
    result = CliRunner().invoke(app, ["demo-data", "--seed", "3", "--safety", "--out", str(out)])
    assert result.exit_code == 0, result.output
    treatment = pd.read_csv(tmp_path / "treatment.csv")
    assert set(treatment["patient_id"]) == set(pd.read_csv(out)["patient_id"])
    assert (tmp_path / "labs.csv").stat().st_size > 0


def test_a_bad_laboratory_row_stops_the_load_with_its_patient_and_row(tmp_path: Path) -> None:
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    labs = pd.read_csv(DEMO / "labs.csv")
    labs["value"] = labs["value"].astype(object)
    labs.loc[5, "value"] = "hemolysed"
    labs.loc[9, "unit"] = "mmol/mL"
    labs.to_csv(tmp_path / "labs.csv", index=False)
    with pytest.raises(CohortValidationError) as err:
        load_cohort(load_config(tmp_path / "study.toml"))
    got = [(p.patient, p.row, p.column, p.value) for p in err.value.problems]
    assert got == [
        (str(labs.loc[5, "patient_id"]), 7, "value", "hemolysed"),
        (str(labs.loc[9, "patient_id"]), 11, "unit", "mmol/mL"),
    ]


def test_patients_without_a_cycle_are_counted_out_of_the_safety_population(
    tmp_path: Path,
) -> None:
    for name in ("study.toml", "cohort.csv", "lesions.csv", "labs.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    treatment = pd.read_csv(DEMO / "treatment.csv")
    gone = set(treatment["patient_id"].unique()[:3])
    kept = treatment[~treatment["patient_id"].isin(gone)]
    kept.to_csv(tmp_path / "treatment.csv", index=False)
    cohort = load_cohort(load_config(tmp_path / "study.toml"))
    assert cohort.safety is not None
    assert not set(cohort.safety.treatment["patient_id"]) & gone
    assert (
        "3 analysed patient(s) have no cycle in treatment.csv and are not in the safety "
        "population (adverse events, exposure)"
    ) in cohort.warnings


def test_a_missing_safety_file_names_its_key(tmp_path: Path) -> None:
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    with pytest.raises(DataReadError, match=r"labs\.csv: no such file; check safety\.lab_file"):
        load_cohort(load_config(tmp_path / "study.toml"))
