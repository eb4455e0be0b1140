"""Markdown rendering of a :class:`~hccsurv.present.table.Table` as a GitHub (GFM) pipe table.

Pipe tables have no column spans, so a spanning header is written into the labels of the columns
it covers (``"Univariate: HR (95% CI)"``). A section row is a row whose first cell holds the bold,
italic label; indented levels start with ``&emsp;`` per level; bold rows use ``**``. The title is a
bold line above the table and each footnote is a paragraph below it. Markdown-active characters
(``\\ * _ ` |``, ``<`` that could open an HTML tag and ``&`` that could open an entity) are
backslash-escaped.
"""

from __future__ import annotations

import re

from hccsurv.present.table import Row, Table

_MD_SPECIAL = re.compile(r"([\\*_`|]|<(?=[A-Za-z/!?])|&(?=[A-Za-z#]))")
_ALIGN_RULE = {"left": ":---", "center": ":---:", "right": "---:"}


def _escape(text: str) -> str:
    """Escape Markdown-active characters; a line break becomes ``<br>``."""
    return "<br>".join(_MD_SPECIAL.sub(r"\\\1", part) for part in text.split("\n"))


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _labels(table: Table) -> list[str]:
    labels = [_escape(c.label) for c in table.columns]
    for group, start in table.column_spans():
        if group.label:
            for i in range(start, start + group.span):
                labels[i] = f"{_escape(group.label)}: {labels[i]}"
    return labels


def _body_row(row: Row, n_columns: int) -> str:
    if row.kind == "section":
        return _line([f"***{_escape(row.cells[0])}***", *([""] * (n_columns - 1))])
    cells = [_escape(c) for c in row.cells]
    if row.bold:
        cells = [f"**{c}**" if c else c for c in cells]
    if row.indent:
        cells[0] = "&emsp;" * row.indent + cells[0]
    return _line(cells)


def table_to_markdown(table: Table) -> str:
    """Render ``table`` as Markdown: bold title, pipe table, footnote paragraphs.

    Returns
    -------
    str
        Markdown text ending in a newline.
    """
    lines = [f"**{_escape(table.title)}**", ""]
    lines.append(_line(_labels(table)))
    lines.append(_line([_ALIGN_RULE[c.align] for c in table.columns]))
    lines.extend(_body_row(row, table.n_columns) for row in table.rows)
    for note in table.footnotes:
        lines.extend(["", _escape(note)])
    return "\n".join(lines) + "\n"
