"""Restricted cubic splines, R ``rms::rcs`` / ``Hmisc::rcspline.eval`` (knots and basis).

**Knots** (``nk`` of them, Harrell's defaults; ``rcspline.eval(x, nk)``, ``fractied = 0.05``):
with :math:`n` non-missing values and :math:`u` distinct ones,

- :math:`u - 2 \\le nk`: the distinct values less the smallest and the largest (with R's warning);
- otherwise the outer quantile is 0.1 for 3 knots, 0.05 for 4-6, 0.025 for 7 or more; when no
  inner value holds :math:`\\ge 5\\%` of the data but the smallest (largest) value does, that
  point mass is set aside: the next distinct value becomes the first (last) knot and the rest are
  placed on the values strictly inside; the :math:`nk_e` remaining knots are the type-7 quantiles
  at ``seq(outer, 1 - outer, length = nk_e)`` (at ``seq(0.5, 1 - outer)`` when :math:`nk_e = 2`,
  the median when :math:`nk_e = 1`);
- **fewer than 100 values** (after setting point masses aside): the outer knots move to the 5th
  smallest and the 5th largest value, :math:`x_{(5)}` and :math:`x_{(n-4)}`.

**Basis** (``rcspline.eval(x, knots, inclx = TRUE, norm = 2)``): with knots
:math:`t_1 < \\dots < t_k`, :math:`\\tau = (t_k - t_1)^{2/3}` and :math:`(u)_+ = \\max(u, 0)`,

.. math::

    B_j(x) = \\Big(\\tfrac{x - t_j}{\\tau}\\Big)_+^3
      + \\frac{(t_{k-1} - t_j)\\big(\\tfrac{x - t_k}{\\tau}\\big)_+^3
             - (t_k - t_j)\\big(\\tfrac{x - t_{k-1}}{\\tau}\\big)_+^3}{t_k - t_{k-1}},
    \\qquad j = 1..k-2,

and the columns are :math:`x, B_1, \\dots, B_{k-2}`: linear beyond the outer knots, so
:math:`k - 1` coefficients. Reference: Harrell (2015), *Regression Modeling Strategies*, 2nd ed.,
section 2.4.5; Hmisc 4.8 ``rcspline.eval`` (algorithm).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError, StatisticalWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RestrictedCubicSpline", "rcs", "rcs_basis", "rcs_knots"]

FRACTIED = 0.05
"""R's ``fractied``: a point mass at an end this large is set aside from the quantiles."""


def rcs_knots(x: ArrayLike, nk: int = 5) -> NDArray[np.float64]:
    """Harrell's default knots of ``nk`` (>= 3) knots, as ``rcspline.eval(x, nk = nk)``.

    Raises
    ------
    InputError
        Fewer than 6 values, ``nk < 3``, or fewer than 3 distinct knots.
    """
    arr = np.asarray(x, dtype=np.float64)
    xx = arr[~np.isnan(arr)]
    n = xx.shape[0]
    if n < 6:
        raise InputError(f"{n} non-missing values; knots need at least 6 (or give knots=)")
    if nk < 3:
        raise InputError(f"nk={nk}: a restricted cubic spline needs at least 3 knots")
    xu, counts = np.unique(xx, return_counts=True)
    if xu.shape[0] - 2 <= nk:
        knots = xu[1:-1]
        warnings.warn(
            f"{nk} knots requested with {xu.shape[0]} distinct values; knots set to the "
            f"{knots.shape[0]} inner values (as R)",
            StatisticalWarning,
            stacklevel=2,
        )
        return _checked(knots)
    outer = 0.025 if nk > 6 else 0.05 if nk > 3 else 0.1
    nke = nk
    first: list[float] = []
    last: list[float] = []
    frac = counts / n
    if float(frac[1:-1].max()) < FRACTIED:
        if frac[0] >= FRACTIED:
            first = [float(xu[1])]
            xx = xx[xx > first[0]]
            nke -= 1
        if frac[-1] >= FRACTIED:
            last = [float(xu[-2])]
            xx = xx[xx < last[0]]
            nke -= 1
    if nke == 1:
        inner = np.array([np.median(xx)])
    else:
        probs = np.linspace(0.5 if nke == 2 else outer, 1.0 - outer, nke)
        inner = np.quantile(xx, probs)
        if np.unique(inner).shape[0] < min(nke, 3):
            raise InputError(
                f"could not place {nk} distinct knots (the values are heavily tied); "
                "give knots= explicitly or use fewer knots"
            )
        if xx.shape[0] < 100:
            s = np.sort(xx)
            if not first:
                inner[0] = s[4]
            if not last:
                inner[nke - 1] = s[-5]
    return _checked(np.concatenate((first, inner, last)))


def _checked(knots: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.unique(knots)
    if out.shape[0] < 3:
        raise InputError(f"fewer than 3 distinct knots ({out.tolist()}); give more distinct x")
    return out


def rcs_basis(x: ArrayLike, knots: ArrayLike) -> NDArray[np.float64]:
    """The columns :math:`x, B_1, ..., B_{k-2}` (``rcspline.eval(x, knots, inclx = TRUE)``)."""
    t = np.unique(np.asarray(knots, dtype=np.float64))
    if t.shape[0] < 3:
        raise InputError(f"knots {t.tolist()}: a restricted cubic spline needs 3 distinct knots")
    v = np.asarray(x, dtype=np.float64)
    k = t.shape[0]
    tau = (t[-1] - t[0]) ** (2.0 / 3.0)

    def cube(u: NDArray[np.float64]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = np.maximum(u / tau, 0.0) ** 3
        return out

    cols = [v]
    tail_k, tail_k1 = cube(v - t[-1]), cube(v - t[-2])
    for j in range(k - 2):
        cols.append(
            cube(v - t[j]) + ((t[-2] - t[j]) * tail_k - (t[-1] - t[j]) * tail_k1) / (t[-1] - t[-2])
        )
    return np.column_stack(cols)


@dataclass(frozen=True)
class RestrictedCubicSpline(Result):
    """Knots and basis of a restricted cubic spline (R ``rcs(x, nk)``)."""

    name: str
    knots: NDArray[np.float64]
    basis: NDArray[np.float64]

    @property
    def columns(self) -> tuple[str, ...]:
        """R's column names: ``x``, ``x'``, ``x''``, ..."""
        return tuple(self.name + "'" * j for j in range(self.basis.shape[1]))

    def to_frame(self) -> pd.DataFrame:
        """The basis, one column per term (R's names)."""
        import pandas as pd

        return pd.DataFrame(self.basis, columns=list(self.columns))


def rcs(x: ArrayLike, knots: ArrayLike | int = 5, *, name: str = "x") -> RestrictedCubicSpline:
    """Restricted cubic spline of ``x``: ``knots`` is a number of knots (Harrell's placement,
    :func:`rcs_knots`) or the knots themselves, as R ``rcs(x, 5)`` / ``rcs(x, c(...))``.

    Missing values stay missing in the basis (drop them before a model).
    """
    at = (
        rcs_knots(x, int(knots))
        if isinstance(knots, int | np.integer)
        else np.unique(np.asarray(knots, dtype=np.float64))
    )
    return RestrictedCubicSpline(name=name, knots=at, basis=rcs_basis(x, at))
