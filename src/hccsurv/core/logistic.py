"""Logistic regression by iteratively reweighted least squares, as R ``glm.fit`` (binomial, logit).

For 0/1 outcomes :math:`y_i` and design rows :math:`x_i` (intercept column included by the
caller), :math:`\\operatorname{logit} \\mu_i = \\eta_i = x_i'\\beta`. R's algorithm, step for step:

* start (``binomial()$initialize`` with prior weights 1): :math:`\\mu^{(0)} = (y + 1/2) / 2`,
  :math:`\\eta^{(0)} = \\operatorname{logit} \\mu^{(0)}`, :math:`D^{(0)}` its deviance;
* iteration :math:`t = 1, 2, \\dots,` ``maxit``: with :math:`\\mu' = d\\mu / d\\eta` and
  :math:`V(\\mu) = \\mu (1 - \\mu)`, the working response :math:`z = \\eta + (y - \\mu) / \\mu'`
  and weights :math:`w = \\mu'^2 / V(\\mu)`; :math:`\\beta` solves the weighted least squares of
  :math:`z` on :math:`X` (Householder QR of :math:`W^{1/2} X`); :math:`\\eta = X\\beta`,
  :math:`\\mu = \\operatorname{logit}^{-1}(\\eta)`, deviance
  :math:`D = -2 \\sum [y \\log \\mu + (1 - y) \\log(1 - \\mu)]`;
* converged when :math:`|D - D_{old}| / (|D| + 0.1) <` ``epsilon`` (``glm.control``:
  ``epsilon = 1e-8``, ``maxit = 25``); ``iterations`` is R's ``iter``.

The inverse link and :math:`\\mu'` are clamped as R's C code (``logit_linkinv``,
``logit_mu_eta``): for :math:`|\\eta| > 30` they use :math:`\\varepsilon` = machine epsilon, so
:math:`\\mu` stays inside (0, 1), the deviance stays finite and R's step halving never triggers.
The covariance is :math:`(X'WX)^{-1}` at the weights of the last least-squares step, R
``summary.glm(fit)$cov.unscaled`` (``chol2inv`` of that step's R factor; dispersion 1).

Reference: McCullagh P, Nelder JA (1989) Generalized Linear Models, 2nd ed., section 2.5;
R 4.2.2 ``stats::glm.fit`` and ``src/library/stats/src/family.c``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from hccsurv.core._result import Result
from hccsurv.core.distributions import normal_two_sided_p_array
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LogisticFit", "logistic_fit"]

_THRESH = 30.0
_EPS = float(np.finfo(np.float64).eps)
_RANK_TOL = 1e-11  # R glm.fit: qr tolerance min(1e-7, epsilon / 1000)


@dataclass(frozen=True)
class LogisticFit(Result):
    """A logistic regression fitted by IRLS (arrays in the order of the design columns/rows).

    Attributes
    ----------
    names : column names of the design (``x0``, ``x1``, ... when not given).
    coef, se, z, p : coefficients, standard errors :math:`\\sqrt{\\operatorname{diag}(X'WX)^{-1}}`,
        Wald :math:`z = \\hat\\beta / SE` and :math:`p = 2\\Phi(-|z|)` (R ``summary.glm``).
    cov : :math:`(X'WX)^{-1}`, R ``vcov(fit)``.
    linear, fitted : :math:`\\hat\\eta = X\\hat\\beta` and :math:`\\hat\\mu` (R
        ``fit$linear.predictors``, ``fit$fitted.values``).
    deviance : :math:`-2 \\log L` at :math:`\\hat\\beta` (R ``fit$deviance``).
    iterations : R ``fit$iter``; converged : R ``fit$converged``.
    """

    names: tuple[str, ...]
    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    cov: NDArray[np.float64] = field(repr=False)
    linear: NDArray[np.float64] = field(repr=False)
    fitted: NDArray[np.float64] = field(repr=False)
    deviance: float
    iterations: int
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        """Coefficients: term, coef, se, z, p."""
        import pandas as pd

        return pd.DataFrame(
            {"term": list(self.names), "coef": self.coef, "se": self.se, "z": self.z, "p": self.p}
        )


def _linkinv(eta: NDArray[np.float64]) -> NDArray[np.float64]:
    """:math:`e^\\eta / (1 + e^\\eta)` with R's clamping of :math:`e^\\eta` outside [-30, 30]."""
    with np.errstate(over="ignore"):
        tmp = np.where(eta < -_THRESH, _EPS, np.where(eta > _THRESH, 1.0 / _EPS, np.exp(eta)))
    out: NDArray[np.float64] = tmp / (1.0 + tmp)
    return out


