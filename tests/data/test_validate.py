"""One test per validation rule: a valid 4-patient cohort with one bad cell, exact message."""

from __future__ import annotations

from typing import Any

import pytest

from hccsurv.data.cohort import load_cohort
from hccsurv.errors import CohortValidationError, Problem

from ._cohorts import base_frame, eight_patients, make_config


def _problems(column: str, row: int, value: Any, **config: Any) -> list[Problem]:
    frame = base_frame()
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(**config), data=frame)
    return list(info.value.problems)


def test_valid_cohort_passes() -> None:
    cohort = load_cohort(make_config(), data=base_frame())
    assert cohort.flow.read == 4
    assert cohort.flow.analysed == 4


CASES = [
    (
        "missing_id",
        ("patient_id", 1, None),
        "patient row 3, column 'patient_id': the patient id is empty; fill patient_id (file row "
        "numbers count the header as row 1)",
    ),
    (
        "missing_start",
        ("start_date", 0, None),
        "patient P1 (file row 2), "
        "column 'start_date': the start date is empty; fill start_date (the date "
        "treatment started) or remove the patient",
    ),
    (
        "event_before_start",
        ("progression_date", 1, "2022-12-01"),
        "patient P2 (file row 3), "
        "column 'progression_date', value '2022-12-01': progression_date 2022-12-01 "
        "is before start_date 2023-01-01; correct either date",
    ),
    (
        "contact_before_event",
        ("last_contact_date", 0, "2023-06-01"),
        "patient P1 (file row 2), "
        "column 'last_contact_date', value '2023-06-01': last_contact_date "
        "2023-06-01 is before death_date 2023-07-01; last contact must be on or after every "
        "recorded event (the death date for patients who died)",
    ),
    (
        "contact_after_cutoff",
        ("last_contact_date", 3, "2025-01-15"),
        "patient P4 (file row 5), "
        "column 'last_contact_date', value '2025-01-15': last_contact_date "
        "2025-01-15 is after the data cut-off 2024-12-31; enter the last contact on or before "
        "the cut-off, or move study.cutoff",
    ),
    (
        "nonpositive_followup",
        ("last_contact_date", 3, "2023-03-01"),
        "patient P4 (file row 5), "
        "column 'last_contact_date', value '2023-03-01': follow-up is 0 days "
        "(last_contact_date 2023-03-01, start_date 2023-03-01); last contact must come after "
        "the start date",
    ),
    (
        "unknown_group",
        ("group", 2, "Second-line"),
        "patient P3 (file row 4), "
        "column 'group', value 'Second-line': 'Second-line' is not a group label; "
        "use one of: First-line, Post-ate-beva (or add it to groups.labels)",
    ),
    (
        "missing_group",
        ("group", 2, None),
        "patient P3 (file row 4), "
        "column 'group': the group is empty; fill group with one of: First-line, "
        "Post-ate-beva",
    ),
    (
        "age_range",
        ("age", 0, 16),
        "patient P1 (file row 2), "
        "column 'age', value '16': age must be 18-100 years for an adult HCC "
        "cohort; correct the value",
    ),
    (
        "afp_negative",
        ("afp", 0, -1.0),
        "patient P1 (file row 2), "
        "column 'afp', value '-1': AFP cannot be negative; correct the value",
    ),
    (
        "ecog_range",
        ("ecog", 0, 5),
        "patient P1 (file row 2), "
        "column 'ecog', value '5': ECOG performance status must be an integer 0-4; "
        "correct the value",
    ),
    (
        "albumin_unit",
        ("albumin", 0, 35.0),
        "patient P1 (file row 2), "
        "column 'albumin', value '35': albumin 35 with unit g/dL looks like g/L "
        "(plausible 1-6.5 g/dL); check units.albumin or the value",
    ),
    (
        "bilirubin_unit",
        ("bilirubin", 0, 40.0),
        "patient P1 (file row 2), "
        "column 'bilirubin', value '40': bilirubin 40 with unit mg/dL looks like "
        "umol/L (plausible 0.1-35 mg/dL); check units.bilirubin or the value",
    ),
    (
        "bilirubin_unit",
        ("bilirubin", 0, -1.0),
        "patient P1 (file row 2), "
        "column 'bilirubin', value '-1': bilirubin -1 is impossible or implausible "
        "in mg/dL (plausible 0.1-35 mg/dL); correct the value",
    ),
    (
        "inr_range",
        ("inr", 0, 13.0),
        "patient P1 (file row 2), "
        "column 'inr', value '13': INR must lie between 0.5 and 10; a value above "
        "10 looks like a prothrombin time in seconds: give the INR",
    ),
    (
        "date_unparseable",
        ("death_date", 0, "2023-02-30"),
        "patient P1 (file row 2), "
        "column 'death_date', value '2023-02-30': cannot be read as a date; write "
        "dates as YYYY-MM-DD (or set study.read.date_format to the format used)",
    ),
]


