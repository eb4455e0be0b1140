"""Fine-Gray subdistribution hazard regression, as R ``cmprsk::crr`` or ``coxph`` on ``finegray``.

For the cause of interest with distinct event times :math:`t_k` (:math:`d_k` events) the weighted
risk set holds every subject still at risk (:math:`T_i \\ge t_k`, weight 1) and every subject who
had a competing event before :math:`t_k`, with weight :math:`w_i(t_k) = G(t_k-)/G(T_i-)`, where
:math:`G` is the Kaplan-Meier estimate of the censoring distribution. With
:math:`S_r(t_k) = \\sum_i w_i(t_k) e^{x_i'\\beta} x_i^{\\otimes r}` the partial likelihood is
Cox's. ``method`` picks the two R constructions:

* ``"crr"`` (the default: it is the Fine & Gray (1999) estimator and variance that the
  competing-risks literature reports): :math:`G` counts a censoring at :math:`t` among the
  subjects with :math:`T \\ge t` (``survfit(Surv(ftime, cenind) ~ 1)``), Breslow ties, ``crr``'s
  Newton iterations with its step-halving line search and ``gtol`` stopping rule, and the
  variance :math:`I^{-1} (\\sum_i (\\eta_i + \\psi_i)^{\\otimes 2}) I^{-1}` of Fine & Gray, whose
  :math:`\\psi_i` carries the estimation of :math:`G` (``crrvv``).
* ``"finegray"``: ``coxph(Surv(fgstart, fgstop, fgstatus) ~ x, weights = fgwt,
  data = finegray(...))``: :math:`G` takes events before censorings at tied times, times go
  through ``aeqSurv``, Efron ties and ``coxph``'s Newton rule; R reports the robust
  (sandwich) variance of the expanded rows (non-integer case weights), so ``se`` is that one
  and ``model_se`` the model-based :math:`\\sqrt{\\mathrm{diag}\\, I^{-1}}`.

The point estimates differ only where times tie (Breslow or Efron; a censoring tied with an
event), the variances always. p-values are
:math:`2\\Phi(-|z|)` (``summary.crr`` prints :math:`2(1 - \\Phi(|z|))` rounded) and the
intervals :math:`\\exp(\\hat\\beta \\pm z_{1-\\alpha/2}\\, se)`.

All sums are per event time over the time-sorted rows (suffix and prefix cumulative sums, as in
:mod:`hccsurv.core.cox`), :math:`O(n p^2)` per iteration; ``crr``'s Fortran loops over all
subjects at each event time, :math:`O(n K)`, and its variance over all pairs, :math:`O(n^2)`.

References: Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
competing risk. *JASA* 94:496-509; cmprsk 2.2-11 ``crr.R`` / ``crr.f``; survival 3.5
``finegray.R`` / ``finegray.c``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from hccsurv.core._result import Result
from hccsurv.core.cox import GlobalTest
from hccsurv.core.distributions import chi2_sf, normal_quantile, normal_two_sided_p_array
from hccsurv.core.timefix import aeq_times
from hccsurv.errors import InputError, StatisticalWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FINE_GRAY_METHODS", "FineGrayFit", "fine_gray_fit"]

FINE_GRAY_METHODS = ("crr", "finegray")

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class FineGrayFit(Result):
    """A fitted Fine-Gray model (arrays in the column order of ``X``).

    ``se`` is the reported standard error (``crr``'s Fine-Gray variance, or ``coxph``'s robust
    one for ``method="finegray"``); ``model_se`` is :math:`\\sqrt{\\mathrm{diag}\\, I^{-1}}`.
    ``lr_test`` is ``summary.crr``'s pseudo likelihood-ratio test against :math:`\\beta = 0`.
    ``warnings`` repeats what was warned (non-convergence, a coefficient drifting to infinity).
    """

    names: tuple[str, ...]
    coef: F64
    se: F64
    model_se: F64
    z: F64
    p: F64
    hr: F64
    hr_lower: F64
    hr_upper: F64
    var: F64
    information: F64
    score: F64
    loglik_null: float
    loglik: float
    lr_test: GlobalTest
    cause: int
    method: str
    ties: str
    conf_level: float
    iterations: int
    converged: bool
    n: int
    n_events: int
    n_competing: int
    n_censored: int
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: term, coef, se, model_se, hr, hr_lower, hr_upper, z, p."""
        import pandas as pd

        return pd.DataFrame(
            {
                "term": list(self.names),
                "coef": self.coef,
                "se": self.se,
                "model_se": self.model_se,
                "hr": self.hr,
                "hr_lower": self.hr_lower,
                "hr_upper": self.hr_upper,
                "z": self.z,
                "p": self.p,
            }
        )


