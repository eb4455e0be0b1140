"""The study config: the demo loads, every problem is listed at once with its key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccsurv.clinical.response import LesionColumns, ResponseRules
from hccsurv.config import DAYS_PER_UNIT, BaselineVariable, load_config, parse_config
from hccsurv.errors import ConfigError

DEMO = Path(__file__).parents[1] / "src" / "hccsurv" / "demo" / "study.toml"

MINIMAL = """
[study]
data = "cohort.csv"
id_column = "patient_id"

[groups]
column = "group"
labels = ["A", "B"]

[endpoints.OS]
label = "Overall survival"
start = "start"
events = ["death"]
last_contact = "contact"
"""


def _errors(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_demo_config_loads() -> None:
    config = load_config(DEMO)
    assert config.groups.labels == ["First-line", "Post-ate-beva"]
    assert list(config.endpoints) == ["OS", "PFS", "TTP"]
    assert config.endpoints["PFS"].events == ["progression_date", "death_date"]
    assert config.endpoints["PFS"].censoring == "last_assessment"
    assert config.data_path == DEMO.parent / "cohort.csv"
    assert config.days_per_unit == 30.4375
    assert config.study.landmarks == [12.0]
    assert config.response is not None and config.response.lesion_file == "lesions.csv"
    assert config.adjust is not None and config.adjust.method == "matching"
    ecog = next(c for c in config.cox.candidates if c.column == "ecog_0")
    assert ecog.reference == "≥1"


def test_minimal_config_defaults(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    config = load_config(path)
    assert config.study.time_unit == "months"
    assert config.endpoints["OS"].censoring == "last_followup"
    assert config.cox.threshold == 0.1 and config.cox.ties == "efron"
    assert config.tables.t_test == "student"
    assert config.figures.width_mm == 174 and config.figures.dpi == 300
    assert config.figures.formats == ["png", "pdf"]
    assert config.output.include_identifiers is False
    assert config.response is None and config.adjust is None
    assert config.resolve("data/x.csv") == tmp_path.resolve() / "data" / "x.csv"


def test_days_per_unit() -> None:
    assert DAYS_PER_UNIT == {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


def test_all_problems_listed_together(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('id_column = "patient_id"', 'id_column = "patient_id"\ntime_unt = "months"')
        .replace('events = ["death"]', 'events = ["death", 3]')
        .replace('labels = ["A", "B"]', 'labels = ["A"]')
        + '\n[tables]\nt_test = "welsh"\n'
        + '\n[endpoints.TTF]\nlabel = "x"\ntime = "t"\n'
    )
    assert _errors(text, tmp_path) == [
        "study.time_unt: unknown key 'time_unt'; did you mean 'time_unit'? Allowed keys: cutoff, "
        "data, death_column, design, id_column, landmarks, progression_column, read, "
        "rmst_horizon, sheet, time_unit, title",
        "groups.labels: found ['A']; List should have at least 2 items after validation, not 1",
        "endpoints.OS.events[1]: found 3; Input should be a valid string",
        "endpoints.TTF: an endpoint from ready columns also needs: event, time_unit",
        "tables.t_test: found 'welsh'; Input should be 'student' or 'welch'",
    ]


def test_unknown_section_suggestion(tmp_path: Path) -> None:
    assert _errors(MINIMAL + "\n[figure]\ndpi = 600\n", tmp_path)[0].startswith(
        "figure: unknown key 'figure'; did you mean 'figures'?"
    )


def test_unknown_key_inside_list_of_tables(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[baseline]]\ncolumn = "age"\nkind = "normal"\nlable = "Age"\n'
    assert _errors(text, tmp_path) == [
        "baseline[0].lable: unknown key 'lable'; did you mean 'label'? Allowed keys: column, "
        "kind, label, levels"
    ]


def test_endpoint_rules(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'last_contact = "contact"',
        'last_contact = "contact"\ncensoring = "last_assessment"\ntime = "t"',
    )
    assert _errors(text, tmp_path) == [
        "endpoints.OS: give either dates (start, events, last_contact) or ready columns (time, "
        "event, time_unit), not both"
    ]
    text = MINIMAL.replace('last_contact = "contact"', 'censoring = "last_assessment"')
    assert _errors(text, tmp_path) == [
        "endpoints.OS: an endpoint from dates also needs: last_contact"
    ]
    text = MINIMAL.replace(
        'last_contact = "contact"', 'last_contact = "contact"\ncensoring = "last_assessment"'
    )
    assert _errors(text, tmp_path) == [
        'endpoints.OS: censoring = "last_assessment" needs last_assessment = "<column of the '
        'last adequate tumour assessment date>"'
    ]


def test_derived_rules(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '\n[[derived]]\nname = "big"\ncolumn = "size"\nop = ">"\nvalue = 100\nlabels = ["a"]\n'
        + '\n[[derived]]\nname = "age3"\ncolumn = "age"\nbreaks = [70, 50]\n'
        + '\n[[derived]]\nname = "x"\ncolumn = "age"\nbreaks = [50]\nmap = { a = "b" }\n'
    )
    assert _errors(text, tmp_path) == [
        "derived[0]: a binary cut needs 2 labels [when false, when true]; found 1",
        "derived[1]: breaks must be strictly increasing; found [70.0, 50.0]",
        "derived[2]: give exactly one rule: op + value (binary), breaks (ordinal) or map "
        "(recode); found breaks, map",
    ]


def test_response_and_options(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '\n[response]\nsource = "column"\ncriteria = "RECIST"\n'
        + "\n[clinical.options]\nalbi_coefficient = -0.09\n"
        + '\n[study.read]\ndelimiter = ":"\n'
    )
    errors = _errors(text, tmp_path)
    assert errors == [
        "study.read.delimiter: found ':'; Input should be ',', ';', '\\t' or '|'",
        "clinical.options.albi_coefficient: found -0.09; the ALBI albumin coefficient is -0.085 "
        "(Johnson 2015) or -0.0852",
        "response.criteria: found 'RECIST'; Input should be 'mRECIST' or 'RECIST1.1'",
    ]


def test_group_display_names_must_be_labels(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'labels = ["A", "B"]', 'labels = ["A", "B"]\ndisplay_names = { C = "c" }'
    )
    assert _errors(text, tmp_path) == [
        "groups: display_names has keys that are not group labels: C; allowed: A, B"
    ]


def test_toml_syntax_error(tmp_path: Path) -> None:
    errors = _errors("[study\n", tmp_path)
    assert len(errors) == 1 and "fix the TOML syntax at that line" in errors[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="check the path"):
        load_config(tmp_path / "nope.toml")


def test_parse_config_with_dates_and_sheet() -> None:
    config = parse_config(
        {
            "study": {"data": "x.xlsx", "id_column": "id", "sheet": "Data", "cutoff": "2024-12-31"},
            "groups": {"column": "g", "labels": ["a", "b"]},
            "endpoints": {"OS": {"label": "OS", "time": "t", "event": "e", "time_unit": "days"}},
        },
        "/base",
    )
    assert config.study.sheet == "Data"
    assert str(config.study.cutoff) == "2024-12-31"
    assert config.data_path == Path("/base/x.xlsx")
    assert not config.endpoints["OS"].from_dates


def test_response_section_is_the_engine_rules_plus_the_source(tmp_path: Path) -> None:
    config = load_config(DEMO)
    response = config.response
    assert isinstance(response, ResponseRules) and isinstance(response.rules, ResponseRules)
    assert type(response.rules) is ResponseRules and response.rules == ResponseRules()
    assert isinstance(response.lesion_columns, LesionColumns)
    assert response.lesion_columns.rename_map()["viable_diameter_mm"] == "viable_diameter_mm"
    text = (
        MINIMAL
        + '\n[response]\nbest_response = "bor"\nconfirm_day = 28\nsd_min_days = -1\n'
        + '[response.lesion_columns]\nreader = ""\nreaders = "r"\n'
    )
    assert _errors(text, tmp_path) == [
        "response.lesion_columns.readers: unknown key 'readers'; did you mean 'reader'? Allowed "
        "keys: assessment_date, effusion_cytology_positive, lesion_id, lesion_kind, "
        "new_lesion_size_mm, new_lesion_typical, nontarget_status, organ, patient_id, reader, "
        "total_diameter_mm, viable_diameter_mm",
        "response.confirm_day: unknown key 'confirm_day'; did you mean 'confirm_days'? Allowed "
        "keys: accept_sd, adjudication, best_response, confirm_days, criteria, denominator, "
        "lesion_columns, lesion_file, max_nr_ne, sd_min_days, source",
    ]
    text = MINIMAL + '\n[response]\nbest_response = "bor"\nsd_min_days = -1\n'
    assert _errors(text, tmp_path) == [
        "response: ResponseRules: sd_min_days=-1: use a non-negative whole number"
    ]
    text = MINIMAL + '\n[response]\nbest_response = "bor"\n[response.lesion_columns]\nreader = ""\n'
    assert _errors(text, tmp_path) == [
        "response.lesion_columns: LesionColumns: reader must name a column of the lesion file "
        "(a non-empty text)"
    ]


def test_baseline_label_defaults_to_the_column(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text(MINIMAL + '\n[[baseline]]\ncolumn = "age"\nkind = "normal"\n', "utf-8")
    (age,) = load_config(path).baseline
    assert age == BaselineVariable(column="age", kind="normal", label="age")
