"""starter_config: the TOML it writes loads, and the guesses fit the demo cohort."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.data.init import starter_config

from ._cohorts import base_frame

DEMO_DATA = Path(__file__).parents[2] / "src" / "hccsurv" / "demo" / "cohort.csv"


def test_round_trip_on_demo_cohort(tmp_path: Path) -> None:
    text = starter_config(DEMO_DATA, config_path=tmp_path / "study.toml")
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.data_path.resolve() == DEMO_DATA.resolve()
    assert config.study.id_column == "patient_id"
    assert config.groups.column == "group"
    assert config.groups.labels == ["First-line", "Post-ate-beva"]
    assert config.endpoints["OS"].events == ["death_date"]
    assert config.endpoints["PFS"].events == ["progression_date", "death_date"]
    assert config.endpoints["PFS"].last_assessment == "last_assessment_date"
    assert config.clinical.vascular_invasion == "portal_vein_invasion"
    assert config.units.bilirubin == "mg/dL" and config.units.albumin == "g/dL"
    kinds = {b.column: b.kind for b in config.baseline}
    assert kinds["age"] == "normal"
    assert kinds["afp_ng_ml"] == "skewed"
    assert kinds["sex"] == "categorical"
    assert "best_response" not in kinds
    cohort = load_cohort(config)
    assert cohort.flow.analysed == 100


def test_round_trip_on_small_file_next_to_config(tmp_path: Path) -> None:
    frame = base_frame()
    frame["bilirubin"] = frame["bilirubin"] * 17.1
    frame = frame.rename(columns={"bilirubin": "bilirubin_umol"})
    data = tmp_path / "patients.csv"
    frame.to_csv(data, index=False)
    text = starter_config(data)
    assert 'data = "patients.csv"' in text
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "study.toml")
    assert config.units.bilirubin == "umol/L"
    assert config.study.death_column == "death_date"
    assert config.endpoints["OS"].start == "start_date"
    assert str(config.study.cutoff) == "2024-12-01"


def test_placeholders_when_nothing_is_recognised(tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    text = starter_config(data)
    parsed = tomllib.loads(text)
    assert parsed["groups"]["column"] == "FILL_IN_GROUP_COLUMN"
    assert parsed["endpoints"]["OS"]["start"] == "FILL_IN_START_DATE"
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path / "study.toml").study.id_column == "a"


def test_spss_value_and_variable_labels_become_display_names(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.read_csv(DEMO_DATA)
    for col in [c for c in frame.columns if c.endswith("_date") or c == "haic_start"]:
        frame[col] = pd.to_datetime(frame[col])
    frame["group"] = frame["group"].map({"First-line": 1.0, "Post-ate-beva": 2.0})
    frame["sex"] = frame["sex"].map({"Male": 1.0, "Female": 2.0})
    data = tmp_path / "cohort.sav"
    pyreadstat.write_sav(
        frame,
        str(data),
        column_labels={"age": "Age, years", "sex": "Sex"},
        variable_value_labels={
            "group": {1: "First-line HAIC", 2: "Post-ate-beva"},
            "sex": {1: "Male", 2: "Female"},
        },
    )
    path = tmp_path / "study.toml"
    path.write_text(starter_config(data, config_path=path), encoding="utf-8")
    config = load_config(path)
    # the codes stay in the config; the labels are display names
    assert config.groups.labels == ["1", "2"]
    assert config.groups.display_names == {"1": "First-line HAIC", "2": "Post-ate-beva"}
    [recode] = config.derived
    assert (recode.name, recode.column, recode.map) == (
        "sex_label",
        "sex",
        {"1": "Male", "2": "Female"},
    )
    rows = {b.column: (b.label, b.kind) for b in config.baseline}
    assert rows["age"] == ("Age, years", "normal")
    assert rows["sex_label"] == ("Sex", "categorical")
    assert "sex" not in rows
    cohort = load_cohort(config)
    assert cohort.flow.analysed_by_group == {"1": 66, "2": 34}
    assert cohort.frame["sex_label"].astype(str).tolist()[:4] == ["Male", "Male", "Male", "Female"]


def test_title_rows_above_the_header_are_guessed(tmp_path: Path) -> None:
    data = tmp_path / "cohort.csv"
    body = DEMO_DATA.read_text(encoding="utf-8")
    data.write_text("Liver unit export\nprinted 2024-12-31\n" + body, encoding="utf-8")
    path = tmp_path / "study.toml"
    path.write_text(starter_config(data, config_path=path), encoding="utf-8")
    config = load_config(path)
    assert config.study.read.header_row == 3
    assert config.study.id_column == "patient_id"
    assert load_cohort(config).flow.analysed == 100


def test_title_row_above_the_header_of_an_xlsx_is_guessed(tmp_path: Path) -> None:
    # an export with a title row: init tries the rows below it as the header, some of which
    # repeat values (data rows); it must settle on the real header, not fail
    frame = pd.read_csv(DEMO_DATA)
    data = tmp_path / "cohort.xlsx"
    with pd.ExcelWriter(data) as writer:
        pd.DataFrame([["Liver unit export"]]).to_excel(writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=1)
    path = tmp_path / "study.toml"
    path.write_text(starter_config(data, config_path=path), encoding="utf-8")
    config = load_config(path)
    assert config.study.read.header_row == 2
    assert load_cohort(config).flow.analysed == 100