@dataclass(frozen=True)
class _Evaluation:
    loglik: float
    score: F64
    information: F64
    s0: F64
    mean: F64


class _Weighted:
    """Sorted data with the censoring weights: the per-event-time sums of one ``beta``."""

    def __init__(self, time: F64, kind: NDArray[np.int8], x: F64, method: str) -> None:
        order = np.argsort(time, kind="stable")
        self.time = time[order]
        self.kind = kind[order]  # 0 censored, 1 the cause, 2 a competing event
        self.x = x[order] - x.mean(axis=0)  # centred: exp() stays finite; sums are invariant
        self.order = order
        event = self.kind == 1
        self.times, counts = np.unique(self.time[event], return_counts=True)
        self.d: F64 = counts.astype(np.float64)
        # bin: number of event times <= T_i; subject i is at risk (weight 1) at k < bin
        self.bin = np.searchsorted(self.times, self.time, side="right")
        self.comp = self.kind == 2
        self.event = event
        cens_times, g_after = _censoring_km(self.time, self.kind, method)
        self.cens_times = cens_times
        self.g_after = g_after
        self.g_subject = _g_left(cens_times, g_after, self.time)
        self.g_event = _g_left(cens_times, g_after, self.times)
        ev_idx = np.flatnonzero(event)
        self.ev_idx = ev_idx
        self.ev_k = self.bin[ev_idx] - 1
        # l = 0..d_k-1 within each tied set (Efron's fraction l/d_k)
        first = np.searchsorted(self.ev_k, self.ev_k, side="left")
        self.ev_l = np.arange(ev_idx.size) - first
        self.x_ev = self.x[ev_idx]
        self.xs = self.x_ev.sum(axis=0)
        # the first row at risk at each event time; 1/G(T_i-) on competing rows, else 0
        self.start = np.searchsorted(self.bin, np.arange(self.times.size), side="right")
        self.cw = np.where(self.comp, 1.0 / self.g_subject, 0.0)

    def sums(self, values: F64) -> F64:
        """:math:`\\sum_i w_i(t_k) v_i` at each event time (``values`` 1-d or 2-d by row).

        Rows are sorted by time, so the subjects at risk at :math:`t_k` are the rows from
        ``start[k]`` on (a suffix sum) and the earlier competing events the rows before it
        (a prefix sum of :math:`v_i / G(T_i-)`).
        """
        v2 = values.reshape(values.shape[0], -1)
        suffix = np.cumsum(v2[::-1], axis=0)[::-1]
        prefix = np.cumsum(v2 * self.cw[:, None], axis=0)
        before = np.where(self.start[:, None] > 0, prefix[np.maximum(self.start - 1, 0)], 0.0)
        out = suffix[self.start] + self.g_event[:, None] * before
        return out if values.ndim == 2 else out[:, 0]

    def spread(self, a: F64) -> F64:
        """:math:`c_i = \\sum_k w_i(t_k) a_k` for each subject (the transpose of :meth:`sums`)."""
        cum = np.concatenate(([0.0], np.cumsum(a)))  # cum[b] = sum_{k < b} a_k
        tail = np.concatenate((np.cumsum((self.g_event * a)[::-1])[::-1], [0.0]))
        c: F64 = cum[self.bin] + self.cw * tail[self.bin]
        return c

    def loglik(self, beta: F64, efron: bool) -> float:
        """The log partial likelihood alone (``crr``'s line search needs no derivatives)."""
        eta = self.x @ beta
        r = np.exp(eta)
        k_ev = self.ev_k
        denom = self.sums(r)[k_ev]
        if efron:
            e0 = _bincount(k_ev, r[self.ev_idx], self.times.size)
            denom = denom - self.ev_l / self.d[k_ev] * e0[k_ev]
        return float(eta[self.ev_idx].sum() - np.log(denom).sum())

    def evaluate(self, beta: F64, efron: bool) -> _Evaluation:
        """Log partial likelihood, score and information at ``beta`` (Breslow or Efron ties)."""
        eta = self.x @ beta
        r = np.exp(eta)
        s0 = self.sums(r)
        s1 = self.sums(r[:, None] * self.x)
        k_ev, x_ev, r_ev = self.ev_k, self.x_ev, r[self.ev_idx]
        if efron:
            e0 = _bincount(k_ev, r_ev, self.times.size)
            e1 = np.stack(
                [_bincount(k_ev, r_ev * x_ev[:, j], self.times.size) for j in range(x_ev.shape[1])],
                axis=1,
            )
            frac = self.ev_l / self.d[k_ev]
        else:
            e0 = np.zeros(self.times.size)
            e1 = np.zeros_like(s1)
            frac = np.zeros(k_ev.size)
        denom = s0[k_ev] - frac * e0[k_ev]
        means = (s1[k_ev] - frac[:, None] * e1[k_ev]) / denom[:, None]
        loglik = float(eta[self.ev_idx].sum() - np.log(denom).sum())
        score = self.xs - means.sum(axis=0)
        a = _bincount(k_ev, 1.0 / denom, self.times.size)
        c = self.spread(a) * r
        info = (self.x * c[:, None]).T @ self.x - means.T @ means
        if efron:
            b = _bincount(k_ev, frac / denom, self.times.size)
            info -= (x_ev * (r_ev * b[k_ev])[:, None]).T @ x_ev
        return _Evaluation(loglik, score, (info + info.T) / 2.0, s0, s1 / s0[:, None])


