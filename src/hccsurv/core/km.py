"""Kaplan-Meier estimator with R ``survival::survfit`` semantics.

For distinct times :math:`t_j` with (weighted) number at risk :math:`n_j` and events :math:`d_j`,

.. math:: \\hat S(t) = \\prod_{t_j \\le t} \\Bigl(1 - \\frac{d_j}{n_j}\\Bigr), \\qquad
          \\widehat{\\mathrm{se}}\\{\\log \\hat S(t)\\} =
          \\Bigl(\\sum_{t_j \\le t} \\frac{d_j}{n_j (n_j - d_j)}\\Bigr)^{1/2}

(Greenwood). ``std_err`` is that standard error of :math:`\\log \\hat S`, i.e. R's
``fit$std.err``; :meth:`KaplanMeier.survival_at` reports it on the survival scale
(:math:`\\hat S \\cdot` se) as R's ``summary.survfit`` does. Pointwise confidence intervals follow
R's ``survfit_confint`` for every ``conf.type``; quantiles (median) and their confidence limits
follow ``quantile.survfit`` (a flat stretch at exactly :math:`p`, within
:math:`\\sqrt{\\varepsilon}`, gives the midpoint to the next event time; the limits are where the
band crosses :math:`p`). Times are merged as R's ``timefix = TRUE``.

Weights are case (frequency) weights: counts are weighted sums, which reproduces R for integer
weights. For non-integer weights (IPTW, say) R's ``survfit`` switches to the robust
(infinitesimal jackknife) variance, and so does :func:`kaplan_meier` by default
(``variance = "robust"``; :func:`_robust_se` gives the formula). With delayed entry the
variance stays Greenwood on the weighted counts, and ``variance`` says which was used.

Reference: Therneau T (2023). *A Package for Survival Analysis in R*, survival 3.5-3,
``survfitKM.R``, ``survfit_confint.R``, ``quantile.survfit.R``; Kaplan & Meier (1958).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result, jsonable
from hccsurv.core.aggregate import TimeAggregates, aggregate, delay_entry
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.distributions import z_for_level
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONF_TYPES",
    "ConfType",
    "KaplanMeier",
    "KaplanMeierGroups",
    "Quantiles",
    "SurvivalAt",
    "kaplan_meier",
    "kaplan_meier_from_aggregates",
    "kaplan_meier_groups",
    "survfit_confint",
]

ConfType = Literal["log", "log-log", "plain", "logit", "arcsin", "none"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain", "logit", "arcsin", "none")
QUANTILE_TOLERANCE: float = float(np.sqrt(np.finfo(np.float64).eps))

F64 = NDArray[np.float64]


def _check_conf(conf_type: str, conf_level: float) -> None:
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type = {conf_type!r} is not one of {CONF_TYPES}")
    if not 0.0 < conf_level < 1.0:
        raise InputError(
            f"conf_level = {conf_level!r} must be strictly between 0 and 1 (e.g. 0.95)"
        )


def survfit_confint(surv: F64, se: F64, conf_type: str, conf_level: float) -> tuple[F64, F64]:
    """Pointwise limits from S and se of log S, as R's ``survfit_confint``.

    With :math:`z = \\Phi^{-1}(1 - \\alpha/2)` and :math:`s` = se of :math:`\\log S`:
    ``plain`` :math:`S \\pm z s S` (clipped to [0, 1]); ``log`` :math:`S e^{\\pm z s}` (upper
    clipped at 1); ``log-log`` :math:`\\exp(-\\exp(\\log(-\\log S) \\mp z s / \\log S))`;
    ``logit`` and ``arcsin`` as in R. Undefined limits (for example ``log`` at :math:`S = 0`,
    ``log-log`` at :math:`S \\in \\{0, 1\\}`) are NaN, where R gives ``NA``.
    """
    n = surv.shape[0]
    if conf_type == "none":
        return np.full(n, np.nan), np.full(n, np.nan)
    z = z_for_level(conf_level)
    p = surv
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            se2 = se * p * z
            return np.maximum(p - se2, 0.0), np.minimum(p + se2, 1.0)
        if conf_type == "log":  # S exp(-z s), min(S exp(z s), 1); NA where S = 0
            xx = np.where(p == 0.0, np.nan, p)
            shrink = np.exp(-z * se)
            return xx * shrink, np.minimum(xx / shrink, 1.0)
        if conf_type == "log-log":
            xx = np.where((p == 0.0) | (p == 1.0), np.nan, p)
            se2 = z * se / np.log(xx)
            lll = np.log(-np.log(xx))
            return np.exp(-np.exp(lll - se2)), np.exp(-np.exp(lll + se2))
        if conf_type == "logit":
            xx = np.where(p == 0.0, np.nan, p)
            se2 = z * se * (1.0 + xx / (1.0 - xx))
            lg = np.log(p / (1.0 - p))
            return 1.0 - 1.0 / (1.0 + np.exp(lg - se2)), 1.0 - 1.0 / (1.0 + np.exp(lg + se2))
        xx = np.where(p == 0.0, np.nan, p)
        se2 = 0.5 * z * se * np.sqrt(xx / (1.0 - xx))
        a = np.arcsin(np.sqrt(xx))
        lower = np.sin(np.maximum(0.0, a - se2)) ** 2
        upper = np.sin(np.minimum(np.pi / 2.0, a + se2)) ** 2
        return lower, upper


def _last_first_occurrence(y: F64) -> float:
    """The value at the last position whose value does not occur earlier (R: ``y[!dups][n]``)."""
    change = np.flatnonzero(np.concatenate(([True], (y[1:] != y[:-1]) & ~np.isnan(y[1:]))))
    for start in change[::-1]:
        value = y[start]
        earlier = y[:start]
        seen = bool(np.isnan(earlier).any()) if np.isnan(value) else bool((earlier == value).any())
        if not seen:
            return float(value)
    return float(y[0])


def _findq(x: F64, y: F64, probs: F64, tol: float) -> F64:
    """R's ``survival:::findq``: the time where the step function ``y`` (= 1 - S) reaches ``p``.

    R removes duplicated ``y`` values and calls ``approx(y +/- tol, index, p, "constant",
    f = 1)``, which sorts the knots and returns, for each ``p``, the index of the smallest knot
    ``>= p`` (NA when ``p`` lies outside the knots). The smallest knot ``>= p`` is found here by
    a masked minimum over the rows (its first occurrence is the row R keeps), which needs no
    sort even when a confidence band is not monotone.
    """
    out = np.full(probs.shape[0], np.nan)
    missing = np.isnan(y)
    has_nan = bool(missing.any())
    if probs.shape[0] == 0 or bool(missing.all()):
        return out
    pos = np.flatnonzero(~missing) if has_nan else None
    yv = y[pos] if pos is not None else y
    if float(yv.max()) < float(probs.min()):
        return out
    ymin = float(yv.min())

    monotone = bool(np.all(yv[1:] >= yv[:-1]))

    def locate(shift: float) -> NDArray[np.intp]:
        idx = np.full(probs.shape[0], -1, dtype=np.intp)
        knots = yv + shift
        if monotone:  # sorted knots: the leftmost knot >= p is the smallest, first occurrence
            j = np.searchsorted(knots, probs, side="left")
            inside = (j < knots.shape[0]) & (probs >= knots[0])
            idx[inside] = j[inside] if pos is None else pos[j[inside]]
            return idx
        for i, p in enumerate(probs.tolist()):
            if p < ymin + shift:
                continue
            above = knots >= p
            if bool(above.any()):
                cand = np.where(above, knots, np.inf)
                best = int(np.argmin(cand))
                idx[i] = best if pos is None else int(pos[best])
        return idx

    i1 = locate(tol)
    i2 = locate(-tol)
    ok = (i1 >= 0) & (i2 >= 0)
    out[ok] = (x[i1[ok]] + x[i2[ok]]) / 2.0
    out[probs == 0.0] = x[0]
    # a non-decreasing y without NaN: the last first occurrence is its last (largest) value
    y_last = float(y[-1]) if monotone and not has_nan else _last_first_occurrence(y)
    if not np.isnan(y_last):
        last = (np.abs(probs - y_last) < tol) & (i1 >= 0)
        out[last] = (x[i1[last]] + float(x[-1])) / 2.0
    return out


def _opt(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True)
class Quantiles(Result):
    """Survival-time quantiles: the time where :math:`1 - \\hat S` reaches ``prob``.

    ``time``/``lower``/``upper`` are NaN (``None`` in ``to_dict``) when not reached.
    """

    prob: F64
    time: F64
    lower: F64
    upper: F64
    conf_type: str
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """Columns ``prob, time, lower, upper``."""
        import pandas as pd

        return pd.DataFrame(
            {"prob": self.prob, "time": self.time, "lower": self.lower, "upper": self.upper}
        )


@dataclass(frozen=True)
class SurvivalAt(Result):
    """Survival at requested times, as R's ``summary(fit, times = , extend = TRUE)``.

    ``std_err`` is on the survival scale (:math:`\\hat S \\times` se of :math:`\\log \\hat S`);
    ``n_event``/``n_censor`` count events/censorings in (previous requested time, time].
    """

    time: F64
    n_risk: F64
    n_event: F64
    n_censor: F64
    surv: F64
    std_err: F64
    lower: F64
    upper: F64
    conf_type: str
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """Columns ``time, n_risk, n_event, n_censor, surv, std_err, lower, upper``."""
        import pandas as pd

        names = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")
        return pd.DataFrame({k: getattr(self, k) for k in names})


@dataclass(frozen=True)
class KaplanMeier(Result):
    """A Kaplan-Meier curve (R ``survfit(Surv(time, event) ~ 1)``).

    Attributes
    ----------
    time : distinct observed times (events and censorings), as R's ``fit$time``.
    n_risk, n_event, n_censor : weighted counts at each time.
    surv : :math:`\\hat S(t)`.
    std_err : se of :math:`\\log \\hat S` (R ``fit$std.err``); ``inf`` once :math:`\\hat S = 0`.
    lower, upper : pointwise limits (NaN where R gives ``NA``; all NaN for ``conf_type="none"``).
    n : number of rows; events : weighted number of events.
    median, median_lower, median_upper : R ``quantile(fit, 0.5)``; ``None`` when not reached.
    """

    time: F64
    n_risk: F64
    n_event: F64
    n_censor: F64
    surv: F64
    std_err: F64
    lower: F64
    upper: F64
    conf_type: str
    conf_level: float
    n: int
    events: float
    median: float | None
    median_lower: float | None
    median_upper: float | None
    variance: str = "greenwood"

    def quantile(self, probs: ArrayLike) -> Quantiles:
        """Quantiles of the survival time with CI, as R's ``quantile.survfit``.

        Parameters
        ----------
        probs : array-like in [0, 1]
            Probabilities of the *event*: 0.5 is the median, 0.25 the time where
            :math:`\\hat S` reaches 0.75.
        """
        p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
        if np.any(np.isnan(p)) or np.any((p < 0.0) | (p > 1.0)):
            raise InputError(f"probs = {p.tolist()!r} must lie in [0, 1]")
        x = np.concatenate(([min(0.0, float(self.time[0]))], self.time))
        tol = QUANTILE_TOLERANCE
        q = _findq(x, np.concatenate(([0.0], 1.0 - self.surv)), p, tol)
        lo = _findq(x, np.concatenate(([0.0], 1.0 - self.lower)), p, tol)
        hi = _findq(x, np.concatenate(([0.0], 1.0 - self.upper)), p, tol)
        return Quantiles(
            prob=p, time=q, lower=lo, upper=hi, conf_type=self.conf_type, conf_level=self.conf_level
        )

    def _row_at(self, t: F64) -> NDArray[np.intp]:
        return np.searchsorted(self.time, t, side="right") - 1

    def n_at_risk(self, times: ArrayLike) -> F64:
        """Number at risk at each of ``times`` (R's ``summary(fit, times)$n.risk``).

        It is the number still under observation just before ``t``: the ``n_risk`` of the first
        observed time ``>= t``, and 0 past the last observed time.
        """
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        j = np.searchsorted(self.time, t, side="left")
        padded = np.concatenate((self.n_risk, [0.0]))
        out: F64 = padded[j]
        return out

    def survival_at(self, times: ArrayLike) -> SurvivalAt:
        """:math:`\\hat S` and CI at ``times`` (sorted), as R ``summary(fit, times, extend=TRUE)``.

        Before the first observed time :math:`\\hat S = 1` with standard error 0 and limits 1;
        between times the curve is carried forward; past the last time the last value is kept
        with 0 at risk.
        """
        t = np.sort(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        if np.any(np.isnan(t)):
            raise InputError("times contains NaN; pass finite times")
        j = self._row_at(t)
        before = j < 0
        jj = np.where(before, 0, j)
        surv = np.where(before, 1.0, self.surv[jj])
        with np.errstate(invalid="ignore"):
            se = np.where(before, 0.0, self.surv[jj] * self.std_err[jj])
        fill = np.nan if self.conf_type == "none" else 1.0
        lower = np.where(before, fill, self.lower[jj])
        upper = np.where(before, fill, self.upper[jj])
        cum_e = np.concatenate(([0.0], np.cumsum(self.n_event)))
        cum_c = np.concatenate(([0.0], np.cumsum(self.n_censor)))
        ce = cum_e[j + 1]
        cc = cum_c[j + 1]
        return SurvivalAt(
            time=t,
            n_risk=self.n_at_risk(t),
            n_event=np.diff(ce, prepend=0.0),
            n_censor=np.diff(cc, prepend=0.0),
            surv=surv,
            std_err=se,
            lower=lower,
            upper=upper,
            conf_type=self.conf_type,
            conf_level=self.conf_level,
        )

    def to_frame(self) -> pd.DataFrame:
        """Columns ``time, n_risk, n_event, n_censor, surv, std_err, lower, upper``."""
        import pandas as pd

        names = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")
        return pd.DataFrame({k: getattr(self, k) for k in names})


def _robust_se(grid: F64, d: F64, nr: F64, time: F64, event: F64, weights: F64) -> F64:
    """Infinitesimal-jackknife se of :math:`\\log \\hat S` on ``grid``, as R ``survfit(robust=)``.

    The influence of row i on :math:`\\hat S(t)` is :math:`-\\hat S(t) V_i(t)` with
    :math:`V_i(t) = \\sum_{t_j \\le t} (dN_i(t_j) - Y_i(t_j) h_j) / (n_j - d_j)`,
    :math:`h_j = d_j / n_j` (differentiating the product limit in :math:`w_i`). With
    :math:`A(t) = \\sum_{t_j \\le t} h_j / (n_j - d_j)`, a row still at risk has
    :math:`V_i = -A(t)` and a row gone at :math:`T_i \\le t` keeps
    :math:`V_i = \\delta_i / (n - d)(T_i) - A(T_i)`, so
    :math:`\\mathrm{var} = A(t)^2 \\sum_{T_i > t} w_i^2 + \\sum_{T_i \\le t} w_i^2 V_i^2`.
    R's ``fit$std.err`` is then :math:`\\hat S \\sqrt{\\mathrm{var}}` (the se of
    :math:`\\hat S`), while its intervals use :math:`\\sqrt{\\mathrm{var}}` as the se of
    :math:`\\log \\hat S`; ``std_err`` here is the latter, as for Greenwood.
    """
    # once every row at risk has the event (S = 0) the se of log S is infinite, as Greenwood's
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(d > 0.0, 1.0 / (nr - d), 0.0)
        a = np.cumsum(np.where(d > 0.0, d / nr, 0.0) * c)
        at = np.searchsorted(grid, time, side="right") - 1  # grid holds each merged tie's first
        w2 = weights * weights
        gone = np.bincount(at, w2 * (event * c[at] - a[at]) ** 2, minlength=grid.size)
        left = w2.sum() - np.cumsum(np.bincount(at, w2, minlength=grid.size))
        out: F64 = np.sqrt(a * a * left + np.cumsum(gone))
    return np.where(np.isfinite(out), out, np.inf)


def kaplan_meier_from_aggregates(
    agg: TimeAggregates,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    robust_rows: tuple[F64, F64, F64] | None = None,
) -> KaplanMeier:
    """Kaplan-Meier curve from one cell of :class:`~hccsurv.core.aggregate.TimeAggregates`.

    ``robust_rows`` (the cell's ``time``, ``event``, ``weights``) asks for the robust variance
    of :func:`_robust_se` instead of Greenwood.
    """
    _check_conf(conf_type, conf_level)
    if agg.n_cells != 1:
        raise InputError(f"expected aggregates of one cell, got {agg.n_cells}; use agg.cell(c)")
    d = agg.n_event[:, 0]
    nr = agg.n_risk[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.asarray(np.cumprod(1.0 - d / nr), dtype=np.float64)
        term = np.where(d > 0.0, d / (nr * (nr - d)), 0.0)
    std_err = np.sqrt(np.cumsum(term))
    if robust_rows is not None:
        std_err = _robust_se(agg.time, d, nr, *robust_rows)
    lower, upper = survfit_confint(surv, std_err, conf_type, conf_level)
    km = KaplanMeier(
        time=agg.time,
        n_risk=nr,
        n_event=d,
        n_censor=agg.n_censor[:, 0],
        surv=surv,
        std_err=std_err,
        lower=lower,
        upper=upper,
        conf_type=conf_type,
        conf_level=conf_level,
        n=int(agg.n_obs[0]),
        events=float(d.sum()),
        median=None,
        median_lower=None,
        median_upper=None,
        variance="greenwood" if robust_rows is None else "robust",
    )
    q = km.quantile([0.5])
    return replace(
        km,
        median=_opt(float(q.time[0])),
        median_lower=_opt(float(q.lower[0])),
        median_upper=_opt(float(q.upper[0])),
    )


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    *,
    entry: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
    robust: bool | None = None,
) -> KaplanMeier:
    """Kaplan-Meier estimate, as R ``survfit(Surv(time, event) ~ 1, conf.type=, conf.int=)``.

    With ``entry`` (delayed entry, left truncation) it is R's counting-process
    ``survfit(Surv(entry, time, event) ~ 1)``: a row is at risk at :math:`t` only when
    :math:`\\mathrm{entry} < t \\le \\mathrm{time}`, so
    :math:`n_j = \\sum_i w_i [t_i \\ge t_j] - \\sum_i w_i [\\mathrm{entry}_i \\ge t_j]`,
    and the product-limit and Greenwood formulas are unchanged (Klein & Moeschberger, 2003,
    section 4.6). Curve times are the distinct exit times, as R reports them.

    Parameters
    ----------
    time, event : array-like
        Follow-up times (>= 0) and event indicators (1 = event, 0 = censored).
    entry : array-like, optional
        Entry times (R's ``start``), each below its ``time``; everyone enters at 0 by default.
    weights : array-like, optional
        Case weights (see the module notes for non-integer weights).
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}
        Transform of the pointwise interval; R's default is ``"log"``.
    conf_level : float
        Confidence level of the intervals.
    robust : bool, optional
        Infinitesimal-jackknife variance (R ``survfit(robust = TRUE)``) instead of Greenwood.
        ``None`` follows R: robust when a weight is not an integer. Not with ``entry``.
    """
    _check_conf(conf_type, conf_level)
    data = check_survival(time, event, weights)
    if robust is None:
        robust = entry is None and bool((data.weights != np.floor(data.weights)).any())
    if robust and entry is not None:
        raise InputError(
            "robust=True with entry times is not supported; use robust=False (Greenwood)"
        )
    agg = aggregate(data)
    if entry is not None:
        agg = delay_entry(agg, data, entry)
    rows = (data.time, data.event, data.weights) if robust else None
    return kaplan_meier_from_aggregates(
        agg, conf_type=conf_type, conf_level=conf_level, robust_rows=rows
    )


@dataclass(frozen=True)
class KaplanMeierGroups(Result):
    """One Kaplan-Meier curve per group (R ``survfit(Surv(time, event) ~ group)``)."""

    labels: tuple[str, ...]
    curves: dict[str, KaplanMeier]
    conf_type: str
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Labels, options and every curve's dict."""
        return {
            "labels": list(self.labels),
            "conf_type": self.conf_type,
            "conf_level": self.conf_level,
            "curves": {k: jsonable(v) for k, v in self.curves.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``group`` followed by the columns of :meth:`KaplanMeier.to_frame`."""
        import pandas as pd

        frames = []
        for label in self.labels:
            f = self.curves[label].to_frame()
            f.insert(0, "group", label)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def kaplan_meier_groups(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    order: Sequence[Any] | None = None,
    entry: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
    robust: bool | None = None,
) -> KaplanMeierGroups:
    """Kaplan-Meier curve of each group, from a single aggregation pass.

    ``order`` gives the display order (first = reference); by default the sorted distinct
    values, as R's ``factor()``. ``entry`` gives delayed entry times and ``robust`` the
    variance, as in :func:`kaplan_meier` (robust by default when a weight is not an integer).
    """
    _check_conf(conf_type, conf_level)
    data = check_survival(time, event, weights)
    if robust is None:
        robust = entry is None and bool((data.weights != np.floor(data.weights)).any())
    if robust and entry is not None:
        raise InputError(
            "robust=True with entry times is not supported; use robust=False (Greenwood)"
        )
    codes = check_groups(group, data.n, order)
    k = len(codes.labels)
    agg = aggregate(data, codes.codes, k)
    if entry is not None:
        agg = delay_entry(agg, data, entry, codes.codes)

    def rows(c: int) -> tuple[F64, F64, F64] | None:
        if not robust:
            return None
        mine = codes.codes == c
        return data.time[mine], data.event[mine], data.weights[mine]

    curves = {
        label: kaplan_meier_from_aggregates(
            agg.cell(c), conf_type=conf_type, conf_level=conf_level, robust_rows=rows(c)
        )
        for c, label in enumerate(codes.labels)
    }
    return KaplanMeierGroups(
        labels=codes.labels, curves=curves, conf_type=conf_type, conf_level=conf_level
    )
