"""Reading CSV variants, XLSX, Parquet and SAS/SPSS/Stata files written in tmp_path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hccsurv.data.readers import read_table
from hccsurv.errors import DataReadError

ROWS = [("HCC001", "First-line", 1.5, 65), ("HCC002", "Post-ate-beva", 0.8, 70)]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _check(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["patient_id", "group", "bilirubin", "age"]
    assert list(frame["patient_id"]) == ["HCC001", "HCC002"]
    assert list(frame["bilirubin"]) == [1.5, 0.8]
    assert frame["bilirubin"].dtype == "float64"
    assert list(frame["age"]) == [65, 70]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = [delimiter.join(["patient_id", "group", "bilirubin", "age"])]
    lines += [delimiter.join(str(v) for v in row) for row in ROWS]
    _check(read_table(_write(tmp_path / "c.csv", "\n".join(lines) + "\n")))


def test_csv_decimal_comma_with_semicolon(tmp_path: Path) -> None:
    text = "patient_id;group;bilirubin;age\nHCC001;First-line;1,5;65\nHCC002;Post-ate-beva;0,8;70\n"
    _check(read_table(_write(tmp_path / "c.csv", text)))


def test_csv_forced_decimal_comma(tmp_path: Path) -> None:
    text = (
        "patient_id\tgroup\tbilirubin\tage\n"
        "HCC001\tFirst-line\t1,5\t65\nHCC002\tPost-ate-beva\t0,8\t70\n"
    )
    _check(read_table(_write(tmp_path / "c.tsv", text), decimal=","))


def test_csv_quoted_commas_and_spaces(tmp_path: Path) -> None:
    text = (
        ' patient_id ,group,bilirubin,age\n"HCC001","First-line, HAIC",1.5,65\n'
        "HCC002, Post-ate-beva ,0.8,70\n"
    )
    frame = read_table(_write(tmp_path / "c.csv", text))
    assert list(frame.columns) == ["patient_id", "group", "bilirubin", "age"]
    assert list(frame["group"]) == ["First-line, HAIC", "Post-ate-beva"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    text = "patient_id,etiology,age\nHCC001,Hépatite B,65\nHCC002,Alcool,70\n"
    frame = read_table(_write(tmp_path / "c.csv", text, encoding))
    assert list(frame.columns) == ["patient_id", "etiology", "age"]
    assert frame.loc[0, "etiology"] == "Hépatite B"


def test_csv_cp1252_euro_sign(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "c.csv", "id,cost\nA,5 €\n", "cp1252"))
    assert frame.loc[0, "cost"] == "5 €"


def test_csv_empty_cells_are_missing(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "c.csv", "id,death_date,afp\nA,,\nB,2023-01-01,5\n"))
    assert frame["death_date"].isna().tolist() == [True, False]
    assert frame["afp"].isna().tolist() == [True, False]
    assert frame["afp"].dtype == "float64"


def test_csv_ragged_rows(tmp_path: Path) -> None:
    with pytest.raises(
        DataReadError, match=r"file row 3 has 4 fields but the header \(file row 1\) has 2"
    ):
        read_table(_write(tmp_path / "c.csv", "a,b\n1,2\n3,4,5,6\n"))


def test_csv_trailing_delimiter_on_data_rows_keeps_columns_in_place(tmp_path: Path) -> None:
    # pandas would take the extra empty field as an index and shift every value one column left
    frame = read_table(_write(tmp_path / "c.csv", "patient_id,age,afp\nP1,61,3,\nP2,70,4,\n"))
    assert frame.to_dict("list") == {"patient_id": ["P1", "P2"], "age": [61, 70], "afp": [3, 4]}


def test_csv_exact_repeated_names_and_multiline_cells(tmp_path: Path) -> None:
    with pytest.raises(DataReadError, match="repeated column name"):
        read_table(_write(tmp_path / "c.csv", "a,b,a\n1,2,3\n"))
    text = 'id,note,age\nP1,"two\nlines",61\nP2,x,70\n'
    frame = read_table(_write(tmp_path / "m.csv", text))
    assert frame["note"].tolist() == ["two\nlines", "x"]
    assert frame.attrs["file_rows"] == [2, 4]  # a record's first line


def test_csv_wrong_forced_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", "a,b\nà,1\n", "latin-1")
    with pytest.raises(DataReadError, match="not valid utf-8 text"):
        read_table(path, encoding="utf-8")


def test_xlsx_sheet_by_name_and_index(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["nothing here"])
    sheet = book.create_sheet("Data")
    sheet.append(["patient_id", "group", "bilirubin", "age", "haic_start"])
    sheet.append([*ROWS[0], dt.datetime(2023, 1, 5)])
    sheet.append([*ROWS[1], dt.datetime(2023, 2, 6)])
    path = tmp_path / "c.xlsx"
    book.save(path)
    by_name = read_table(path, sheet="Data")
    _check(by_name.drop(columns="haic_start"))
    assert by_name.loc[0, "haic_start"] == dt.datetime(2023, 1, 5)
    by_index = read_table(path, sheet=1)
    assert by_index.equals(by_name)
    with pytest.raises(DataReadError, match="no sheet named 'Daten'; sheets: Notes, Data"):
        read_table(path, sheet="Daten")
    with pytest.raises(DataReadError, match="sheet index 5 does not exist"):
        read_table(path, sheet=5)


def test_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=["patient_id", "group", "bilirubin", "age"])
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    _check(read_table(path))


def test_stata_via_pyreadstat(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame(ROWS, columns=["patient_id", "group", "bilirubin", "age"])
    path = tmp_path / "c.dta"
    pyreadstat.write_dta(frame, str(path))
    _check(read_table(path))


def test_spss_via_pyreadstat(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame(ROWS, columns=["patient_id", "group", "bilirubin", "age"])
    path = tmp_path / "c.sav"
    pyreadstat.write_sav(frame, str(path))
    read = read_table(path)
    assert list(read["bilirubin"]) == [1.5, 0.8]


def test_missing_pyreadstat_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name == "pyreadstat":
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    path = _write(tmp_path / "c.sas7bdat", "x")
    with pytest.raises(DataReadError, match=r"pip install 'hccsurv\[stats-files\]'"):
        read_table(path)


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(DataReadError, match="no such file"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(DataReadError, match=r"unknown file type '\.json'"):
        read_table(_write(tmp_path / "c.json", "{}"))


def test_repeated_column_names(tmp_path: Path) -> None:
    with pytest.raises(DataReadError, match="repeated column name"):
        read_table(_write(tmp_path / "c.csv", "a,b,a \n1,2,3\n"))


def test_codes_with_leading_zero_stay_text(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "c.csv", "id,group,x\n007,1,0.5\n010,2,1\n"))
    assert list(frame["id"]) == ["007", "010"]
    assert list(frame["group"]) == [1, 2]
    assert list(frame["x"]) == [0.5, 1.0]


def test_csv_missing_markers(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "c.csv", "id,afp\nA,NA\nB,12.5\nC,.\nD,N/A\n"))
    assert frame["afp"].dtype == "float64"
    assert frame["afp"].isna().tolist() == [True, False, True, True]


def test_xlsx_text_numbers_and_missing_tokens_like_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["patient_id", "age", "afp", "code", "note"])
    # age: one number stored as text; afp: a whole column of text numbers with NA tokens;
    # code: leading zeros stay text; note: a lone word keeps the column text for validation
    sheet.append(["P1", 61, " 12.5 ", "007", "sixty"])
    sheet.append(["P2", "70", "NA", "010", 3])
    sheet.append(["P3", 55, ".", "020", 4])
    path = tmp_path / "c.xlsx"
    book.save(path)
    frame = read_table(path)
    assert frame["age"].tolist() == [61, 70, 55]
    assert str(frame["age"].dtype) == "int64"
    assert frame["afp"].iloc[0] == 12.5
    assert frame["afp"].iloc[1:].isna().all()
    assert frame["code"].tolist() == ["007", "010", "020"]
    assert frame["note"].tolist() == ["sixty", 3, 4]


def test_csv_trailing_empty_rows_skipped(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"patient_id,age,afp\r\nP1,61,3\r\n,,\r\nP2,70,4\r\n,,\r\n , ,NA\r\n,,\r\n")
    frame = read_table(path)
    # every row without a value goes; the others keep their file row (header = row 1)
    assert frame["patient_id"].tolist() == ["P1", "P2"]
    assert frame["age"].tolist() == [61, 70]
    assert frame.attrs["file_rows"] == [2, 4]


def test_csv_title_row_needs_header_row(tmp_path: Path) -> None:
    text = "Cohort export 2024\n\npatient_id,age\nP1,61\n\nP2,70\n"
    path = _write(tmp_path / "c.csv", text)
    frame = read_table(path, header_row=3)
    assert list(frame.columns) == ["patient_id", "age"]
    assert frame["age"].tolist() == [61, 70]
    assert frame.attrs["file_rows"] == [4, 6]
    with pytest.raises(DataReadError, match="header_row = 9 but the file has 6 line"):
        read_table(path, header_row=9)


def test_xlsx_header_row_below_a_merged_title(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Identity", None, "Labs"])
    sheet.merge_cells("A1:B1")
    sheet.append(["patient_id", "age", "bilirubin"])
    sheet.append(["P1", 61, 1.2])
    sheet.append([None, None, None])
    sheet.append(["P2", 70, 0.8])
    path = tmp_path / "c.xlsx"
    book.save(path)
    frame = read_table(path, header_row=2)
    assert list(frame.columns) == ["patient_id", "age", "bilirubin"]
    assert frame["bilirubin"].tolist() == [1.2, 0.8]
    assert frame.attrs["file_rows"] == [3, 5]
    assert frame.attrs["sheets"] == ["Sheet"]


def test_xlsx_formula_without_saved_value_recorded(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["patient_id", "age", "bmi"])
    sheet.append(["P1", 61, "=B2/3"])  # openpyxl saves formulas without computing them
    sheet.append(["P2", 70, 24.5])
    sheet.append([None, None, "=B3/3"])  # a row of formulas only is kept to be reported
    path = tmp_path / "c.xlsx"
    book.save(path)
    frame = read_table(path)
    assert frame.attrs["formula_cells"] == [(2, "bmi", "C2"), (4, "bmi", "C4")]
    assert frame.attrs["file_rows"] == [2, 3, 4]
    assert frame["bmi"].isna().tolist() == [True, False, True]


def test_stats_file_value_and_variable_labels(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"patient_id": ["P1", "P2"], "sex": [1.0, 2.0], "age": [61.0, 70.0]})
    for suffix in (".sav", ".dta"):
        path = tmp_path / f"c{suffix}"
        write = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        write(
            frame,
            str(path),
            column_labels={"patient_id": "Patient", "sex": "Sex", "age": "Age, years"},
            variable_value_labels={"sex": {1: "Male", 2: "Female"}},
        )
        read = read_table(path)
        assert read["sex"].tolist() == [1, 2]  # the codes stay: the config refers to them
        assert read.attrs["value_labels"] == {"sex": {"1": "Male", "2": "Female"}}
        assert read.attrs["variable_labels"] == {
            "patient_id": "Patient",
            "sex": "Sex",
            "age": "Age, years",
        }


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_csv_utf16_unicode_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.txt"
    text = "patient_id\tâge\tafp\r\nP1\t61\t3,5\r\nP2\t70\t4\r\n"
    bom = "\ufeff" if encoding == "utf-16-be" else ""
    path.write_bytes((bom + text).encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == ["patient_id", "âge", "afp"]
    assert frame["âge"].tolist() == [61, 70]
    assert frame["afp"].tolist() == [3.5, 4.0]


def test_configured_missing_values_in_every_format(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["A", "B", "C"], "afp": [12.5, -9.0, 3.0], "ps": ["0", "-", "1"]})
    extra = ["-", "-9", "unknown"]
    csv_path = _write(tmp_path / "c.csv", "id,afp,ps\nA,12.5,0\nB,-9,-\nC,3,1\n")
    book = openpyxl.Workbook()
    for row in [["id", "afp", "ps"], ["A", 12.5, 0], ["B", -9, "-"], ["C", 3, 1]]:
        book.active.append(row)
    book.save(tmp_path / "c.xlsx")
    frame.to_parquet(tmp_path / "c.parquet")
    for name in ("c.csv", "c.xlsx", "c.parquet"):
        plain = read_table(tmp_path / name)
        assert plain["afp"].tolist() == [12.5, -9.0, 3.0], name  # no token given: kept
        read = read_table(tmp_path / name, missing_values=extra)
        assert read["afp"].isna().tolist() == [False, True, False], name
        assert read["ps"].isna().tolist() == [False, True, False], name
    numeric = read_table(csv_path, missing_values=extra)
    assert numeric["ps"].tolist()[::2] == [0, 1]  # "-" gone, the column is numeric again


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "Cohort export\npatient_id,age\nP1,61\n",
            "no delimiter found .* 'Cohort export'.*header_row = 2",
        ),
        ("Export, liver unit\npatient_id,age,afp\nP1,61,3\n", "file row 2 has 3 fields"),
    ],
)
def test_csv_title_row_without_header_row_hints_at_it(
    tmp_path: Path, text: str, match: str
) -> None:
    path = _write(tmp_path / "c.csv", text)
    with pytest.raises(DataReadError, match=match) as info:
        read_table(path)
    assert "study.read.header_row" in str(info.value)
    assert read_table(path, header_row=2)["age"].tolist() == [61]


def test_overflowing_number_reads_as_infinity_for_validation(tmp_path: Path) -> None:
    frame = read_table(_write(tmp_path / "c.csv", "id,age\nA,61\nB,1e309\nC,-1e400\n"))
    assert frame["age"].tolist() == [61.0, float("inf"), float("-inf")]
    book = openpyxl.Workbook()
    for row in [["id", "age"], ["A", 61], ["B", "1e309"]]:
        book.active.append(row)
    book.save(tmp_path / "c.xlsx")
    assert read_table(tmp_path / "c.xlsx")["age"].tolist() == [61.0, float("inf")]


def test_xlsx_repeated_column_names(tmp_path: Path) -> None:
    # a data row taken as the header (header_row pointing at it) repeats values: refused as in
    # CSV, not a crash deep in the typing of a duplicated column
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["id", "x", "y"], [1, 5, 5], [2, 6, 7]):
        sheet.append(row)
    path = tmp_path / "c.xlsx"
    book.save(path)
    with pytest.raises(DataReadError, match="repeated column name"):
        read_table(path, header_row=2)
