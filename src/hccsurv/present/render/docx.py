"""Word (.docx) rendering of tables in the three-line academic style.

Each :class:`~hccsurv.present.table.Table` becomes an editable Word table: caption above (bold),
a heavy rule above the header, a light rule under it, a heavy rule under the last row and no
vertical lines; spanning headers are merged cells underlined by a short rule (a paragraph border,
so it stops at the cell margins like booktabs' ``\\cmidrule(lr)``); section rows are merged across
the table; indented levels use a left indent; footnotes follow in small type. Header rows repeat
on a new page and rows never split across pages.

Every table starts a new section (so a new page); a table too wide for portrait A4 gets a
landscape section (see ``_layout``). Column widths are estimated from the text (approximate
Arial advances, 12 % wider) and fill the text width; the estimate errs wide so that a substituted
font (DejaVu Sans in LibreOffice without Arial) does not wrap numbers.

The file is byte-reproducible: fixed core properties (author ``hccsurv``, dates 2000-01-01) and
fixed zip member timestamps (:mod:`hccsurv.present.render._zip`).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from hccsurv.errors import InputError
from hccsurv.present.render._zip import write_reproducible_zip
from hccsurv.present.table import Table

FONT = "Arial"
BODY_PT = 9.0
NOTE_PT = 8.0
CAPTION_PT = 10.0
TITLE_PT = 12.0
AUTHOR = "hccsurv"
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)

_PAGE_W_CM, _PAGE_H_CM, _MARGIN_CM = 21.0, 29.7, 2.5  # A4
_NARROW = " .,:;!'|()[]ijlft/"
_SAFETY = 1.12  # DejaVu Sans, LibreOffice's substitute for Arial, is about 12 % wider
_BOLD = 1.08  # bold text is wider
_CELL_PAD_PT = 2 * 5.4 + 3.0  # Word's default cell margins (0.19 cm each side) + 3 pt slack
_INDENT_PT = 10.0
_HEAVY, _LIGHT, _SPAN = 12, 6, 4  # rule widths in eighths of a point: 1.5, 0.75, 0.5 pt
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_PT_PER_CM = 72 / 2.54


@dataclass(frozen=True)
class _Layout:
    landscape: bool
    widths_pt: tuple[float, ...]


def _char_em(char: str) -> float:
    """Approximate advance of ``char`` in em (Arial metrics)."""
    if char in _NARROW:
        return 0.28
    if char.isdigit():
        return 0.556
    if char.isupper() or char in "mw%@—":
        return 0.75 if char in "MW%@—" else 0.68
    if char.isalpha():
        return 0.5
    return 0.584


def _text_pt(text: str, *, bold: bool = False, words: bool = False) -> float:
    """Estimated width of the longest line (or, with ``words``, the longest word) in points."""
    pieces = text.split() if words else text.split("\n")
    longest = max((sum(_char_em(c) for c in piece) for piece in pieces), default=0.0)
    return longest * _SAFETY * BODY_PT * (_BOLD if bold else 1.0)


def _spread(widths: list[float], table: Table, *, words: bool) -> None:
    """Widen the columns under a spanning header whose label needs more room."""
    for group, start in table.column_spans():
        needed = _text_pt(group.label, bold=True, words=words) + _CELL_PAD_PT
        covered = sum(widths[start : start + group.span])
        if needed > covered:
            for i in range(start, start + group.span):
                widths[i] += (needed - covered) / group.span


def _fit(tiers: Sequence[list[float]], width: float) -> tuple[float, ...] | None:
    """Widths filling ``width`` from tiers of column widths, widest (no wraps) first.

    The widest tier that fits is scaled up to ``width``; otherwise the narrowest tier that fits
    gets the spare room in proportion to how much each column wants from the next wider tier.
    ``None`` when even the narrowest tier is too wide.
    """
    if sum(tiers[0]) <= width:
        scale = width / sum(tiers[0])
        return tuple(w * scale for w in tiers[0])
    for wider, narrower in itertools.pairwise(tiers):
        if sum(narrower) <= width:
            slack = [w - n for n, w in zip(narrower, wider, strict=True)]
            share = (width - sum(narrower)) / sum(slack)
            return tuple(n + s * share for n, s in zip(narrower, slack, strict=True))
    return None


def _layout(table: Table) -> _Layout:
    """Column widths and orientation from estimated text widths.

    Three tiers of column widths: ``full`` (nothing wraps), ``body`` (header labels wrap at
    spaces, body cells do not) and ``minimum`` (the first, label column wraps too). Portrait is
    used when the minimum fits, landscape otherwise; widths fill the text width and are shrunk
    proportionally only when even the landscape minimum does not fit.
    """
    full, body_tier, minimum = [], [], []
    for i, column in enumerate(table.columns):
        body, body_word = 0.0, 0.0
        for row in table.rows:
            if row.kind == "body":
                indent = row.indent * _INDENT_PT if i == 0 else 0.0
                body = max(body, _text_pt(row.cells[i], bold=row.bold) + indent)
                body_word = max(body_word, _text_pt(row.cells[i], bold=row.bold, words=True))
        label = _text_pt(column.label, bold=True)
        label_word = _text_pt(column.label, bold=True, words=True)
        full.append(max(body, label) + _CELL_PAD_PT)
        body_tier.append(max(body, label_word) + _CELL_PAD_PT)
        floor = body_word + _INDENT_PT if i == 0 else body
        minimum.append(max(floor, label_word) + _CELL_PAD_PT)
    _spread(full, table, words=False)
    _spread(body_tier, table, words=True)
    _spread(minimum, table, words=True)
    tiers = (full, body_tier, minimum)
    portrait = (_PAGE_W_CM - 2 * _MARGIN_CM) * _PT_PER_CM
    landscape = (_PAGE_H_CM - 2 * _MARGIN_CM) * _PT_PER_CM
    fitted = _fit(tiers, portrait)
    if fitted is not None:
        return _Layout(landscape=False, widths_pt=fitted)
    fitted = _fit(tiers, landscape)
    if fitted is None:
        scale = landscape / sum(minimum)
        fitted = tuple(w * scale for w in minimum)
    return _Layout(landscape=True, widths_pt=fitted)


def _border(parent: BaseOxmlElement, edge: str, size: int) -> None:
    element = OxmlElement(f"w:{edge}")
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000")
    parent.append(element)


def _cell_rules(cell: _Cell, *, top: int = 0, bottom: int = 0) -> None:
    """Set top/bottom cell borders (eighths of a point; 0 = none)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    if top:
        _border(borders, "top", top)
    if bottom:
        _border(borders, "bottom", bottom)
    tc_pr.insert_element_before(
        borders,
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
        "w:headers",
        "w:cellIns",
        "w:cellDel",
        "w:cellMerge",
        "w:tcPrChange",
    )


