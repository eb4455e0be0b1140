"""Read the files of ``[safety]``: the treatment record and the laboratory record, graded.

The treatment file (:func:`hccsurv.data.treatment.read_treatment_rows`) gives each patient's
first cycle, from which the laboratory values (:func:`hccsurv.data.labs.read_lab_rows`) get
their baseline and on-treatment CTCAE grades (:func:`hccsurv.data.labs.grade_labs`). Only the
rows of analysed patients are kept, as for the lesion file; rows of patients not in the cohort
file at all are counted in a warning (an id typed differently in the two files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hccsurv.config import StudyConfig
from hccsurv.data.labs import grade_labs, read_lab_rows
from hccsurv.data.readers import read_table
from hccsurv.data.treatment import read_treatment_rows
from hccsurv.errors import DataReadError

__all__ = ["SafetyRecords", "read_safety"]


@dataclass(frozen=True)
class SafetyRecords:
    """The checked treatment rows and the graded on-treatment laboratory rows (``None`` without
    a laboratory file) of the analysed patients."""

    treatment: pd.DataFrame
    labs: pd.DataFrame | None


def _unknown(rows: pd.DataFrame, path: Path, read: set[str]) -> list[str]:
    unknown = rows["patient_id"][~rows["patient_id"].isin(read)]
    if not len(unknown):
        return []
    return [
        f"{path.name}: {len(unknown)} row(s) of {unknown.nunique()} patient(s) not in the cohort "
        "file are not used; check the patient ids"
    ]


def _read(path: Path, key: str) -> pd.DataFrame:
    if not path.is_file():  # read_table's message would point at study.data
        raise DataReadError(
            f"Cannot read {path}: no such file; check safety.{key} (paths are relative to the "
            "config)"
        )
    return read_table(path)


def read_safety(
    config: StudyConfig, analysed: Iterable[str], read: Iterable[str]
) -> tuple[SafetyRecords | None, list[str]]:
    """The safety records of the analysed patients, and warnings; ``None`` without ``[safety]``.

    Raises
    ------
    CohortValidationError
        A problem in either file (each naming patient, file row, column and value).
    DataReadError
        A file cannot be read.
    """
    safety = config.safety
    if safety is None:
        return None, []
    mine, everyone = set(analysed), set(read)
    path = config.resolve(safety.treatment_file)
    treatment = read_treatment_rows(
        _read(path, "treatment_file"),
        safety.treatment_columns,
        drugs=list(safety.planned_mg_m2) or None,
        file=path.name,
    )
    warnings = _unknown(treatment, path, everyone)
    treatment = treatment[treatment["patient_id"].isin(mine)].reset_index(drop=True)
    untreated = len(mine - set(treatment["patient_id"]))
    if untreated:  # counted, not named: warnings reach the report, patient ids must not
        warnings.append(
            f"{untreated} analysed patient(s) have no cycle in {path.name} and are not in the "
            "safety population (adverse events, exposure)"
        )
    labs = None
    if safety.lab_file is not None:
        lab_path = config.resolve(safety.lab_file)
        rows, lab_warnings = read_lab_rows(
            _read(lab_path, "lab_file"),
            safety.lab_columns,
            version=safety.ctcae_version,
            file=lab_path.name,
        )
        warnings += lab_warnings + _unknown(rows, lab_path, everyone)
        first = treatment.groupby("patient_id")["date"].min()
        labs = grade_labs(
            rows[rows["patient_id"].isin(mine)],
            {str(k): pd.Timestamp(v) for k, v in first.items()},
            window_days=safety.baseline_window_days,
            version=safety.ctcae_version,
        )
    return SafetyRecords(treatment=treatment, labs=labs), warnings
