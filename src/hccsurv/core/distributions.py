"""Normal and chi-square tail functions, straight from :mod:`scipy.special`.

``scipy.stats.norm.ppf`` and ``scipy.stats.chi2.sf`` call these same special functions
(``ndtri``, ``ndtr``, ``chdtrc``) after about 0.1 ms of argument handling per call; the estimators
call them once or twice per fit, so the direct calls keep small fits fast. Values are identical.
"""

from __future__ import annotations

import math

from scipy import special

__all__ = ["chi2_sf", "normal_quantile", "normal_two_sided_p", "z_for_level"]


def normal_quantile(p: float) -> float:
    """:math:`\\Phi^{-1}(p)`, as R ``qnorm(p)``."""
    return float(special.ndtri(p))


def z_for_level(conf_level: float) -> float:
    """The two-sided critical value :math:`\\Phi^{-1}(1 - (1 - \\text{level}) / 2)`."""
    return normal_quantile(1.0 - (1.0 - conf_level) / 2.0)


def normal_two_sided_p(z: float) -> float:
    """:math:`2 \\Phi(-|z|)`, as R ``2 * pnorm(-abs(z))``."""
    return float(2.0 * special.ndtr(-abs(z)))


def chi2_sf(x: float, df: float) -> float:
    """Upper tail :math:`P(\\chi^2_{df} > x)`, as R ``pchisq(x, df, lower.tail = FALSE)``."""
    if math.isnan(x):
        return math.nan
    return float(special.chdtrc(df, x))
