"""Best overall response by group: counts, ORR and DCR with exact CIs, and between-group tests.

ORR = (CR + PR) / denominator and DCR = (CR + PR + SD) / denominator (the template's
definitions). The denominator is every treated patient by default, non-evaluable patients (NE,
or no recorded response) counting as non-responders (HCC_REFERENCE §1.8);
``denominator="evaluable_only"`` drops NE from numerator and denominator alike. Each rate carries
its Clopper-Pearson 95 % CI (R ``binom.test``) and the groups are compared with Pearson's
chi-square (uncorrected, as the template) or Fisher's exact test, chosen from the expected counts;
the test's name travels with the p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.group_tests import ChoiceRule, TestResult, contingency_test
from hccsurv.core.proportion import Proportion, clopper_pearson
from hccsurv.errors import InputError

RESPONSE_CATEGORIES = ("CR", "PR", "SD", "PD", "NE")
Denominator = Literal["all_treated", "evaluable_only"]
_RATES = {"ORR": ("CR", "PR"), "DCR": ("CR", "PR", "SD")}


@dataclass(frozen=True)
class ResponseRate:
    """One rate (``ORR`` or ``DCR``): per group, overall, and the between-group test."""

    name: str
    categories: tuple[str, ...]
    by_group: tuple[Proportion, ...]
    overall: Proportion
    test: TestResult | None
    note: str | None


@dataclass(frozen=True)
class ResponseSummary(Result):
    """Response counts and rates by group; see :func:`response_summary`."""

    groups: tuple[str, ...]
    categories: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    """``counts[g][c]``: patients of group ``g`` whose best response is ``categories[c]``."""
    denominators: tuple[int, ...]
    denominator: str
    orr: ResponseRate
    dcr: ResponseRate
    distribution_test: TestResult | None
    conf_level: float
    notes: tuple[str, ...]

    @property
    def orr_test(self) -> TestResult | None:
        """The between-group test of the ORR (``None`` when impossible; see ``orr.note``)."""
        return self.orr.test

    @property
    def dcr_test(self) -> TestResult | None:
        """The between-group test of the DCR (``None`` when impossible; see ``dcr.note``)."""
        return self.dcr.test

    def to_frame(self) -> pd.DataFrame:
        """Tidy, unrounded: one row per measure and group (``"Overall"`` for all patients).

        Columns ``measure, group, count, denominator, proportion, conf_low, conf_high, test,
        method, p_value``; measures are the categories ``CR`` … ``NE`` then ``ORR`` and ``DCR``.
        Test columns are filled on ORR/DCR rows, and on category rows for the distribution test.
        """
        records: list[dict[str, object]] = []
        names = (*self.groups, "Overall")
        totals = (*self.denominators, sum(self.denominators))
        dist = self.distribution_test
        for c, cat in enumerate(self.categories):
            per = [self.counts[g][c] for g in range(len(self.groups))]
            for g, name in enumerate(names):
                k = per[g] if g < len(self.groups) else sum(per)
                included = cat != "NE" or self.denominator == "all_treated"
                records.append(
                    {
                        "measure": cat,
                        "group": name,
                        "count": k,
                        "denominator": totals[g] if included else None,
                        "proportion": k / totals[g] if included and totals[g] else None,
                        "conf_low": None,
                        "conf_high": None,
                        "test": dist.test if dist else None,
                        "method": dist.method if dist else None,
                        "p_value": dist.p_value if dist else None,
                    }
                )
        for rate in (self.orr, self.dcr):
            for name, prop in zip(names, (*rate.by_group, rate.overall), strict=True):
                records.append(
                    {
                        "measure": rate.name,
                        "group": name,
                        "count": prop.x,
                        "denominator": prop.n,
                        "proportion": prop.estimate,
                        "conf_low": prop.conf_low,
                        "conf_high": prop.conf_high,
                        "test": rate.test.test if rate.test else None,
                        "method": rate.test.method if rate.test else None,
                        "p_value": rate.test.p_value if rate.test else None,
                    }
                )
        return pd.DataFrame.from_records(records)


def _codes(best_response: ArrayLike) -> tuple[NDArray[np.object_], int]:
    raw = pd.Series(np.asarray(best_response, dtype=object).ravel())
    blank = raw.isna() | raw.map(lambda v: isinstance(v, str) and v.strip() == "")
    text = raw.where(blank, raw.astype(str).str.strip().str.upper())
    bad = ~blank & ~text.isin(RESPONSE_CATEGORIES)
    if bad.any():
        i = int(bad[bad].index[0])
        raise InputError(
            f"best_response[{i}] is {raw.iloc[i]!r}; use one of {', '.join(RESPONSE_CATEGORIES)} "
            "(or leave it empty for no evaluable response)"
        )
    codes = text.where(~blank, "NE").to_numpy(dtype=object)
    return codes, int(blank.sum())


def _rate(
    name: str,
    codes: NDArray[np.object_],
    group: NDArray[np.object_],
    order: tuple[str, ...],
    keep: NDArray[np.bool_],
    rule: ChoiceRule,
    correct: bool,
    conf_level: float,
) -> ResponseRate:
    cats = _RATES[name]
    hit = np.isin(codes, cats) & keep
    xs = [int(np.sum(hit & (group == g))) for g in order]
    ns = [int(np.sum(keep & (group == g))) for g in order]
    props = tuple(clopper_pearson(x, n, conf_level=conf_level) for x, n in zip(xs, ns, strict=True))
    overall = clopper_pearson(sum(xs), sum(ns), conf_level=conf_level)
    table = np.array([xs, [n - x for x, n in zip(xs, ns, strict=True)]], dtype=np.int64)
    test: TestResult | None = None
    note: str | None = None
    if min(ns) == 0:
        note = "no test: a group has no patient in the denominator"
    elif table[0].sum() == 0 or table[1].sum() == 0:
        note = f"no test: {name} is {'0' if table[0].sum() == 0 else '100'}% in every group"
    else:
        test = contingency_test(table, rule=rule, correct=correct)
    return ResponseRate(name, cats, props, overall, test, note)


def response_summary(
    best_response: ArrayLike,
    group: ArrayLike,
    group_order: Sequence[str],
    *,
    denominator: Denominator = "all_treated",
    categorical_rule: ChoiceRule = "any_expected_lt_5",
    correct: bool = False,
    distribution_test: bool = False,
    conf_level: float = 0.95,
) -> ResponseSummary:
    """Best-response counts, ORR and DCR per group, with exact CIs and between-group tests.

    Parameters
    ----------
    best_response : array-like of str
        One best overall response per patient: ``CR``, ``PR``, ``SD``, ``PD`` or ``NE`` (case and
        surrounding blanks ignored). Missing or empty means no evaluable response and counts as
        ``NE`` (a note says how many).
    group : array-like
        Group of each patient; every value must be in ``group_order``.
    group_order : sequence of str
        Display order (first = reference).
    denominator : {"all_treated", "evaluable_only"}
        ``"all_treated"``: every patient, NE as non-responder. ``"evaluable_only"``: NE excluded.
    categorical_rule : {"any_expected_lt_5", "cochran"}
        Pearson versus Fisher (:func:`hccsurv.core.group_tests.choose_contingency_test`).
    correct : bool
        Yates correction of a 2 x 2 Pearson test (default ``False``, as the template).
    distribution_test : bool
        Also test the whole CR/PR/SD/PD(/NE) distribution (r x c, same rule).
    conf_level : float
        Level of the Clopper-Pearson intervals.

    Examples
    --------
    The template: first-line CR/PR/SD/PD 1/11/27/27, post-ate-beva 0/12/17/5 gives DCR 39/66
    versus 29/34, uncorrected chi-square p = 0.0078.
    """
    order = tuple(str(g) for g in group_order)
    if len(order) < 2 or len(set(order)) != len(order):
        raise InputError(f"group_order {list(order)!r}: give at least two distinct groups")
    if denominator not in ("all_treated", "evaluable_only"):
        raise InputError(f"denominator is {denominator!r}; use 'all_treated' or 'evaluable_only'")
    codes, n_blank = _codes(best_response)
    grp = np.array(
        [None if pd.isna(g) else str(g) for g in np.asarray(group, dtype=object).ravel()],
        dtype=object,
    )
    if grp.size != codes.size:
        raise InputError(
            f"best_response has {codes.size} values and group {grp.size}; pass one per patient"
        )
    bad = ~np.isin(grp, order)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"group[{i}] is {grp[i]!r}, not one of {list(order)}; fix it or extend group_order"
        )
    keep = np.ones(codes.size, dtype=bool)
    if denominator == "evaluable_only":
        keep = codes != "NE"
    notes: list[str] = []
    if n_blank:
        notes.append(f"{n_blank} patient(s) without a recorded best response counted as NE")
    n_ne = int(np.sum(codes == "NE"))
    if denominator == "evaluable_only" and n_ne:
        notes.append(f"{n_ne} non-evaluable patient(s) excluded from the denominators")
    counts = tuple(
        tuple(int(np.sum((codes == c) & (grp == g))) for c in RESPONSE_CATEGORIES) for g in order
    )
    denominators = tuple(int(np.sum(keep & (grp == g))) for g in order)
    args = (codes, grp, order, keep, categorical_rule, correct, conf_level)
    orr = _rate("ORR", *args)
    dcr = _rate("DCR", *args)
    dist: TestResult | None = None
    if distribution_test:
        cats = [c for c in RESPONSE_CATEGORIES if c != "NE" or denominator == "all_treated"]
        table = np.array(
            [[counts[g][RESPONSE_CATEGORIES.index(c)] for g in range(len(order))] for c in cats],
            dtype=np.int64,
        )
        try:
            dist = contingency_test(table, rule=categorical_rule, correct=correct)
        except InputError as exc:
            notes.append(f"no distribution test: {exc}")
    return ResponseSummary(
        groups=order,
        categories=RESPONSE_CATEGORIES,
        counts=counts,
        denominators=denominators,
        denominator=denominator,
        orr=orr,
        dcr=dcr,
        distribution_test=dist,
        conf_level=conf_level,
        notes=tuple(notes),
    )
