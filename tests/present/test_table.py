"""The Table model: validation, immutability, verbs."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from hccsurv.errors import InputError
from hccsurv.present.table import Column, HeaderGroup, Row, Table

COLUMNS = (
    Column("variable", "Variable", "left"),
    Column("hr_uni", "HR (95% CI)"),
    Column("p_uni", "p"),
    Column("hr_multi", "HR (95% CI)"),
    Column("p_multi", "p"),
)
GROUPS = (HeaderGroup(""), HeaderGroup("Univariate", 2), HeaderGroup("Multivariable", 2))


def _table(**kwargs: object) -> Table:
    base: dict[str, object] = {
        "id": "cox_os",
        "title": "Cox regression, overall survival",
        "columns": COLUMNS,
        "rows": (
            Row.section("Overall survival"),
            Row(("ECOG", "", "", "", ""), bold=True),
            Row(("≥ 1", "Ref.", "", "Ref.", ""), indent=1),
            Row(("0", "0.23 (0.11–0.51)", "<0.001", "0.27 (0.10–0.72)", "0.009"), indent=1),
        ),
        "header_groups": GROUPS,
        "footnotes": ("HR, hazard ratio.",),
        "data": pd.DataFrame({"term": ["ecog_0"], "hr": [0.2331]}),
    }
    base.update(kwargs)
    return Table(**base)  # type: ignore[arg-type]


def test_valid_table_and_spans() -> None:
    t = _table()
    assert t.n_columns == 5
    assert [(g.label, start) for g, start in t.column_spans()] == [
        ("", 0),
        ("Univariate", 1),
        ("Multivariable", 3),
    ]
    assert t.rows[0].kind == "section"
    assert t.rows[0].cells == ("Overall survival",)


def test_lists_become_tuples() -> None:
    t = _table(columns=list(COLUMNS), footnotes=["a"], header_groups=list(GROUPS))
    assert isinstance(t.columns, tuple)
    assert isinstance(t.footnotes, tuple)
    assert isinstance(t.header_groups, tuple)
    assert isinstance(Row(["a", "b"]).cells, tuple)  # type: ignore[arg-type]


def test_table_is_frozen_and_data_copied() -> None:
    frame = pd.DataFrame({"x": [1.0]})
    t = _table(data=frame)
    frame.loc[0, "x"] = 2.0
    assert t.data.loc[0, "x"] == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.title = "other"  # type: ignore[misc]


def test_verbs_return_new_objects() -> None:
    t = _table()
    t2 = t.with_footnote("CI, confidence interval.")
    assert t2 is not t
    assert t.footnotes == ("HR, hazard ratio.",)
    assert t2.footnotes == ("HR, hazard ratio.", "CI, confidence interval.")
    t3 = t.with_title("Other")
    assert t3.title == "Other" and t.title != "Other"
    t4 = t.with_rows((Row(("Age", "1.01 (0.99–1.03)", "0.412", "", "")),))
    assert len(t4.rows) == len(t.rows) + 1
    t5 = t.with_data(pd.DataFrame({"y": [3]}))
    assert list(t5.data.columns) == ["y"] and list(t.data.columns) == ["term", "hr"]


def test_equality_ignores_data_and_hash_works() -> None:
    a = _table()
    b = _table(data=pd.DataFrame({"z": [0]}))
    assert a == b
    assert hash(a) == hash(b)


def test_wrong_cell_count_names_row() -> None:
    with pytest.raises(InputError, match=r"row 1 .*3 cells for 5 columns"):
        _table(rows=(Row.section("OS"), Row(("a", "b", "c"))))


def test_spans_must_add_up() -> None:
    with pytest.raises(InputError, match="add up to 4, not to the 5"):
        _table(header_groups=(HeaderGroup("Univariate", 2), HeaderGroup("Multivariable", 2)))


@pytest.mark.parametrize("table_id", ["", "1table", "table 1", "t/1"])
def test_bad_id(table_id: str) -> None:
    with pytest.raises(InputError, match="Table id"):
        _table(id=table_id)


def test_duplicate_keys_and_no_columns() -> None:
    with pytest.raises(InputError, match="repeated"):
        _table(columns=(Column("a", "A"), Column("a", "B")), rows=(), header_groups=())
    with pytest.raises(InputError, match="no columns"):
        _table(columns=(), rows=(), header_groups=())


def test_row_validation() -> None:
    with pytest.raises(InputError, match="not text"):
        Row(("a", 1.5))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="exactly one cell"):
        Row(("a", "b"), kind="section")
    with pytest.raises(InputError, match="negative"):
        Row(("a",), indent=-1)
    with pytest.raises(InputError, match="kind"):
        Row(("a",), kind="header")  # type: ignore[arg-type]


def test_column_and_group_validation() -> None:
    with pytest.raises(InputError, match="align"):
        Column("a", "A", "justify")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="key is empty"):
        Column("", "A")
    with pytest.raises(InputError, match="span 0"):
        HeaderGroup("x", 0)


def test_footnote_and_data_validation() -> None:
    with pytest.raises(InputError, match="footnote"):
        _table(footnotes=("",))
    with pytest.raises(InputError, match="DataFrame"):
        _table(data={"a": [1]})
