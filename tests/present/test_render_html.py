"""HTML fragment: snapshots, structure, escaping, no scripts or external resources."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from hccsurv.present.render.html import TABLE_CSS, table_to_html
from hccsurv.present.table import Table

from ._paper_tables import cox_table, special_characters_table, survival_table, table1
from ._snapshots import assert_snapshot

TABLES = [table1, cox_table, survival_table, special_characters_table]


class _Structure(HTMLParser):
    """Records tags, checks nesting, and collects attributes."""

    VOID = frozenset({"br"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def _parse(text: str) -> _Structure:
    parser = _Structure()
    parser.feed(text)
    parser.close()
    return parser


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_html_snapshot(make: Callable[[], Table]) -> None:
    table = make()
    assert_snapshot(table_to_html(table), f"{table.id}.html")


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_html_is_balanced_and_self_contained(make: Callable[[], Table]) -> None:
    text = table_to_html(make())
    parsed = _parse(text)
    assert parsed.errors == [] and parsed.stack == []
    tags = {tag for tag, _ in parsed.starts}
    assert {"table", "caption", "thead", "tbody"} <= tags
    assert not tags & {"script", "style", "link", "img", "iframe"}
    for _, attrs in parsed.starts:
        assert "style" not in attrs
        assert not any(k.startswith("on") for k in attrs)
    assert "http" not in text


def test_html_cox_spans_and_rows() -> None:
    table = cox_table()
    parsed = _parse(table_to_html(table))
    group_cells = [a for t, a in parsed.starts if t == "th" and a.get("scope") == "colgroup"]
    assert [c.get("colspan") for c in group_cells] == [None, "2", "2"]
    sections = [a for t, a in parsed.starts if t == "th" and a.get("scope") == "rowgroup"]
    assert [s["colspan"] for s in sections] == ["5", "5"]
    body_cells = [a for t, a in parsed.starts if t == "td"]
    # every body row has 5 cells; footnotes add one spanning cell each
    n_body = sum(1 for r in table.rows if r.kind == "body")
    assert len(body_cells) == 5 * n_body + len(table.footnotes)
    assert sum("hcc-indent-1" in (a.get("class") or "") for a in body_cells) == 2


def test_html_escapes_text() -> None:
    text = table_to_html(special_characters_table())
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;0.001" in text
    assert "Left_col<br>second line" in text
    assert "50% &amp; $5" in text
    assert 'class="hcc-left hcc-indent-2"' in text


def test_html_deterministic_and_without_groups() -> None:
    assert table_to_html(table1()) == table_to_html(table1())
    text = table_to_html(special_characters_table())
    assert "hcc-groups" not in text


def test_css_is_three_line() -> None:
    assert "border-top: 2px solid" in TABLE_CSS
    assert TABLE_CSS.count("border-bottom: 2px solid") == 1
    assert "border-left" not in TABLE_CSS and "border-right" not in TABLE_CSS
    assert "url(" not in TABLE_CSS and "@import" not in TABLE_CSS
    assert TABLE_CSS.count("{") == TABLE_CSS.count("}")
