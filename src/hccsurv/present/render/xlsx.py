"""Excel (.xlsx) rendering: one formatted sheet per table plus one sheet of its raw numbers.

The formatted sheet reproduces the publication layout: title in A1 (bold), spanning headers as
merged cells with a thin rule under labelled spans, bold column labels, a medium rule above the
header and under the last row and a thin rule under the header (three-line style, no vertical
lines), indented levels (cell indent), section rows merged across the table, footnotes below.
The data sheet holds ``table.data`` with a header row and native numbers (missing values empty).

Sheet names: the table id for the formatted sheet and ``<id>_data`` for the numbers, cut to
Excel's 31 characters and made unique. The file is byte-reproducible (fixed workbook
properties, fixed zip timestamps).
"""

from __future__ import annotations

import functools
import io
import math
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from hccsurv.errors import InputError
from hccsurv.present.render._zip import write_reproducible_zip
from hccsurv.present.table import Table

AUTHOR = "hccsurv"
FIXED_TIME = datetime(2000, 1, 1)
FONT = "Arial"
_SIZE = 10
_NOTE_SIZE = 9
_MAX_SHEET = 31
_HEAVY = Side(style="medium", color="000000")
_LIGHT = Side(style="thin", color="000000")
_ALIGN = {"left": "left", "center": "center", "right": "right"}


def _sheet_names(tables: Sequence[Table]) -> list[tuple[str, str]]:
    """Unique (formatted, data) sheet names of at most 31 characters."""
    used: set[str] = set()
    names = []
    for table in tables:
        pair = []
        for base in (table.id, f"{table.id}_data"):
            name = base[:_MAX_SHEET]
            k = 2
            while name.lower() in used:
                suffix = f"~{k}"
                name = base[: _MAX_SHEET - len(suffix)] + suffix
                k += 1
            used.add(name.lower())
            pair.append(name)
        names.append((pair[0], pair[1]))
    return names


@functools.cache
def _font(size: int = _SIZE, *, bold: bool | None = None, italic: bool | None = None) -> Font:
    """One Font object per style, shared by its cells (openpyxl stores styles by value)."""
    return Font(name=FONT, size=size, bold=bold, italic=italic)


@functools.cache
def _alignment(
    horizontal: str, *, vertical: str | None = None, indent: int = 0, wrap: bool | None = None
) -> Alignment:
    """One Alignment object per alignment, shared by its cells."""
    return Alignment(horizontal=horizontal, vertical=vertical, indent=indent, wrap_text=wrap)


def _border(cell: Any, *, top: Side | None = None, bottom: Side | None = None) -> None:
    cell.border = Border(top=top or cell.border.top, bottom=bottom or cell.border.bottom)


def _formatted_sheet(ws: Worksheet, table: Table) -> None:
    n = table.n_columns
    ws.cell(row=1, column=1, value=table.title).font = _font(_SIZE + 1, bold=True)
    row = 3
    widths = [0] * n
    header_rows = []
    if table.header_groups:
        for group, start in table.column_spans():
            first = ws.cell(row=row, column=start + 1, value=group.label or None)
            first.font = _font(bold=True)
            first.alignment = _alignment("center", vertical="bottom")
            if group.span > 1:
                ws.merge_cells(
                    start_row=row,
                    start_column=start + 1,
                    end_row=row,
                    end_column=start + group.span,
                )
            if group.label:
                for col in range(start + 1, start + group.span + 1):
                    _border(ws.cell(row=row, column=col), bottom=_LIGHT)
        header_rows.append(row)
        row += 1
    for j, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=row, column=j, value=column.label)
        cell.font = _font(bold=True)
        cell.alignment = _alignment(
            _ALIGN[column.align], vertical="bottom", wrap="\n" in column.label
        )
        _border(cell, bottom=_LIGHT if table.rows else _HEAVY)
        widths[j - 1] = max(widths[j - 1], *(len(x) for x in column.label.split("\n")))
    header_rows.append(row)
    for j in range(1, n + 1):
        _border(ws.cell(row=header_rows[0], column=j), top=_HEAVY)
    row += 1
    for k, body in enumerate(table.rows):
        last = k == len(table.rows) - 1
        if body.kind == "section":
            cell = ws.cell(row=row, column=1, value=body.cells[0])
            cell.font = _font(bold=True, italic=True)
            if n > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
        else:
            for j, (text, column) in enumerate(zip(body.cells, table.columns, strict=True), 1):
                cell = ws.cell(row=row, column=j, value=text or None)
                cell.font = _font(bold=body.bold)
                cell.alignment = _alignment(
                    _ALIGN[column.align], indent=body.indent if j == 1 else 0
                )
                widths[j - 1] = max(widths[j - 1], len(text) + (2 * body.indent if j == 1 else 0))
        if last:
            for j in range(1, n + 1):
                _border(ws.cell(row=row, column=j), bottom=_HEAVY)
        row += 1
    row += 1
    for note in table.footnotes:
        ws.cell(row=row, column=1, value=note).font = _font(_NOTE_SIZE)
        row += 1
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 6), 60)
    ws.freeze_panes = ws.cell(row=header_rows[-1] + 1, column=1)
    ws.sheet_view.showGridLines = False


def _plain(value: Any) -> Any:
    """A cell value from a DataFrame entry: NaN/None/NaT -> empty, numpy scalars -> Python."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float, str, bool)):
        return value
    text = str(value)
    return None if text in {"NaT", "<NA>", "nan"} else text


def _data_sheet(ws: Worksheet, table: Table) -> None:
    frame = table.data
    header = [str(c) for c in frame.columns]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False, name=None):
        ws.append([_plain(v) for v in record])
    for j, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(name) + 2, 10), 40)
    if header:
        ws.freeze_panes = "A2"


def write_xlsx(tables: Sequence[Table], path: str | Path) -> Path:
    """Write ``tables`` to an Excel workbook at ``path`` and return the path.

    Parameters
    ----------
    tables : sequence of Table
        One formatted sheet and one raw-numbers sheet per table, in order.
    path : str or Path
        Output file (``.xlsx``).

    Returns
    -------
    Path
        ``path``. Two calls with the same input write byte-identical files.
    """
    if not tables:
        raise InputError("write_xlsx: no tables given; pass at least one Table")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, (name, data_name) in zip(tables, _sheet_names(tables), strict=True):
        _formatted_sheet(workbook.create_sheet(name), table)
        _data_sheet(workbook.create_sheet(data_name), table)
    props = workbook.properties
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return write_reproducible_zip(buffer.getvalue(), path)
