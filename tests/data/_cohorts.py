"""Small hand-made cohorts and configs shared by the data-layer tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd

from hccsurv.config import StudyConfig, parse_config

BASE_CONFIG: dict[str, Any] = {
    "study": {
        "data": "cohort.csv",
        "id_column": "patient_id",
        "death_column": "death_date",
        "progression_column": "progression_date",
        "cutoff": "2024-12-31",
        "time_unit": "months",
    },
    "groups": {"column": "group", "labels": ["First-line", "Post-ate-beva"]},
    "endpoints": {
        "OS": {
            "label": "Overall survival",
            "start": "start_date",
            "events": ["death_date"],
            "last_contact": "last_contact_date",
        },
        "PFS": {
            "label": "Progression-free survival",
            "start": "start_date",
            "events": ["progression_date", "death_date"],
            "last_contact": "last_contact_date",
            "censoring": "last_assessment",
            "last_assessment": "last_assessment_date",
        },
    },
    "clinical": {
        "age": "age",
        "bilirubin": "bilirubin",
        "albumin": "albumin",
        "inr": "inr",
        "ecog": "ecog",
        "afp": "afp",
    },
}


def base_frame() -> pd.DataFrame:
    """Four valid patients; P1 dies, P2 progresses then dies, P3 progresses, P4 is censored."""
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3", "P4"],
            "group": ["First-line", "First-line", "Post-ate-beva", "Post-ate-beva"],
            "start_date": ["2023-01-01", "2023-01-01", "2023-02-01", "2023-03-01"],
            "progression_date": [None, "2023-04-01", "2023-06-01", None],
            "death_date": ["2023-07-01", "2023-09-01", None, None],
            "last_assessment_date": ["2023-05-01", "2023-04-01", "2023-06-01", "2024-06-01"],
            "last_contact_date": ["2023-07-01", "2023-09-01", "2024-10-01", "2024-12-01"],
            "age": [65, 70, 58, 49],
            "bilirubin": [1.0, 1.5, 0.8, 2.1],
            "albumin": [3.9, 3.4, 4.1, 3.0],
            "inr": [1.1, 1.2, 1.0, 1.4],
            "ecog": [0, 1, 0, 2],
            "afp": [12.0, 450.0, 3.5, 1200.0],
        }
    )


def eight_patients() -> pd.DataFrame:
    """``base_frame`` twice (P5-P8 repeat P1-P4): room to exclude patients and keep two a group."""
    more = base_frame()
    more["patient_id"] = ["P5", "P6", "P7", "P8"]
    return pd.concat([base_frame(), more], ignore_index=True)


def make_config(base_dir: Path | str = ".", **sections: Any) -> StudyConfig:
    """BASE_CONFIG with top-level sections replaced (``None`` removes a section)."""
    data = copy.deepcopy(BASE_CONFIG)
    for key, value in sections.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_config(data, base_dir)
