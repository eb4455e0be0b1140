"""Baseline characteristics by group ("Table 1") with the test behind every p-value.

Per variable: summaries per group and overall, the count of missing values, the between-group
test chosen for its kind and the number of groups, and why; optionally the standardized mean
difference.

=============  ==========================  ================================================
kind           summary                     test (2 groups / k groups)
=============  ==========================  ================================================
categorical    n (%) per level             Pearson chi-square or Fisher exact (2 x k, r x c),
                                           chosen from the expected counts
normal         mean ± SD                   Student t (or Welch) / one-way ANOVA
skewed         median [IQR], R type 7      Wilcoxon rank-sum / Kruskal-Wallis
=============  ==========================  ================================================

Percentages are of the non-missing values of the group. Edge cases give a row and a note, never a
blank: a variable absent in one group or constant has no test; a level seen in one group only,
or a continuous variable with two distinct values, is pointed out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hccsurv.config import BaselineVariable
from hccsurv.core._result import Result
from hccsurv.core.group_tests import (
    ChoiceRule,
    TestResult,
    contingency_test,
    kruskal_wallis,
    oneway_anova,
    t_test,
    wilcoxon_rank_sum,
)
from hccsurv.core.smd import smd_categorical, smd_continuous
from hccsurv.errors import InputError

TTest = Literal["student", "welch"]
OVERALL = "Overall"


@dataclass(frozen=True)
class LevelCounts:
    """Counts of one categorical level: per group (in group order) and overall."""

    level: str
    counts: tuple[int, ...]
    overall: int


@dataclass(frozen=True)
class ContinuousSummary:
    """Summary of a continuous variable in one group (``None`` when the group has no value)."""

    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class BaselineRow:
    """Everything the table shows for one variable.

    ``n`` and ``missing`` are per group (group order) followed by overall; ``levels`` is filled
    for categorical variables and ``summaries`` (per group, then overall) for continuous ones.
    ``test`` is ``None`` when no test was possible; ``notes`` say why.
    """

    variable: BaselineVariable
    n: tuple[int, ...]
    missing: tuple[int, ...]
    levels: tuple[LevelCounts, ...]
    summaries: tuple[ContinuousSummary, ...]
    test: TestResult | None
    smd: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class BaselineTable(Result):
    """The baseline table's numbers; see :func:`baseline_table`."""

    group_col: str
    groups: tuple[str, ...]
    group_n: tuple[int, ...]
    rows: tuple[BaselineRow, ...]
    categorical_rule: str
    t_test: str
    smd: bool
    # why SMDs were asked for but not computed (three or more groups): one note, not one per row
    smd_note: str | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        """Every variable's notes as ``"<label>: <note>"``, after the table's SMD note."""
        rows = tuple(f"{r.variable.label}: {n}" for r in self.rows for n in r.notes)
        return rows if self.smd_note is None else (self.smd_note, *rows)

    def tests_used(self) -> tuple[str, ...]:
        """Reader names of the tests behind the p-values, sorted, each once."""
        return tuple(sorted({r.test.name for r in self.rows if r.test is not None}))

    @property
    def n_total(self) -> int:
        """Number of patients in the table."""
        return sum(self.group_n)

    def to_frame(self) -> pd.DataFrame:
        """Tidy, unrounded: one row per variable, level (``""`` for continuous) and group.

        Columns: ``variable, label, kind, level, group, n, missing, count, percent, mean, sd,
        median, q1, q3, test, method, statistic, p_value, smd, reason, notes``; the group
        ``"Overall"`` holds all patients. Test columns repeat on every row of the variable.
        """
        records: list[dict[str, object]] = []
        names = (*self.groups, OVERALL)
        for row in self.rows:
            v = row.variable
            test = row.test
            common = {
                "variable": v.column,
                "label": v.label,
                "kind": v.kind,
                "test": test.test if test else None,
                "method": test.method if test else None,
                "statistic": test.statistic if test else None,
                "p_value": test.p_value if test else None,
                "smd": row.smd,
                "reason": test.reason if test else None,
                "notes": "; ".join(row.notes),
            }
            empty = dict.fromkeys(("mean", "sd", "median", "q1", "q3"))
            for g, name in enumerate(names):
                base = {"group": name, "n": row.n[g], "missing": row.missing[g]}
                if v.kind == "categorical":
                    for lev in row.levels:
                        count = lev.counts[g] if g < len(self.groups) else lev.overall
                        pct = 100.0 * count / row.n[g] if row.n[g] > 0 else None
                        records.append(
                            {
                                **common,
                                "level": lev.level,
                                **base,
                                "count": count,
                                "percent": pct,
                                **empty,
                            }
                        )
                else:
                    s = row.summaries[g]
                    records.append(
                        {
                            **common,
                            "level": "",
                            **base,
                            "count": None,
                            "percent": None,
                            "mean": s.mean,
                            "sd": s.sd,
                            "median": s.median,
                            "q1": s.q1,
                            "q3": s.q3,
                        }
                    )
        columns = [
            "variable", "label", "kind", "level", "group", "n", "missing", "count", "percent",
            "mean", "sd", "median", "q1", "q3", "test", "method", "statistic", "p_value", "smd",
            "reason", "notes",
        ]  # fmt: skip
        return pd.DataFrame.from_records(records, columns=columns)