@pytest.mark.parametrize(("rule", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_rule_message(rule: str, change: tuple[str, int, object], message: str) -> None:
    problems = _problems(*change)
    assert [(p.rule, str(p)) for p in problems] == [(rule, message)]


def test_duplicate_id_flags_both_rows() -> None:
    problems = _problems("patient_id", 1, "P1")
    expected = (
        "patient P1 (file row 2), "
        "column 'patient_id', value 'P1': this id is on file rows 2, 3; give each "
        "patient one row with a unique id"
    )
    # one line for the id, naming both file rows (header = row 1)
    assert [(p.rule, str(p)) for p in problems] == [("duplicate_id", expected)]


def test_progression_after_death() -> None:
    problems = _problems("progression_date", 1, "2023-10-01")
    assert problems[0].rule == "progression_after_death"
    assert str(problems[0]) == (
        "patient P2 (file row 3), "
        "column 'progression_date', value '2023-10-01': progression_date 2023-10-01 "
        "is after death_date 2023-09-01; correct either date (progression cannot follow death)"
    )
    # the death date is also the last contact, which now precedes the progression
    assert [p.rule for p in problems[1:]] == ["contact_before_event"]


def test_albumin_column_in_other_unit_gives_one_problem() -> None:
    frame = base_frame()
    frame["albumin"] = frame["albumin"] * 10
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(), data=frame)
    assert [str(p) for p in info.value.problems] == [
        "column 'albumin': all 4 values of albumin look like g/L, not g/dL (plausible 1-6.5 "
        "g/dL); set units.albumin = 'g/L'"
    ]


def test_albumin_in_g_l_accepted_with_unit() -> None:
    frame = base_frame()
    frame["albumin"] = frame["albumin"] * 10
    cohort = load_cohort(make_config(units={"albumin": "g/L"}), data=frame)
    assert cohort.flow.analysed == 4


def test_every_problem_listed_at_once() -> None:
    frame = base_frame()
    frame.loc[0, "age"] = 120
    frame.loc[1, "ecog"] = 7
    frame.loc[2, "group"] = "Other"
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(), data=frame)
    assert [p.rule for p in info.value.problems] == ["unknown_group", "age_range", "ecog_range"]
    assert "(3 problems)" in str(info.value)


def test_ready_endpoint_codes_checked() -> None:
    frame = base_frame()
    frame["ttf"] = [30.0, -2.0, 90.0, 120.0]
    frame["ttf_event"] = [1, 0, 2, 0]
    endpoints = {"TTF": {"label": "TTF", "time": "ttf", "event": "ttf_event", "time_unit": "days"}}
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(endpoints=endpoints), data=frame)
    assert [str(p) for p in info.value.problems] == [
        "patient P3 (file row 4), "
        "column 'ttf_event', value '2': endpoint TTF: the status must be 1 (event), "
        "0 (censored); correct the value, or add it to event_codes, censored_codes or "
        "competing_codes",
        "patient P2 (file row 3), "
        "column 'ttf', value '-2': endpoint TTF: time cannot be negative; correct "
        "the value",
    ]


