"""Array plumbing shared by the clinical rules: scalars, numpy arrays and pandas Series in and out.

Every rule computes on 1-d numpy arrays; ``as_float`` turns the caller's input into one (``None``,
``pd.NA`` and NaN become NaN) and ``restore`` gives the result back in the caller's shape: a scalar
for a scalar, a Series with the same index for a Series, an ndarray otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TOL = 1e-9
"""Tolerance of threshold comparisons (domain reference §0): exact boundaries land as stated."""


def is_scalar(x: object) -> bool:
    """True for a single value (number, string, None), false for arrays and Series."""
    return not isinstance(x, (pd.Series, np.ndarray, list, tuple))


def as_float(x: object, name: str) -> np.ndarray:
    """1-d float array of ``x`` with missing values (None, NA, NaN, "") as NaN.

    Raises
    ------
    InputError
        A value is neither numeric nor missing; the message names the position, argument and value.
    """
    from hccsurv.errors import InputError

    values = pd.Series(as_labels(x))
    missing = values.map(is_missing).to_numpy(dtype=bool)
    values[missing] = None
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{name}: value {values.iloc[i]!r} at position {i} is not a number; "
            "give a number or leave it empty for missing"
        )
    return numeric.to_numpy(dtype=float)


def as_labels(x: object) -> np.ndarray:
    """1-d object array of ``x`` (strings or missing markers) for category parsing."""
    if isinstance(x, pd.Series):
        return x.to_numpy(dtype=object)
    return np.atleast_1d(np.asarray(x, dtype=object)).ravel()


def is_missing(v: object) -> bool:
    """True for None, NaN, pd.NA, NaT and the empty string."""
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return True
    if isinstance(v, float | np.floating):
        return bool(np.isnan(v))
    return v is pd.NA or v is pd.NaT


def restore(result: np.ndarray, like: object) -> Any:
    """``result`` in the caller's shape: scalar, Series (same index) or ndarray."""
    if isinstance(like, pd.Series):
        return pd.Series(result, index=like.index, name=like.name)
    if is_scalar(like):
        value = result[0]
        if isinstance(value, np.floating):
            return float(value)
        return value
    return result


def first_series(*args: object) -> object:
    """The first Series among ``args`` (for restoring the index), else the first argument."""
    for a in args:
        if isinstance(a, pd.Series):
            return a
    for a in args:
        if not is_scalar(a):
            return a
    return args[0]


def check_lengths(names: tuple[str, ...], arrays: tuple[np.ndarray, ...]) -> int:
    """Common length of ``arrays``; length-1 arrays broadcast. Raises InputError on a mismatch."""
    from hccsurv.errors import InputError

    lengths = {len(a) for a in arrays if len(a) != 1}
    if len(lengths) > 1:
        detail = ", ".join(f"{n}={len(a)}" for n, a in zip(names, arrays, strict=True))
        raise InputError(f"inputs have different lengths ({detail}); pass arrays of one length")
    return lengths.pop() if lengths else 1