def _bincount(index: NDArray[np.intp], weights: F64, minlength: int) -> F64:
    """``np.bincount`` with weights (always float64)."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64, copy=False)


def _censoring_km(time: F64, kind: NDArray[np.int8], method: str) -> tuple[F64, F64]:
    """Censoring-distribution Kaplan-Meier: its jump times and the value after each jump.

    ``crr`` counts everyone with :math:`T \\ge c` at risk of censoring at :math:`c`;
    ``finegray`` moves events just before censorings, so events at :math:`c` are not at risk.
    """
    cens = kind == 0
    times, inverse = np.unique(time, return_inverse=True)
    m = _bincount(inverse, cens.astype(np.float64), times.size)
    total = np.bincount(inverse, minlength=times.size).astype(np.float64)
    at_risk = np.cumsum(total[::-1])[::-1]
    if method == "finegray":
        at_risk = at_risk - (total - m)
    jump = m > 0
    g_after = np.cumprod(1.0 - m[jump] / at_risk[jump]).astype(np.float64, copy=False)
    return times[jump], g_after


def _g_left(cens_times: F64, g_after: F64, t: F64) -> F64:
    """:math:`G(t-)`: the product over censoring times strictly before ``t``."""
    idx = np.searchsorted(cens_times, t, side="left")
    return np.concatenate(([1.0], g_after))[idx]


def _check(
    time: ArrayLike, status: ArrayLike, X: ArrayLike, cause: int, censored: int
) -> tuple[F64, NDArray[np.int8], F64]:
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(status)
    if t.ndim != 1 or t.shape != s.shape or t.size == 0:
        raise InputError("time and status must be non-empty 1-d arrays of equal length")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"time[{i}] = {float(t[i])!r} is not a finite time >= 0; fix or drop the row"
        )
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2 or x.shape[0] != t.size or x.shape[1] == 0:
        raise InputError(f"X must have one row per subject ({t.size}) and at least one column")
    bad_x = np.argwhere(~np.isfinite(x))
    if bad_x.size:
        i, j = (int(v) for v in bad_x[0])
        raise InputError(f"X[{i}, {j}] = {float(x[i, j])!r} is not finite; impute or drop the row")
    kind = np.where(s == censored, 0, np.where(s == cause, 1, 2)).astype(np.int8)
    if not (kind == 1).any():
        raise InputError(f"cause {cause} has no events; a Fine-Gray model needs at least one")
    return t, kind, x


def _solve(info: F64, u: F64) -> F64:
    out: F64 = linalg.solve(info, u, assume_a="sym")
    return out


def _newton_crr(
    w: _Weighted, p: int, gtol: float, max_iter: int
) -> tuple[F64, int, bool, _Evaluation, float]:
    """``crr``'s iterations: Newton steps, halved until the Armijo condition, ``gtol`` stop.

    Returns the coefficients, iterations, convergence, the evaluation there and the log
    likelihood at zero.
    """
    b = np.zeros(p)
    ev = w.evaluate(b, efron=False)
    loglik0 = ev.loglik
    for it in range(max_iter + 1):
        lik = -ev.loglik  # crr minimises the negative log pseudo-likelihood
        if np.max(np.abs(ev.score) * np.maximum(np.abs(b), 1.0)) < max(abs(lik), 1.0) * gtol:
            return b, it, True, ev, loglik0
        if it == max_iter:
            break
        step = _solve(ev.information, ev.score)
        for _ in range(21):
            new = b + step
            f_new = -w.loglik(new, efron=False)
            if math.isfinite(f_new) and f_new <= lik - 1e-4 * float(step @ ev.score):
                break
            step = step * 0.5
        else:
            return b, it, False, ev, loglik0
        b = new
        ev = w.evaluate(b, efron=False)
    return b, max_iter, False, ev, loglik0


def _newton_coxph(
    w: _Weighted, p: int, eps: float, max_iter: int
) -> tuple[F64, int, bool, _Evaluation, float]:
    """``coxph.fit``'s iterations (as :func:`hccsurv.core.cox.cox_fit`), Efron ties."""
    beta = np.zeros(p)
    best = w.evaluate(beta, efron=True)
    loglik0 = best.loglik
    newbeta = beta + _solve(best.information, best.score)
    halving = 0
    for it in range(1, max_iter + 1):
        ev = w.evaluate(newbeta, efron=True)
        ok = math.isfinite(ev.loglik)
        if ok and abs(1.0 - best.loglik / ev.loglik) <= eps:
            return newbeta, it, True, ev, loglik0
        if not ok or ev.loglik < best.loglik:
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best, beta = ev, newbeta
            newbeta = newbeta + _solve(ev.information, ev.score)
    return beta, max_iter, False, best, loglik0


