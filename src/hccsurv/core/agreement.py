"""Agreement between two raters: percent agreement, Cohen's kappa and weighted kappa.

With ``n`` paired ratings on ``k`` ordered categories, observed proportions ``p_ij`` and margins
``p_i.``, ``p_.j``, and agreement weights ``w_ij`` (identity for Cohen's kappa; linear
``1 - |i-j|/(k-1)``; quadratic ``1 - (i-j)^2/(k-1)^2``)::

    p_o = sum w_ij p_ij,   p_e = sum w_ij p_i. p_.j,   kappa = (p_o - p_e) / (1 - p_e)

Asymptotic (non-null) standard error of Fleiss, Cohen & Everitt (1969), with
``wbar_i = sum_j w_ij p_.j`` and ``wbar_j = sum_i w_ij p_i.``::

    var = [sum_ij p_ij (w_ij - (wbar_i + wbar_j)(1 - kappa))^2
           - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)

and a Wald interval ``kappa -/+ z se``. Percent agreement ``sum p_ii`` gets an exact
Clopper-Pearson interval.

References
----------
Cohen J. Educ Psychol Meas 1960;20:37-46. Cohen J. Psychol Bull 1968;70:213-20.
Fleiss JL, Cohen J, Everitt BS. Psychol Bull 1969;72:323-7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from hccsurv.core._result import Result
from hccsurv.core.distributions import beta_quantile, normal_quantile
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

Weights = Literal["none", "linear", "quadratic"]


@dataclass(frozen=True)
class Agreement(Result):
    """Agreement of two raters on one scale.

    ``kappa_ci`` is ``(lower, upper)``; ``se`` is the Fleiss-Cohen-Everitt asymptotic SE (NaN
    when the expected agreement is 1). ``table`` is the ``k x k`` count matrix (rows: rater 1).
    """

    categories: tuple[str, ...]
    weights: str
    n: int
    table: np.ndarray
    percent_agreement: float
    percent_agreement_ci: tuple[float, float]
    observed: float
    expected: float
    kappa: float
    se: float
    kappa_ci: tuple[float, float]
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row: weights, n, percent agreement and kappa with their intervals."""
        import pandas as pd

        return pd.DataFrame(
            {
                "weights": [self.weights],
                "n": [self.n],
                "percent_agreement": [self.percent_agreement],
                "percent_agreement_lower": [self.percent_agreement_ci[0]],
                "percent_agreement_upper": [self.percent_agreement_ci[1]],
                "kappa": [self.kappa],
                "se": [self.se],
                "kappa_lower": [self.kappa_ci[0]],
                "kappa_upper": [self.kappa_ci[1]],
            }
        )


def weight_matrix(k: int, weights: Weights) -> np.ndarray:
    """Agreement weights ``w_ij`` for ``k`` ordered categories."""
    if weights not in ("none", "linear", "quadratic"):
        raise InputError(f"weights={weights!r}: use 'none', 'linear' or 'quadratic'")
    i, j = np.indices((k, k))
    if weights == "none" or k == 1:
        return np.asarray(i == j, dtype=float)
    d = np.abs(i - j) / (k - 1)
    return np.asarray(1.0 - d if weights == "linear" else 1.0 - d**2, dtype=float)


def kappa_from_table(
    table: np.ndarray,
    weights: Weights = "none",
    conf_level: float = 0.95,
    categories: Sequence[str] | None = None,
) -> Agreement:
    """Kappa and percent agreement from a ``k x k`` table of counts (rows: rater 1).

    Parameters
    ----------
    table
        Square matrix of non-negative counts, categories in scale order.
    weights
        ``"none"`` (Cohen 1960), ``"linear"`` or ``"quadratic"`` (Cohen 1968).
    conf_level
        Level of both intervals.
    categories
        Labels of the rows/columns (default ``"1".."k"``).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise InputError(f"table must be square, got shape {counts.shape}")
    if np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise InputError("table must hold non-negative finite counts")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level={conf_level}: use a value strictly between 0 and 1")
    k = counts.shape[0]
    n = float(counts.sum())
    if n == 0:
        raise InputError("table is empty: no paired ratings to compare")
    labels = tuple(categories) if categories is not None else tuple(str(i + 1) for i in range(k))
    if len(labels) != k:
        raise InputError(f"{len(labels)} category labels for a {k} x {k} table")
    w = weight_matrix(k, weights)
    p = counts / n
    row = p.sum(axis=1)
    col = p.sum(axis=0)
    p_o = float(np.sum(w * p))
    p_e = float(np.sum(w * np.outer(row, col)))
    z = normal_quantile(0.5 + conf_level / 2)
    if np.isclose(p_e, 1.0, rtol=0.0, atol=1e-12):
        kappa = se = float("nan")
    else:
        kappa = (p_o - p_e) / (1.0 - p_e)
        wbar_i = w @ col
        wbar_j = row @ w
        dev = w - (wbar_i[:, None] + wbar_j[None, :]) * (1.0 - kappa)
        var = (np.sum(p * dev**2) - (kappa - p_e * (1.0 - kappa)) ** 2) / (n * (1.0 - p_e) ** 2)
        se = float(np.sqrt(max(var, 0.0)))
    agree = round(float(np.trace(counts)))
    total = round(n)
    alpha = 1.0 - conf_level
    lower = beta_quantile(alpha / 2, agree, total - agree + 1) if agree > 0 else 0.0
    upper = beta_quantile(1 - alpha / 2, agree + 1, total - agree) if agree < total else 1.0
    return Agreement(
        categories=labels,
        weights=weights,
        n=total,
        table=counts.astype(int),
        percent_agreement=agree / total,
        percent_agreement_ci=(lower, upper),
        observed=p_o,
        expected=p_e,
        kappa=float(kappa),
        se=se,
        kappa_ci=(kappa - z * se, kappa + z * se),
        conf_level=conf_level,
    )


def cohen_kappa(
    rater1: Sequence[str],
    rater2: Sequence[str],
    categories: Sequence[str],
    weights: Weights = "none",
    conf_level: float = 0.95,
) -> Agreement:
    """Kappa of two raters' paired calls on an ordered category scale.

    Parameters
    ----------
    rater1, rater2
        Calls of the same subjects, in the same order.
    categories
        The scale, in order (for example ``("CR", "PR", "SD", "PD")``); every call must be on it.
    weights, conf_level
        As in :func:`kappa_from_table`.
    """
    a = np.asarray(rater1, dtype=object)
    b = np.asarray(rater2, dtype=object)
    if a.shape != b.shape or a.ndim != 1:
        raise InputError(f"rater1 and rater2 must be 1-d of equal length ({a.shape} vs {b.shape})")
    index = {c: i for i, c in enumerate(categories)}
    bad = sorted({str(v) for v in np.concatenate([a, b]) if v not in index})
    if bad:
        raise InputError(f"calls {bad} are not on the scale {tuple(categories)}; map or drop them")
    ia = np.array([index[v] for v in a], dtype=int)
    ib = np.array([index[v] for v in b], dtype=int)
    k = len(categories)
    table = np.zeros((k, k), dtype=int)
    np.add.at(table, (ia, ib), 1)
    return kappa_from_table(table, weights=weights, conf_level=conf_level, categories=categories)
