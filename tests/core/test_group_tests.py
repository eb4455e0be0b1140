"""hccsurv.core.group_tests against R 4.2.2 (tests/reference/group_tests.json, made by
validation/r/group_tests.R) and against hand-derived values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from conftest import load_reference
from hccsurv.core.group_tests import (
    TestResult,
    chisq_test,
    choose_contingency_test,
    contingency_test,
    expected_counts,
    fisher_exact,
    kruskal_wallis,
    oneway_anova,
    t_test,
    wilcoxon_rank_sum,
)
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("group_tests")
RTOL = 1e-6
CONTINGENCY = {c["name"]: c for c in REF["contingency"]}


def _match(res: TestResult, ref: dict[str, Any], *, rtol: float = RTOL) -> None:
    assert res.method == ref["method"]
    assert res.p_value == pytest.approx(ref["p_value"], rel=rtol, abs=1e-14)
    if ref["statistic"] is not None:
        assert res.statistic == pytest.approx(ref["statistic"], rel=rtol)
    assert list(res.parameter) == pytest.approx(ref["parameter"], rel=rtol)


@pytest.mark.parametrize("case", REF["contingency"], ids=lambda c: c["name"])
def test_chisq_matches_r(case: dict[str, Any]) -> None:
    # chisq.test(m, correct = FALSE) and chisq.test(m, correct = TRUE)
    plain = chisq_test(case["table"])
    _match(plain, case["chisq_uncorrected"])
    assert np.allclose(plain.expected, case["chisq_expected"], rtol=RTOL)
    _match(chisq_test(case["table"], correct=True), case["chisq_corrected"])


@pytest.mark.parametrize("case", REF["contingency"], ids=lambda c: c["name"])
def test_fisher_matches_r(case: dict[str, Any]) -> None:
    # fisher.test(m): exact p; 2 x 2 also the conditional MLE odds ratio and its 95 % CI
    res = fisher_exact(case["table"])
    ref = case["fisher"]
    _match(res, ref)
    if ref["estimate"] is None:
        assert res.estimate is None and res.conf_int is None
        return
    if ref["estimate"] == "Inf":  # jsonlite writes R's Inf as the string "Inf"
        assert res.estimate == math.inf
    else:
        assert res.estimate == pytest.approx(ref["estimate"], rel=RTOL, abs=1e-12)
    assert res.conf_int is not None
    for got, want in zip(res.conf_int, ref["conf_int"], strict=True):
        if want is None:  # R's Inf
            assert got == math.inf
        else:
            assert got == pytest.approx(want, rel=RTOL, abs=1e-12)


def test_fisher_lung_sex_by_ecog_is_exact() -> None:
    # fisher.test(table(lung$sex, lung$ph.ecog)) -> 0.82251 (scipy's r x c is Monte Carlo)
    res = fisher_exact(CONTINGENCY["lung_sex_ecog"]["table"])
    assert res.p_value == pytest.approx(0.8225102, rel=1e-6)
    assert res.estimate is None


def test_fisher_full_table_edges() -> None:
    # x at the top of its support: MLE odds ratio Inf, upper limit Inf (R's Inf; "Inf" in JSON)
    res = fisher_exact(CONTINGENCY["full_2x2"]["table"])
    assert res.estimate == math.inf
    assert res.conf_int is not None and res.conf_int[1] == math.inf
    assert res.to_dict()["estimate"] == "Inf" and res.to_dict()["conf_int"][1] == "Inf"
    # x at the bottom: odds ratio 0, lower limit 0
    low = fisher_exact(CONTINGENCY["zero_2x2"]["table"])
    assert low.estimate == 0.0
    assert low.conf_int is not None and low.conf_int[0] == 0.0


def test_fisher_rxc_equals_brute_force_enumeration() -> None:
    # every 3 x 3 table with the margins of a sparse table, summed directly
    table = np.array([[3, 1, 0], [0, 2, 4], [1, 0, 2]])
    rows, cols = table.sum(axis=1), table.sum(axis=0)

    def logp(t: np.ndarray) -> float:
        lf = lambda v: float(np.sum([math.lgamma(x + 1) for x in np.ravel(v)]))  # noqa: E731
        return lf(rows) + lf(cols) - math.lgamma(table.sum() + 1) - lf(t)

    obs = logp(table)
    total = 0.0
    for a in range(rows[0] + 1):
        for b in range(rows[0] - a + 1):
            for c in range(rows[1] + 1):
                for d in range(rows[1] - c + 1):
                    t = np.array(
                        [
                            [a, b, rows[0] - a - b],
                            [c, d, rows[1] - c - d],
                            [cols[0] - a - c, cols[1] - b - d, 0],
                        ]
                    )
                    t[2, 2] = rows[2] - t[2, 0] - t[2, 1]
                    if (t < 0).any() or not (t.sum(axis=0) == cols).all():
                        continue
                    lp = logp(t)
                    if lp <= obs + math.log1p(1e-7):
                        total += math.exp(lp)
    assert fisher_exact(table).p_value == pytest.approx(total, rel=1e-12)


def test_fisher_rxc_ignores_empty_rows_and_transposition() -> None:
    t = np.array([[2, 0, 1, 3], [0, 0, 0, 0], [1, 4, 0, 1]])
    p = fisher_exact(t).p_value
    assert fisher_exact(t[[0, 2]]).p_value == pytest.approx(p, rel=1e-12)
    assert fisher_exact(t.T).p_value == pytest.approx(p, rel=1e-12)


def test_template_dcr_is_uncorrected_chisq() -> None:
    # STUDY.md: DCR 39/66 vs 29/34, p = 0.008 is chisq.test(correct = FALSE): 0.0078
    res = chisq_test([[39, 29], [27, 5]])
    assert round(res.p_value, 4) == 0.0078
    assert res.p_value == pytest.approx(CONTINGENCY["paper_dcr"]["chisq_uncorrected"]["p_value"])


def test_choice_rules() -> None:
    # lung sex x ph.ecog: min expected 0.40, 25 % of cells < 5 -> Fisher under both rules
    e = expected_counts(CONTINGENCY["lung_sex_ecog"]["table"])
    for rule in ("any_expected_lt_5", "cochran"):
        use, why = choose_contingency_test(e, rule)  # type: ignore[arg-type]
        assert use and why.startswith("Fisher")
    # 1 of 6 cells < 5 (17 %), none < 1: Pearson by Cochran, Fisher by "any < 5"
    e2 = np.array([[4.5, 10, 10], [10, 10, 10]])
    assert choose_contingency_test(e2, "cochran")[0] is False
    assert choose_contingency_test(e2, "any_expected_lt_5")[0] is True
    with pytest.raises(InputError, match="rule"):
        choose_contingency_test(e2, "never")  # type: ignore[arg-type]


def test_contingency_test_names_test_and_reason() -> None:
    dcr = contingency_test([[39, 29], [27, 5]])
    assert dcr.test == "pearson_chisq" and dcr.reason is not None
    assert dcr.reason.startswith("Pearson: all expected counts >= 5")
    sparse = contingency_test([[3, 7], [9, 2]])
    assert sparse.test == "fisher_exact"
    assert sparse.reason is not None and "expected counts < 5" in sparse.reason
    # an empty level is dropped, not tested
    dropped = contingency_test([[3, 0, 7], [9, 0, 2]])
    assert dropped.p_value == pytest.approx(sparse.p_value)


@pytest.mark.parametrize("case", REF["two_sample"], ids=lambda c: c["name"])
def test_two_sample_matches_r(case: dict[str, Any]) -> None:
    # t.test(x, y, var.equal = TRUE / FALSE); wilcox.test(x, y) and (correct = FALSE)
    _match(t_test(case["x"], case["y"]), case["student"])
    _match(t_test(case["x"], case["y"], var_equal=False), case["welch"])
    _match(wilcoxon_rank_sum(case["x"], case["y"]), case["wilcox"])
    _match(wilcoxon_rank_sum(case["x"], case["y"], correct=False), case["wilcox_uncorrected"])


def test_wilcoxon_reason() -> None:
    exact = wilcoxon_rank_sum([1.0, 2.0, 5.0], [3.0, 4.0, 6.0, 7.0])
    assert exact.method == "Wilcoxon rank sum exact test"
    assert exact.reason is not None and exact.reason.startswith("exact")
    tied = wilcoxon_rank_sum([1.0, 2.0, 2.0], [3.0, 4.0, 6.0])
    assert tied.reason is not None and "ties" in tied.reason
    # exact null distribution agrees with scipy's Mann-Whitney exact method
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=12), rng.normal(0.8, size=15)
    ours = wilcoxon_rank_sum(x, y).p_value
    assert ours == pytest.approx(stats.mannwhitneyu(x, y, method="exact").pvalue, rel=1e-10)


@pytest.mark.parametrize("case", REF["k_sample"], ids=lambda c: c["name"])
def test_k_sample_matches_r(case: dict[str, Any]) -> None:
    # oneway.test(values ~ group, var.equal = TRUE); kruskal.test(values, group)
    _match(oneway_anova(case["groups"]), case["anova"])
    _match(kruskal_wallis(case["groups"]), case["kruskal"])


def test_template_age_p_is_student() -> None:
    # STUDY.md: age 65.79 ± 11.19 (n 66) vs 62.12 ± 13.46 (n 34) gives p 0.151 (Welch 0.178)
    student = stats.ttest_ind_from_stats(65.79, 11.19, 66, 62.12, 13.46, 34, equal_var=True)
    assert round(float(student.pvalue), 3) == 0.151
    rng = np.random.default_rng(0)
    a = rng.normal(size=66)
    b = rng.normal(size=34)
    a = (a - a.mean()) / a.std(ddof=1) * 11.19 + 65.79
    b = (b - b.mean()) / b.std(ddof=1) * 13.46 + 62.12
    assert round(t_test(a, b).p_value, 3) == 0.151
    assert round(t_test(a, b, var_equal=False).p_value, 3) == 0.178


def test_input_errors_name_the_problem() -> None:
    with pytest.raises(InputError, match=r"cell \[0, 1\]"):
        chisq_test([[1, -2], [3, 4]])
    with pytest.raises(InputError, match="at least 2 rows"):
        fisher_exact([[1, 2, 3]])
    with pytest.raises(InputError, match=r"x\[1\]"):
        t_test([1.0, float("nan")], [2.0, 3.0])
    with pytest.raises(InputError, match="sums to zero"):
        chisq_test([[1, 0], [2, 0]])
    with pytest.raises(InputError, match="constant"):
        t_test([1.0, 1.0], [1.0, 1.0])


def test_result_exports() -> None:
    res = fisher_exact([[7, 0], [3, 9]])
    frame = res.to_frame()
    assert list(frame.columns) == list(chisq_test([[7, 1], [3, 9]]).to_frame().columns)
    d = res.to_dict()
    assert d["conf_int"][1] == "Inf" and d["test"] == "fisher_exact"
    assert oneway_anova([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0]]).to_frame()["df2"].iloc[0] == 4.0


def test_fisher_large_2x6_is_exact_where_r_approximates() -> None:
    # Independent brute force over every 2 x 6 table with these margins (about 1e9 tables,
    # float64 sums; total mass 1 - 2e-13): p = 0.4421053543238768. R 4.2.2 fisher.test(m,
    # workspace = 2e8) prints 0.44211402670558, 2e-5 too high: FEXACT merges past
    # probabilities within a tolerance on tables this size. hccsurv enumerates exactly.
    table = [[44, 27, 38, 42, 23, 26], [35, 25, 41, 41, 18, 40]]
    assert fisher_exact(table).p_value == pytest.approx(0.4421053543238768, rel=1e-10)


def test_fisher_rxc_past_workspace_falls_back_to_seeded_monte_carlo() -> None:
    # issue 15: past the workspace the exact enumeration stops before allocating and the
    # p-value is R's simulate.p.value one, marked in method, replicates and reason
    t = np.array([[100, 20, 30], [10, 120, 40], [30, 30, 120]])
    res = fisher_exact(t, workspace=10**5, replicates=500, seed=3)
    assert res.replicates == 500
    assert "simulated p-value" in res.method and "500 replicates" in res.method
    assert res.reason is not None and "workspace = 100000" in res.reason
    assert res.p_value == pytest.approx(1 / 501)  # no draw is as extreme as p ~ 1e-56
    assert res.to_dict()["replicates"] == 500
    again = fisher_exact(t, workspace=10**5, replicates=500, seed=3)
    assert again.p_value == res.p_value


def test_fisher_simulated_p_agrees_with_exact_in_law() -> None:
    t = np.array([[3, 1, 2], [1, 4, 2], [2, 2, 5]])
    exact = fisher_exact(t)
    assert exact.replicates is None and exact.reason is None
    sim = fisher_exact(t, simulate_p_value=True, replicates=20000, seed=1)
    se = math.sqrt(exact.p_value * (1 - exact.p_value) / 20000)
    assert abs(sim.p_value - exact.p_value) < 4 * se
    with pytest.raises(InputError):
        fisher_exact(t, replicates=0)
