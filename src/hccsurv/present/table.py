"""The publication table: one renderer-independent model that every output format consumes.

A :class:`Table` holds already formatted cell text (see :mod:`hccsurv.present.format`) and the
unrounded numbers behind it (``data``, a DataFrame written to CSV and to the raw-numbers sheet of
the workbook). Renderers (``hccsurv.present.render``) only lay the text out; none of them computes
or rounds anything.

Layout::

    title
    ┌───────────────┬─────────────────────────┬─────────────────────────┐   header_groups (optional)
    │               │       Univariate        │      Multivariable      │   one level, spans add up
    │ Variable      │ HR (95% CI)   │ p       │ HR (95% CI)   │ p       │   columns (labels)
    ├───────────────┼───────────────┼─────────┼───────────────┼─────────┤
    │ Overall survival (section row: one cell spanning the table)       │
    │   ECOG 0      │ 0.23 (0.11–…) │ <0.001  │ 0.27 (0.10–…) │ 0.009   │   body rows (indents)
    └───────────────┴───────────────┴─────────┴───────────────┴─────────┘
    footnotes, one per line

The model is immutable: frozen dataclasses holding tuples; verbs such as :meth:`Table.with_footnote`
return a new object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from hccsurv.errors import InputError

Align = Literal["left", "center", "right"]
RowKind = Literal["body", "section"]

_ALIGNS = ("left", "center", "right")
_KINDS = ("body", "section")
_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Column:
    """One table column.

    Parameters
    ----------
    key : str
        Stable machine name (``"hr_ci_uni"``); unique within a table.
    label : str
        Header text (``"HR (95% CI)"``); may contain ``"\\n"`` for a line break.
    align : {"left", "center", "right"}
        Horizontal alignment of header and body cells. The label column is usually ``"left"``.
    """

    key: str
    label: str
    align: Align = "center"

    def __post_init__(self) -> None:
        if not self.key:
            raise InputError(f"Column(label={self.label!r}): key is empty; give a unique key")
        if self.align not in _ALIGNS:
            raise InputError(
                f"Column {self.key!r}: align {self.align!r} is not one of {', '.join(_ALIGNS)}"
            )


@dataclass(frozen=True)
class HeaderGroup:
    """A spanning header over ``span`` adjacent columns (``label=""`` leaves the span blank).

    Parameters
    ----------
    label : str
        Text over the spanned columns (``"Univariate"``, ``"First-line (n = 66)"``).
    span : int
        Number of columns covered, at least 1.
    """

    label: str
    span: int = 1

    def __post_init__(self) -> None:
        if self.span < 1:
            raise InputError(
                f"HeaderGroup {self.label!r}: span {self.span} is below 1; spans count columns"
            )


@dataclass(frozen=True)
class Row:
    """One table row.

    Parameters
    ----------
    cells : tuple of str
        Formatted text. A ``"body"`` row has one cell per column; a ``"section"`` row has exactly
        one cell, its label, which spans the whole table (``"Overall survival"``).
    indent : int
        Indent level of the first cell (0 = flush; 1 = a level under a variable, e.g. ``"Male"``).
    kind : {"body", "section"}
        Row type.
    bold : bool
        Set the row in bold (e.g. a variable name above its indented levels).
    """

    cells: tuple[str, ...]
    indent: int = 0
    kind: RowKind = "body"
    bold: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        bad = [c for c in self.cells if not isinstance(c, str)]
        if bad:
            raise InputError(
                f"Row {self.cells!r}: cell {bad[0]!r} is a {type(bad[0]).__name__}, not text; "
                "format numbers with hccsurv.present.format before building the row"
            )
        if self.kind not in _KINDS:
            raise InputError(f"Row {self.cells!r}: kind {self.kind!r} is not 'body' or 'section'")
        if self.kind == "section" and len(self.cells) != 1:
            raise InputError(
                f"Row {self.cells!r}: a section row has exactly one cell (its label), "
                f"got {len(self.cells)}"
            )
        if self.indent < 0:
            raise InputError(f"Row {self.cells!r}: indent {self.indent} is negative")

    @classmethod
    def section(cls, label: str) -> Row:
        """A spanning label row, e.g. ``Row.section("Overall survival")``."""
        return cls(cells=(label,), kind="section")


@dataclass(frozen=True)
class Table:
    """A publication table: formatted text for renderers and the unrounded numbers behind it.

    Parameters
    ----------
    id : str
        Stable identifier (``"table1"``, ``"cox_os"``): a letter then letters, digits, ``_`` or
        ``-``. Used for sheet names, HTML ids and LaTeX labels.
    title : str
        Caption (``"Table 1. Baseline characteristics"``).
    columns : tuple of Column
        Columns in display order; keys unique.
    rows : tuple of Row
        Body rows; each ``"body"`` row has ``len(columns)`` cells.
    header_groups : tuple of HeaderGroup
        Optional single level of spanning headers above the column labels; when given, the spans
        add up to ``len(columns)``.
    footnotes : tuple of str
        Notes printed under the table (abbreviations, tests used).
    data : pandas.DataFrame
        The unrounded numbers behind the table (tidy, one row per estimate). Copied on creation;
        not part of equality or hashing.
    """

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    header_groups: tuple[HeaderGroup, ...] = ()
    footnotes: tuple[str, ...] = ()
    data: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "header_groups", tuple(self.header_groups))
        object.__setattr__(self, "footnotes", tuple(self.footnotes))
        if not isinstance(self.data, pd.DataFrame):
            raise InputError(
                f"Table {self.id!r}: data is a {type(self.data).__name__}; pass a pandas DataFrame"
            )
        object.__setattr__(self, "data", self.data.copy())
        self._validate()

    def _validate(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise InputError(
                f"Table id {self.id!r} is not a letter followed by letters, digits, '_' or '-'; "
                "use e.g. 'table1' or 'cox_os'"
            )
        if not self.columns:
            raise InputError(f"Table {self.id!r} has no columns")
        keys = [c.key for c in self.columns]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise InputError(
                f"Table {self.id!r}: column keys {dupes} are repeated; keys are unique"
            )
        n = len(self.columns)
        for i, row in enumerate(self.rows):
            if row.kind == "body" and len(row.cells) != n:
                raise InputError(
                    f"Table {self.id!r}, row {i} {row.cells!r}: {len(row.cells)} cells for "
                    f"{n} columns; give one cell per column (use '' for an empty cell)"
                )
        if self.header_groups:
            total = sum(g.span for g in self.header_groups)
            if total != n:
                raise InputError(
                    f"Table {self.id!r}: header group spans add up to {total}, not to the "
                    f"{n} columns; add HeaderGroup('', k) for uncovered columns"
                )
        for note in self.footnotes:
            if not isinstance(note, str) or not note:
                raise InputError(f"Table {self.id!r}: footnote {note!r} is not non-empty text")

    @property
    def n_columns(self) -> int:
        """Number of columns."""
        return len(self.columns)

    def column_spans(self) -> tuple[tuple[HeaderGroup, int], ...]:
        """Each header group with the 0-based index of its first column (empty if none)."""
        out: list[tuple[HeaderGroup, int]] = []
        start = 0
        for group in self.header_groups:
            out.append((group, start))
            start += group.span
        return tuple(out)

    def with_footnote(self, text: str) -> Table:
        """A copy with ``text`` appended to the footnotes."""
        return replace(self, footnotes=(*self.footnotes, text))

    def with_title(self, title: str) -> Table:
        """A copy with another title."""
        return replace(self, title=title)

    def with_rows(self, rows: tuple[Row, ...]) -> Table:
        """A copy with ``rows`` appended after the existing rows."""
        return replace(self, rows=(*self.rows, *rows))

    def with_data(self, data: pd.DataFrame) -> Table:
        """A copy carrying another frame of unrounded numbers."""
        return replace(self, data=data)

    # Each writer lives in its renderer module (imported here on use: the renderers import
    # this model, and python-docx/openpyxl load only when a Word or Excel file is written).

    def to_docx(self, path: str | Path) -> Path:
        """Write this table to a Word document (three-line table; landscape when wide)."""
        from hccsurv.present.render.docx import write_docx

        return write_docx([self], path)

    def to_xlsx(self, path: str | Path) -> Path:
        """Write this table to an Excel workbook: a formatted sheet and a raw-numbers sheet."""
        from hccsurv.present.render.xlsx import write_xlsx

        return write_xlsx([self], path)

    def to_html(self) -> str:
        """This table as an HTML ``<table>`` fragment (style it with ``render.TABLE_CSS``)."""
        from hccsurv.present.render.html import table_to_html

        return table_to_html(self)

    def to_latex(self) -> str:
        """This table as a LaTeX booktabs ``table`` float."""
        from hccsurv.present.render.latex import table_to_latex

        return table_to_latex(self)
