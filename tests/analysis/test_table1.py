"""hccsurv.analysis.table1 on R's lung data (p-values against tests/reference/group_tests.json)
and on edge cases that must give a row and a note."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.table1 import baseline_table
from hccsurv.config import BaselineVariable
from hccsurv.errors import InputError
from hccsurv.present.tables.baseline import baseline_table_to_table

REF: dict[str, Any] = load_reference("group_tests")
TWO = {c["name"]: c for c in REF["two_sample"]}
CONT = {c["name"]: c for c in REF["contingency"]}
K = {c["name"]: c for c in REF["k_sample"]}


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    frame = pd.read_csv(R_DATA_DIR / "lung.csv")
    frame["ecog3"] = frame["ph.ecog"].clip(upper=2)
    return frame


def test_lung_by_sex_matches_r(lung: pd.DataFrame) -> None:
    variables = [
        BaselineVariable(column="age", label="Age", kind="normal"),
        BaselineVariable(
            column="ph.ecog", label="ECOG", kind="categorical", levels=("0", "1", "2", "3")
        ),
        BaselineVariable(column="wt.loss", label="Weight loss", kind="skewed"),
    ]
    res = baseline_table(lung, "sex", ["1", "2"], variables, smd=True)
    age, ecog, wt = res.rows
    # t.test(age ~ sex, var.equal = TRUE)
    assert age.test is not None and age.test.test == "student_t"
    assert age.test.reason == "normal variable, 2 groups, equal variances assumed"
    assert age.test.p_value == pytest.approx(TWO["lung_age_by_sex"]["student"]["p_value"], rel=1e-9)
    # fisher.test(table(lung$sex, lung$ph.ecog)) = 0.82251; chosen because expected 0.40 < 5
    assert ecog.test is not None and ecog.test.test == "fisher_exact"
    assert ecog.test.p_value == pytest.approx(CONT["lung_sex_ecog"]["fisher"]["p_value"], rel=1e-6)
    assert ecog.test.reason is not None and "expected counts < 5" in ecog.test.reason
    assert [lev.level for lev in ecog.levels] == ["0", "1", "2", "3"]
    assert ecog.levels[3].counts == (1, 0) and "level '3' occurs only in 1" in ecog.notes
    assert ecog.missing == (1, 0, 1)
    # wt.loss: Wilcoxon with ties -> normal approximation; n and missing per group
    assert wt.test is not None and wt.test.test == "wilcoxon_rank_sum"
    assert wt.missing[-1] == int(lung["wt.loss"].isna().sum())
    s = age.summaries[0]
    male = lung.loc[lung["sex"] == 1, "age"]
    assert (s.n, s.mean, s.sd) == (len(male), pytest.approx(male.mean()), pytest.approx(male.std()))
    # quantile(x, c(.25, .5, .75)) type 7
    assert (s.q1, s.median, s.q3) == tuple(
        pytest.approx(v) for v in male.quantile([0.25, 0.5, 0.75])
    )
    assert age.smd is not None and ecog.smd is not None and ecog.smd >= 0


def test_welch_and_k_groups(lung: pd.DataFrame) -> None:
    age = BaselineVariable(column="age", label="Age", kind="normal")
    welch = baseline_table(lung, "sex", ["1", "2"], [age], t_test="welch")
    assert welch.rows[0].test is not None
    assert welch.rows[0].test.p_value == pytest.approx(
        TWO["lung_age_by_sex"]["welch"]["p_value"], rel=1e-9
    )
    frame = lung.dropna(subset=["ecog3"])
    res = baseline_table(
        frame,
        "ecog3",
        ["0", "1", "2"],
        [
            BaselineVariable(column="age", label="Age", kind="normal"),
            BaselineVariable(column="age", label="Age", kind="skewed"),
        ],
        smd=True,
    )
    anova, kw = res.rows
    # oneway.test(age ~ ecog, var.equal = TRUE) and kruskal.test(age, ecog)
    ref = K["lung_age_by_ecog"]
    assert anova.test is not None and anova.test.p_value == pytest.approx(ref["anova"]["p_value"])
    assert kw.test is not None and kw.test.p_value == pytest.approx(ref["kruskal"]["p_value"])
    # three groups: no SMD, and one note for the table instead of one per row
    assert anova.smd is None and kw.smd is None and not anova.notes and not kw.notes
    assert not res.smd
    assert res.notes == (
        "SMD not shown: it compares two groups, and there are 3; see the p-values",
    )
    footnotes = baseline_table_to_table(res).footnotes
    assert sum("SMD" in f for f in footnotes) == 1


def _edge_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["A"] * 6 + ["B"] * 5,
            "only_a": ["x", "y", "x", "y", "x", "z", "x", "y", "x", "y", "x"],
            "gone_in_b": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None, None, None, None, None],
            "constant": ["Yes"] * 11,
            "two_values": [1, 2, 1, 2, 2, 1, 1, 1, 2, 1, 1],
            "const_num": [3.0] * 11,
            "cat_gone": ["u", "v", "u", None, "v", "u", None, None, None, None, None],
            "blank": ["", "p", "q", "p", "q", "p", "q", "p", "q", " ", "p"],
        }
    )


def test_edge_cases_give_rows_and_notes() -> None:
    variables = [
        BaselineVariable(column="only_a", label="Only A", kind="categorical", levels=("x", "y")),
        BaselineVariable(column="gone_in_b", label="Gone in B", kind="normal"),
        BaselineVariable(column="constant", label="Constant", kind="categorical"),
        BaselineVariable(column="two_values", label="Two values", kind="skewed"),
        BaselineVariable(column="const_num", label="Constant number", kind="normal"),
        BaselineVariable(column="cat_gone", label="Category gone in B", kind="categorical"),
        BaselineVariable(column="blank", label="Blank is missing", kind="categorical"),
    ]
    res = baseline_table(_edge_frame(), "group", ["A", "B"], variables, smd=True)
    only_a, gone, const, two, const_num, cat_gone, blank = res.rows
    assert [lev.level for lev in only_a.levels] == ["x", "y", "z"]
    assert any("not in the listed levels" in n for n in only_a.notes)
    assert "level 'z' occurs only in A" in only_a.notes and only_a.test is not None
    assert gone.test is None and "no test: no non-missing value in B" in gone.notes
    assert gone.summaries[1].mean is None and gone.missing == (0, 5, 5)
    assert const.test is None and "no test: constant (a single observed level)" in const.notes
    assert two.test is not None and any("two distinct values" in n for n in two.notes)
    assert const_num.test is None and "no test: constant" in const_num.notes
    assert const_num.smd == 0.0
    assert cat_gone.test is None and cat_gone.smd is None
    assert blank.missing == (1, 1, 2) and blank.test is not None
    frame = res.to_frame()
    assert list(frame.columns) == [
        "variable", "label", "kind", "level", "group", "n", "missing", "count", "percent",
        "mean", "sd", "median", "q1", "q3", "test", "method", "statistic", "p_value", "smd",
        "reason", "notes",
    ]  # fmt: skip
    x_a = frame[(frame.variable == "only_a") & (frame.level == "x") & (frame.group == "A")]
    assert x_a["percent"].iloc[0] == pytest.approx(100 * 3 / 6)
    assert set(frame.group) == {"A", "B", "Overall"}
    assert res.to_dict()["rows"][1]["test"] is None


def test_input_errors() -> None:
    frame = _edge_frame()
    with pytest.raises(InputError, match="'C'"):
        baseline_table(frame.assign(group=["C"] + ["A"] * 10), "group", ["A", "B"], [])
    with pytest.raises(InputError, match="nope"):
        baseline_table(
            frame, "group", ["A", "B"], [BaselineVariable(column="nope", label="N", kind="normal")]
        )
    with pytest.raises(InputError, match="'oops'"):
        baseline_table(
            frame.assign(only_a=["oops"] + [1.0] * 10),
            "group",
            ["A", "B"],
            [BaselineVariable(column="only_a", label="x", kind="normal")],
        )
    with pytest.raises(ValidationError, match="kind"):
        BaselineVariable(column="a", label="b", kind="ordinal")  # type: ignore[arg-type]


def test_template_like_table_student_age() -> None:
    rng = np.random.default_rng(11)
    a = rng.normal(size=66)
    b = rng.normal(size=34)
    frame = pd.DataFrame(
        {
            "group": ["First-line"] * 66 + ["Post-ate-beva"] * 34,
            "age": np.concatenate(
                [
                    (a - a.mean()) / a.std(ddof=1) * 11.19 + 65.79,
                    (b - b.mean()) / b.std(ddof=1) * 13.46 + 62.12,
                ]
            ),
        }
    )
    res = baseline_table(frame, "group", ["First-line", "Post-ate-beva"],
                         [BaselineVariable(column="age", label="Age", kind="normal")])  # fmt: skip
    test = res.rows[0].test
    assert test is not None and round(test.p_value, 3) == 0.151


def test_notes_and_tests_used(lung: pd.DataFrame) -> None:
    variables = [
        BaselineVariable(column="age", label="Age", kind="normal"),
        BaselineVariable(column="ph.ecog", label="ECOG", kind="categorical"),
        BaselineVariable(column="age", label="Age (skewed)", kind="skewed"),
    ]
    res = baseline_table(lung, "sex", ["1", "2"], variables)
    assert res.tests_used() == ("Fisher's exact test", "Student's t-test", "Wilcoxon rank-sum test")
    assert "ECOG: level '3' occurs only in 1" in res.notes


def test_levels_follow_a_categorical_columns_own_order() -> None:
    # derived cut-point variables are ordered Categoricals ("≤10 cm" < ">10 cm"); without listed
    # levels, Table 1 keeps that order (not the sorted one, which would put ">10 cm" first) and
    # leaves out categories nobody has
    values = pd.Categorical(
        ["≤10 cm", ">10 cm", "≤10 cm", "≤10 cm", ">10 cm", "≤10 cm"],
        categories=["≤10 cm", ">10 cm", "unused"],
        ordered=True,
    )
    frame = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "b"], "size": values})
    table = baseline_table(
        frame, "g", ("a", "b"), [BaselineVariable(column="size", label="Size", kind="categorical")]
    )
    assert [lv.level for lv in table.rows[0].levels] == ["≤10 cm", ">10 cm"]


def test_many_level_variable_gets_a_noted_monte_carlo_fisher() -> None:
    # issue 15: a numeric lab value read as categorical (14 levels, sparse) would send Fisher's
    # exact test through a huge network; past fisher_max_levels the p-value is the seeded Monte
    # Carlo one, and the row's note (a Table 1 footnote) says so
    from hccsurv.present.tables.baseline import baseline_table_to_table

    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {"arm": np.repeat(["A", "B"], 40), "alb": rng.integers(30, 44, 80).astype(str)}
    )
    var = [BaselineVariable(column="alb", label="Albumin", kind="categorical")]
    table = baseline_table(frame, "arm", ["A", "B"], var)
    row = table.rows[0]
    assert row.test is not None and row.test.replicates == 2000
    assert any("levels > fisher_max_levels = 10" in n for n in row.notes)
    footnotes = baseline_table_to_table(table).footnotes
    assert any(
        f.startswith("Albumin: Fisher's exact test with simulated p-value") for f in footnotes
    )
    exact = baseline_table(frame, "arm", ["A", "B"], var, fisher_max_levels=None)
    assert exact.rows[0].test is not None and exact.rows[0].test.replicates is None
