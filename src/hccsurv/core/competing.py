"""Public competing-risks estimates on arrays: ``cumulative_incidence`` and ``gray_test``.

``status`` holds ``censored`` (0) for censoring and an integer code per cause (1..k).
:func:`cumulative_incidence` estimates the CIF of every cause (within each group), with the
variance of R ``survfit`` (``method="survfit"``, the default: survival is R's reference and its
infinitesimal-jackknife variance is what ``survfit(Surv(time, factor(status)) ~ group)``
reports, :mod:`hccsurv.core.aalen_johansen`) or of ``cmprsk::cuminc`` (``method="cuminc"``,
:mod:`hccsurv.core.cumulative_incidence`). The estimates are identical; only the variance
differs. Pointwise limits use ``survfit``'s ``conf.type = "log"`` by default
(:math:`F e^{\\pm z\\,se/F}`); ``cuminc`` has no limits of its own, so the same transform is
applied to its variance. ``conf_type="log-log"`` gives
:math:`\\exp(-\\exp(\\log(-\\log F) \\mp z\\,se/(F \\log F)))` (as ``tidycmprsk``).
With ``group``, the result also carries Gray's test per cause (stratified by ``strata``), as
``cuminc(ftime, fstatus, group, strata)$Tests``.

``survfit`` reports every distinct event time (any cause), ``cuminc`` the times where the cause's
own curve jumps; each method keeps its R grid. The median time to an event of a cause is the
first time its CIF reaches 0.5 (R's ``findq`` rule, as the Kaplan-Meier median: the midpoint
when the curve equals 0.5 over an interval); ``None`` when not reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result, jsonable
from hccsurv.core.aalen_johansen import aalen_johansen
from hccsurv.core.cumulative_incidence import cumulative_incidence_cuminc
from hccsurv.core.gray_test import GrayTest, gray_test_cuminc
from hccsurv.core.km import _findq, survfit_confint
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CIF_METHODS",
    "CifCurve",
    "CompetingRisks",
    "GrayTests",
    "cumulative_incidence",
    "gray_test",
]

CIF_METHODS = ("survfit", "cuminc")
_CONF_TYPES = ("log", "log-log", "plain")

F64 = NDArray[np.float64]

_CURVE_COLUMNS = [
    "group",
    "cause",
    "time",
    "n_risk",
    "n_event",
    "estimate",
    "variance",
    "std_err",
    "lower",
    "upper",
]


@dataclass(frozen=True)
class CifCurve(Result):
    """The CIF of one cause in one group: estimate, variance, limits at each reported time.

    ``n_risk`` and ``n_event`` (events of this cause) are given on the ``survfit`` grid and are
    NaN for ``cuminc``, which does not report them.
    """

    group: str | None
    cause: int
    time: F64
    n_risk: F64
    n_event: F64
    estimate: F64
    variance: F64
    lower: F64
    upper: F64
    median: float | None

    def to_frame(self) -> pd.DataFrame:
        """One row per time with the columns group, cause, time, n_risk, n_event, estimate,
        variance, std_err, lower, upper."""
        import pandas as pd

        return pd.DataFrame(
            {
                "group": [self.group] * self.time.size,
                "cause": self.cause,
                "time": self.time,
                "n_risk": self.n_risk,
                "n_event": self.n_event,
                "estimate": self.estimate,
                "variance": self.variance,
                "std_err": np.sqrt(self.variance),
                "lower": self.lower,
                "upper": self.upper,
            },
            columns=_CURVE_COLUMNS,
        )

    def at(self, times: ArrayLike) -> tuple[F64, F64, F64, F64]:
        """Estimate, variance, lower and upper at ``times`` (the step function; 0 before the
        first event, variance 0 and limits NaN there)."""
        t = np.asarray(times, dtype=np.float64).reshape(-1)
        idx = np.searchsorted(self.time, t, side="right") - 1
        before = idx < 0
        j = np.maximum(idx, 0)

        def pick(values: F64, fill: float) -> F64:
            if values.size == 0:
                return np.full(t.size, fill)
            return np.where(before, fill, values[j])

        return (
            pick(self.estimate, 0.0),
            pick(self.variance, 0.0),
            pick(self.lower, math.nan),
            pick(self.upper, math.nan),
        )


@dataclass(frozen=True)
class GrayTests(Result):
    """Gray's test for each cause (one :class:`GrayTest` per cause, in ``causes`` order)."""

    tests: tuple[GrayTest, ...]
    groups: tuple[str, ...]
    stratified: bool

    def to_frame(self) -> pd.DataFrame:
        """One row per cause: cause, statistic, df, p_value."""
        import pandas as pd

        return pd.DataFrame(
            {
                "cause": [t.cause for t in self.tests],
                "statistic": [t.statistic for t in self.tests],
                "df": [t.df for t in self.tests],
                "p_value": [t.p_value for t in self.tests],
            }
        )

    def test(self, cause: int) -> GrayTest:
        """The test of ``cause``."""
        for t in self.tests:
            if t.cause == cause:
                return t
        raise InputError(f"cause {cause} was not tested; causes: {[t.cause for t in self.tests]}")


