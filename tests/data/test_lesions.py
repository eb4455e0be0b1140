"""The lesion table is read in the data layer: it comes with the cohort, checked against it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.errors import ConfigError

DEMO = Path(__file__).parents[2] / "src" / "hccsurv" / "demo"


def _demo_copy(tmp_path: Path) -> Path:
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv", "labs.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    return tmp_path / "study.toml"


def test_the_demo_cohort_carries_its_lesion_rows() -> None:
    cohort = load_cohort(load_config(DEMO / "study.toml"))
    assert cohort.lesions is not None
    lesion_ids = set(cohort.lesions["patient_id"].astype(str))
    assert lesion_ids <= set(cohort.frame["patient_id"].astype(str))
    assert len(lesion_ids) == 100 and cohort.warnings == ()


def test_no_lesions_without_a_lesion_source(tmp_path: Path) -> None:
    config = _demo_copy(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace('source = "lesions"', 'source = "column"\nbest_response = "best_response"')
    config.write_text(text.replace('lesion_file = "lesions.csv"', ""), encoding="utf-8")
    assert load_cohort(load_config(config)).lesions is None


def test_rows_of_patients_not_in_the_cohort_are_counted(tmp_path: Path) -> None:
    config = _demo_copy(tmp_path)
    lesions = tmp_path / "lesions.csv"
    lines = lesions.read_text(encoding="utf-8").splitlines()
    extra = [lines[1].replace("HCC001", "HCC999"), lines[2].replace("HCC001", "HCC999")]
    lesions.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    cohort = load_cohort(load_config(config))
    assert cohort.lesions is not None and len(cohort.lesions) == len(lines) - 1
    assert cohort.warnings == (
        "lesions.csv: 2 row(s) of 1 patient(s) not in the cohort file are not used; check the "
        "ids in column 'patient_id'",
    )
    assert "HCC999" not in cohort.warnings[0]  # warnings reach the report: no patient ids


def test_a_missing_patient_id_column_is_a_config_error(tmp_path: Path) -> None:
    config = _demo_copy(tmp_path)
    lesions = tmp_path / "lesions.csv"
    text = lesions.read_text(encoding="utf-8")
    lesions.write_text(text.replace("patient_id,", "patient,", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_cohort(load_config(config))
    (problem,) = info.value.problems
    assert problem.where == "response.lesion_columns.patient_id"
    assert problem.message.startswith(
        "column 'patient_id' is not in lesions.csv; did you mean 'patient'? (columns: patient, "
    )
