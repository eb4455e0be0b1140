"""Cox proportional hazards regression with R ``survival::coxph`` parity.

:func:`cox_fit` maximises the log partial likelihood (Efron ties by default, or Breslow) by
Newton-Raphson exactly as R's ``coxph.fit`` / ``coxfit6.c``: start at ``init`` (zeros), take full
Newton steps, and stop when :math:`|1 - \\ell_{\\text{best}}/\\ell_{\\text{new}}| \\le \\epsilon`
(``eps = 1e-9``). A step that lowers the likelihood (or is not finite) is pulled back towards the
last accepted ``beta``: after the :math:`h`-th failure ``new = (new + h * beta) / (h + 1)``.
The variance is the inverse information; with ``robust=True`` it is the sandwich
:math:`D'D` of the weighted dfbeta residuals :math:`D_i = w_i U_i V` summed within ``cluster``.

After convergence R checks for coefficients drifting to infinity (monotone likelihood, e.g. a
factor level without events): with :math:`U` the final score and :math:`V` the variance, a
coefficient :math:`j` is flagged when :math:`|(UV)_j| > \\epsilon` and
:math:`|(UV)_j| > \\sqrt{\\epsilon}\\,|\\beta_j|`. hccsurv reports this as a message in
``CoxFit.warnings`` and a :class:`~hccsurv.errors.StatisticalWarning`.

Global tests as ``summary.coxph``: likelihood ratio :math:`2(\\ell(\\hat\\beta) - \\ell(0))`, Wald
:math:`\\hat\\beta' V^{-1} \\hat\\beta` (robust :math:`V` when robust, as R) and the score
(log-rank) test :math:`U(0)' I(0)^{-1} U(0)`; with ``robust=True`` also R's robust score test.

Constant or collinear covariates raise :class:`~hccsurv.errors.InputError` (R would return an
``NA`` coefficient; hccsurv asks the caller to drop the column instead). The singularity check is
R's ``cholesky2`` rule on the scaled information at ``init``: a pivot below
``toler_chol`` times the largest diagonal element.

Reference: Therneau & Grambsch (2000), *Modeling Survival Data*; R ``survival`` 3.5
(``coxph.R``, ``coxph.fit.R``, ``coxfit6.c``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from hccsurv.core._result import Result
from hccsurv.core.checks import check_survival
from hccsurv.core.cox_counting import CountingRiskSets
from hccsurv.core.cox_efron import Evaluation, RiskSets
from hccsurv.core.distributions import chi2_sf, normal_quantile, normal_two_sided_p_array
from hccsurv.core.timefix import aeq_times, aeq_times_order
from hccsurv.errors import ConvergenceError, InputError, StatisticalWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CoxFit",
    "GlobalTest",
    "RobustSums",
    "check_identifiable",
    "cox_fit",
    "newton_fit",
    "prepare_cox_data",
]

TIES = ("efron", "breslow")


@dataclass(frozen=True)
class GlobalTest(Result):
    """A chi-square test of all coefficients (likelihood ratio, Wald or score)."""

    name: str
    chisq: float
    df: int
    p: float

    def to_frame(self) -> pd.DataFrame:
        """One row: test, chisq, df, p."""
        import pandas as pd

        return pd.DataFrame(
            {"test": [self.name], "chisq": [self.chisq], "df": [self.df], "p": [self.p]}
        )


def _chisq_test(name: str, chisq: float, df: int) -> GlobalTest:
    p = chi2_sf(chisq, df) if math.isfinite(chisq) else math.nan
    return GlobalTest(name=name, chisq=float(chisq), df=int(df), p=p)


@dataclass(frozen=True)
class CoxFit(Result):
    """A fitted Cox model (arrays in the column order of ``X``).

    ``se`` is the model-based standard error; ``robust_se`` the sandwich one (NaN when
    ``robust`` is off). ``z``, ``p`` and the confidence limits use ``robust_se`` when robust is on,
    as R's ``summary.coxph``. ``linear_predictor`` is :math:`(x_i - \\bar x)'\\hat\\beta` in the
    input row order (R ``fit$linear.predictors``).
    """

    names: tuple[str, ...]
    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    robust_se: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    hr: NDArray[np.float64]
    hr_lower: NDArray[np.float64]
    hr_upper: NDArray[np.float64]
    var: NDArray[np.float64]
    naive_var: NDArray[np.float64]
    conf_level: float
    loglik_null: float
    loglik: float
    lr_test: GlobalTest
    wald_test: GlobalTest
    score_test: GlobalTest
    robust_score_test: GlobalTest
    iterations: int
    converged: bool
    ties: str
    robust: bool
    n: int
    n_events: int
    means: NDArray[np.float64]
    score: NDArray[np.float64]
    linear_predictor: NDArray[np.float64]
    warnings: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: term, coef, se, robust_se, hr, hr_lower, hr_upper, z, p."""
        import pandas as pd

        return pd.DataFrame(
            {
                "term": list(self.names),
                "coef": self.coef,
                "se": self.se,
                "robust_se": self.robust_se,
                "hr": self.hr,
                "hr_lower": self.hr_lower,
                "hr_upper": self.hr_upper,
                "z": self.z,
                "p": self.p,
            }
        )


@dataclass(frozen=True)
class CoxData:
    """Validated inputs of a Cox model: float arrays, strata codes, centred covariates."""

    time: NDArray[np.float64]
    event: NDArray[np.float64]
    weights: NDArray[np.float64]
    x: NDArray[np.float64]
    strata: NDArray[np.intp]
    means: NDArray[np.float64]
    names: tuple[str, ...]
    time_order: NDArray[np.intp] | None = None
    """An increasing order of ``time`` (from the timefix sort), or None; saves a second sort."""
    entry: NDArray[np.float64] | None = None
    """Start times of counting-process rows ``(entry, time]``, or None (at risk from 0)."""

    def risk_sets(self, ties: str) -> RiskSets:
        """Sorted risk-set structure for repeated likelihood evaluation."""
        if self.entry is not None:
            return CountingRiskSets(
                self.entry,
                self.time,
                self.event,
                self.weights,
                self.x,
                self.strata,
                ties == "efron",
                self.means,
                ascending=self.time_order,
            )
        return RiskSets(
            self.time,
            self.event,
            self.weights,
            self.x,
            self.strata,
            ties == "efron",
            self.means,
            ascending=self.time_order,
        )


def _codes(values: ArrayLike | None, n: int, what: str) -> NDArray[np.intp]:
    if values is None:
        return np.zeros(n, dtype=np.intp)
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(f"{what} must be one value per row ({n}); got shape {arr.shape}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        i = int(np.flatnonzero(np.isnan(arr))[0])
        raise InputError(f"{what}[{i}] is missing; give every row a {what} value or drop it")
    if arr.dtype == object and any(v is None for v in arr.tolist()):
        i = [v is None for v in arr.tolist()].index(True)
        raise InputError(f"{what}[{i}] is missing; give every row a {what} value or drop it")
    _, inv = np.unique(arr.astype(str) if arr.dtype == object else arr, return_inverse=True)
    return inv.astype(np.intp).reshape(n)


def prepare_cox_data(
    time: ArrayLike,
    event: ArrayLike,
    x: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    names: tuple[str, ...] | None = None,
    entry: ArrayLike | None = None,
) -> CoxData:
    """Validate the inputs of :func:`cox_fit` and apply R's ``timefix`` (``aeqSurv``).

    With ``entry`` (counting-process rows) the start and stop times are merged jointly, as
    ``aeqSurv`` on a ``Surv(start, stop, event)`` object.

    Raises
    ------
    InputError
        Bad survival data, a covariate matrix of the wrong shape, or a missing / infinite
        covariate (naming the row and the column).
    """
    surv = check_survival(time, event, weights)
    n = surv.n
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(n, 1) if arr.shape[0] == n else arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(f"X must have one row per subject ({n} rows); got shape {arr.shape}")
    p = arr.shape[1]
    if p == 0:
        raise InputError("X has no columns; give at least one covariate")
    labels = names if names is not None else tuple(f"x{j + 1}" for j in range(p))
    if len(labels) != p:
        raise InputError(f"{len(labels)} names were given for {p} columns of X")
    bad = ~np.isfinite(arr) if not math.isfinite(float(arr.sum())) else np.zeros((1, 1), bool)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            f"X[{i}, {j}] (row {i}, column '{labels[j]}') = {arr[i, j]!r} is not a finite "
            "number; drop incomplete rows (complete cases) or impute the covariate first"
        )
    start = None if entry is None else _entry_times(entry, surv.time)
    if start is None:
        t, time_order = aeq_times_order(surv.time)  # integer times: one pass; otherwise one sort
    else:
        both = aeq_times(np.concatenate((start, surv.time)))
        start, t, time_order = both[:n], both[n:], None
        if bool(np.any(start >= t)):
            i = int(np.flatnonzero(start >= t)[0])
            raise InputError(
                f"row {i}: start {start[i]!r} and stop {surv.time[i]!r} are equal after merging "
                "near-tied times (R's timefix); widen the interval or drop the row"
            )
    codes = _codes(strata, n, "strata")
    w = surv.weights
    means = (w @ arr) / w.sum() if w.sum() > 0 else arr.mean(axis=0)
    return CoxData(
        time=np.asarray(t, dtype=np.float64),
        event=surv.event,
        weights=w,
        x=np.ascontiguousarray(arr),
        strata=codes,
        means=np.asarray(means, dtype=np.float64),
        names=labels,
        time_order=time_order,
        entry=start,
    )


def _entry_times(entry: ArrayLike, stop: NDArray[np.float64]) -> NDArray[np.float64]:
    """Validated start times: finite and below the stop time on every row (R: start < stop)."""
    start = np.asarray(entry, dtype=np.float64)
    if start.shape != stop.shape:
        raise InputError(f"entry has {start.size} values for {stop.size} rows; give one per row")
    bad = ~np.isfinite(start) | (start >= stop)
    if bool(bad.any()):
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"row {i}: start (entry) {start[i]!r} must be finite and below the stop time "
            f"{stop[i]!r} (R: 'Stop time must be > start time'); fix or drop the row"
        )
    return start


def _singular_columns(
    info: NDArray[np.float64], scale: NDArray[np.float64], toler: float
) -> list[int]:
    """Columns that R's ``cholesky2`` would declare singular (pivot < toler * max diagonal)."""
    a = info * np.outer(scale, scale)
    p = a.shape[0]
    eps = float(np.max(np.diag(a))) * toler if p else 0.0
    if eps == 0.0:
        eps = toler
    bad: list[int] = []
    for i in range(p):
        pivot = a[i, i]
        if not math.isfinite(pivot) or pivot < eps:
            bad.append(i)
            a[i, :] = 0.0
            a[:, i] = 0.0
            continue
        col = a[i + 1 :, i] / pivot
        a[i + 1 :, i + 1 :] -= np.outer(col, col) * pivot
    return bad


def check_identifiable(
    names: tuple[str, ...],
    abs_dev: NDArray[np.float64],
    information0: NDArray[np.float64],
    scale: NDArray[np.float64],
    toler_chol: float,
) -> None:
    """Refuse constant columns (no weighted absolute deviation from the mean) and collinear ones.

    Raises
    ------
    InputError
        Naming the column(s), as R's ``coxph`` would give them an ``NA`` coefficient.
    """
    constant = np.flatnonzero(abs_dev == 0)  # no deviation from the mean: constant column
    if constant.size:
        cols = ", ".join(f"'{names[j]}'" for j in constant)
        raise InputError(
            f"covariate {cols} is constant in the rows used; R would give an NA coefficient. "
            "Drop it from the model"
        )
    singular = _singular_columns(information0, scale, toler_chol)
    if singular:
        cols = ", ".join(f"'{names[j]}'" for j in singular)
        raise InputError(
            f"covariate {cols} is collinear with the other covariates (R: 'X matrix deemed to be "
            "singular', NA coefficient). Drop it or merge sparse factor levels"
        )


def _inverse(info: NDArray[np.float64]) -> NDArray[np.float64]:
    try:
        factor = linalg.cho_factor(info, lower=True, check_finite=True)
        inv: NDArray[np.float64] = linalg.cho_solve(factor, np.eye(info.shape[0]))
    except (linalg.LinAlgError, ValueError) as exc:
        raise ConvergenceError(
            "the information matrix of the Cox model is not positive definite; "
            "a coefficient is likely infinite (check for a covariate level without events)"
        ) from exc
    return (inv + inv.T) / 2.0


def _solve(info: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.float64]:
    try:
        step: NDArray[np.float64] = linalg.cho_solve(linalg.cho_factor(info, lower=True), u)
    except (linalg.LinAlgError, ValueError):
        step = np.asarray(linalg.lstsq(info, u)[0], dtype=np.float64)
    return step


def _finite(ev: Evaluation) -> bool:
    return bool(
        math.isfinite(ev.loglik)
        and np.isfinite(ev.score).all()
        and np.isfinite(ev.information).all()
    )


def cox_fit(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    cluster: ArrayLike | None = None,
    robust: bool = False,
    ties: str = "efron",
    init: ArrayLike | None = None,
    max_iter: int = 20,
    eps: float = 1e-9,
    toler_chol: float = float(np.finfo(np.float64).eps) ** 0.75,
    conf_level: float = 0.95,
    names: tuple[str, ...] | None = None,
    entry: ArrayLike | None = None,
) -> CoxFit:
    """Fit a Cox proportional hazards model as R ``coxph(Surv(time, event) ~ X, ...)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up time (>= 0) and event indicator (1 = event, 0 = censored).
    X : array-like, shape (n, p)
        Covariates (numeric; dummy-code factors first, e.g. with ``hccsurv.analysis.design``).
    strata : array-like, optional
        Stratum labels (R ``strata()``): separate baseline hazards.
    weights : array-like, optional
        Case weights (R ``weights=``).
    cluster : array-like, optional
        Cluster labels; implies ``robust=True`` (R ``cluster()``).
    robust : bool
        Sandwich variance from the dfbeta residuals (R ``robust=TRUE``).
    ties : {"efron", "breslow"}
    init : array-like, optional
        Starting coefficients (zeros); the LR, Wald and score tests are against ``init``.
    max_iter, eps, toler_chol : as R ``coxph.control(iter.max, eps, toler.chol)``.
    conf_level : float
        Level of the hazard-ratio intervals :math:`\\exp(\\hat\\beta \\pm z_{1-\\alpha/2}\\,se)`.
    names : tuple of str, optional
        Column labels (``x1``, ``x2`` ... by default).
    entry : array-like, optional
        Start times: counting-process rows ``(entry, time]`` as R ``Surv(start, stop, event)``
        (delayed entry, time-varying covariates); a patient with several rows is one ``cluster``.

    Returns
    -------
    CoxFit

    Raises
    ------
    InputError
        Invalid survival data, non-finite covariates (row and column named), an unknown ``ties``,
        constant or collinear covariates, or no events.
    ConvergenceError
        The information matrix cannot be inverted at the end of the iterations.
    """
    if ties not in TIES:
        raise InputError(f"ties={ties!r} is not supported; use 'efron' (R default) or 'breslow'")
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level={conf_level!r} must be between 0 and 1 (e.g. 0.95)")
    data = prepare_cox_data(
        time, event, X, strata=strata, weights=weights, names=names, entry=entry
    )
    n, p = data.x.shape
    cluster_codes = _codes(cluster, n, "cluster") if cluster is not None else None
    robust = robust or cluster_codes is not None
    if not (data.event > 0).any():
        raise InputError("there are no events; a Cox model needs at least one event")
    beta0 = np.zeros(p) if init is None else np.asarray(init, dtype=np.float64).reshape(p)
    rs = data.risk_sets(ties)
    ev0 = rs.evaluate(beta0)

    abs_dev = np.abs(rs.x, out=rs.scratch).T @ rs.w
    scale = np.where(abs_dev > 0, rs.w.sum() / np.where(abs_dev > 0, abs_dev, 1.0), 1.0)
    check_identifiable(data.names, abs_dev, ev0.information, scale, toler_chol)

    def robust_sums(beta: NDArray[np.float64]) -> RobustSums:
        resid = rs.score_residuals(beta) * data.weights[:, None]
        if cluster_codes is not None:
            resid = _rowsum(resid, cluster_codes)
        return RobustSums(crossprod=resid.T @ resid, total=resid.sum(axis=0))

    fit = newton_fit(
        rs.evaluate,
        ev0,
        beta0,
        names=data.names,
        max_iter=max_iter,
        eps=eps,
        ties=ties,
        conf_level=conf_level,
        n=n,
        n_events=int((data.event > 0).sum()),
        means=data.means,
        robust=robust_sums if robust else None,
    )
    eta = data.x @ fit.coef - float(data.means @ fit.coef)
    return replace(fit, linear_predictor=eta)


@dataclass(frozen=True)
class RobustSums:
    """What the sandwich variance needs of the weighted score residuals :math:`w_i U_i`.

    ``crossprod`` :math:`= \\sum_i w_i^2 U_i U_i'` (summed within clusters first) and ``total``
    :math:`= \\sum_i w_i U_i`; an engine computes both without returning the rows.
    """

    crossprod: NDArray[np.float64]
    total: NDArray[np.float64]


def newton_fit(
    evaluate: Callable[[NDArray[np.float64]], Evaluation],
    ev0: Evaluation,
    beta0: NDArray[np.float64],
    *,
    names: tuple[str, ...],
    max_iter: int,
    eps: float,
    ties: str,
    conf_level: float,
    n: int,
    n_events: int,
    means: NDArray[np.float64],
    robust: Callable[[NDArray[np.float64]], RobustSums] | None,
) -> CoxFit:
    """R's ``coxfit6`` Newton-Raphson from ``beta0`` and the summary of ``summary.coxph``.

    ``evaluate`` gives the log partial likelihood, score and information at a ``beta`` (from the
    rows in memory or from an engine's per-time aggregates); ``ev0`` is its value at ``beta0``.
    ``robust`` gives the residual sums of the sandwich variance
    :math:`V (\\sum_i w_i^2 U_i U_i') V` and of R's robust score test. The returned fit has an
    empty ``linear_predictor``: the caller that holds the rows fills it in.
    """
    p = beta0.shape[0]
    score_chisq = float(ev0.score @ _solve(ev0.information, ev0.score))
    loglik0 = ev0.loglik
    beta = beta0.copy()
    best = ev0
    iterations = 0
    converged = False
    final = ev0
    if max_iter > 0 and math.isfinite(loglik0):
        newbeta = beta + _solve(ev0.information, ev0.score)
        halving = 0
        for iterations in range(1, max_iter + 1):
            ev = evaluate(newbeta)
            ok = _finite(ev)
            if ok and abs(1.0 - best.loglik / ev.loglik) <= eps:
                beta, final, converged = newbeta, ev, True
                break
            if iterations == max_iter:
                break
            if not ok or ev.loglik < best.loglik:
                halving += 1
                newbeta = (newbeta + halving * beta) / (halving + 1.0)
            else:
                halving = 0
                best = ev
                beta = newbeta
                newbeta = newbeta + _solve(ev.information, ev.score)
        if not converged:
            final = best
    var = _inverse(final.information)
    messages: list[str] = []
    if not converged and max_iter > 0:
        messages.append(
            f"Ran out of iterations ({max_iter}) and did not converge; coefficients may be "
            "infinite or the model is not identifiable"
        )
    elif max_iter > 1:
        infs = np.abs(final.score @ var)
        flag = ~np.isfinite(final.score) | ((infs > eps) & (infs > math.sqrt(eps) * np.abs(beta)))
        if flag.any():
            which = ", ".join(f"{j + 1} ('{names[j]}')" for j in np.flatnonzero(flag))
            messages.append(
                f"Loglik converged before variable {which}; coefficient may be infinite "
                "(monotone likelihood, e.g. a level without events). Do not report its HR; "
                "merge or drop the level"
            )
    for msg in messages:
        warnings.warn(msg, StatisticalWarning, stacklevel=2)

    naive_var = var
    robust_se = np.full(p, np.nan)
    robust_score = _chisq_test("robust score", math.nan, p)
    if robust is not None:
        at_fit, at_init = robust(beta), robust(beta0)
        var = naive_var @ at_fit.crossprod @ naive_var
        var = (var + var.T) / 2.0
        robust_se = np.sqrt(np.diag(var))
        u0 = at_init.total
        robust_score = _chisq_test("robust score", float(u0 @ _solve(at_init.crossprod, u0)), p)

    se = np.sqrt(np.diag(naive_var))
    used_se = robust_se if robust else se
    z = beta / used_se
    pval = normal_two_sided_p_array(z)
    q = normal_quantile(0.5 + conf_level / 2.0)
    delta = beta - beta0
    wald = float(delta @ _solve(var, delta))
    with np.errstate(over="ignore"):  # a divergent coefficient has an infinite upper limit, as R
        hr = np.exp(beta)
        hr_lower = np.exp(beta - q * used_se)
        hr_upper = np.exp(beta + q * used_se)
    return CoxFit(
        names=names,
        coef=beta,
        se=se,
        robust_se=robust_se,
        z=z,
        p=pval,
        hr=hr,
        hr_lower=hr_lower,
        hr_upper=hr_upper,
        var=var,
        naive_var=naive_var,
        conf_level=conf_level,
        loglik_null=loglik0,
        loglik=final.loglik,
        lr_test=_chisq_test("likelihood ratio", 2.0 * (final.loglik - loglik0), p),
        wald_test=_chisq_test("wald", wald, p),
        score_test=_chisq_test("score (log-rank)", score_chisq, p),
        robust_score_test=robust_score,
        iterations=iterations,
        converged=converged or max_iter == 0,
        ties=ties,
        robust=robust is not None,
        n=n,
        n_events=n_events,
        means=means,
        score=final.score,
        linear_predictor=np.empty(0),
        warnings=tuple(messages),
    )


def _rowsum(values: NDArray[np.float64], codes: NDArray[np.intp]) -> NDArray[np.float64]:
    """Column sums of ``values`` within each code (R ``rowsum``)."""
    k = int(codes.max()) + 1
    return np.stack(
        [np.bincount(codes, values[:, j], minlength=k) for j in range(values.shape[1])], axis=1
    )
