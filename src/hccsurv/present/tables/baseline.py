"""The baseline table ("Table 1"): variables with indented levels, groups with their n, p, test.

Every p-value names its test, either by a footnote letter (``"0.151ᵃ"`` with ``"ᵃ Student's
t-test."`` under the table, the default) or in a test column. Notes of the analysis (no test
possible, a level seen in one group only, ...) become footnotes too, so no blank is unexplained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from hccsurv.analysis.table1 import BaselineRow, BaselineTable
from hccsurv.core.group_tests import TestResult
from hccsurv.present.format import (
    DEFAULT_OPTIONS,
    FormatOptions,
    format_mean_sd,
    format_median_iqr,
    format_n_pct,
    format_number,
    format_p,
)
from hccsurv.present.table import Column, Row, Table

TestDisplay = Literal["footnote", "column"]
_SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ"
_RULE_TEXT = {
    "any_expected_lt_5": "Fisher's exact test when any expected count is below 5, otherwise "
    "Pearson's chi-square test without continuity correction",
    "cochran": "Fisher's exact test when more than 20% of expected counts are below 5 or any is "
    "below 1 (Cochran), otherwise Pearson's chi-square test without continuity correction",
}


def test_name(test: TestResult) -> str:
    """A reader's name of the test behind a p-value (``"Student's t-test"``)."""
    return test.name


@dataclass
class TestLetters:
    """Assigns one superscript letter per distinct test name, in order of first use."""

    __test__ = False

    names: list[str] = field(default_factory=list)

    def mark(self, test: TestResult) -> str:
        name = test_name(test)
        if name not in self.names:
            self.names.append(name)
        return _SUPERSCRIPTS[self.names.index(name) % len(_SUPERSCRIPTS)]

    def footnotes(self) -> tuple[str, ...]:
        return tuple(
            f"{_SUPERSCRIPTS[i % len(_SUPERSCRIPTS)]} {name[0].upper()}{name[1:]}."
            for i, name in enumerate(self.names)
        )


def _p_cell(test: TestResult | None, letters: TestLetters, display: TestDisplay,
            options: FormatOptions) -> tuple[str, str]:  # fmt: skip
    if test is None:
        return options.not_applicable, ""
    p = format_p(test.p_value, options=options)
    if display == "footnote":
        return p + letters.mark(test), ""
    return p, test_name(test)


def _rows_for(
    row: BaselineRow,
    n_groups: int,
    letters: TestLetters,
    display: TestDisplay,
    show_smd: bool,
    options: FormatOptions,
) -> list[Row]:
    v = row.variable
    p, test_text = _p_cell(row.test, letters, display, options)
    tail = [p] + ([test_text] if display == "column" else [])
    if show_smd:
        tail.append(format_number(row.smd, options=options))
    blank_tail = [""] * len(tail)
    out: list[Row] = []
    if v.kind == "categorical":
        out.append(Row((f"{v.label}, n (%)", *[""] * (n_groups + 1), *tail), bold=True))
        for lev in row.levels:
            cells = [format_n_pct(c, row.n[g], options=options) for g, c in enumerate(lev.counts)]
            cells.append(format_n_pct(lev.overall, row.n[-1], options=options))
            out.append(Row((lev.level, *cells, *blank_tail), indent=1))
    else:
        if v.kind == "normal":
            label = f"{v.label}, mean ± SD"
            cells = [format_mean_sd(s.mean, s.sd, options=options) for s in row.summaries]
        else:
            label = f"{v.label}, median [IQR]"
            cells = [
                format_median_iqr(s.median, s.q1, s.q3, options=options) for s in row.summaries
            ]
        out.append(Row((label, *cells, *tail)))
    if row.missing[-1] > 0:
        out.append(Row(("Missing", *(str(m) for m in row.missing), *blank_tail), indent=1))
    return out


def baseline_table_to_table(
    result: BaselineTable,
    options: FormatOptions = DEFAULT_OPTIONS,
    *,
    test_display: TestDisplay = "footnote",
    overall_label: str = "All patients",
    table_id: str = "table1",
    title: str = "Baseline characteristics",
    display_names: Mapping[str, str] | None = None,
) -> Table:
    """Build the publication baseline table from :func:`hccsurv.analysis.table1.baseline_table`.

    Columns: the variable, one per group (``"First-line\\n(n = 66)"``), all patients, the p-value,
    the test (``test_display="column"``) and the SMD when the analysis computed it. Categorical
    variables get a bold row with the p-value and one indented row per level; a ``Missing`` row
    follows any variable with missing values. Percentages are of non-missing values.
    ``display_names`` maps group labels to the names shown (``[groups] display_names``).
    """
    names = dict(display_names or {})
    shown = [names.get(g, g) for g in result.groups]
    if test_display not in ("footnote", "column"):
        raise ValueError(f"test_display is {test_display!r}; use 'footnote' or 'column'")
    columns = [Column("variable", "Characteristic", "left")]
    columns += [
        Column(f"group_{i}", f"{g}\n(n = {n})")
        for i, (g, n) in enumerate(zip(shown, result.group_n, strict=True))
    ]
    columns.append(Column("overall", f"{overall_label}\n(n = {result.n_total})"))
    columns.append(Column("p", "p"))
    if test_display == "column":
        columns.append(Column("test", "Test", "left"))
    if result.smd:
        columns.append(Column("smd", "SMD"))
    letters = TestLetters()
    rows: list[Row] = []
    for row in result.rows:
        rows += _rows_for(row, len(result.groups), letters, test_display, result.smd, options)
    notes: list[str] = list(letters.footnotes()) if test_display == "footnote" else []
    if any(r.variable.kind == "categorical" for r in result.rows):
        notes.append(f"Categorical variables: {_RULE_TEXT[result.categorical_rule]}.")
    notes.append("Percentages are of patients with a recorded value; IQR, interquartile range.")
    if result.smd:
        notes.append(f"SMD, standardized mean difference of {shown[1]} versus {shown[0]}.")
    if result.smd_note is not None:
        notes.append(result.smd_note + ".")
    for row in result.rows:
        notes += [f"{row.variable.label}: {note}." for note in row.notes]
    return Table(
        id=table_id,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        footnotes=tuple(notes),
        data=result.to_frame(),
    )
