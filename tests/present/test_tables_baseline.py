"""The baseline Table built from hccsurv.analysis.table1 results."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import R_DATA_DIR
from hccsurv.analysis.table1 import baseline_table
from hccsurv.config import BaselineVariable
from hccsurv.present.format import FormatOptions
from hccsurv.present.render.markdown import table_to_markdown
from hccsurv.present.tables.baseline import baseline_table_to_table

VARIABLES = [
    BaselineVariable(column="age", label="Age, years", kind="normal"),
    BaselineVariable(
        column="ph.ecog", label="ECOG", kind="categorical", levels=("0", "1", "2", "3")
    ),
    BaselineVariable(column="meal.cal", label="Calories", kind="skewed"),
]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    lung = pd.read_csv(R_DATA_DIR / "lung.csv").assign(
        sex=lambda f: f["sex"].map({1: "Male", 2: "Female"})
    )
    return baseline_table(lung, "sex", ["Male", "Female"], VARIABLES, smd=True)


def test_layout_and_letters(result) -> None:  # type: ignore[no-untyped-def]
    table = baseline_table_to_table(result)
    assert [c.label for c in table.columns] == [
        "Characteristic",
        "Male\n(n = 138)",
        "Female\n(n = 90)",
        "All patients\n(n = 228)",
        "p",
        "SMD",
    ]
    labels = [(r.cells[0], r.indent) for r in table.rows]
    assert labels[:3] == [("Age, years, mean ± SD", 0), ("ECOG, n (%)", 0), ("0", 1)]
    assert ("Missing", 1) in labels and labels[-2][0] == "Calories, median [IQR]"
    age = table.rows[0]
    # t.test(age ~ sex, var.equal = TRUE) p = 0.0656 -> "0.066" + letter a
    assert age.cells[4] == "0.066ᵃ"
    ecog = table.rows[1]
    assert ecog.bold and ecog.cells[4] == "0.823ᵇ"
    assert table.footnotes[:3] == (
        "ᵃ Student's t-test.",
        "ᵇ Fisher's exact test.",
        "ᶜ Wilcoxon rank-sum test.",
    )
    assert any(
        n.startswith("Categorical variables: Fisher's exact test when any") for n in table.footnotes
    )
    assert any(n == "ECOG: level '3' occurs only in Male." for n in table.footnotes)
    level_3 = next(r for r in table.rows if r.cells[0] == "3")
    assert level_3.cells[1:4] == ("1 (0.7)", "0 (0.0)", "1 (0.4)")
    assert table.data.equals(result.to_frame())
    assert "Characteristic" in table_to_markdown(table)


def test_test_column_and_options(result) -> None:  # type: ignore[no-untyped-def]
    table = baseline_table_to_table(
        result, FormatOptions(p_decimals=2, decimals=1), test_display="column", table_id="t1"
    )
    keys = [c.key for c in table.columns]
    assert keys == ["variable", "group_0", "group_1", "overall", "p", "test", "smd"]
    age = table.rows[0]
    assert age.cells[4] == "0.07" and age.cells[5] == "Student's t-test"
    assert age.cells[1].count(".") == 2 and " ± " in age.cells[1]
    assert not any(n.startswith("ᵃ") for n in table.footnotes)
    with pytest.raises(ValueError, match="test_display"):
        baseline_table_to_table(result, test_display="margin")  # type: ignore[arg-type]


def test_no_test_prints_dash_and_note() -> None:
    frame = pd.DataFrame(
        {"g": ["A", "A", "B", "B"], "x": [1.0, 2.0, None, None], "c": ["u", "u", "u", "u"]}
    )
    res = baseline_table(
        frame,
        "g",
        ["A", "B"],
        [
            BaselineVariable(column="x", label="X", kind="normal"),
            BaselineVariable(column="c", label="C", kind="categorical"),
        ],
    )
    table = baseline_table_to_table(res)
    assert table.rows[0].cells[4] == "–"
    assert table.rows[0].cells[2] == "– ± –"
    assert "X: no test: no non-missing value in B." in table.footnotes
    assert "C: no test: constant (a single observed level)." in table.footnotes
