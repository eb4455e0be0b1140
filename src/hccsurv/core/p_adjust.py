"""Adjusted p-values for multiple comparisons, as R ``stats::p.adjust``.

With :math:`m` non-missing p-values sorted ascending :math:`p_{(1)} \\le \\dots \\le p_{(m)}`:

* Holm: :math:`\\tilde p_{(i)} = \\min\\{1, \\max_{j \\le i} (m - j + 1)\\,p_{(j)}\\}`;
* Bonferroni: :math:`\\min(1, m\\,p_i)`;
* Benjamini-Hochberg (``"BH"``):
  :math:`\\tilde p_{(i)} = \\min\\{1, \\min_{j \\ge i} m\\,p_{(j)} / j\\}`;
* ``"none"``: unchanged.

Missing p-values (NaN) stay missing and do not count in :math:`m` (R's ``n = sum(!is.na(p))``).

Reference: R 4.2 ``p.adjust.R``; Holm (1979); Benjamini & Hochberg (1995).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.errors import InputError

__all__ = ["ADJUST_METHODS", "p_adjust"]

#: The methods accepted by :func:`p_adjust` (R's names).
ADJUST_METHODS = ("holm", "bonferroni", "BH", "none")


def p_adjust(p: ArrayLike, method: str = "holm") -> NDArray[np.float64]:
    """Adjust ``p`` for multiple comparisons with ``method`` (R ``p.adjust(p, method)``)."""
    if method not in ADJUST_METHODS:
        raise InputError(f"adjust={method!r} is not supported; use one of {list(ADJUST_METHODS)}")
    arr = np.asarray(p, dtype=np.float64).reshape(-1)
    known = ~np.isnan(arr)
    if bool(np.any((arr[known] < 0.0) | (arr[known] > 1.0))):
        raise InputError(f"p-values must lie in [0, 1]; got {arr.tolist()!r}")
    out = arr.copy()
    vals = arr[known]
    m = vals.size
    if m == 0 or method == "none":
        return out
    if method == "bonferroni":
        out[known] = np.minimum(1.0, m * vals)
        return out
    if method == "holm":
        o = np.argsort(vals, kind="stable")
        adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * vals[o]))
    else:  # BH: from the largest p down
        o = np.argsort(-vals, kind="stable")
        rank = np.arange(m, 0, -1, dtype=np.float64)
        adj = np.minimum(1.0, np.minimum.accumulate(m / rank * vals[o]))
    res = np.empty(m)
    res[o] = adj
    out[known] = res
    return out