def _crr_meat(w: _Weighted, beta: F64, ev: _Evaluation) -> F64:
    """:math:`\\sum_i (\\eta_i + \\psi_i)^{\\otimes 2}` of ``crrvv`` in cumulative sums.

    :math:`\\eta_i = \\delta_i (x_i - E_{k(i)}) - r_i \\sum_k w_i(t_k) d_k (x_i - E_k)/S_0(t_k)`;
    :math:`\\psi_i` sums, over the censoring times :math:`c \\le T_i`, :math:`-m_c q(c)/Y(c)^2`
    (plus :math:`q(T_i)/Y(T_i)` when :math:`i` is censored), with
    :math:`q(u) = \\sum_{t_k \\ge u} d_k G(t_k-)/S_0(t_k) \\{C_1(u) - E_k C_0(u)\\}` and
    :math:`C_r(u) = \\sum_{j\\ \\mathrm{competing},\\ T_j < u} r_j x_j^{\\otimes r} / G(T_j-)`.
    """
    x, r = w.x, np.exp(w.x @ beta)
    a = w.d / ev.s0
    alpha = w.spread(a)
    bvec = np.stack([w.spread(a * ev.mean[:, j]) for j in range(x.shape[1])], axis=1)
    eta = -r[:, None] * (x * alpha[:, None] - bvec)
    eta[w.ev_idx] += x[w.ev_idx] - ev.mean[w.ev_k]
    # psi: q(u) at each distinct censoring time u
    cens = w.kind == 0
    u = np.unique(w.time[cens])
    m = np.bincount(np.searchsorted(u, w.time[cens]), minlength=u.size).astype(np.float64)
    y = w.time.size - np.searchsorted(w.time, u, side="left").astype(np.float64)
    ga = w.g_event * a
    r0_tail = np.concatenate((np.cumsum(ga[::-1])[::-1], [0.0]))
    r1_tail = np.concatenate(
        (np.cumsum((ga[:, None] * ev.mean)[::-1], axis=0)[::-1], np.zeros((1, x.shape[1])))
    )
    k_u = np.searchsorted(w.times, u, side="left")  # first event time >= u
    comp_t = w.time[w.comp]
    cw = r[w.comp] / w.g_subject[w.comp]
    c0_cum = np.concatenate(([0.0], np.cumsum(cw)))
    c1_cum = np.concatenate((np.zeros((1, x.shape[1])), np.cumsum(cw[:, None] * x[w.comp], 0)))
    j_u = np.searchsorted(comp_t, u, side="left")  # competing with T < u
    q = c1_cum[j_u] * r0_tail[k_u][:, None] - c0_cum[j_u][:, None] * r1_tail[k_u]
    ss2 = np.cumsum(-(m / y**2)[:, None] * q, axis=0)
    idx = np.searchsorted(u, w.time, side="right") - 1  # last censoring time <= T_i
    psi = np.where(idx[:, None] >= 0, ss2[np.maximum(idx, 0)], 0.0)
    ci = np.flatnonzero(cens)
    psi[ci] += q[idx[ci]] / y[idx[ci]][:, None]
    tot = eta + psi
    meat: F64 = tot.T @ tot
    return meat


