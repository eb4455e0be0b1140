"""load_cohort end to end: the bundled demo, files on disk, config/data mismatches, the flow."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.errors import ConfigError

from ._cohorts import base_frame, eight_patients, make_config

DEMO = Path(__file__).parents[2] / "src" / "hccsurv" / "demo" / "study.toml"


def test_demo_cohort_passes_validation() -> None:
    cohort = load_cohort(load_config(DEMO))
    assert cohort.flow.read == 100 and cohort.flow.analysed == 100
    assert cohort.flow.analysed_by_group == {"First-line": 66, "Post-ate-beva": 34}
    assert cohort.warnings == ()
    assert cohort.endpoints == {
        "OS": ("OS_time", "OS_event"),
        "PFS": ("PFS_time", "PFS_event"),
        "TTP": ("TTP_time", "TTP_event"),
    }
    assert cohort.causes == {"TTP": ("Progression", "Death without progression")}
    frame = cohort.frame
    # PFS events split into progression (cause 1) and death without progression (cause 2), on
    # the same follow-up times; TTP_event is the cause-specific indicator
    assert (frame["TTP_time"] == frame["PFS_time"]).all()
    assert frame["TTP_cause"].value_counts().to_dict() == {1.0: 52, 0.0: 31, 2.0: 17}
    assert ((frame["TTP_cause"] > 0) == (frame["PFS_event"] == 1)).all()
    assert ((frame["TTP_cause"] == 1) == (frame["TTP_event"] == 1)).all()
    died = frame["death_date"].notna()
    assert (frame.loc[frame["TTP_cause"] == 2, "death_date"].notna()).all() and died.any()
    assert list(frame["group"].cat.categories) == ["First-line", "Post-ate-beva"]
    assert frame["group"].cat.ordered
    assert pd.api.types.is_datetime64_any_dtype(frame["haic_start"])
    for column in (
        "child_pugh_points",
        "child_pugh_class",
        "albi_score",
        "albi_grade",
        "malbi_grade",
        "bclc_stage",
        "bsa_m2",
        "haic_fu_mg_day",
        "haic_cisplatin_mg",
        "atezolizumab_mg",
        "bevacizumab_mg",
        "tumor_gt_10cm",
        "multiple_tumors",
        "afp_ge_400",
        "ecog_0",
    ):
        assert column in frame.columns, column
        assert cohort.missing[column] == 0, column
    # deaths = OS events (no death after the cut-off in the demo)
    raw = pd.read_csv(DEMO.parent / "cohort.csv")
    assert int(frame["OS_event"].sum()) == int(raw["death_date"].notna().sum())
    assert (frame["PFS_time"] <= frame["OS_time"] + 1e-12).all()
    assert cohort.time_unit == "months"


def test_cohort_from_csv_file(tmp_path: Path) -> None:
    base_frame().to_csv(tmp_path / "cohort.csv", index=False)
    cohort = load_cohort(make_config(tmp_path))
    assert cohort.flow.analysed == 4
    assert cohort.frame["OS_event"].tolist() == [1.0, 1.0, 0.0, 0.0]
    # P3 censored for OS at last contact 2024-10-01; P4 for PFS at last assessment 2024-06-01
    assert cohort.frame["OS_time"].iloc[2] == pytest.approx(608 / 30.4375)
    assert cohort.frame["PFS_time"].iloc[3] == pytest.approx(458 / 30.4375)
    assert [(e.endpoint, e.n, e.events) for e in cohort.flow.endpoints] == [
        ("OS", 4, 2),
        ("PFS", 4, 3),
    ]


def test_missing_columns_listed_with_suggestions() -> None:
    frame = base_frame().rename(columns={"death_date": "date_of_death", "age": "Age"})
    with pytest.raises(ConfigError) as info:
        load_cohort(make_config(), data=frame)
    where = [p.where for p in info.value.problems]
    assert where == [
        "study.death_column",
        "endpoints.OS.events[0]",
        "endpoints.PFS.events[1]",
        "clinical.age",
    ]
    assert "did you mean 'Age'?" in str(info.value.problems[3])


def test_unknown_cox_reference_and_baseline_column() -> None:
    cox = {"candidates": [{"column": "group", "reference": "Firstline"}]}
    with pytest.raises(ConfigError) as info:
        load_cohort(make_config(cox=cox), data=base_frame())
    assert str(info.value.problems[0]) == (
        "cox.candidates[0].reference: reference 'Firstline' is not a value of 'group'; did you "
        "mean 'First-line'? (values: First-line, Post-ate-beva)"
    )
    baseline = [{"column": "bmi", "kind": "normal"}]
    with pytest.raises(ConfigError, match=r"baseline\[0\]\.column"):
        load_cohort(make_config(baseline=baseline), data=base_frame())


def test_derived_name_clash() -> None:
    derived = [{"name": "age", "column": "age", "op": ">", "value": 65}]
    with pytest.raises(ConfigError, match="'age' is already a column"):
        load_cohort(make_config(derived=derived), data=base_frame())


def test_endpoint_left_out_warning() -> None:
    frame = base_frame()
    frame.loc[3, "last_assessment_date"] = None
    cohort = load_cohort(make_config(), data=frame)
    assert cohort.warnings[-1:] == (
        "PFS: 1 patient(s) without a usable time (no event and no censoring date) are left out "
        "of this endpoint",
    )
    assert [(e.endpoint, e.n) for e in cohort.flow.endpoints] == [("OS", 4), ("PFS", 3)]


def test_flow_hides_identifiers_unless_asked() -> None:
    frame = eight_patients()
    frame.loc[0, "age"] = 120
    flow = load_cohort(make_config(), data=frame, exclude_invalid=True).flow
    text = json.dumps(flow.to_dict())
    assert "P1" not in text
    assert flow.to_dict()["excluded"] == [
        {"rule": "age_range", "reason": "age out of range", "count": 1}
    ]
    assert flow.to_dict(include_identifiers=True)["excluded"][0]["patients"] == ["P1"]
    table = flow.to_frame()
    assert list(table.columns) == ["step", "reason", "n"]
    assert table.to_dict("records")[:3] == [
        {"step": "read", "reason": "", "n": 8},
        {"step": "excluded", "reason": "age out of range", "n": 1},
        {"step": "analysed", "reason": "", "n": 7},
    ]
    assert "P1" not in table.to_string()


def test_group_values_are_stripped() -> None:
    frame = base_frame()
    frame.loc[0, "group"] = " First-line "
    cohort = load_cohort(make_config(), data=frame)
    assert cohort.frame["group"].iloc[0] == "First-line"


def test_numeric_group_codes() -> None:
    frame = base_frame()
    frame["group"] = [1.0, 1.0, 2.0, 2.0]
    groups = {"column": "group", "labels": ["1", "2"]}
    cohort = load_cohort(make_config(groups=groups), data=frame)
    assert cohort.frame["group"].astype(str).tolist() == ["1", "1", "2", "2"]
    assert cohort.flow.analysed_by_group == {"1": 2, "2": 2}


def test_duplicate_rows_both_excluded_and_counted() -> None:
    frame = eight_patients()
    frame.loc[1, "patient_id"] = "P1"
    flow = load_cohort(make_config(), data=frame, exclude_invalid=True).flow
    assert [(e.rule, e.count, e.patients) for e in flow.excluded] == [("duplicate_id", 2, ("P1",))]
    assert (flow.read, flow.n_excluded, flow.analysed) == (8, 2, 6)
