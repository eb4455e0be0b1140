"""Derived variables: clinical scores through hccsurv.clinical, cut-points, recodes."""

from __future__ import annotations

import pandas as pd
import pytest

from hccsurv.config import DerivedVariable, StudyConfig, parse_config
from hccsurv.data.derive import derive_clinical, derive_variables

from ._cohorts import BASE_CONFIG


def _values(column: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in column]


def _config(clinical: dict[str, object], units: dict[str, str] | None = None) -> StudyConfig:
    data = {**BASE_CONFIG, "clinical": clinical, "units": units or {}}
    return parse_config(data, ".")


def test_worked_examples_from_the_domain_reference() -> None:
    # HCC_REFERENCE §2: bilirubin 1.2, albumin 3.2, INR 1.3, mild ascites, no HE -> B7;
    # §3: bilirubin 1.2 mg/dL, albumin 3.5 g/dL -> ALBI -2.109, grade 2, mALBI 2b;
    # §6: 170 cm, 65 kg -> Mosteller 1.752 m², 5-FU 876 mg/day, cisplatin 105.1 mg, beva 975 mg
    frame = pd.DataFrame(
        {
            "bili": [1.2, 1.2],
            "alb": [3.2, 3.5],
            "inr": [1.3, 1.3],
            "asc": ["mild", "none"],
            "he": ["none", "none"],
            "h": [170.0, 170.0],
            "w": [65.0, 65.0],
        }
    )
    config = _config(
        {
            "bilirubin": "bili",
            "albumin": "alb",
            "inr": "inr",
            "ascites": "asc",
            "encephalopathy": "he",
            "height_cm": "h",
            "weight_kg": "w",
        }
    )
    out, notes = derive_clinical(frame, config)
    assert out["child_pugh_points"].tolist() == [7.0, 6.0]  # albumin 3.5 is in the 2-point band
    assert out["child_pugh_class"].astype(str).tolist() == ["B", "A"]
    assert out["albi_score"].iloc[1] == pytest.approx(-2.109, abs=5e-4)
    assert out["albi_grade"].astype(str).tolist()[1] == "2"
    assert out["malbi_grade"].astype(str).tolist()[1] == "2b"
    assert out["bsa_m2"].iloc[0] == pytest.approx(1.752, abs=5e-4)
    assert out["haic_fu_mg_day"].iloc[0] == pytest.approx(876.0, abs=0.5)
    assert out["haic_cisplatin_mg"].iloc[0] == pytest.approx(105.1, abs=0.05)
    assert out["bevacizumab_mg"].iloc[0] == 975.0
    assert out["atezolizumab_mg"].iloc[0] == 1200.0
    assert notes == []
    assert list(out["child_pugh_class"].cat.categories) == ["A", "B", "C"]


def test_si_units_converted_before_the_scores() -> None:
    frame = pd.DataFrame(
        {"bili": [20.52], "alb": [35.0], "inr": [1.0], "asc": ["none"], "he": ["none"]}
    )
    config = _config(
        {
            "bilirubin": "bili",
            "albumin": "alb",
            "inr": "inr",
            "ascites": "asc",
            "encephalopathy": "he",
        },
        {"bilirubin": "umol/L", "albumin": "g/L"},
    )
    out, _ = derive_clinical(frame, config)
    assert out["albi_score"].iloc[0] == pytest.approx(-2.109, abs=5e-4)
    assert out["child_pugh_points"].iloc[0] == 6.0  # bilirubin 1.2 mg/dL, albumin 3.5 g/dL


def test_afp_cutoff_and_iu_conversion() -> None:
    frame = pd.DataFrame({"afp": [399.0, 400.0, None, 331.0]})
    out, _ = derive_clinical(frame, _config({"afp": "afp"}))
    assert _values(out["afp_ge_400"]) == ["<400", "≥400", None, "<400"]
    out, _ = derive_clinical(frame, _config({"afp": "afp"}, {"afp": "IU/mL"}))
    assert out["afp_ng_ml"].iloc[3] == pytest.approx(331.0 * 1.21)
    assert _values(out["afp_ge_400"])[3] == "≥400"


def test_bclc_needs_all_inputs_and_says_so() -> None:
    frame = pd.DataFrame({"n": [1], "size": [30.0]})
    out, notes = derive_clinical(frame, _config({"tumor_number": "n", "tumor_size_mm": "size"}))
    assert "bclc_stage" not in out
    assert notes == [
        "BCLC stage not derived: it needs the Child-Pugh inputs and clinical.tumor_number, "
        "tumor_size_mm, vascular_invasion, extrahepatic_spread and ecog"
    ]


def test_binary_cut_boundaries_and_missing() -> None:
    frame = pd.DataFrame({"size": [100.0, 100.1, None], "n": [1, 2, 3], "ecog": [0, 1, 2]})
    rules = [
        DerivedVariable(name="gt10", column="size", op=">", value=100, labels=["≤10 cm", ">10 cm"]),
        DerivedVariable(name="multi", column="n", op=">=", value=2),
        DerivedVariable(name="ecog_0", column="ecog", op="==", value=0, labels=["≥1", "0"]),
    ]
    out = derive_variables(frame, rules)
    assert _values(out["gt10"]) == ["≤10 cm", ">10 cm", None]
    assert _values(out["multi"]) == ["No", "Yes", "Yes"]
    assert _values(out["ecog_0"]) == ["0", "≥1", "≥1"]
    assert list(out["ecog_0"].cat.categories) == ["≥1", "0"]
    assert out["gt10"].cat.ordered


def test_ordinal_cut_is_left_closed() -> None:
    frame = pd.DataFrame({"age": [49.9, 50.0, 64.0, 65.0, None]})
    out = derive_variables(frame, [DerivedVariable(name="g", column="age", breaks=[50, 65])])
    assert _values(out["g"]) == ["<50", "50-<65", "50-<65", "≥65", None]


def test_recode_and_chained_rules() -> None:
    frame = pd.DataFrame({"etiology": ["HBV", "HCV", "Alcohol", "NASH", None]})
    viral = DerivedVariable(
        name="viral",
        column="etiology",
        map={"HBV": "Viral", "HCV": "Viral", "Alcohol": "Non-viral"},
    )
    again = DerivedVariable(name="viral2", column="viral", map={"Viral": "1", "Non-viral": "0"})
    out = derive_variables(frame, [viral, again])
    assert _values(out["viral"]) == ["Viral", "Viral", "Non-viral", None, None]
    assert _values(out["viral2"]) == ["1", "1", "0", None, None]
    assert list(out["viral"].cat.categories) == ["Viral", "Non-viral"]