def _finegray_meat(w: _Weighted, beta: F64) -> F64:
    """:math:`\\sum_\\rho w_\\rho^2 U_\\rho^{\\otimes 2}` over the rows ``finegray`` would write.

    Each subject's first row runs to its time (a competing event: to the next censoring time)
    with weight 1; a competing event adds one row per later censoring interval
    :math:`(c_{j-1}, c_j]` with weight :math:`G(c_{j-1})/G(T_i-)`. ``coxph``'s Efron score
    residual of a row is :math:`\\delta (x - \\bar M_k) - r \\sum_k \\sum_l c_l (x - M_{kl})/D_{kl}`
    (:math:`c_l = 1 - l/d_k` for the row's own tied event, else 1). The extra rows of all
    subjects are summed per interval, so nothing is expanded.
    """
    x, r = w.x, np.exp(w.x @ beta)
    p, nk = x.shape[1], w.times.size
    ev = w.evaluate(beta, efron=True)
    k_ev = w.ev_k
    frac = w.ev_l / w.d[k_ev]
    denom = ev.s0[k_ev] - frac * _bincount(k_ev, r[w.ev_idx], nk)[k_ev]
    e1 = np.stack([_bincount(k_ev, r[w.ev_idx] * x[w.ev_idx, j], nk) for j in range(p)], 1)
    means = (ev.s0[k_ev, None] * ev.mean[k_ev] - frac[:, None] * e1[k_ev]) / denom[:, None]

    def per_time(v: F64) -> F64:
        return np.stack([_bincount(k_ev, v[:, j], nk) for j in range(v.shape[1])], 1)

    a = _bincount(k_ev, 1.0 / denom, nk)
    bv = per_time(means / denom[:, None])
    a_own = _bincount(k_ev, (1.0 - frac) / denom, nk)
    b_own = per_time(means * ((1.0 - frac) / denom)[:, None])
    mbar = per_time(means) / w.d[:, None]
    grid = np.concatenate((w.cens_times, [w.time[-1]]))
    cp = np.concatenate(([1.0], w.g_after))
    j_sub = np.searchsorted(grid, w.time, side="left")
    end = w.time.copy()
    end[w.comp] = grid[j_sub[w.comp]]
    end_bin = np.searchsorted(w.times, end, side="right")
    cum_a = np.concatenate(([0.0], np.cumsum(a)))
    cum_b = np.concatenate((np.zeros((1, p)), np.cumsum(bv, axis=0)))
    big_a, big_b = cum_a[end_bin], cum_b[end_bin]
    e = w.ev_idx
    big_a[e] += a_own[k_ev] - a[k_ev]
    big_b[e] += b_own[k_ev] - bv[k_ev]
    resid = -r[:, None] * (x * big_a[:, None] - big_b)
    resid[e] += x[e] - mbar[k_ev]
    meat: F64 = resid.T @ resid
    # extra rows: per interval j (grid[j-1], grid[j]] of the censoring grid
    j_ev = np.searchsorted(grid, w.times, side="left")
    ai = _bincount(j_ev, a, grid.size)
    bi = np.stack([_bincount(j_ev, bv[:, c], grid.size) for c in range(p)], 1)
    g2 = cp[: grid.size] ** 2
    tail_p = np.concatenate((np.cumsum((g2 * ai * ai)[::-1])[::-1], [0.0]))
    tail_q = np.concatenate(
        (np.cumsum(((g2 * ai)[:, None] * bi)[::-1], axis=0)[::-1], np.zeros((1, p)))
    )
    jc = j_sub[w.comp]
    xc = x[w.comp]
    f = r[w.comp] ** 2 / cp[jc] ** 2
    tp, tq = tail_p[jc + 1], tail_q[jc + 1]
    cross = (xc * f[:, None]).T @ tq
    # per interval j': sum of r^2/G(T-)^2 over the competing subjects with j(i) < j'
    coef = np.concatenate(([0.0], np.cumsum(_bincount(jc, f, grid.size))[:-1]))
    meat += (xc * (f * tp)[:, None]).T @ xc - cross - cross.T + (bi * (g2 * coef)[:, None]).T @ bi
    return meat