def _paragraph_rule(paragraph: Paragraph) -> None:
    """A thin bottom border on a paragraph: a rule that respects the cell margins."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_bdr = OxmlElement("w:pBdr")
    _border(p_bdr, "bottom", _SPAN)
    p_pr.insert_element_before(
        p_bdr,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def _row_flags(row_element: CT_Row, *, header: bool) -> None:
    """Rows never split across pages; header rows repeat on each page."""
    tr_pr = row_element.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _write(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
) -> None:
    """Append ``text`` as runs, one per line with a line break before each line after the first."""
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        run.font.size = Pt(size)
        run.font.bold = bold or None
        run.font.italic = italic or None
        if i:
            run.add_break()
        run.add_text(line)


def _fill(
    cell: _Cell,
    text: str,
    align: str,
    *,
    bold: bool = False,
    italic: bool = False,
    indent: int = 0,
) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0]
    paragraph.alignment = _ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(1)
    if indent:
        fmt.left_indent = Pt(indent * _INDENT_PT)
    _write(paragraph, text, bold=bold, italic=italic)
    return paragraph


def _header(docx_table: DocxTable, table: Table) -> None:
    n_header = 2 if table.header_groups else 1
    if table.header_groups:
        cells = docx_table.rows[0].cells
        for group, start in table.column_spans():
            cell = cells[start]
            if group.span > 1:
                cell = cell.merge(cells[start + group.span - 1])
            if group.label:
                _paragraph_rule(_fill(cell, group.label, "center", bold=True))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        for cell in _unique(docx_table.rows[0].cells):
            _cell_rules(cell, top=_HEAVY)
    labels = docx_table.rows[n_header - 1].cells
    for cell, column in zip(labels, table.columns, strict=True):
        _fill(cell, column.label, column.align, bold=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        top = 0 if table.header_groups else _HEAVY
        _cell_rules(cell, top=top, bottom=_LIGHT if table.rows else _HEAVY)
    for r in range(n_header):
        _row_flags(docx_table.rows[r]._tr, header=True)


def _unique(cells: Sequence[_Cell]) -> list[_Cell]:
    """Distinct cells of a row (python-docx repeats a merged cell once per grid column)."""
    seen: list[_Cell] = []
    for cell in cells:
        if all(cell._tc is not other._tc for other in seen):
            seen.append(cell)
    return seen


def _body(docx_table: DocxTable, table: Table, offset: int) -> None:
    for r, row in enumerate(table.rows):
        docx_row = docx_table.rows[offset + r]
        _row_flags(docx_row._tr, header=False)
        last = r == len(table.rows) - 1
        cells = docx_row.cells
        if row.kind == "section":
            cell = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
            _fill(cell, row.cells[0], "left", bold=True, italic=True)
            if last:
                _cell_rules(cell, bottom=_HEAVY)
            continue
        for i, (cell, text, column) in enumerate(zip(cells, row.cells, table.columns, strict=True)):
            _fill(cell, text, column.align, bold=row.bold, indent=row.indent if i == 0 else 0)
            if last:
                _cell_rules(cell, bottom=_HEAVY)


def _set_widths(docx_table: DocxTable, widths_pt: Sequence[float]) -> None:
    docx_table.autofit = False
    widths = [Emu(int(Pt(width))) for width in widths_pt]
    for column, width in zip(docx_table.columns, widths, strict=True):
        column.width = width
    for tr in docx_table._tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, widths, strict=True):
            tc.width = width


def _add_table(document: DocxDocument, table: Table, layout: _Layout) -> None:
    caption = document.add_paragraph()
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_after = Pt(4)
    _write(caption, table.title, size=CAPTION_PT, bold=True)
    n_header = 2 if table.header_groups else 1
    docx_table = document.add_table(rows=n_header + len(table.rows), cols=table.n_columns)
    docx_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(docx_table, layout.widths_pt)
    _header(docx_table, table)
    _body(docx_table, table, n_header)
    for k, note in enumerate(table.footnotes):
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(4 if k == 0 else 0)
        fmt.space_after = Pt(0)
        _write(paragraph, note, size=NOTE_PT)


def _orient(document: DocxDocument, landscape: bool, *, new_section: bool) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE) if new_section else document.sections[0]
    long_side, short_side = Cm(_PAGE_H_CM), Cm(_PAGE_W_CM)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = long_side if landscape else short_side
    section.page_height = short_side if landscape else long_side
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN_CM))


def write_docx(tables: Sequence[Table], path: str | Path, *, title: str | None = None) -> Path:
    """Write ``tables`` to a Word document at ``path`` and return the path.

    Parameters
    ----------
    tables : sequence of Table
        Tables in document order; each starts on a new page (landscape when too wide for
        portrait A4).
    path : str or Path
        Output file (``.docx``).
    title : str, optional
        A heading on the first page and the document's title property.

    Returns
    -------
    Path
        ``path``. Two calls with the same input write byte-identical files.
    """
    if not tables:
        raise InputError("write_docx: no tables given; pass at least one Table")
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    props = document.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.comments = ""
    props.title = title or ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    for k, table in enumerate(tables):
        layout = _layout(table)
        _orient(document, layout.landscape, new_section=k > 0)
        if k == 0 and title:
            heading = document.add_paragraph()
            heading.paragraph_format.space_after = Pt(12)
            _write(heading, title, size=TITLE_PT, bold=True)
        _add_table(document, table, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return write_reproducible_zip(buffer.getvalue(), path)
