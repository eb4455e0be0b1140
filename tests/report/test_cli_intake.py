"""Issue 14 through the command: each refused input gives its exit code, a message naming the
patient, column and value, and no output folder."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hccsurv.cli import app
from hccsurv.report.pipeline import demo_config_path

runner = CliRunner()


def _demo(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    src = demo_config_path().parent
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv", "labs.csv"):
        shutil.copy(src / name, tmp_path / name)
    frame = pd.read_csv(tmp_path / "cohort.csv", dtype=str, keep_default_na=False)
    return tmp_path / "study.toml", frame


def _run(config: Path, frame: pd.DataFrame, *extra: str) -> tuple[int, str]:
    frame.to_csv(config.with_name("cohort.csv"), index=False)
    out = config.with_name("out")
    result = runner.invoke(app, ["run", str(config), "--out", str(out), "--quiet", *extra])
    assert not out.exists() and not config.with_name("out.partial").exists()
    return result.exit_code, result.output


def test_text_in_a_numeric_column_names_patient_row_column_value(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    frame.loc[1, "age"] = "sixty"
    code, output = _run(config, frame)
    assert code == 5
    assert (
        "patient HCC002 (file row 3), column 'age', value 'sixty': age must be a number; write "
        "digits with a dot as decimal mark or leave the cell empty"
    ) in output


def test_many_problems_one_line_per_kind_and_the_full_list_in_a_csv(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    frame["age"] = "120"
    frame.loc[3, "ecog"] = "7"
    code, output = _run(config, frame)
    assert code == 5
    lines = output.splitlines()
    age = [ln for ln in lines if ln.startswith("  - age_range:")]
    assert len(age) == 1
    assert age[0].startswith(
        "  - age_range: 100 problems, 100 patients (HCC001, HCC002, HCC003, HCC004, HCC005, ...); "
        "first: patient HCC001 (file row 2), column 'age', value '120': age must be 18-100"
    )
    assert [ln for ln in lines if ln.startswith("  - ecog_range:")] == [
        "  - ecog_range: 1 problem, 1 patient (HCC004); first: patient HCC004 (file row 5), "
        "column 'ecog', value '7': ECOG performance status must be an integer 0-4; correct the "
        "value"
    ]
    listing = config.with_name("study-problems.csv")
    assert f"The full list (101 problems): {listing}" in output
    with listing.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 101
    assert rows[0] == {
        "rule": "age_range",
        "patient": "HCC001",
        "file_row": "2",
        "column": "age",
        "value": "120",
        "where": "age",
        "message": "age must be 18-100 years for an adult HCC cohort; correct the value",
    }


def test_exclude_invalid_stops_when_it_would_exclude_everyone(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    frame["age"] = "120"
    code, output = _run(config, frame, "--exclude-invalid")
    assert code == 5
    assert "exclude_invalid would exclude every one of the 100 patients" in output
    assert "--exclude-invalid to exclude these" not in output


def test_header_only_and_too_few_patients(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    code, output = _run(config, frame.iloc[:0])
    assert code == 5
    assert "the data file has no patients (only a header)" in output
    first = frame.index[frame["group"] == "First-line"][:1]
    other = frame.index[frame["group"] != "First-line"][:1]
    code, output = _run(config, frame.loc[first.append(other)])
    assert code == 5
    assert "too few patients in group 'First-line': 1 analysed, at least 2 are needed" in output
    assert "too few patients in group 'Post-ate-beva': 1 analysed" in output
    assert "reference" not in output


def test_duplicate_id_one_line_with_both_file_rows(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    frame.loc[9, "patient_id"] = "HCC003"
    code, output = _run(config, frame)
    assert code == 5
    hits = [ln for ln in output.splitlines() if "this id is on" in ln]
    assert hits == [
        "  - patient HCC003 (file row 4), column 'patient_id', value 'HCC003': this id is on "
        "file rows 4, 11; give each patient one row with a unique id"
    ]


def test_best_response_spelled_out_names_the_patient(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace('source = "lesions"', 'source = "column"\nbest_response = "best_response"')
    config.write_text(text.replace('lesion_file = "lesions.csv"', ""), encoding="utf-8")
    frame.loc[4, "best_response"] = "Partial response"
    code, output = _run(config, frame)
    assert code == 5
    assert (
        "patient HCC005 (file row 6), column 'best_response', value 'Partial response': "
        "'Partial response' is not a best-response code; write one of CR, PR, SD, PD, NE "
        "(here: PR)"
    ) in output


@pytest.mark.parametrize(
    ("column", "value", "shown", "tail"),
    [
        ("afp_ng_ml", "2,2", "2,2", "afp_ng_ml must be a number"),
        ("age", "inf", "inf", "age is not a finite number"),
        # a column of numbers but one overflowing literal (pandas raised: a traceback); it is
        # read as infinity, as Python and R read it
        ("age", "1e309", "inf", "age is not a finite number"),
    ],
)
def test_bad_number_cells_exit_5(
    tmp_path: Path, column: str, value: str, shown: str, tail: str
) -> None:
    config, frame = _demo(tmp_path)
    frame.loc[6, column] = value
    code, output = _run(config, frame)
    assert code == 5
    assert f"patient HCC007 (file row 8), column '{column}', value '{shown}': {tail}" in output


def _xlsx(path: Path, frame: pd.DataFrame, title: str | None = None) -> None:
    book = openpyxl.Workbook()
    if title is not None:
        book.active.title = "Notes"
        book.active.append([title])
        sheet = book.create_sheet("Cohort")
    else:
        sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([float(v) if _NUM.fullmatch(v) else (v or None) for v in row])
    book.save(path)


_NUM = re.compile(r"-?\d+(\.\d+)?")


def test_xlsx_formula_and_second_sheet_through_the_command(tmp_path: Path) -> None:
    config, frame = _demo(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace('data = "cohort.csv"', 'data = "cohort.xlsx"'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    book = tmp_path / "cohort.xlsx"
    _xlsx(book, frame, title="exported from the registry")
    result = runner.invoke(app, ["run", str(config), "--out", str(out), "-q"])
    assert result.exit_code == 3
    assert "the workbook has sheets 'Notes', 'Cohort': set study.sheet" in result.output
    assert not out.exists()

    _xlsx(book, frame)
    workbook = openpyxl.load_workbook(book)
    age = list(frame.columns).index("age") + 1
    workbook.active.cell(row=5, column=age, value="=60+3")  # saved without a value
    workbook.save(book)
    result = runner.invoke(app, ["run", str(config), "--out", str(out), "-q"])
    assert result.exit_code == 5
    letter = openpyxl.utils.get_column_letter(age)
    assert (
        f"patient HCC004 (file row 5), column 'age': cell {letter}5 holds a formula without a "
        "saved value"
    ) in result.output
    assert not out.exists()