def test_exclude_invalid_records_reasons() -> None:
    frame = eight_patients()
    frame.loc[0, "age"] = 120
    frame.loc[2, "group"] = "Other"
    frame.loc[2, "ecog"] = 9
    cohort = load_cohort(make_config(), data=frame, exclude_invalid=True)
    assert list(cohort.frame["patient_id"]) == ["P2", "P4", "P5", "P6", "P7", "P8"]
    flow = cohort.flow
    assert (flow.read, flow.n_excluded, flow.analysed) == (8, 2, 6)
    assert [(e.reason, e.count, e.patients) for e in flow.excluded] == [
        ("unknown group", 1, ("P3",)),
        ("age out of range", 1, ("P1",)),
    ]
    assert flow.analysed_by_group == {"First-line": 3, "Post-ate-beva": 3}


def test_column_level_problem_raises_even_when_excluding() -> None:
    frame = base_frame()
    frame["albumin"] = frame["albumin"] * 10
    with pytest.raises(CohortValidationError):
        load_cohort(make_config(), data=frame, exclude_invalid=True)


def test_unknown_category_for_clinical_score() -> None:
    frame = base_frame()
    frame["ascites"] = ["none", "mild", "lots", None]
    frame["encephalopathy"] = ["none", "none", "none", "none"]
    clinical = {**make_config().clinical.columns(), "ascites": "ascites"}
    clinical["encephalopathy"] = "encephalopathy"
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(clinical=clinical), data=frame)
    assert [str(p) for p in info.value.problems] == [
        "patient P3 (file row 4), "
        "column 'ascites', value 'lots': 'lots' is not a recognised value; use "
        "none, mild, moderate (or severe)"
    ]


def test_problem_values_keep_patient_and_column() -> None:
    problems = _problems("age", 0, 16)
    assert (problems[0].patient, problems[0].column, problems[0].value) == ("P1", "age", "16")


_NOT_A_NUMBER = "must be a number; write digits with a dot as decimal mark or leave the cell empty"
_NOT_FINITE = "is not a finite number; correct the value or leave the cell empty"


@pytest.mark.parametrize(
    ("column", "value", "rule", "tail"),
    [
        ("age", "sixty", "not_a_number", _NOT_A_NUMBER),
        ("age", "-", "not_a_number", _NOT_A_NUMBER),
        # a decimal-comma typo in a dot-decimal file must not silently become missing
        ("afp", "2,2", "not_a_number", _NOT_A_NUMBER),
        ("age", float("inf"), "not_finite", _NOT_FINITE),
        ("afp", "-inf", "not_finite", _NOT_FINITE),
        # pandas would coerce this overflowing literal to missing, not to inf
        ("age", "1e309", "not_finite", _NOT_FINITE),
    ],
)
def test_numeric_cell_refused_with_patient_column_value(
    column: str, value: object, rule: str, tail: str
) -> None:
    problems = _problems(column, 1, value)
    shown = value if isinstance(value, str) else "inf"
    assert [(p.rule, str(p)) for p in problems] == [
        (rule, f"patient P2 (file row 3), column '{column}', value '{shown}': {column} {tail}")
    ]


def test_death_on_day_zero_is_time_zero_event() -> None:
    frame = base_frame()
    frame.loc[0, ["death_date", "last_contact_date", "last_assessment_date"]] = "2023-01-01"
    cohort = load_cohort(make_config(), data=frame)
    assert cohort.flow.analysed == 4
    assert cohort.frame.loc[0, "OS_time"] == 0.0
    assert cohort.frame.loc[0, "OS_event"] == 1
    assert cohort.frame.loc[0, "PFS_time"] == 0.0
    assert cohort.frame.loc[0, "PFS_event"] == 1


@pytest.mark.parametrize(
    ("column", "config"),
    [
        ("weight", {"clinical": {"weight_kg": "weight"}}),
        ("size", {"baseline": [{"column": "size", "kind": "skewed"}]}),
        ("size", {"derived": [{"name": "big", "column": "size", "op": ">", "value": 50}]}),
        ("size", {"cox": {"candidates": [{"column": "size"}]}}),
    ],
)
def test_every_column_read_as_a_number_refuses_text(column: str, config: dict[str, Any]) -> None:
    frame = base_frame()
    frame[column] = ["70", "sixty", "55", "80"]
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(**config), data=frame)
    assert [(p.rule, p.patient, p.column, p.value) for p in info.value.problems] == [
        ("not_a_number", "P2", column, "sixty")
    ]
