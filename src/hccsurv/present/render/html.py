"""HTML rendering of a :class:`~hccsurv.present.table.Table`: a self-contained ``<table>`` fragment.

The fragment has a ``<caption>``, a ``<thead>`` (spanning headers with ``colspan``, then column
labels), a ``<tbody>`` and a ``<tfoot>`` with the footnotes. Styling is by CSS class only (prefix
``hcc-``); :data:`TABLE_CSS` is a small three-line (booktabs-like) stylesheet for the report to
inline. No scripts, no inline styles, no external resources; output is deterministic.
"""

from __future__ import annotations

from html import escape

from hccsurv.present.table import Row, Table

TABLE_CSS = """\
table.hcc-table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em;
  font-variant-numeric: tabular-nums; }
table.hcc-table caption { caption-side: top; text-align: left; font-weight: bold;
  padding-bottom: 0.4em; }
table.hcc-table th, table.hcc-table td { padding: 0.2em 0.7em; vertical-align: top; }
table.hcc-table thead tr:first-child th { border-top: 2px solid #000; }
table.hcc-table thead th { vertical-align: bottom; }
table.hcc-table thead tr:last-child th { border-bottom: 1px solid #000; font-weight: bold; }
table.hcc-table thead th.hcc-span { font-weight: bold;
  background: linear-gradient(#000, #000) bottom center / calc(100% - 0.8em) 1px no-repeat; }
table.hcc-table thead th.hcc-span-empty { font-weight: normal; }
table.hcc-table tbody tr:last-child th, table.hcc-table tbody tr:last-child td {
  border-bottom: 2px solid #000; }
table.hcc-table tbody th.hcc-section { text-align: left; font-style: italic;
  font-weight: bold; padding-top: 0.5em; }
table.hcc-table tr.hcc-bold td { font-weight: bold; }
table.hcc-table .hcc-left { text-align: left; }
table.hcc-table .hcc-center { text-align: center; }
table.hcc-table .hcc-right { text-align: right; }
table.hcc-table tbody td.hcc-center, table.hcc-table tbody td.hcc-right {
  white-space: nowrap; }
table.hcc-table .hcc-indent-1 { padding-left: 1.7em; }
table.hcc-table .hcc-indent-2 { padding-left: 2.7em; }
table.hcc-table .hcc-indent-3 { padding-left: 3.7em; }
table.hcc-table tfoot td { font-size: 0.85em; text-align: left; padding-top: 0.3em;
  border: none; }
"""
r"""The three-line stylesheet for tables made by :func:`table_to_html` (rules: top, under the
header, bottom; a short rule under each spanning header, trimmed like ``\cmidrule(lr)`` by a
background gradient; no vertical lines; numbers never wrap, labels may)."""

_MAX_INDENT_CLASS = 3


def _text(value: str) -> str:
    """Escaped text; ``"\\n"`` becomes ``<br>``."""
    return "<br>".join(escape(part, quote=False) for part in value.split("\n"))


def _body_row(row: Row, table: Table) -> str:
    if row.kind == "section":
        return (
            f'<tr class="hcc-section-row"><th class="hcc-section" colspan="{table.n_columns}" '
            f'scope="rowgroup">{_text(row.cells[0])}</th></tr>'
        )
    cells = []
    for i, (cell, column) in enumerate(zip(row.cells, table.columns, strict=True)):
        classes = [f"hcc-{column.align}"]
        if i == 0 and row.indent:
            classes.append(f"hcc-indent-{min(row.indent, _MAX_INDENT_CLASS)}")
        cells.append(f'<td class="{" ".join(classes)}">{_text(cell)}</td>')
    row_class = ' class="hcc-bold"' if row.bold else ""
    return f"<tr{row_class}>{''.join(cells)}</tr>"


def table_to_html(table: Table) -> str:
    """Render ``table`` as an HTML ``<table>`` fragment (no ``<html>``/``<body>``).

    Parameters
    ----------
    table : Table
        The table; its ``id`` becomes the element id ``hcc-<id>``.

    Returns
    -------
    str
        The fragment, ending in a newline. Pair it with :data:`TABLE_CSS`.
    """
    lines = [f'<table class="hcc-table" id="hcc-{escape(table.id)}">']
    lines.append(f"<caption>{_text(table.title)}</caption>")
    lines.append("<thead>")
    if table.header_groups:
        groups = []
        for group in table.header_groups:
            span = f' colspan="{group.span}"' if group.span > 1 else ""
            cls = "hcc-span" if group.label else "hcc-span-empty"
            groups.append(
                f'<th class="{cls} hcc-center"{span} scope="colgroup">{_text(group.label)}</th>'
            )
        lines.append(f'<tr class="hcc-groups">{"".join(groups)}</tr>')
    labels = "".join(
        f'<th class="hcc-{c.align}" scope="col">{_text(c.label)}</th>' for c in table.columns
    )
    lines.append(f"<tr>{labels}</tr>")
    lines.append("</thead>")
    lines.append("<tbody>")
    lines.extend(_body_row(row, table) for row in table.rows)
    lines.append("</tbody>")
    if table.footnotes:
        lines.append("<tfoot>")
        lines.extend(
            f'<tr><td colspan="{table.n_columns}">{_text(note)}</td></tr>'
            for note in table.footnotes
        )
        lines.append("</tfoot>")
    lines.append("</table>")
    return "\n".join(lines) + "\n"
