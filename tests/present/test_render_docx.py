"""Word output: reopen with python-docx and check texts, merges, rules, layout, determinism."""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable

from hccsurv.errors import InputError
from hccsurv.present.render.docx import write_docx

from ._paper_tables import cox_table, special_characters_table, survival_table, table1


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "tables.docx"
    tables = [table1(), survival_table(), cox_table(), special_characters_table()]
    return write_docx(tables, path, title="HAIC study tables")


def _texts(table: DocxTable) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _borders(cell_element: object, edge: str) -> list[str]:
    """The w:sz of the given border edge set directly on a w:tc (cell), if any."""
    found = cell_element.findall(f"./{qn('w:tcPr')}/{qn('w:tcBorders')}/{qn(f'w:{edge}')}")  # type: ignore[attr-defined]
    return [b.get(qn("w:sz")) for b in found]


def _tcs(row: object) -> list[object]:
    return row._tr.findall(qn("w:tc"))  # type: ignore[attr-defined,no-any-return]


def test_docx_tables_and_texts(written: Path) -> None:
    document = docx.Document(str(written))
    assert len(document.tables) == 4
    cox = document.tables[2]
    texts = _texts(cox)
    assert texts[0] == ["", "Univariate", "Univariate", "Multivariable", "Multivariable"]
    assert texts[1] == ["Variable", "HR (95% CI)", "p", "HR (95% CI)", "p"]
    assert texts[2] == ["Overall survival"] * 5  # merged section row
    assert texts[4] == ["First-line", "Ref.", "", "Ref.", ""]
    assert texts[6] == [
        "ECOG 0 (vs ≥ 1)",
        "0.233 (0.107–0.509)",
        "<0.001",
        "0.265 (0.097–0.721)",
        "0.009",
    ]
    t1 = _texts(document.tables[0])
    assert t1[1][1] == "First-line\n(n = 66)"
    assert t1[2] == ["Age, years, mean ± SD", "65.79 ± 11.19", "62.12 ± 13.46", "0.151"]


def test_docx_captions_title_and_footnotes(written: Path) -> None:
    document = docx.Document(str(written))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "HAIC study tables"
    assert texts[1] == "Table 1. Baseline characteristics"
    assert "Table 3. Cox proportional hazards regression" in texts
    note = next(p for p in document.paragraphs if p.text.startswith("CI, confidence interval"))
    assert all(run.font.size == Pt(8) for run in note.runs)
    caption = next(p for p in document.paragraphs if p.text.startswith("Table 3."))
    assert all(run.font.bold for run in caption.runs)
    assert caption.paragraph_format.keep_with_next


def test_docx_merges(written: Path) -> None:
    cox = docx.Document(str(written)).tables[2]
    spans = [tc.grid_span for tc in _tcs(cox.rows[0])]  # type: ignore[attr-defined]
    assert spans == [1, 2, 2]
    section = _tcs(cox.rows[2])
    assert len(section) == 1 and section[0].grid_span == 5  # type: ignore[attr-defined]


def test_docx_three_line_rules(written: Path) -> None:
    cox = docx.Document(str(written)).tables[2]
    rows = cox.rows
    assert all(_borders(tc, "top") == ["12"] for tc in _tcs(rows[0]))
    assert all(_borders(tc, "bottom") == ["6"] for tc in _tcs(rows[1]))
    assert all(_borders(tc, "bottom") == ["12"] for tc in _tcs(rows[-1]))
    for row in rows[2:-1]:
        assert all(_borders(tc, "bottom") == [] and _borders(tc, "top") == [] for tc in _tcs(row))
    xml = cox._tbl.xml
    for edge in ("left", "right", "insideV", "insideH", "start", "end"):
        assert f"<w:{edge} " not in xml
    # short rules under the labelled spans only: paragraph borders of "Univariate"/"Multivariable"
    ruled = [tc for tc in _tcs(rows[0]) if tc.findall(f".//{qn('w:pBdr')}")]  # type: ignore[attr-defined]
    assert len(ruled) == 2


def test_docx_header_repeats_and_rows_do_not_split(written: Path) -> None:
    cox = docx.Document(str(written)).tables[2]
    flags = [
        (
            row._tr.trPr.find(qn("w:tblHeader")) is not None,
            row._tr.trPr.find(qn("w:cantSplit")) is not None,
        )
        for row in cox.rows
    ]
    assert flags[:2] == [(True, True), (True, True)]
    assert all(f == (False, True) for f in flags[2:])


def test_docx_indent_bold_and_fonts(written: Path) -> None:
    document = docx.Document(str(written))
    assert document.styles["Normal"].font.name == "Arial"
    cox = document.tables[2]
    indented = cox.rows[4].cells[0].paragraphs[0]
    assert indented.paragraph_format.left_indent == Pt(10)
    bold = cox.rows[3].cells[0].paragraphs[0]
    assert bold.runs[0].font.bold
    assert bold.runs[0].font.size == Pt(9)
    section = cox.rows[2].cells[0].paragraphs[0].runs[0]
    assert section.font.italic and section.font.bold


def test_docx_orientation_and_widths(written: Path) -> None:
    document = docx.Document(str(written))
    orientations = [s.orientation for s in document.sections]
    assert orientations == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.PORTRAIT,
    ]
    for section, table in zip(document.sections, document.tables, strict=True):
        page_w, page_h = section.page_width, section.page_height
        left, right = section.left_margin, section.right_margin
        assert page_w is not None and page_h is not None and left is not None and right is not None
        widths = [int(col.width or 0) for col in table.columns]
        assert abs(sum(widths) - (page_w - left - right)) <= len(widths) * 635  # twip rounding
        assert (page_w > page_h) == (section.orientation == WD_ORIENT.LANDSCAPE)


def test_docx_core_properties(written: Path) -> None:
    props = docx.Document(str(written)).core_properties
    assert props.author == "hccsurv"
    assert props.last_modified_by == "hccsurv"
    assert props.title == "HAIC study tables"
    assert props.created == datetime(2000, 1, 1, tzinfo=UTC)
    assert props.modified == datetime(2000, 1, 1, tzinfo=UTC)


def test_docx_is_byte_reproducible(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = time.time() + 86400 * 400
    monkeypatch.setattr(time, "time", lambda: later)  # a save a year later
    again = write_docx(
        [table1(), survival_table(), cox_table(), special_characters_table()],
        tmp_path / "again.docx",
        title="HAIC study tables",
    )
    assert again.read_bytes() == written.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_docx_requires_tables(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no tables"):
        write_docx([], tmp_path / "x.docx")
