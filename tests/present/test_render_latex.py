"""LaTeX booktabs output: snapshots, rules, spans, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hccsurv.present.render.latex import latex_escape, table_to_latex
from hccsurv.present.table import Table

from ._paper_tables import cox_table, special_characters_table, survival_table, table1
from ._snapshots import assert_snapshot

TABLES = [table1, cox_table, survival_table, special_characters_table]


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_latex_snapshot(make: Callable[[], Table]) -> None:
    table = make()
    assert_snapshot(table_to_latex(table), f"{table.id}.tex")


@pytest.mark.parametrize("make", TABLES, ids=lambda f: f.__name__)
def test_latex_structure(make: Callable[[], Table]) -> None:
    table = make()
    text = table_to_latex(table)
    assert _braces_balanced(text)
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert text.count(rule) == 1
    assert r"\vline" not in text and "|" not in text.split(r"\begin{tabular}")[1].split("}")[0]
    assert text.count(r"\begin{table}") == text.count(r"\end{table}") == 1
    assert rf"\label{{tab:{table.id}}}" in text


def test_latex_cox_spans() -> None:
    text = table_to_latex(cox_table())
    assert r" & \multicolumn{2}{c}{Univariate} & \multicolumn{2}{c}{Multivariable} \\" in text
    assert r"\cmidrule(lr){2-3} \cmidrule(lr){4-5}" in text
    assert r"\multicolumn{5}{@{}l}{\textit{Overall survival}} \\" in text
    assert r"\hspace{1em}First-line & Ref. &  & Ref. &  \\" in text
    assert r"\textbf{Group} &  &  &  &  \\" in text
    assert r"\begin{tabular}{@{}lcccc@{}}" in text


def test_latex_table1_groups_and_line_breaks() -> None:
    text = table_to_latex(table1())
    assert r"\cmidrule(lr){2-3}" in text
    assert r"\cmidrule(lr){1-1}" not in text  # unlabelled spans get no rule
    assert r"\begin{tabular}[b]{@{}c@{}}First-line \\ (n = 66)\end{tabular}" in text
    assert r"65.79 \ensuremath{\pm} 11.19" in text
    assert r"410 [120--2311]" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("50%", r"50\%"),
        ("a & b", r"a \& b"),
        ("$5", r"\$5"),
        ("#1", r"\#1"),
        ("a_b", r"a\_b"),
        ("{x}", r"\{x\}"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("\\", r"\textbackslash{}"),
        ("<0.001", r"\textless{}0.001"),
        (">0.999", r"\textgreater{}0.999"),
        ("|", r"\textbar{}"),
        ("±", r"\ensuremath{\pm}"),
        ("1–3", "1--3"),
        ("≥ 1", r"\ensuremath{\geq} 1"),
        ("≤", r"\ensuremath{\leq}"),
        ("χ²", r"\ensuremath{\chi}\textsuperscript{2}"),
        ("−1", r"\ensuremath{-}1"),
        ("é", "é"),  # other UTF-8 passes through
    ],
)
def test_latex_escape(raw: str, escaped: str) -> None:
    assert latex_escape(raw) == escaped


def test_latex_special_table_is_ascii() -> None:
    text = table_to_latex(special_characters_table())
    assert text.isascii()
    assert r"\textless{}script\textgreater{}" in text
    assert r"\hspace{2em}\textbf{\ensuremath{\geq} 10 cm" in text
