"""Renderers: one module per output format, each consuming :class:`~hccsurv.present.table.Table`.

None of them computes or rounds numbers; they only lay out the text of the table model.

========================  =====================================================================
``write_docx``            Word, three-line tables, landscape sections for wide tables
``write_xlsx``            Excel, one formatted sheet and one raw-numbers sheet per table
``table_to_html``         HTML fragment; ``TABLE_CSS`` is its stylesheet
``table_to_latex``        booktabs ``table`` float
``table_to_markdown``     GitHub pipe table
``write_csv``             the unrounded numbers (``Table.data``)
========================  =====================================================================

``write_docx`` and ``write_xlsx`` load on first use (PEP 562): python-docx and openpyxl take a
tenth of a second to import, which a run spends only in the process that writes the tables.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hccsurv.present.render.csv import write_csv
from hccsurv.present.render.html import TABLE_CSS, table_to_html
from hccsurv.present.render.latex import latex_escape, table_to_latex
from hccsurv.present.render.markdown import table_to_markdown

if TYPE_CHECKING:
    from hccsurv.present.render.docx import write_docx
    from hccsurv.present.render.xlsx import write_xlsx

_LAZY = {"write_docx": "hccsurv.present.render.docx", "write_xlsx": "hccsurv.present.render.xlsx"}


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "TABLE_CSS",
    "latex_escape",
    "table_to_html",
    "table_to_latex",
    "table_to_markdown",
    "write_csv",
    "write_docx",
    "write_xlsx",
]
