"""Between-group tests for baseline and response tables, with R parity.

Arrays in, one frozen :class:`TestResult` out. Each function reproduces the R call named in its
docstring (R 4.2.2 ``stats``), including R's method string, so that a table can print the test
that produced every p-value.

=========================  ===============================================================
function                   R call
=========================  ===============================================================
:func:`chisq_test`         ``chisq.test(x, correct = FALSE / TRUE)``
:func:`fisher_exact`       ``fisher.test(x)`` (2 x 2: conditional MLE odds ratio and CI;
                           r x c: exact p within a workspace, else seeded Monte Carlo)
:func:`contingency_test`   Pearson or Fisher, chosen by the expected counts
:func:`t_test`             ``t.test(x, y, var.equal = TRUE / FALSE)``
:func:`oneway_anova`       ``oneway.test(y ~ g, var.equal = TRUE)``
:func:`wilcoxon_rank_sum`  ``wilcox.test(x, y)`` (exact / normal approximation as R chooses)
:func:`kruskal_wallis`     ``kruskal.test(x, g)``
=========================  ===============================================================
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.distributions import (
    average_ranks,
    chi2_sf,
    f_sf,
    hypergeom_logpmf,
    normal_cdf,
    t_sf,
)
from hccsurv.core.fisher_rxc import REL_ERR, WorkspaceExceeded, network_p, simulated_p
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

ChoiceRule = Literal["any_expected_lt_5", "cochran"]

FISHER_WORKSPACE = 5_000_000
"""Default bound on the paths the exact r x c network may hold at once (~0.5 GB at the peak)."""
_UNIROOT_TOL = float(np.finfo(float).eps) ** 0.25  # R: uniroot's default tol
_EPS = float(np.finfo(float).eps)


_TEST_NAMES = {
    "pearson_chisq": "Pearson's chi-square test",
    "fisher_exact": "Fisher's exact test",
    "student_t": "Student's t-test",
    "welch_t": "Welch's t-test",
    "anova": "one-way ANOVA",
    "kruskal_wallis": "Kruskal-Wallis test",
}


@dataclass(frozen=True)
class TestResult(Result):
    """One hypothesis test, as R's ``htest`` reports it.

    Attributes
    ----------
    test : str
        Short key: ``pearson_chisq``, ``fisher_exact``, ``student_t``, ``welch_t``, ``anova``,
        ``wilcoxon_rank_sum`` or ``kruskal_wallis``.
    method : str
        R's ``method`` string, verbatim (e.g. ``" Two Sample t-test"`` has R's leading space).
    statistic_name : str | None
        R's name of the statistic (``X-squared``, ``t``, ``F``, ``W``,
        ``Kruskal-Wallis chi-squared``); ``None`` for Fisher's test, which has none.
    statistic : float | None
    parameter : tuple[float, ...]
        R's ``parameter``: the degrees of freedom (two for the F test), empty when none.
    p_value : float
    estimate : float | None
        The conditional MLE odds ratio of a 2 x 2 Fisher test, otherwise ``None``. As in R it
        is ``0`` when the table's top-left cell is at its minimum (a zero cell on the diagonal)
        and ``inf`` at its maximum; :meth:`to_dict` writes ``inf`` as the string ``"Inf"``
        (``$defs/ratio`` of ``results.schema.json``).
    conf_int : tuple[float, float] | None
        Its confidence interval, ``0`` and ``inf`` included as R reports them.
    conf_level : float | None
    expected : tuple[tuple[float, ...], ...] | None
        Expected counts under independence (contingency tests only).
    reason : str | None
        Why this test was chosen (contingency choice rule, exact or approximate Wilcoxon).
    n : int
        Number of observations used.
    replicates : int | None
        Monte Carlo replicates behind ``p_value`` (R's ``simulate.p.value = TRUE, B``); ``None``
        when the p-value is exact or asymptotic.
    """

    __test__ = False  # not a pytest class despite the name

    test: str
    method: str
    statistic_name: str | None
    statistic: float | None
    parameter: tuple[float, ...]
    p_value: float
    estimate: float | None = None
    conf_int: tuple[float, float] | None = None
    conf_level: float | None = None
    expected: tuple[tuple[float, ...], ...] | None = None
    reason: str | None = None
    n: int = 0
    replicates: int | None = None

    @property
    def name(self) -> str:
        """A reader's name of the test (``"Student's t-test"``, ``"Fisher's exact test"``)."""
        if self.test == "pearson_chisq" and "Yates" in self.method:
            return "Pearson's chi-square test with Yates' continuity correction"
        if self.test == "wilcoxon_rank_sum":
            return "Wilcoxon rank-sum test" + (" (exact)" if "exact" in self.method else "")
        return _TEST_NAMES.get(self.test, self.method.strip())

    @property
    def df(self) -> float | None:
        """The first degrees of freedom (``None`` when the test has none)."""
        return self.parameter[0] if self.parameter else None

    def to_dict(self) -> dict[str, Any]:
        """Every field; an infinite odds ratio or limit is the string ``"Inf"``, as R prints it."""
        out = super().to_dict()
        if self.estimate is not None:
            out["estimate"] = _ratio_json(self.estimate)
        if self.conf_int is not None:
            out["conf_int"] = [_ratio_json(v) for v in self.conf_int]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row: test, method, statistic, df, df2, p, estimate, CI, reason, n."""
        import pandas as pd

        lo, hi = self.conf_int if self.conf_int is not None else (None, None)
        row = {
            "test": self.test,
            "method": self.method,
            "statistic_name": self.statistic_name,
            "statistic": self.statistic,
            "df": self.parameter[0] if len(self.parameter) > 0 else None,
            "df2": self.parameter[1] if len(self.parameter) > 1 else None,
            "p_value": self.p_value,
            "estimate": self.estimate,
            "conf_low": lo,
            "conf_high": hi,
            "reason": self.reason,
            "n": self.n,
            "replicates": self.replicates,
        }
        return pd.DataFrame([row])


def _ratio_json(value: float) -> float | str:
    return "Inf" if value == math.inf else value


# --------------------------------------------------------------------------- input checks


def _as_table(table: ArrayLike) -> NDArray[np.int64]:
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        raise InputError(
            f"a contingency table must be 2-D with at least 2 rows and 2 columns, got shape "
            f"{arr.shape}; pass counts as rows = levels, columns = groups"
        )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            f"contingency table cell [{i}, {j}] is {float(arr[i, j])!r}; counts must be finite "
            "non-negative integers"
        )
    if arr.sum() == 0:
        raise InputError("contingency table is all zero; there is nothing to test")
    return arr.astype(np.int64)


def _as_sample(x: ArrayLike, name: str, minimum: int) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=float).ravel()
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name}[{i}] is {float(arr[i])!r}; drop missing values before testing (the table "
            "builders report them as missing counts)"
        )
    if arr.size < minimum:
        raise InputError(
            f"{name} has {arr.size} observation(s); this test needs at least {minimum}"
        )
    return arr


# --------------------------------------------------------------------------- contingency


def expected_counts(table: ArrayLike) -> NDArray[np.float64]:
    """Expected counts under independence, ``E_ij = r_i c_j / N``."""
    t = _as_table(table).astype(float)
    e: NDArray[np.float64] = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    return e


def _expected_tuple(e: NDArray[np.float64]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in e)


def chisq_test(table: ArrayLike, *, correct: bool = False) -> TestResult:
    """Pearson's chi-square test of independence, as R ``chisq.test(x, correct = correct)``.

    ``X² = Σ (|O - E| - Y)² / E`` with ``df = (r - 1)(c - 1)``, where the Yates correction
    ``Y = min(0.5, |O - E|)`` applies only to a 2 x 2 table with ``correct=True`` (R caps the
    correction at ``|O - E|``), otherwise ``Y = 0``. The default here is ``correct=False``, the
    test the template study reported (R's own default is ``TRUE``).

    Rows or columns with a zero margin make an expected count zero; R returns ``NaN`` there, and
    this function raises :class:`~hccsurv.errors.InputError` instead.
    """
    t = _as_table(table).astype(float)
    e = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    if (e == 0).any():
        raise InputError(
            "a row or column of the contingency table sums to zero, so an expected count is 0; "
            "drop empty levels before the chi-square test"
        )
    yates = t.shape == (2, 2) and correct
    dev = np.abs(t - e)
    if yates:
        dev = dev - min(0.5, float(dev.min()))
    stat = float(np.sum(dev**2 / e))
    df = float((t.shape[0] - 1) * (t.shape[1] - 1))
    method = "Pearson's Chi-squared test"
    if yates:
        method += " with Yates' continuity correction"
    return TestResult(
        test="pearson_chisq",
        method=method,
        statistic_name="X-squared",
        statistic=stat,
        parameter=(df,),
        p_value=chi2_sf(stat, df),
        expected=_expected_tuple(e),
        n=int(t.sum()),
    )


def _zeroin(f: Callable[[float], float], lower: float, upper: float, tol: float) -> float:
    """Brent's root finder (Brent 1973, ch. 4), stepping as R's ``uniroot`` does.

    R's ``fisher.test`` finds the odds ratio and its limits with ``uniroot`` at its default
    tolerance (about 1.2e-4), so the same iteration is needed to reproduce R's printed digits.
    """
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    c, fc = a, fa
    for _ in range(1000):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


class _NoncentralHypergeometric:
    """Fisher's noncentral hypergeometric law of cell [0, 0] given the margins of a 2 x 2 table."""

    def __init__(self, t: NDArray[np.int64]) -> None:
        m = int(t[:, 0].sum())
        n = int(t[:, 1].sum())
        k = int(t[0, :].sum())
        self.x = int(t[0, 0])
        self.lo = max(0, k - n)
        self.hi = min(k, m)
        self.support = np.arange(self.lo, self.hi + 1, dtype=float)
        self.logdc = hypergeom_logpmf(self.support, m + n, m, k)

    def density(self, ncp: float) -> NDArray[np.float64]:
        d = self.logdc + math.log(ncp) * self.support
        d = np.exp(d - d.max())
        out: NDArray[np.float64] = d / d.sum()
        return out

    def mean(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if math.isinf(ncp):
            return float(self.hi)
        return float(np.sum(self.support * self.density(ncp)))

    def cdf(self, ncp: float, *, upper: bool) -> float:
        d = self.density(ncp)
        keep = self.support >= self.x if upper else self.support <= self.x
        return float(d[keep].sum())

    def mle(self) -> float:
        if self.x == self.lo:
            return 0.0
        if self.x == self.hi:
            return math.inf
        mu = self.mean(1.0)
        if mu > self.x:
            return _zeroin(lambda t: self.mean(t) - self.x, 0.0, 1.0, _UNIROOT_TOL)
        if mu < self.x:
            root = _zeroin(lambda t: self.mean(1.0 / t) - self.x, _EPS, 1.0, _UNIROOT_TOL)
            return 1.0 / root
        return 1.0

    def _limit(self, alpha: float, *, upper: bool) -> float:
        def g(t: float) -> float:
            return self.cdf(t, upper=upper) - alpha if t > 0 else float(not upper) - alpha

        p = self.cdf(1.0, upper=upper)
        if (p < alpha) != upper and p != alpha:
            return _zeroin(g, 0.0, 1.0, _UNIROOT_TOL)
        if p != alpha:
            return 1.0 / _zeroin(lambda t: g(1.0 / t), _EPS, 1.0, _UNIROOT_TOL)
        return 1.0

    def conf_int(self, conf_level: float) -> tuple[float, float]:
        alpha = (1.0 - conf_level) / 2.0
        lower = 0.0 if self.x == self.lo else self._limit(alpha, upper=True)
        upper = math.inf if self.x == self.hi else self._limit(alpha, upper=False)
        return lower, upper


def fisher_exact(
    table: ArrayLike,
    *,
    conf_level: float = 0.95,
    simulate_p_value: bool = False,
    replicates: int = 2000,
    seed: int = 0,
    workspace: int = FISHER_WORKSPACE,
) -> TestResult:
    """Fisher's exact test, as R ``fisher.test(x)`` (two-sided).

    The p-value is the total probability, under the multivariate hypergeometric law of tables
    with the observed margins, of tables whose probability is at most ``(1 + 1e-7)`` times that
    of the observed table (R's relative tolerance). For a 2 x 2 table the estimate is the
    conditional maximum likelihood odds ratio with its exact confidence interval (Fisher 1962;
    R solves both with ``uniroot`` at its default tolerance, reproduced here); with a zero cell
    the estimate is ``0`` or ``inf`` and a limit ``0`` or ``inf``, as R's. For r x c tables
    (empty rows and columns dropped) the p-value is exact, by the network algorithm of Mehta &
    Patel 1983 (:func:`hccsurv.core.fisher_rxc.network_p`, R's FEXACT), while the network holds
    at most ``workspace`` paths at once (checked before each allocation, which bounds time and
    memory; R's ``workspace`` plays the same part). Past that limit, or with
    ``simulate_p_value=True`` (R's ``simulate.p.value = TRUE``), the p-value is the seeded
    Monte Carlo one of :func:`hccsurv.core.fisher_rxc.simulated_p` with ``replicates`` draws
    (R's ``B``): ``method`` says so as R's does, ``replicates`` records
    ``B`` and, when the limit forced it, ``reason`` says why.

    References
    ----------
    Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
    contingency tables. J Am Stat Assoc 1983;78:427-34.
    """
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level is {conf_level!r}; pass a number between 0 and 1")
    if replicates < 1 or workspace < 1:
        raise InputError(
            f"replicates is {replicates!r} and workspace {workspace!r}; both must be >= 1"
        )
    t = _as_table(table)
    e = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    level: float | None = None
    method = "Fisher's Exact Test for Count Data"
    reason: str | None = None
    simulated: int | None = None
    if t.shape == (2, 2):
        law = _NoncentralHypergeometric(t)
        d = law.density(1.0)
        p = float(d[d <= d[law.x - law.lo] * REL_ERR].sum())
        estimate = law.mle()
        ci = law.conf_int(conf_level)
        level = conf_level
    else:
        inner = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
        p = 1.0  # one non-empty row or column: every table with these margins is the observed one
        if not simulate_p_value and min(inner.shape) > 1:
            try:
                p = network_p(inner, workspace)
            except WorkspaceExceeded:
                simulate_p_value = True
                reason = (
                    f"the exact {t.shape[0]} x {t.shape[1]} network needs more than "
                    f"workspace = {workspace} paths; p-value simulated "
                    f"(B = {replicates}, seed {seed})"
                )
        if simulate_p_value:
            p = simulated_p(t, replicates, seed)
            method += f" with simulated p-value\n\t (based on {replicates} replicates)"
            simulated = replicates
    return TestResult(
        test="fisher_exact",
        method=method,
        statistic_name=None,
        statistic=None,
        parameter=(),
        p_value=max(0.0, min(1.0, p)),
        estimate=estimate,
        conf_int=ci,
        conf_level=level,
        expected=_expected_tuple(e),
        reason=reason,
        n=int(t.sum()),
        replicates=simulated,
    )


def choose_contingency_test(
    expected: ArrayLike, rule: ChoiceRule = "any_expected_lt_5"
) -> tuple[bool, str]:
    """Decide between Pearson and Fisher from the expected counts; ``(use_fisher, reason)``.

    ``"any_expected_lt_5"``: Fisher when any expected count is below 5. ``"cochran"`` (Cochran
    1954): Fisher when more than 20 % of cells have expected count below 5 or any is below 1.
    """
    e = np.asarray(expected, dtype=float)
    n_low = int((e < 5).sum())
    share = n_low / e.size
    minimum = float(e.min())
    if rule == "any_expected_lt_5":
        use = n_low > 0
        why = (
            f"{n_low} of {e.size} expected counts < 5 (min {minimum:.2f})"
            if use
            else f"all expected counts >= 5 (min {minimum:.2f})"
        )
    elif rule == "cochran":
        use = share > 0.2 or minimum < 1
        why = f"Cochran: {100 * share:.0f}% of expected counts < 5, min {minimum:.2f}" + (
            " (> 20% or < 1)" if use else " (<= 20% and >= 1)"
        )
    else:
        raise InputError(f"rule is {rule!r}; use 'any_expected_lt_5' or 'cochran'")
    return use, ("Fisher: " if use else "Pearson: ") + why


def contingency_test(
    table: ArrayLike,
    *,
    rule: ChoiceRule = "any_expected_lt_5",
    correct: bool = False,
    fisher_max_levels: int | None = None,
) -> TestResult:
    """Pearson chi-square or Fisher's exact test, chosen by :func:`choose_contingency_test`.

    Levels with a zero margin are dropped first (they carry no information and would make an
    expected count zero); the result's ``reason`` states the rule, the counts behind it and the
    test chosen. When Fisher is chosen for a table with more than ``fisher_max_levels`` rows
    (levels), its p-value is the seeded Monte Carlo one (R ``simulate.p.value = TRUE``, B =
    2000) and ``reason`` says so: so many levels often mean a numeric value read as categorical.
    """
    if fisher_max_levels is not None and fisher_max_levels < 2:
        raise InputError(f"fisher_max_levels is {fisher_max_levels!r}; pass at least 2 or None")
    t = _as_table(table)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        raise InputError(
            "after dropping empty levels the table has fewer than 2 rows or columns; "
            "there is no association to test"
        )
    e = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    use_fisher, reason = choose_contingency_test(e, rule)
    if not use_fisher:
        return replace(chisq_test(t, correct=correct), reason=reason)
    many = fisher_max_levels is not None and t.shape[0] > fisher_max_levels
    res = fisher_exact(t, simulate_p_value=many)
    if many:
        reason += (
            f"; {t.shape[0]} levels > fisher_max_levels = {fisher_max_levels}: p-value simulated "
            f"(B = {res.replicates}, seed 0)"
        )
    elif res.reason is not None:
        reason += f"; {res.reason}"
    return replace(res, reason=reason)


# --------------------------------------------------------------------------- continuous


def t_test(x: ArrayLike, y: ArrayLike, *, var_equal: bool = True) -> TestResult:
    """Two-sample t-test, as R ``t.test(x, y, var.equal = var_equal)``.

    Student (``var_equal=True``, the default here and the template's test):
    ``t = (x̄ - ȳ) / (s_p √(1/n_x + 1/n_y))``, ``df = n_x + n_y - 2``. Welch: ``t = (x̄ - ȳ) /
    √(s_x²/n_x + s_y²/n_y)`` with Welch-Satterthwaite df (R's own default).
    """
    xa = _as_sample(x, "x", 2 if not var_equal else 1)
    ya = _as_sample(y, "y", 2 if not var_equal else 1)
    nx, ny = xa.size, ya.size
    if nx + ny < 3:
        raise InputError("the t-test needs at least 3 observations in all")
    vx = float(xa.var(ddof=1)) if nx > 1 else 0.0
    vy = float(ya.var(ddof=1)) if ny > 1 else 0.0
    diff = float(xa.mean() - ya.mean())
    if var_equal:
        df = float(nx + ny - 2)
        pooled = ((nx - 1) * vx + (ny - 1) * vy) / df
        se = math.sqrt(pooled * (1.0 / nx + 1.0 / ny))
        method, key = " Two Sample t-test", "student_t"
    else:
        sx, sy = vx / nx, vy / ny
        se = math.sqrt(sx + sy)
        df = (sx + sy) ** 2 / (sx**2 / (nx - 1) + sy**2 / (ny - 1)) if se > 0 else math.nan
        method, key = "Welch Two Sample t-test", "welch_t"
    if se == 0:
        raise InputError("both samples are constant (standard error 0); the t-test is undefined")
    stat = diff / se
    return TestResult(
        test=key,
        method=method,
        statistic_name="t",
        statistic=stat,
        parameter=(df,),
        p_value=2.0 * t_sf(abs(stat), df),
        n=nx + ny,
    )


def _as_groups(groups: Sequence[ArrayLike], minimum_total: int) -> list[NDArray[np.float64]]:
    out = [_as_sample(g, f"groups[{i}]", 1) for i, g in enumerate(groups)]
    if len(out) < 2:
        raise InputError(f"got {len(out)} group(s); a between-group test needs at least 2")
    if sum(g.size for g in out) < minimum_total:
        raise InputError(f"the groups hold fewer than {minimum_total} observations in all")
    return out


def oneway_anova(groups: Sequence[ArrayLike]) -> TestResult:
    """One-way ANOVA F test, as R ``oneway.test(y ~ g, var.equal = TRUE)``.

    ``F = [Σ n_g (ȳ_g - ȳ)² / (k - 1)] / [Σ Σ (y - ȳ_g)² / (N - k)]``.
    """
    gs = _as_groups(groups, len(groups) + 1)
    k = len(gs)
    n = sum(g.size for g in gs)
    grand = float(np.concatenate(gs).mean())
    between = sum(g.size * (float(g.mean()) - grand) ** 2 for g in gs)
    within = sum(float(((g - g.mean()) ** 2).sum()) for g in gs)
    if within == 0:
        raise InputError("every group is constant (within-group variance 0); ANOVA is undefined")
    df1, df2 = float(k - 1), float(n - k)
    stat = (between / df1) / (within / df2)
    return TestResult(
        test="anova",
        method="One-way analysis of means",
        statistic_name="F",
        statistic=stat,
        parameter=(df1, df2),
        p_value=f_sf(stat, df1, df2),
        n=n,
    )


def _rank_sum_tail(w: float, m: int, n: int, *, upper: bool) -> float:
    """``P(W <= w)`` or ``P(W >= w)`` of the Mann-Whitney statistic without ties (R ``pwilcox``).

    Exact counts by dynamic programming over the ranks in increasing order: choosing rank ``r``
    as the ``s``-th smallest of the ``m`` x-ranks adds ``r - s`` to ``W``.
    """
    top = m * n
    counts = np.zeros((m + 1, top + 1))
    counts[0, 0] = 1.0
    for rank in range(1, m + n + 1):
        for size in range(min(rank, m), 0, -1):
            shift = rank - size
            if shift <= top:
                counts[size, shift:] += counts[size - 1, : top + 1 - shift]
    dist = counts[m]
    wi = round(w)
    part = dist[max(wi, 0) :] if upper else dist[: max(wi + 1, 0)]
    return float(part.sum() / dist.sum())


def wilcoxon_rank_sum(
    x: ArrayLike, y: ArrayLike, *, exact: bool | None = None, correct: bool = True
) -> TestResult:
    """Wilcoxon rank-sum (Mann-Whitney) test, as R ``wilcox.test(x, y)`` with its defaults.

    ``W = Σ rank(x) - n_x (n_x + 1) / 2``. By default (``exact=None``) the exact null
    distribution is used when both samples have fewer than 50 values and there are no ties;
    otherwise the normal approximation ``z = (W - n_x n_y / 2 - ½ sign) / σ`` with continuity
    correction (``correct=True``) and the tie-corrected ``σ² = n_x n_y / 12 · (N + 1 - Σ (t³ - t)
    / (N (N - 1)))``. Exact p with ties is impossible (R warns and uses the approximation; here
    ``reason`` says so).
    """
    xa = _as_sample(x, "x", 1)
    ya = _as_sample(y, "y", 1)
    nx, ny = xa.size, ya.size
    ranks = average_ranks(np.concatenate([xa, ya]))
    w = float(ranks[:nx].sum() - nx * (nx + 1) / 2.0)
    _, tie_counts = np.unique(ranks, return_counts=True)
    has_ties = bool((tie_counts > 1).any())
    want_exact = (nx < 50 and ny < 50) if exact is None else exact
    if want_exact and not has_ties:
        upper = w > nx * ny / 2.0
        p = _rank_sum_tail(w, nx, ny, upper=upper)
        return TestResult(
            test="wilcoxon_rank_sum",
            method="Wilcoxon rank sum exact test",
            statistic_name="W",
            statistic=w,
            parameter=(),
            p_value=min(2.0 * p, 1.0),
            reason="exact null distribution (both samples < 50, no ties)",
            n=nx + ny,
        )
    n = nx + ny
    z = w - nx * ny / 2.0
    sigma = math.sqrt(
        (nx * ny / 12.0) * ((n + 1) - float(np.sum(tie_counts**3 - tie_counts)) / (n * (n - 1)))
    )
    if sigma == 0:
        raise InputError("all values are tied; the rank-sum test is undefined")
    corr = 0.5 * math.copysign(1.0, z) if (correct and z != 0) else 0.0
    z = (z - corr) / sigma
    p = 2.0 * min(normal_cdf(z), normal_cdf(-z))
    if want_exact:
        reason = "normal approximation: ties prevent the exact p"
    elif exact is None:
        reason = "normal approximation (a sample has >= 50 values)"
    else:
        reason = "normal approximation (exact=False)"
    if correct:
        reason += ", continuity correction"
    return TestResult(
        test="wilcoxon_rank_sum",
        method="Wilcoxon rank sum test" + (" with continuity correction" if correct else ""),
        statistic_name="W",
        statistic=w,
        parameter=(),
        p_value=p,
        reason=reason,
        n=n,
    )


def kruskal_wallis(groups: Sequence[ArrayLike]) -> TestResult:
    """Kruskal-Wallis rank-sum test, as R ``kruskal.test(x, g)``.

    ``H = [12 / (N (N + 1)) Σ R_g² / n_g - 3 (N + 1)] / [1 - Σ (t³ - t) / (N³ - N)]`` on
    ``k - 1`` df (chi-square approximation, mid-ranks for ties).
    """
    gs = _as_groups(groups, 2)
    n = sum(g.size for g in gs)
    ranks = average_ranks(np.concatenate(gs))
    bounds = np.cumsum([0] + [g.size for g in gs])
    h = sum(float(ranks[a:b].sum()) ** 2 / (b - a) for a, b in itertools.pairwise(bounds))
    _, ties = np.unique(ranks, return_counts=True)
    denom = 1.0 - float(np.sum(ties**3 - ties)) / (n**3 - n)
    if denom == 0:
        raise InputError("all values are tied; the Kruskal-Wallis test is undefined")
    stat = (12.0 * h / (n * (n + 1)) - 3.0 * (n + 1)) / denom
    df = float(len(gs) - 1)
    return TestResult(
        test="kruskal_wallis",
        method="Kruskal-Wallis rank sum test",
        statistic_name="Kruskal-Wallis chi-squared",
        statistic=stat,
        parameter=(df,),
        p_value=chi2_sf(stat, df),
        n=n,
    )