@dataclass(frozen=True)
class CompetingRisks(Result):
    """CIF of every cause within every group, and Gray's tests when there are groups."""

    method: str
    conf_level: float
    conf_type: str
    causes: tuple[int, ...]
    groups: tuple[str, ...] | None
    curves: tuple[CifCurve, ...]
    tests: GrayTests | None

    def to_frame(self) -> pd.DataFrame:
        """The curves stacked: one row per group, cause and time (columns of :class:`CifCurve`)."""
        import pandas as pd

        return pd.concat([c.to_frame() for c in self.curves], ignore_index=True)

    def curve(self, cause: int = 1, group: object | None = None) -> CifCurve:
        """The curve of ``cause`` (in ``group``)."""
        label = None if group is None else str(group)
        for c in self.curves:
            if c.cause == cause and c.group == label:
                return c
        raise InputError(
            f"no curve for cause {cause} and group {label!r}; causes {list(self.causes)}, "
            f"groups {list(self.groups or [None])}"
        )

    def at(self, times: ArrayLike) -> pd.DataFrame:
        """CIF at landmark ``times``: group, cause, time, estimate, variance, std_err, lower, upper
        (the value at the last reported time <= each landmark)."""
        import pandas as pd

        t = np.asarray(times, dtype=np.float64).reshape(-1)
        frames = []
        for c in self.curves:
            est, var, lo, up = c.at(t)
            frames.append(
                pd.DataFrame(
                    {
                        "group": [c.group] * t.size,
                        "cause": c.cause,
                        "time": t,
                        "estimate": est,
                        "variance": var,
                        "std_err": np.sqrt(var),
                        "lower": lo,
                        "upper": up,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def medians(self) -> pd.DataFrame:
        """Median time to an event of each cause per group (NaN where the CIF stays < 0.5)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "group": [c.group for c in self.curves],
                "cause": [c.cause for c in self.curves],
                "median": [math.nan if c.median is None else c.median for c in self.curves],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field; the curves as lists of their arrays."""
        return {
            "method": self.method,
            "conf_level": self.conf_level,
            "conf_type": self.conf_type,
            "causes": list(self.causes),
            "groups": None if self.groups is None else list(self.groups),
            "curves": [jsonable(c) for c in self.curves],
            "tests": None if self.tests is None else self.tests.to_dict(),
        }


def _arrays(time: ArrayLike, status: ArrayLike, censored: int) -> tuple[F64, NDArray[np.int64]]:
    t = np.asarray(time, dtype=np.float64)
    raw = np.asarray(status)
    if t.ndim != 1 or t.shape != raw.shape or t.size == 0:
        raise InputError("time and status must be non-empty 1-d arrays of equal length")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"time[{i}] = {float(t[i])!r} is not a finite time >= 0; fix or drop the row"
        )
    try:
        s_float = raw.astype(np.float64)
    except (TypeError, ValueError):
        raise InputError(
            "status must hold integer codes (censored, 1..k for the causes); "
            f"got values such as {raw[:3].tolist()}"
        ) from None
    wrong = np.flatnonzero(~np.isfinite(s_float) | (s_float != np.round(s_float)))
    if wrong.size:
        i = int(wrong[0])
        raise InputError(
            f"status[{i}] = {raw.tolist()[i]!r} is not an integer code; use {censored} for "
            "censored and 1..k for the causes"
        )
    return t, s_float.astype(np.int64)


def _causes(status: NDArray[np.int64], censored: int, causes: ArrayLike | None) -> tuple[int, ...]:
    if causes is None:
        found = tuple(int(c) for c in np.unique(status) if c != censored)
        if not found:
            raise InputError("status has no events (every row is censored)")
        return found
    wanted = tuple(int(c) for c in np.asarray(causes).reshape(-1))
    if censored in wanted:
        raise InputError(f"cause code {censored} is the censoring code; pick other causes")
    unknown = sorted({int(c) for c in np.unique(status)} - {censored, *wanted})
    if unknown:
        raise InputError(
            f"status code(s) {unknown} are neither censored ({censored}) nor in causes "
            f"{list(wanted)}; list every cause"
        )
    return wanted


def _median(time: F64, estimate: F64) -> float | None:
    if time.size == 0:
        return None
    value = float(_findq(time, estimate, np.array([0.5]), math.sqrt(np.finfo(float).eps))[0])
    return None if math.isnan(value) else value


def _limits(est: F64, var: F64, conf_type: str, conf_level: float) -> tuple[F64, F64]:
    """Limits on the transformed scale; the se of :math:`\\log F` is :math:`se/F` (NaN at 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return survfit_confint(est, np.sqrt(var) / est, conf_type, conf_level)


def _sample_curves(
    t: F64,
    s: NDArray[np.int64],
    causes: tuple[int, ...],
    censored: int,
    group: str | None,
    method: str,
    conf_type: str,
    conf_level: float,
) -> list[CifCurve]:
    out = []
    if method == "survfit":
        aj = aalen_johansen(t, s, causes, censored)
        for c, cause in enumerate(causes):
            est, var = aj.estimate[:, c], aj.variance[:, c]
            lo, up = _limits(est, var, conf_type, conf_level)
            out.append(
                CifCurve(
                    group,
                    cause,
                    aj.time,
                    aj.n_risk,
                    aj.n_event[:, c],
                    est,
                    var,
                    lo,
                    up,
                    _median(aj.time, est),
                )
            )
        return out
    for cause in causes:
        fit = cumulative_incidence_cuminc(t, s, cause=cause, censored=censored)
        lo, up = _limits(fit.estimate, fit.variance, conf_type, conf_level)
        nan = np.full(fit.time.size, np.nan)
        out.append(
            CifCurve(
                group,
                cause,
                fit.time,
                nan,
                nan,
                fit.estimate,
                fit.variance,
                lo,
                up,
                _median(fit.time, fit.estimate),
            )
        )
    return out


def cumulative_incidence(
    time: ArrayLike,
    status: ArrayLike,
    group: ArrayLike | None = None,
    strata: ArrayLike | None = None,
    *,
    censored: int = 0,
    causes: ArrayLike | None = None,
    method: str = "survfit",
    conf_level: float = 0.95,
    conf_type: str = "log",
    rho: float = 0.0,
) -> CompetingRisks:
    """Cumulative incidence of each cause (per group), with Gray's tests when ``group`` is given.

    Parameters
    ----------
    time, status : array-like
        Follow-up time and status code (``censored`` or a cause code).
    group : array-like, optional
        Group labels (curves per group, sorted labels; Gray's test across them).
    strata : array-like, optional
        Strata of Gray's test (``cuminc``'s ``strata``); needs ``group``.
    censored : int
        The censoring code (0).
    causes : array-like, optional
        The cause codes to report (default: every non-censoring code present); a listed cause
        without events gets a flat zero curve and a NaN test.
    method : {"survfit", "cuminc"}
        Whose variance: R survival's infinitesimal jackknife (default) or ``cmprsk::cuminc``.
    conf_level, conf_type : pointwise limits (``"log"``, ``"log-log"`` or ``"plain"``).
    rho : float
        Gray's test weight :math:`(1 - F^-)^\\rho` (``cuminc``'s ``rho``; 0 by default).
    """
    if method not in CIF_METHODS:
        raise InputError(f"method={method!r} is not known; use one of {CIF_METHODS}")
    if conf_type not in _CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r} is not known; use one of {_CONF_TYPES}")
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level={conf_level!r} must be between 0 and 1 (e.g. 0.95)")
    t, s = _arrays(time, status, censored)
    wanted = _causes(s, censored, causes)
    if group is None:
        if strata is not None:
            raise InputError("strata only stratify Gray's test between groups; give group too")
        curves = _sample_curves(t, s, wanted, censored, None, method, conf_type, conf_level)
        return CompetingRisks(method, conf_level, conf_type, wanted, None, tuple(curves), None)
    g = _labels(group, t.size, "group")
    labels = tuple(sorted(set(g.tolist())))
    curves = []
    for label in labels:
        mask = g == label
        curves += _sample_curves(
            t[mask], s[mask], wanted, censored, label, method, conf_type, conf_level
        )
    tests = _gray(t, s, g, strata, wanted, censored, rho) if len(labels) > 1 else None
    return CompetingRisks(method, conf_level, conf_type, wanted, labels, tuple(curves), tests)


def _labels(values: ArrayLike, n: int, what: str) -> NDArray[np.str_]:
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise InputError(f"{what} must have one value per row ({n}); got shape {arr.shape}")
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise InputError(f"{what}[{i}] is missing; give every row a {what} or drop the row")
    return np.asarray([str(v) for v in arr.tolist()])


def _gray(
    t: F64,
    s: NDArray[np.int64],
    g: NDArray[np.str_],
    strata: ArrayLike | None,
    causes: tuple[int, ...],
    censored: int,
    rho: float,
) -> GrayTests:
    st = None if strata is None else _labels(strata, t.size, "strata")
    tests = []
    labels = tuple(sorted(set(g.tolist())))
    for cause in causes:
        if not (s == cause).any():  # no events: nothing to compare (cuminc lists no test)
            k = len(labels) - 1
            tests.append(
                GrayTest(cause, math.nan, math.nan, k, np.zeros(k), np.zeros((k, k)), labels)
            )
            continue
        tests.append(gray_test_cuminc(t, s, g, strata=st, cause=cause, censored=censored, rho=rho))
    return GrayTests(tuple(tests), labels, st is not None)


def gray_test(
    time: ArrayLike,
    status: ArrayLike,
    group: ArrayLike,
    strata: ArrayLike | None = None,
    *,
    censored: int = 0,
    causes: ArrayLike | None = None,
    rho: float = 0.0,
) -> GrayTests:
    """Gray's test of equal CIFs across ``group`` for each cause, as ``cmprsk::cuminc``'s
    ``$Tests`` (optionally stratified, weight :math:`(1 - F^-)^\\rho`;
    :mod:`hccsurv.core.gray_test`)."""
    t, s = _arrays(time, status, censored)
    wanted = _causes(s, censored, causes)
    g = _labels(group, t.size, "group")
    if len(set(g.tolist())) < 2:
        raise InputError("Gray's test needs at least two groups; group has one level")
    return _gray(t, s, g, strata, wanted, censored, rho)
