r"""LaTeX rendering of a :class:`~hccsurv.present.table.Table` with booktabs rules.

Output is a ``table`` float: ``\caption``, ``\label{tab:<id>}``, a ``tabular`` with ``\toprule``,
spanning headers as ``\multicolumn`` with ``\cmidrule(lr)`` under each labelled span, ``\midrule``
under the column labels, section rows as ``\multicolumn`` over the full width, indented levels with
``\hspace``, ``\bottomrule``, then the footnotes in ``\footnotesize``. The preamble needs only
``\usepackage{booktabs}``.

Text is escaped: the ten LaTeX specials ``\ & % $ # _ { } ~ ^`` and ``< > |`` (which print as
other glyphs in the default OT1 encoding). Common typographic characters become ASCII macros
(``± – — ≥ ≤ × − · ° χ ² ³ …``), so the output compiles under pdfLaTeX without ``inputenc``;
any other non-ASCII character is kept as UTF-8, which pdfLaTeX (2018 or later), XeLaTeX and
LuaLaTeX accept.
"""

from __future__ import annotations

from hccsurv.present.table import Row, Table

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_UNICODE = {
    "±": r"\ensuremath{\pm}",
    "–": "--",
    "—": "---",
    "≥": r"\ensuremath{\geq}",
    "≤": r"\ensuremath{\leq}",
    "×": r"\ensuremath{\times}",
    "−": r"\ensuremath{-}",
    "·": r"\ensuremath{\cdot}",
    "°": r"\ensuremath{^\circ}",
    "χ": r"\ensuremath{\chi}",
    "²": r"\textsuperscript{2}",
    "³": r"\textsuperscript{3}",
    "…": r"\ldots{}",
    "\u00a0": "~",
    "α": r"\ensuremath{\alpha}",
    "β": r"\ensuremath{\beta}",
    "κ": r"\ensuremath{\kappa}",
    "μ": r"\ensuremath{\mu}",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
}
_ESCAPES = str.maketrans({**_SPECIALS, **_UNICODE})
_COLUMN_SPEC = {"left": "l", "center": "c", "right": "r"}
_INDENT_EM = 1.0


def latex_escape(text: str) -> str:
    """Escape ``text`` for LaTeX text mode (see the module docstring for the mapping)."""
    return text.translate(_ESCAPES)


def _cell(text: str, align: str = "c") -> str:
    """Escaped cell text; a ``"\\n"`` becomes a line break inside a nested tabular."""
    parts = [latex_escape(p) for p in text.split("\n")]
    if len(parts) == 1:
        return parts[0]
    lines = r" \\ ".join(parts)
    return rf"\begin{{tabular}}[b]{{@{{}}{align}@{{}}}}{lines}\end{{tabular}}"


def _body_row(row: Row, table: Table) -> str:
    if row.kind == "section":
        return (
            rf"\multicolumn{{{table.n_columns}}}{{@{{}}l}}{{\textit{{{_cell(row.cells[0])}}}}} \\"
        )
    cells = []
    for i, (text, column) in enumerate(zip(row.cells, table.columns, strict=True)):
        cell = _cell(text, _COLUMN_SPEC[column.align])
        if row.bold and text:
            cell = rf"\textbf{{{cell}}}"
        if i == 0 and row.indent:
            cell = rf"\hspace{{{row.indent * _INDENT_EM:g}em}}{cell}"
        cells.append(cell)
    return " & ".join(cells) + r" \\"


def _group_rows(table: Table) -> list[str]:
    if not table.header_groups:
        return []
    cells, rules = [], []
    for group, start in table.column_spans():
        label = _cell(group.label)
        cells.append(rf"\multicolumn{{{group.span}}}{{c}}{{{label}}}" if group.span > 1 else label)
        if group.label:
            rules.append(rf"\cmidrule(lr){{{start + 1}-{start + group.span}}}")
    lines = [" & ".join(cells) + r" \\"]
    if rules:
        lines.append(" ".join(rules))
    return lines


def table_to_latex(table: Table) -> str:
    r"""Render ``table`` as a booktabs ``table`` float (needs ``\usepackage{booktabs}``).

    Parameters
    ----------
    table : Table
        The table; its ``id`` becomes ``\label{tab:<id>}``.

    Returns
    -------
    str
        LaTeX source ending in a newline.
    """
    spec = "".join(_COLUMN_SPEC[c.align] for c in table.columns)
    labels = " & ".join(_cell(c.label, _COLUMN_SPEC[c.align]) for c in table.columns) + r" \\"
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(table.title)}}}",
        rf"\label{{tab:{table.id}}}",
        rf"\begin{{tabular}}{{@{{}}{spec}@{{}}}}",
        r"\toprule",
        *_group_rows(table),
        labels,
        r"\midrule",
        *(_body_row(row, table) for row in table.rows),
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if table.footnotes:
        lines.append(r"\par\smallskip")
        lines.append(r"\begin{minipage}{\linewidth}\footnotesize")
        lines.extend(latex_escape(note) + r"\par" for note in table.footnotes)
        lines.append(r"\end{minipage}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
