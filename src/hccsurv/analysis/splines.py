"""A continuous Cox covariate as a restricted cubic spline, R ``cph(Surv ~ rcs(x, k) + ...)``.

:func:`spline_cox` fits the spline model (knots from :func:`hccsurv.core.splines.rcs_knots` on the
complete cases, as ``rcs`` inside ``cph``), then reports

- the **likelihood-ratio test of non-linearity**: the spline model against the same model with
  ``x`` linear, :math:`2(\\ell_{\\text{spline}} - \\ell_{\\text{linear}})` on :math:`k - 2` df
  (nested models on the same rows), and the Wald test of the same hypothesis, R ``anova(cph)``'s
  " Nonlinear" line :math:`\\hat\\beta_N' V_{NN}^{-1} \\hat\\beta_N` over the non-linear terms;
- the overall Wald test of ``x`` (``anova``'s ``x`` line, :math:`k - 1` df);
- the **HR curve** against a reference value :math:`x_0` (default the median, rms'
  ``datadist`` adjust-to value): :math:`\\log HR(x) = (B(x) - B(x_0))'\\hat\\beta` with
  :math:`se = \\sqrt{d' V d}`, :math:`d = B(x) - B(x_0)`, and the interval
  :math:`\\exp(\\log HR \\pm z\\,se)` (``rms::contrast``).

The fit converges as ``coxph`` (relative change of the log-likelihood :math:`\\le 10^{-9}`); R's
``cph`` stops at :math:`10^{-4}` by default, so its coefficients differ in the third or fourth
digit unless it is run with ``eps = 1e-9`` (as the reference script does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.cox import GlobalTest
from hccsurv.core.distributions import chi2_sf, normal_quantile
from hccsurv.core.splines import rcs_basis, rcs_knots
from hccsurv.errors import InputError

__all__ = ["SplineCox", "spline_cox"]


def _test(name: str, chisq: float, df: int) -> GlobalTest:
    return GlobalTest(name=name, chisq=chisq, df=df, p=chi2_sf(chisq, df))


@dataclass(frozen=True)
class SplineCox(Result):
    """A Cox model with a restricted cubic spline of one covariate (see :func:`spline_cox`)."""

    variable: str
    knots: NDArray[np.float64]
    reference: float
    nonlinear_lr: GlobalTest
    nonlinear_wald: GlobalTest
    overall_wald: GlobalTest
    grid: NDArray[np.float64]
    log_hr: NDArray[np.float64]
    log_hr_se: NDArray[np.float64]
    hr: NDArray[np.float64]
    hr_lower: NDArray[np.float64]
    hr_upper: NDArray[np.float64]
    conf_level: float
    model: CoxModel = field(repr=False)
    linear: CoxModel = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The HR curve: one row per grid value (x, log_hr, se, hr, hr_lower, hr_upper)."""
        return pd.DataFrame(
            {
                self.variable: self.grid,
                "log_hr": self.log_hr,
                "se": self.log_hr_se,
                "hr": self.hr,
                "hr_lower": self.hr_lower,
                "hr_upper": self.hr_upper,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Knots, reference, the three tests, the curve and the spline model."""
        return {
            "variable": self.variable,
            "knots": jsonable(self.knots),
            "reference": self.reference,
            "conf_level": self.conf_level,
            "nonlinear_lr": self.nonlinear_lr.to_dict(),
            "nonlinear_wald": self.nonlinear_wald.to_dict(),
            "overall_wald": self.overall_wald.to_dict(),
            "curve": jsonable(self.to_frame().to_dict(orient="list")),
            "model": self.model.to_dict(),
        }


def spline_cox(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    variable: str,
    *,
    knots: int | Sequence[float] = 4,
    covariates: Sequence[str] = (),
    reference: float | None = None,
    grid: ArrayLike | None = None,
    factor_reference: Mapping[str, object] | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> SplineCox:
    """Cox model of ``rcs(variable, knots) + covariates`` with the tests of non-linearity.

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col : str
    variable : str
        The continuous covariate modelled by the spline.
    knots : int or sequence of float
        Number of knots (Harrell's placement, default 4) or the knots themselves.
    covariates : sequence of str
        Other covariates (linear terms and factors).
    reference : float, optional
        :math:`x_0` of the HR curve; the median of ``variable`` (complete cases) by default.
    grid : array-like, optional
        Values of the HR curve; by default 100 points from the 5th to the 95th percentile.
    factor_reference : mapping, optional
        Reference levels of factor covariates, as :func:`hccsurv.coxph`'s ``reference``.
    ties, conf_level : as :func:`hccsurv.coxph`.

    Raises
    ------
    InputError
        A non-numeric ``variable`` (naming the patient), too few values or distinct knots.
    """
    cols = [time_col, event_col, variable, *covariates]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(f"column(s) {missing} not in the data; it has {list(frame.columns)}")
    values = pd.to_numeric(frame[variable], errors="coerce")
    wrong = values.isna() & frame[variable].notna()
    if bool(wrong.any()):
        who = frame.index[wrong.to_numpy()].tolist()[0]
        raise InputError(
            f"patient {who!r}: {variable}={frame.loc[who, variable]!r} is not a number; a "
            "spline needs a numeric covariate"
        )
    complete = frame[cols].notna().all(axis=1).to_numpy()
    used = frame.loc[complete].assign(**{variable: values[complete]})
    x = used[variable].to_numpy(dtype=np.float64)
    at = (
        rcs_knots(x, knots)
        if isinstance(knots, int)
        else np.unique(np.asarray(knots, dtype=np.float64))
    )
    basis = rcs_basis(x, at)
    names = [variable + "'" * j for j in range(basis.shape[1])]
    clash = [n for n in names[1:] if n in frame.columns]
    if clash:
        raise InputError(f"column(s) {clash} would be overwritten by the spline terms; rename")
    data = used.assign(**{n: basis[:, j] for j, n in enumerate(names)})
    common: dict[str, Any] = {"reference": factor_reference, "ties": ties, "conf_level": conf_level}
    model = coxph(data, time_col, event_col, [*names, *covariates], **common)
    linear = coxph(data, time_col, event_col, [variable, *covariates], **common)
    k = len(names)
    beta = model.fit.coef[:k]
    var = model.fit.var[:k, :k]
    lr = 2.0 * (model.loglik - linear.loglik)
    nonlin = float(beta[1:] @ np.linalg.solve(var[1:, 1:], beta[1:]))
    overall = float(beta @ np.linalg.solve(var, beta))
    x0 = float(np.median(x)) if reference is None else float(reference)
    lo, hi = np.quantile(x, [0.05, 0.95])
    points = (
        np.linspace(float(lo), float(hi), 100)
        if grid is None
        else np.asarray(grid, dtype=np.float64)
    )
    d = rcs_basis(points, at) - rcs_basis(np.array([x0]), at)
    log_hr = d @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", d, var, d))
    q = normal_quantile(0.5 + conf_level / 2.0)
    return SplineCox(
        variable=variable,
        knots=at,
        reference=x0,
        nonlinear_lr=_test("likelihood ratio (non-linearity)", lr, k - 1),
        nonlinear_wald=_test("wald (non-linearity)", nonlin, k - 1),
        overall_wald=_test(f"wald ({variable})", overall, k),
        grid=points,
        log_hr=log_hr,
        log_hr_se=se,
        hr=np.exp(log_hr),
        hr_lower=np.exp(log_hr - q * se),
        hr_upper=np.exp(log_hr + q * se),
        conf_level=conf_level,
        model=model,
        linear=linear,
    )
