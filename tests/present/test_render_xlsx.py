"""Excel output: reopen with openpyxl and check sheets, texts, merges, rules, raw data."""

from __future__ import annotations

import math
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hccsurv.errors import InputError
from hccsurv.present.render.xlsx import write_xlsx
from hccsurv.present.table import Column, Row, Table

from ._paper_tables import cox_table, special_characters_table, survival_table, table1


def _tables() -> list[Table]:
    return [table1(), survival_table(), cox_table(), special_characters_table()]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_xlsx(_tables(), tmp_path_factory.mktemp("xlsx") / "tables.xlsx")


def test_xlsx_sheets(written: Path) -> None:
    workbook = openpyxl.load_workbook(written)
    assert workbook.sheetnames == [
        "table1",
        "table1_data",
        "survival_summary",
        "survival_summary_data",
        "cox_models",
        "cox_models_data",
        "escapes",
        "escapes_data",
    ]


def test_xlsx_formatted_cells_and_merges(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["cox_models"]
    values = [list(r) for r in ws.iter_rows(min_row=1, max_row=8, values_only=True)]
    assert values[0][0] == "Table 3. Cox proportional hazards regression"
    assert values[2] == [None, "Univariate", None, "Multivariable", None]
    assert values[3] == ["Variable", "HR (95% CI)", "p", "HR (95% CI)", "p"]
    assert values[4][0] == "Overall survival"
    assert values[6] == ["First-line", "Ref.", None, "Ref.", None]
    assert values[7] == [
        "Post-ate-beva",
        "0.582 (0.310–1.092)",
        "0.092",
        "0.404 (0.197–0.829)",
        "0.014",
    ]
    merged = sorted(str(r) for r in ws.merged_cells.ranges)
    assert merged == ["A12:E12", "A5:E5", "B3:C3", "D3:E3"]
    assert ws["A1"].font.b
    assert ws["B4"].font.b
    assert ws["A7"].alignment.indent == 1
    assert ws["A6"].font.b  # bold "Group" row
    assert ws["A5"].font.i
    notes = [ws.cell(row=r, column=1).value for r in (16, 17)]
    assert notes[1] == "CI, confidence interval; HR, hazard ratio; Ref., reference category."
    assert ws.cell(row=17, column=1).font.sz == 9


def test_xlsx_three_line_rules(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["cox_models"]
    for col in "ABCDE":
        assert ws[f"{col}3"].border.top.style == "medium"
        assert ws[f"{col}4"].border.bottom.style == "thin"
        assert ws[f"{col}14"].border.bottom.style == "medium"
        for row in range(3, 15):
            border = ws[f"{col}{row}"].border
            for side in (border.left, border.right):
                assert side is None or side.style is None
        for row in range(5, 14):
            assert ws[f"{col}{row}"].border.bottom.style is None
    # short rules under labelled spans only
    assert ws["A3"].border.bottom.style is None
    assert ws["B3"].border.bottom.style == "thin" and ws["E3"].border.bottom.style == "thin"
    assert ws.freeze_panes == "A5"


def test_xlsx_raw_data(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["table1_data"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("variable", "group", "statistic", "value", "p_value")
    assert rows[1][3] == 65.78787878787878  # unrounded, exact
    assert rows[4][4] is None  # missing
    assert len(rows) == 1 + len(table1().data)


def test_xlsx_properties_and_reproducibility(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    props = openpyxl.load_workbook(written).properties
    assert props.creator == "hccsurv"
    assert props.created == datetime(2000, 1, 1)
    assert props.modified == datetime(2000, 1, 1)
    later = time.time() + 86400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    again = write_xlsx(_tables(), tmp_path / "again.xlsx")
    assert again.read_bytes() == written.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_xlsx_sheet_names_are_cut_and_unique(tmp_path: Path) -> None:
    long_id = "a_very_long_table_identifier_for_os_models"

    def make(table_id: str) -> Table:
        return Table(
            id=table_id,
            title="t",
            columns=(Column("x", "X"),),
            rows=(Row(("1",)),),
            data=pd.DataFrame({"x": [1.5, math.nan], "y": ["a", "b"]}),
        )

    path = write_xlsx(
        [make(long_id), make(long_id + "_b"), make("x_data"), make("x")], tmp_path / "n.xlsx"
    )
    names = openpyxl.load_workbook(path).sheetnames
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names) == 8
    assert names[0] == long_id[:31]
    assert names[6] == "x" and names[7] == "x_data~2"
    data = list(openpyxl.load_workbook(path)[names[1]].iter_rows(values_only=True))
    assert data == [("x", "y"), (1.5, "a"), (None, "b")]


def test_xlsx_requires_tables(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no tables"):
        write_xlsx([], tmp_path / "x.xlsx")
