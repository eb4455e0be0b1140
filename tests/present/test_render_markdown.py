"""Markdown pipe table: snapshots, column counts, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hccsurv.present.render.markdown import table_to_markdown
from hccsurv.present.table import Column, Row, Table

from ._paper_tables import cox_table, special_characters_table, survival_table, table1
from ._snapshots import assert_snapshot

TABLES = [table1, cox_table, survival_table, special_characters_table]
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_markdown_snapshot(make: Callable[[], Table]) -> None:
    table = make()
    assert_snapshot(table_to_markdown(table), f"{table.id}.md")


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_markdown_rows_have_one_cell_per_column(make: Callable[[], Table]) -> None:
    table = make()
    lines = [ln for ln in table_to_markdown(table).splitlines() if ln.startswith("|")]
    assert len(lines) == 2 + len(table.rows)
    for line in lines:
        assert len(_UNESCAPED_PIPE.findall(line)) == table.n_columns + 1, line


def test_markdown_cox_layout() -> None:
    text = table_to_markdown(cox_table())
    lines = text.splitlines()
    assert lines[0] == "**Table 3. Cox proportional hazards regression**"
    assert lines[2].startswith("| Variable | Univariate: HR (95% CI) | Univariate: p |")
    assert lines[3] == "| :--- | :---: | :---: | :---: | :---: |"
    assert "| ***Overall survival*** |  |  |  |  |" in lines
    assert "| &emsp;First-line | Ref. |  | Ref. |  |" in lines
    assert "| **Group** |  |  |  |  |" in lines
    assert text.endswith("CI, confidence interval; HR, hazard ratio; Ref., reference category.\n")


def test_markdown_escapes() -> None:
    text = table_to_markdown(special_characters_table())
    assert r"pipe \| star \* under\_score" in text
    assert r"Left\_col<br>second line" in text
    assert r"\<script>" in text
    assert r"\<b>" in text
    assert "| &emsp;&emsp;**≥ 10 cm" in text
    assert "<0.001" in text and r"\<0.001" not in text  # "<" before a digit is not HTML


def test_markdown_escapes_entities_but_not_plain_ampersands() -> None:
    table = Table(
        id="amp",
        title="t",
        columns=(Column("a", "A"),),
        rows=(Row(("&amp; &#169; a & b",)),),
    )
    assert r"| \&amp; \&#169; a & b |" in table_to_markdown(table)
