"""Issue 14 at the data layer: files a clinician exports, read right or refused precisely."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hccsurv.data.cohort import load_cohort
from hccsurv.errors import CohortValidationError, ConfigError, DataReadError, Problem

from ._cohorts import base_frame, eight_patients, make_config

_STUDY = {
    "data": "cohort.csv",
    "id_column": "patient_id",
    "death_column": "death_date",
    "progression_column": "progression_date",
    "cutoff": "2024-12-31",
}


def _refused(frame: pd.DataFrame, **config: object) -> list[Problem]:
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(**config), data=frame)
    return list(info.value.problems)


def _xlsx(path: Path, frame: pd.DataFrame, *, title: bool = False, before: int = 0) -> None:
    """``frame`` on sheet ``before`` (0-based) of a workbook, below a title row if asked."""
    book = openpyxl.Workbook()
    for i in range(before):
        book.create_sheet(f"Notes{i}", 0).append(["exported 2024-12-31"])
    sheet = book.active if before == 0 else book.create_sheet("Cohort")
    if title:
        sheet.append(["Cohort export, liver unit"])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row])
    if before:
        del book["Sheet"]
    book.save(path)


def test_title_row_gets_a_header_row_hint_and_reads_with_it(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("Cohort export, liver unit\n" + base_frame().to_csv(index=False), "utf-8")
    with pytest.raises(DataReadError) as info:
        load_cohort(make_config(tmp_path))
    message = str(info.value)
    assert "file row 2 has 13 fields but the header (file row 1) has 2" in message
    assert "if a title sits above the column names, set study.read.header_row" in message
    # a title without any delimiter: the first row that has one is named
    path.write_text("Cohort export\n" + base_frame().to_csv(index=False), "utf-8")
    with pytest.raises(DataReadError, match="file row 2 has delimiters: if the rows above it"):
        load_cohort(make_config(tmp_path))
    study = {**_STUDY, "read": {"header_row": 2}}
    cohort = load_cohort(make_config(tmp_path, study=study))
    assert cohort.flow.analysed == 4


def test_xlsx_merged_header_and_sheet_two(tmp_path: Path) -> None:
    path = tmp_path / "cohort.xlsx"
    _xlsx(path, base_frame(), title=True, before=1)
    study = {**_STUDY, "data": "cohort.xlsx"}
    with pytest.raises(ConfigError) as info:
        load_cohort(make_config(tmp_path, study=study))
    # one hint after the missing columns, not one per column
    *missing, hint = info.value.problems
    assert {p.rule for p in missing} == {"unknown_column"}
    assert str(hint) == (
        "study.sheet: most columns are missing and the workbook has sheets 'Notes0', 'Cohort': "
        "set study.sheet to the one with the cohort (a name or a 0-based index), and "
        "study.read.header_row if a title sits above the column names"
    )
    with pytest.raises(ConfigError) as info:
        load_cohort(make_config(tmp_path, study={**study, "sheet": "Cohort"}))
    assert str(info.value.problems[-1]) == (
        "study.read.header_row: the column names look like they are on file row 2: set "
        "study.read.header_row = 2 (the rows above it are skipped)"
    )
    read = {**study, "sheet": 1, "read": {"header_row": 2}}
    cohort = load_cohort(make_config(tmp_path, study=read))
    assert cohort.flow.analysed == 4
    assert cohort.frame["age"].tolist() == [65, 70, 58, 49]


def test_header_only_is_no_patients() -> None:
    problems = _refused(base_frame().iloc[:0])
    assert [(p.rule, str(p)) for p in problems] == [
        (
            "no_patients",
            "column 'group': the data file has no patients (only a header); add the patient rows",
        )
    ]


@pytest.mark.parametrize("rows", [[0], [0, 2], [0, 1, 2]])
def test_one_or_two_patients_is_too_few_per_group(rows: list[int]) -> None:
    problems = _refused(base_frame().iloc[rows])
    counts = base_frame().iloc[rows]["group"].value_counts()
    expected = [
        (
            "too_few_patients",
            f"column 'group': too few patients in group {g!r}: {int(counts.get(g, 0))} analysed, "
            "at least 2 are needed to compare groups",
        )
        for g in ("First-line", "Post-ate-beva")
        if counts.get(g, 0) < 2
    ]
    assert [(p.rule, str(p)) for p in problems] == expected


def test_exclude_invalid_never_excludes_everyone() -> None:
    frame = base_frame()
    frame["age"] = 120
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(), data=frame, exclude_invalid=True)
    assert "would exclude every one of the 4 patients" in str(info.value)
    rules = [p.rule for p in info.value.problems]
    assert rules == ["all_excluded"] + ["age_range"] * 4


def test_exclusions_leaving_a_group_too_small_say_so() -> None:
    frame = base_frame()
    frame.loc[0, "age"] = 120
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(), data=frame, exclude_invalid=True)
    assert "once the patients with problems are excluded" in str(info.value)
    assert [p.rule for p in info.value.problems] == ["too_few_patients", "age_range"]


def test_duplicate_id_one_line_with_every_file_row(tmp_path: Path) -> None:
    frame = eight_patients()
    frame.loc[[3, 6], "patient_id"] = "P1"
    path = tmp_path / "cohort.csv"
    # a blank line after P2 moves the later patients one file row down
    lines = frame.to_csv(index=False).splitlines()
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n", "utf-8")
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(tmp_path))
    assert [str(p) for p in info.value.problems] == [
        "patient P1 (file row 2), "
        "column 'patient_id', value 'P1': this id is on file rows 2, 6, 9; give "
        "each patient one row with a unique id"
    ]


_RESPONSE = {"source": "column", "best_response": "bor"}


def test_best_response_codes_case_and_space_insensitive() -> None:
    frame = base_frame()
    frame["bor"] = [" pr ", "Cr", None, "p d"]
    cohort = load_cohort(make_config(response=_RESPONSE), data=frame)
    assert cohort.frame["bor"].tolist()[:2] == ["PR", "CR"]
    assert pd.isna(cohort.frame["bor"].iloc[2])
    assert cohort.frame["bor"].iloc[3] == "PD"


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Partial response", " (here: PR)"), ("stable  disease", " (here: SD)"), ("PR?", "")],
)
def test_best_response_spelled_out_is_refused_naming_the_patient(value: str, hint: str) -> None:
    frame = base_frame()
    frame["bor"] = ["PR", value, "SD", "NE"]
    problems = _refused(frame, response=_RESPONSE)
    assert [(p.rule, str(p)) for p in problems] == [
        (
            "response_value",
            "patient P2 (file row 3), "
            f"column 'bor', value {value!r}: {value!r} is not a best-response code; "
            f"write one of CR, PR, SD, PD, NE{hint} (empty = not evaluable)",
        )
    ]


def test_xlsx_formula_without_saved_value_names_cell_patient_column(tmp_path: Path) -> None:
    frame = base_frame()
    path = tmp_path / "cohort.xlsx"
    _xlsx(path, frame)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    age = list(frame.columns).index("age") + 1
    letter = openpyxl.utils.get_column_letter(age)
    sheet.cell(row=3, column=age, value="=60+10")  # P2's age, never computed
    sheet.cell(row=1, column=len(frame.columns) + 1, value="note")
    sheet.cell(row=2, column=len(frame.columns) + 1, value="=1+1")  # a column the study ignores
    book.save(path)
    study = {**_STUDY, "data": "cohort.xlsx"}
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(tmp_path, study=study))
    assert [(p.rule, str(p)) for p in info.value.problems] == [
        (
            "formula_no_value",
            "patient P2 (file row 3), "
            f"column 'age': cell {letter}3 holds a formula without a saved value (the "
            "file was written by a program that does not compute formulas); open and save it in "
            "Excel or LibreOffice, or type the value",
        )
    ]


def test_a_dash_is_refused_unless_declared_missing(tmp_path: Path) -> None:
    frame = base_frame()
    frame["afp"] = frame["afp"].astype(object)
    frame.loc[1, "afp"] = "-"
    frame.to_csv(tmp_path / "cohort.csv", index=False)
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(tmp_path))
    assert [(p.rule, p.patient, p.row, p.value) for p in info.value.problems] == [
        ("not_a_number", "P2", 3, "-")
    ]
    study = {**_STUDY, "read": {"missing_values": ["-"]}}
    cohort = load_cohort(make_config(tmp_path, study=study))
    assert cohort.frame["afp"].isna().tolist() == [False, True, False, False]
    assert cohort.missing["afp"] == 1


def test_xlsx_lone_text_cell_in_a_numeric_column_is_flagged(tmp_path: Path) -> None:
    frame = base_frame()
    frame["age"] = frame["age"].astype(object)
    frame.loc[1, "age"] = "sixty"
    frame["bilirubin"] = frame["bilirubin"].astype(object)
    frame.loc[2, "bilirubin"] = "0.8"  # a number stored as text is read as the number
    _xlsx(tmp_path / "cohort.xlsx", frame)
    study = {**_STUDY, "data": "cohort.xlsx"}
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(tmp_path, study=study))
    assert [str(p) for p in info.value.problems] == [
        "patient P2 (file row 3), column 'age', value 'sixty': age must be a number; write "
        "digits with a dot as decimal mark or leave the cell empty"
    ]


def test_problems_of_two_rows_sharing_an_id_are_both_listed() -> None:
    frame = eight_patients()
    frame.loc[4, "patient_id"] = "P1"  # file row 6
    frame["age"] = 120
    with pytest.raises(CohortValidationError) as info:
        load_cohort(make_config(), data=frame)
    ages = [(p.patient, p.row) for p in info.value.problems if p.rule == "age_range"]
    ids = ["P1", "P2", "P3", "P4", "P1", "P6", "P7", "P8"]
    assert ages == list(zip(ids, range(2, 10), strict=True))


def test_a_typo_in_a_column_name_gets_no_header_hint() -> None:
    frame = base_frame().rename(columns={"age": "agee"})
    with pytest.raises(ConfigError) as info:
        load_cohort(make_config(), data=frame)
    assert [p.rule for p in info.value.problems] == ["unknown_column"]
    assert "did you mean 'agee'?" in str(info.value)