def _summarise(x: NDArray[np.float64]) -> ContinuousSummary:
    if x.size == 0:
        return ContinuousSummary(0, None, None, None, None, None, None, None)
    q1, med, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75]))  # R type 7
    sd = float(x.std(ddof=1)) if x.size > 1 else None
    return ContinuousSummary(
        int(x.size), float(x.mean()), sd, med, q1, q3, float(x.min()), float(x.max())
    )


def _numeric(series: pd.Series, column: str) -> pd.Series:
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        idx = bad[bad].index[0]
        raise InputError(
            f"row {idx!r}, column {column!r}: value {series.loc[idx]!r} is not a number; fix it "
            "or declare the variable kind='categorical'"
        )
    return converted.astype(float)


def _as_text(value: object) -> str | None:
    """A level as text: missing and blank give ``None``, integral floats lose ``.0``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _categorical(series: pd.Series) -> pd.Series:
    return series.astype(object).map(_as_text)


def _fail_note(exc: InputError) -> str:
    return f"no test: {exc}"


def _categorical_row(
    v: BaselineVariable,
    values: pd.Series,
    groups: pd.Series,
    order: tuple[str, ...],
    rule: ChoiceRule,
    want_smd: bool,
    fisher_max_levels: int | None,
) -> BaselineRow:
    text = _categorical(values)
    observed_text = set(text.dropna().unique())
    if isinstance(values.dtype, pd.CategoricalDtype):
        # a categorical column carries its own order (e.g. derived "≤10 cm" < ">10 cm")
        ordered = [_as_text(c) for c in values.cat.categories]
        present = [c for c in ordered if c is not None and c in observed_text]
    else:
        present = sorted(observed_text)
    notes: list[str] = []
    listed = list(v.levels) if v.levels is not None else []
    extra = [s for s in present if s not in listed]
    if v.levels is not None and extra:
        notes.append(f"values not in the listed levels, shown last: {', '.join(extra)}")
    levels = listed + extra if v.levels is not None else present
    counts = np.array(
        [[int(((text == lev) & (groups == g)).sum()) for g in order] for lev in levels],
        dtype=np.int64,
    ).reshape(len(levels), len(order))
    n = tuple(int((text.notna() & (groups == g)).sum()) for g in order)
    missing = tuple(int((text.isna() & (groups == g)).sum()) for g in order)
    level_rows = tuple(
        LevelCounts(lev, tuple(int(c) for c in counts[i]), int(counts[i].sum()))
        for i, lev in enumerate(levels)
    )
    for i, lev in enumerate(levels):
        seen = [order[g] for g in range(len(order)) if counts[i, g] > 0]
        if len(seen) == 1 and len(order) > 1:
            notes.append(f"level {lev!r} occurs only in {seen[0]}")
    test: TestResult | None = None
    empty_groups = [order[g] for g in range(len(order)) if n[g] == 0]
    observed = [lev for i, lev in enumerate(levels) if counts[i].sum() > 0]
    if empty_groups:
        notes.append(f"no test: no non-missing value in {', '.join(empty_groups)}")
    elif len(observed) < 2:
        notes.append("no test: constant (a single observed level)")
    else:
        try:
            test = contingency_test(counts, rule=rule, fisher_max_levels=fisher_max_levels)
        except InputError as exc:
            notes.append(_fail_note(exc))
        if test is not None and test.replicates is not None:
            notes.append(f"Fisher's exact test with simulated p-value: {test.reason}")
    smd_value = None
    if want_smd:
        smd_value, note = _smd_categorical(text, groups, order, levels)
        if note:
            notes.append(note)
    return BaselineRow(
        v,
        (*n, sum(n)),
        (*missing, sum(missing)),
        level_rows,
        (),
        test,
        smd_value,
        tuple(notes),
    )


def _smd_categorical(
    text: pd.Series, groups: pd.Series, order: tuple[str, ...], levels: list[str]
) -> tuple[float | None, str | None]:
    # two groups: baseline_table asks for SMDs only then
    a = text[(groups == order[1]) & text.notna()].to_numpy(dtype=object)
    b = text[(groups == order[0]) & text.notna()].to_numpy(dtype=object)
    if a.size == 0 or b.size == 0 or len(levels) < 2:
        return None, "SMD not estimable (a group has no value or a single level)"
    return smd_categorical(a, b, levels), None


def _continuous_row(
    v: BaselineVariable,
    values: pd.Series,
    groups: pd.Series,
    order: tuple[str, ...],
    t_kind: TTest,
    want_smd: bool,
) -> BaselineRow:
    x = _numeric(values, v.column)
    samples = [x[(groups == g) & x.notna()].to_numpy(dtype=float) for g in order]
    everything = x[x.notna()].to_numpy(dtype=float)
    missing = tuple(int((x.isna() & (groups == g)).sum()) for g in order)
    n = tuple(s.size for s in samples)
    notes: list[str] = []
    distinct = np.unique(everything).size
    test: TestResult | None = None
    empty_groups = [order[g] for g, s in enumerate(samples) if s.size == 0]
    if empty_groups:
        notes.append(f"no test: no non-missing value in {', '.join(empty_groups)}")
    elif distinct < 2:
        notes.append("no test: constant")
    else:
        if distinct == 2:
            notes.append("only two distinct values; consider kind='categorical'")
        try:
            if v.kind == "normal":
                if len(order) == 2:
                    test = t_test(samples[0], samples[1], var_equal=t_kind == "student")
                else:
                    test = oneway_anova(samples)
            elif len(order) == 2:
                test = wilcoxon_rank_sum(samples[0], samples[1])
            else:
                test = kruskal_wallis(samples)
        except InputError as exc:
            notes.append(_fail_note(exc))
        if test is not None:
            family = "normal" if v.kind == "normal" else "skewed"
            why = f"{family} variable, {len(order)} groups"
            if v.kind == "normal" and len(order) == 2:
                why += ", equal variances assumed" if t_kind == "student" else ", Welch"
            test = replace(test, reason=why if test.reason is None else f"{why}; {test.reason}")
    smd_value = None
    if want_smd:
        if samples[0].size and samples[1].size:
            smd_value = smd_continuous(samples[1], samples[0])
        else:
            notes.append("SMD not estimable (a group has no value)")
    summaries = (*(_summarise(s) for s in samples), _summarise(everything))
    return BaselineRow(
        v, (*n, sum(n)), (*missing, sum(missing)), (), summaries, test, smd_value, tuple(notes)
    )


def baseline_table(
    frame: pd.DataFrame,
    group_col: str,
    group_order: Sequence[str],
    variables: Sequence[BaselineVariable],
    *,
    categorical_rule: ChoiceRule = "any_expected_lt_5",
    t_test: TTest = "student",
    smd: bool = False,
    fisher_max_levels: int | None = 10,
) -> BaselineTable:
    """Summaries and between-group tests of baseline variables.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per patient.
    group_col : str
        Column holding the group; every value must be one of ``group_order``.
    group_order : sequence of str
        Display order of the groups (the first is the reference; SMD is second minus first).
    variables : sequence of BaselineVariable
    categorical_rule : {"any_expected_lt_5", "cochran"}
        When Fisher's exact test replaces Pearson's chi-square
        (:func:`hccsurv.core.group_tests.choose_contingency_test`). Pearson is uncorrected.
    t_test : {"student", "welch"}
        Two-group test of ``"normal"`` variables. Student is the template study's test. With
        more than two groups, one-way ANOVA (equal variances) is used either way.
    smd : bool
        Add standardized mean differences (two groups; with more, none, and one ``smd_note``
        instead of a note per row; :mod:`hccsurv.core.smd`).
    fisher_max_levels : int or None
        A categorical variable with more observed levels than this that the rule sends to
        Fisher's test gets the seeded Monte Carlo p-value (R ``simulate.p.value = TRUE``,
        B = 2000) instead of the exact one, and a note says so (such a variable is often a
        numeric value read as categorical). ``None``: always exact, within the workspace of
        :func:`hccsurv.core.group_tests.fisher_exact` (past it the same fallback, also noted).

    Returns
    -------
    BaselineTable
    """
    order = tuple(str(g) for g in group_order)
    if len(order) < 2 or len(set(order)) != len(order):
        raise InputError(f"group_order {list(order)!r}: give at least two distinct groups")
    if t_test not in ("student", "welch"):
        raise InputError(f"t_test is {t_test!r}; use 'student' or 'welch'")
    if categorical_rule not in ("any_expected_lt_5", "cochran"):
        raise InputError(
            f"categorical_rule is {categorical_rule!r}; use 'any_expected_lt_5' or 'cochran'"
        )
    missing_cols = [c for c in [group_col, *(v.column for v in variables)] if c not in frame]
    if missing_cols:
        raise InputError(
            f"columns {missing_cols} are not in the frame; available: {list(frame.columns)}"
        )
    groups = frame[group_col].astype(object).map(_as_text)
    bad = ~groups.isin(order)
    if bad.any():
        idx = bad[bad].index[0]
        raise InputError(
            f"row {idx!r}, column {group_col!r}: group {frame[group_col].loc[idx]!r} is not one "
            f"of {list(order)}; fix the value or add it to group_order"
        )
    smd_note = None
    if smd and len(order) != 2:
        smd_note = (
            f"SMD not shown: it compares two groups, and there are {len(order)}; see the p-values"
        )
        smd = False
    rows = tuple(
        _categorical_row(
            v, frame[v.column], groups, order, categorical_rule, smd, fisher_max_levels
        )
        if v.kind == "categorical"
        else _continuous_row(v, frame[v.column], groups, order, t_test, smd)
        for v in variables
    )
    group_n = tuple(int((groups == g).sum()) for g in order)
    return BaselineTable(
        group_col, order, group_n, rows, categorical_rule, t_test, smd, smd_note=smd_note
    )