def _mu_eta(eta: NDArray[np.float64]) -> NDArray[np.float64]:
    """:math:`d\\mu / d\\eta = e^\\eta / (1 + e^\\eta)^2`, machine epsilon outside [-30, 30]."""
    with np.errstate(over="ignore"):
        e = np.exp(eta)
        opexp = 1.0 + e
        out: NDArray[np.float64] = np.where(np.abs(eta) > _THRESH, _EPS, e / (opexp * opexp))
    return out


def _deviance(y: NDArray[np.float64], mu: NDArray[np.float64]) -> float:
    """Binomial deviance for 0/1 ``y``: :math:`2 \\log(1/\\mu)` or :math:`2 \\log(1/(1-\\mu))`."""
    return float(np.sum(np.where(y == 1.0, 2.0 * np.log(1.0 / mu), 2.0 * np.log(1.0 / (1.0 - mu)))))


def logistic_fit(
    x: ArrayLike,
    y: ArrayLike,
    *,
    names: Sequence[str] | None = None,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> LogisticFit:
    """Fit :math:`\\operatorname{logit} P(y = 1) = X\\beta` as R ``glm(y ~ X - 1, binomial)``.

    Parameters
    ----------
    x : (n, p) array
        Design matrix; include a column of ones for an intercept.
    y : (n,) array of 0/1
        Outcomes.
    names : sequence of p str, optional
        Column names used in messages and in ``to_frame()``.
    epsilon, maxit : float, int
        R ``glm.control(epsilon = 1e-8, maxit = 25)``.

    Returns
    -------
    LogisticFit
        ``converged`` is False when ``maxit`` iterations did not reach the criterion (R warns
        "glm.fit: algorithm did not converge"); the caller decides what that means.

    Raises
    ------
    InputError
        Shapes disagree, values are not finite, ``y`` is not 0/1, or a design column is a linear
        combination of the others (R would give it an ``NA`` coefficient).
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if xa.ndim != 2 or ya.ndim != 1 or xa.shape[0] != ya.size or xa.shape[1] == 0:
        raise InputError(
            f"x has shape {xa.shape} and y {ya.shape}; need x of shape (n, p >= 1) and y of (n,)"
        )
    p = xa.shape[1]
    labels = tuple(names) if names is not None else tuple(f"x{j}" for j in range(p))
    if len(labels) != p:
        raise InputError(f"{len(labels)} names for {p} design columns")
    if not np.all(np.isfinite(xa)):
        i, j = np.argwhere(~np.isfinite(xa))[0]
        raise InputError(
            f"row {int(i)}: design column '{labels[j]}' is {float(xa[i, j])!r}; need finite"
        )
    bad = ~np.isin(ya, (0.0, 1.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"row {i}: y is {float(ya[i])!r}; logistic regression needs 0/1 outcomes")
    if not maxit >= 1 or not epsilon > 0:
        raise InputError(f"maxit = {maxit!r}, epsilon = {epsilon!r}; need maxit >= 1, epsilon > 0")

    mu = (ya + 0.5) / 2.0
    eta = np.log(mu / (1.0 - mu))
    dev_old = _deviance(ya, mu)
    coef = np.zeros(p)
    r = np.eye(p)
    converged = False
    iterations = 0
    dev = dev_old
    for iterations in range(1, maxit + 1):  # noqa: B007 - the last value is R's fit$iter
        mu_eta = _mu_eta(eta)
        zw = eta + (ya - mu) / mu_eta
        w = np.sqrt(mu_eta**2 / (mu * (1.0 - mu)))
        xw = xa * w[:, None]
        q, r = np.linalg.qr(xw)
        col_norm = np.sqrt(np.sum(xw**2, axis=0))
        deficient = np.abs(np.diag(r)) <= _RANK_TOL * col_norm
        if deficient.any():
            j = int(np.argmax(deficient))
            raise InputError(
                f"design column '{labels[j]}' is a linear combination of the columns before it "
                "(R would report an NA coefficient); drop it or merge the collinear covariates"
            )
        coef = linalg.solve_triangular(r, q.T @ (zw * w))
        eta = xa @ coef
        mu = _linkinv(eta)
        dev = _deviance(ya, mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            converged = True
            break
        dev_old = dev
    r_inv = linalg.solve_triangular(r, np.eye(p))
    cov = r_inv @ r_inv.T
    se = np.sqrt(np.diag(cov))
    z = coef / se
    return LogisticFit(
        names=labels,
        coef=coef,
        se=se,
        z=z,
        p=normal_two_sided_p_array(z),
        cov=cov,
        linear=eta,
        fitted=mu,
        deviance=dev,
        iterations=iterations,
        converged=converged,
    )