def fine_gray_fit(
    time: ArrayLike,
    status: ArrayLike,
    X: ArrayLike,
    *,
    cause: int = 1,
    censored: int = 0,
    method: str = "crr",
    conf_level: float = 0.95,
    names: tuple[str, ...] | None = None,
    gtol: float = 1e-6,
    max_iter: int | None = None,
) -> FineGrayFit:
    """Fit the Fine-Gray model of ``cause`` (module docstring) as ``crr`` or ``finegray``.

    Parameters
    ----------
    time, status : array-like
        Follow-up time and status: ``censored`` (0) for censoring, ``cause`` for the event of
        interest, any other code for a competing event.
    X : array-like, shape (n, p)
        Numeric covariates (dummy-code factors first, e.g. with ``hccsurv.analysis.design``).
    method : {"crr", "finegray"}
        ``crr`` (default) or ``coxph`` on ``finegray`` data.
    gtol, max_iter :
        ``crr``'s ``gtol`` and ``maxiter`` (10); for ``finegray`` ``max_iter`` is ``coxph``'s
        ``iter.max`` (20) and the tolerance is ``coxph``'s ``eps = 1e-9``.

    Raises
    ------
    InputError
        Bad times, non-finite covariates, no event of ``cause``, an unknown ``method``.
    """
    if method not in FINE_GRAY_METHODS:
        raise InputError(f"method={method!r} is not known; use one of {FINE_GRAY_METHODS}")
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level={conf_level!r} must be between 0 and 1 (e.g. 0.95)")
    t, kind, x = _check(time, status, X, cause, censored)
    p = x.shape[1]
    labels = names if names is not None else tuple(f"x{j + 1}" for j in range(p))
    if len(labels) != p:
        raise InputError(f"{len(labels)} names were given for {p} columns of X")
    if method == "finegray":
        t = aeq_times(t)
    w = _Weighted(t, kind, x, method)
    efron = method == "finegray"
    if method == "crr":
        beta, iterations, converged, ev, loglik0 = _newton_crr(
            w, p, gtol, 10 if max_iter is None else max_iter
        )
    else:
        beta, iterations, converged, ev, loglik0 = _newton_coxph(
            w, p, 1e-9, 20 if max_iter is None else max_iter
        )
    inv = linalg.inv(ev.information)
    inv = (inv + inv.T) / 2.0
    message = ""
    if not converged:
        message = (
            f"the Fine-Gray fit ({method}) did not converge in {iterations} iterations; a "
            "coefficient may be infinite (a level without events of the cause)"
        )
    elif method == "finegray":  # coxph's check for a coefficient drifting to infinity
        drift = np.abs(ev.score @ inv)
        flag = (drift > 1e-9) & (drift > math.sqrt(1e-9) * np.abs(beta))
        if flag.any():
            which = ", ".join(f"'{labels[j]}'" for j in np.flatnonzero(flag))
            message = (
                f"Loglik converged before {which}; the coefficient may be infinite (monotone "
                "likelihood, e.g. a level without events of the cause). Do not report its HR"
            )
    if message:
        warnings.warn(message, StatisticalWarning, stacklevel=2)
    meat = _crr_meat(w, beta, ev) if method == "crr" else _finegray_meat(w, beta)
    var = inv @ meat @ inv
    var = (var + var.T) / 2.0
    se = np.sqrt(np.diag(var))
    z = beta / se
    q = normal_quantile(0.5 + conf_level / 2.0)
    lr = 2.0 * (ev.loglik - loglik0)
    return FineGrayFit(
        names=labels,
        coef=beta,
        se=se,
        model_se=np.sqrt(np.diag(inv)),
        z=z,
        p=normal_two_sided_p_array(z),
        hr=np.exp(beta),
        hr_lower=np.exp(beta - q * se),
        hr_upper=np.exp(beta + q * se),
        var=var,
        information=ev.information,
        score=ev.score,
        loglik_null=loglik0,
        loglik=ev.loglik,
        lr_test=GlobalTest(name="likelihood ratio", chisq=lr, df=p, p=chi2_sf(lr, p)),
        cause=int(cause),
        method=method,
        ties="efron" if efron else "breslow",
        conf_level=conf_level,
        iterations=iterations,
        converged=converged,
        n=int(t.size),
        n_events=int((kind == 1).sum()),
        n_competing=int((kind == 2).sum()),
        n_censored=int((kind == 0).sum()),
        warnings=(message,) if message else (),
    )
