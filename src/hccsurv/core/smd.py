"""Standardized mean differences between two groups, optionally weighted.

Used for the baseline table (``smd=True``) and for covariate balance after matching or weighting.
Group 1 minus group 0; the pooled denominator gives both groups equal weight (Austin 2009).

* continuous: ``d = (x̄₁ - x̄₀) / √((s₁² + s₀²) / 2)``
* binary: ``d = (p₁ - p₀) / √((p₁(1 - p₁) + p₀(1 - p₀)) / 2)``
* categorical with levels ``1..K`` (Yang & Dalton 2012): with ``T = (p₁₂ … p₁K)`` and
  ``C = (p₀₂ … p₀K)`` (the first level dropped), ``d = √((T - C)ᵀ S⁻¹ (T - C))`` where
  ``S_kk = (p₁k(1 - p₁k) + p₀k(1 - p₀k)) / 2`` and ``S_kl = -(p₁k p₁l + p₀k p₀l) / 2``.
  With two levels it equals ``|d|`` of the binary form.

Weighted versions use ``x̄ = Σ w x / Σ w`` and the reliability-weight variance
``s² = Σ w (x - x̄)² / (Σ w - Σ w² / Σ w)`` (the sample variance when all weights are 1).
An SMD whose denominator is zero is ``0.0`` when the groups agree and ``None`` otherwise.

References
----------
Austin PC. Balance diagnostics for comparing the distribution of baseline covariates between
treatment groups in propensity-score matched samples. Stat Med 2009;28:3083-107.
Yang D, Dalton JE. A unified approach to measuring the effect size between two groups using SAS.
SAS Global Forum 2012, paper 335-2012.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.errors import InputError


def _values(x: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=float).ravel()
    if arr.size == 0:
        raise InputError(f"{name} is empty; each group needs at least one value")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}[{i}] is {float(arr[i])!r}; drop missing values before the SMD")
    return arr


def _weights(w: ArrayLike | None, size: int, name: str) -> NDArray[np.float64]:
    if w is None:
        return np.ones(size)
    arr = np.asarray(w, dtype=float).ravel()
    if arr.size != size:
        raise InputError(f"{name} has {arr.size} weights for {size} values; pass one per value")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}[{i}] is {float(arr[i])!r}; weights must be finite and >= 0")
    if arr.sum() <= 0:
        raise InputError(f"{name} sums to zero; at least one weight must be positive")
    return arr


def _mean_var(x: NDArray[np.float64], w: NDArray[np.float64]) -> tuple[float, float]:
    sw = float(w.sum())
    m = float(np.sum(w * x) / sw)
    denom = sw - float(np.sum(w**2)) / sw
    var = float(np.sum(w * (x - m) ** 2) / denom) if denom > 0 else 0.0
    return m, var


def _ratio(diff: float, var: float) -> float | None:
    if var > 0:
        return diff / float(np.sqrt(var))
    return 0.0 if diff == 0 else None


def smd_continuous(
    x1: ArrayLike, x0: ArrayLike, *, w1: ArrayLike | None = None, w0: ArrayLike | None = None
) -> float | None:
    """Signed SMD of a continuous variable, group 1 minus group 0, pooled SD (Austin 2009)."""
    a, b = _values(x1, "x1"), _values(x0, "x0")
    m1, v1 = _mean_var(a, _weights(w1, a.size, "w1"))
    m0, v0 = _mean_var(b, _weights(w0, b.size, "w0"))
    return _ratio(m1 - m0, (v1 + v0) / 2.0)


def smd_binary(
    x1: ArrayLike, x0: ArrayLike, *, w1: ArrayLike | None = None, w0: ArrayLike | None = None
) -> float | None:
    """Signed SMD of a 0/1 variable, group 1 minus group 0 (Austin 2009)."""
    a, b = _values(x1, "x1"), _values(x0, "x0")
    for name, arr in (("x1", a), ("x0", b)):
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{name}[{i}] is {float(arr[i])!r}; a binary SMD needs values 0 or 1")
    wa, wb = _weights(w1, a.size, "w1"), _weights(w0, b.size, "w0")
    p1 = float(np.sum(wa * a) / wa.sum())
    p0 = float(np.sum(wb * b) / wb.sum())
    return _ratio(p1 - p0, (p1 * (1 - p1) + p0 * (1 - p0)) / 2.0)


def level_proportions(
    x: ArrayLike, levels: Sequence[object], w: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Weighted share of each level (in the order given) among values equal to one of them."""
    arr = np.asarray(x, dtype=object).ravel()
    wt = _weights(w, arr.size, "w")
    props = np.array([float(wt[arr == lev].sum()) for lev in levels])
    if props.sum() <= 0:
        raise InputError(f"no value matches the levels {list(levels)!r}")
    out: NDArray[np.float64] = props / props.sum()
    return out


def smd_categorical(
    x1: ArrayLike,
    x0: ArrayLike,
    levels: Sequence[object],
    *,
    w1: ArrayLike | None = None,
    w0: ArrayLike | None = None,
) -> float | None:
    """Multi-level SMD (Yang & Dalton 2012, Mahalanobis form); never negative.

    Levels present in neither group carry no information and are dropped before ``S`` is
    inverted (a pseudo-inverse guards against exact collinearity).
    """
    if len(levels) < 2:
        raise InputError(f"levels {list(levels)!r}: a categorical SMD needs at least 2 levels")
    p1 = level_proportions(x1, levels, w1)
    p0 = level_proportions(x0, levels, w0)
    used = (p1 + p0) > 0
    p1, p0 = p1[used], p0[used]
    if p1.size < 2:
        return 0.0
    t, c = p1[1:], p0[1:]
    s = -(np.outer(t, t) + np.outer(c, c)) / 2.0
    np.fill_diagonal(s, (t * (1 - t) + c * (1 - c)) / 2.0)
    diff = t - c
    if not np.any(diff):
        return 0.0
    value = float(diff @ np.linalg.pinv(s) @ diff)
    return float(np.sqrt(max(value, 0.0)))
