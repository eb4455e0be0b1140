"""Input checks shared by the survival estimators.

Every estimator in :mod:`hccsurv.core` starts by calling :func:`check_survival` (and, when it
compares groups, :func:`check_groups`). The checks turn lists, tuples, boolean arrays and integer
arrays into contiguous ``float64`` arrays and reject what R's ``Surv()`` would reject or silently
mis-read: a length mismatch, missing or infinite times, negative times, event codes other than
0/1 (R also accepts 1/2 coding, which is the usual trap when data come from ``survival::lung``),
and negative or missing case weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.errors import InputError

__all__ = ["GroupCodes", "SurvivalArrays", "check_groups", "check_survival"]


@dataclass(frozen=True)
class SurvivalArrays:
    """Validated right-censored data.

    Attributes
    ----------
    time : float64 array, finite and >= 0.
    event_codes : the event indicators, 0 (censored) or 1 (event), in an integer or boolean dtype
        (the input's own when it was one: no conversion pass).
    weights : float64 array of case weights, finite and >= 0 (when none were given: a read-only
        array of ones).
    unit_weights : True when no weights were given.
    time_min, time_max : the smallest and largest time (found by the checks; reused by the
        aggregation).
    """

    time: NDArray[np.float64]
    event_codes: NDArray[Any]
    weights: NDArray[np.float64]
    unit_weights: bool
    time_min: float
    time_max: float

    @cached_property
    def event(self) -> NDArray[np.float64]:
        """The event indicators as float64 0.0 / 1.0 (computed on first use)."""
        return self.event_codes.astype(np.float64)

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.time.shape[0])


@dataclass(frozen=True)
class GroupCodes:
    """Group membership as integer codes ``0 .. k-1`` into ``labels``."""

    codes: NDArray[np.intp]
    labels: tuple[str, ...]


def _first_bad(mask: NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def _as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got an array of shape {arr.shape}")
    return arr


def _as_float(arr: NDArray[Any], name: str) -> NDArray[np.float64]:
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.number):
        return np.ascontiguousarray(arr, dtype=np.float64)
    try:
        return np.ascontiguousarray(arr.astype(np.float64))
    except (TypeError, ValueError):
        for i, v in enumerate(arr.tolist()):
            try:
                float(v)
            except (TypeError, ValueError):
                raise InputError(
                    f"{name}[{i}] = {v!r} is not a number; convert {name} to numbers "
                    "(missing values must be removed before the analysis)"
                ) from None
        raise


def _check_time(t: NDArray[np.float64]) -> None:
    bad = ~np.isfinite(t)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(
            f"time[{i}] = {float(t[i])!r} is not a finite number; remove rows with missing times "
            "or fill in the follow-up time"
        )
    bad = t < 0
    if bad.any():
        i = _first_bad(bad)
        raise InputError(
            f"time[{i}] = {float(t[i])!r} is negative; survival times must be >= 0 "
            "(check the start and end dates of this patient)"
        )


def _check_event(e: NDArray[np.float64]) -> None:
    bad = np.isnan(e)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(
            f"event[{i}] is missing (NaN); every row needs an event code 0 (censored) or 1 (event)"
        )
    bad = (e != 0.0) & (e != 1.0)
    if bad.any():
        i = _first_bad(bad)
        codes = set(np.unique(e).tolist())
        hint = (
            "; looks like R's 1/2 coding (1 = censored, 2 = event): pass status - 1"
            if codes <= {1.0, 2.0}
            else "; use 1 for an event and 0 for censored"
        )
        raise InputError(f"event[{i}] = {float(e[i])!r} is not 0 or 1{hint}")


def check_survival(
    time: ArrayLike, event: ArrayLike, weights: ArrayLike | None = None
) -> SurvivalArrays:
    """Validate right-censored survival data and return float64 arrays.

    Parameters
    ----------
    time : array-like of float
        Follow-up times, finite and >= 0 (R ``Surv(time, ...)``).
    event : array-like of 0/1 or bool
        1 (True) = event observed, 0 (False) = censored.
    weights : array-like of float, optional
        Case weights, finite and >= 0; ones by default.

    Raises
    ------
    InputError
        Naming the first offending index and value, and the fix.
    """
    t = _as_float(_as_1d(time, "time"), "time")
    codes = _as_1d(event, "event")
    n = t.shape[0]
    if codes.shape[0] != n:
        raise InputError(
            f"time has {n} values but event has {codes.shape[0]}; pass one event code per time"
        )
    if n == 0:
        raise InputError("time and event are empty; at least one observation is needed")
    # one reduction each in the common case; the element-wise checks only when they can fail
    # (a NaN makes the minimum NaN, an infinity makes the maximum infinite)
    tmin, tmax = float(t.min()), float(t.max())
    if not (tmin >= 0.0 and math.isfinite(tmax)):
        _check_time(t)
    if codes.dtype.kind == "b":
        pass
    elif codes.dtype.kind in "iu":
        # one pass: read as unsigned, a negative code is huge
        if int(codes.view(codes.dtype.str.replace("i", "u")).max()) > 1:
            _check_event(_as_float(codes, "event"))
    else:
        e = _as_float(codes, "event")
        _check_event(e)
        codes = e == 1.0
    codes = np.ascontiguousarray(codes)
    if weights is None:
        # a read-only view of one 1.0: no n-sized allocation for the common unweighted case
        ones = np.broadcast_to(np.float64(1.0), (n,))
        return SurvivalArrays(t, codes, ones, unit_weights=True, time_min=tmin, time_max=tmax)
    w = _as_float(_as_1d(weights, "weights"), "weights")
    if w.shape[0] != n:
        raise InputError(
            f"time has {n} values but weights has {w.shape[0]}; pass one weight per row"
        )
    bad = ~np.isfinite(w)
    if bad.any():
        i = _first_bad(bad)
        raise InputError(f"weights[{i}] = {float(w[i])!r} is not a finite number; fix or drop it")
    bad = w < 0
    if bad.any():
        i = _first_bad(bad)
        raise InputError(f"weights[{i}] = {float(w[i])!r} is negative; case weights must be >= 0")
    return SurvivalArrays(t, codes, w, unit_weights=False, time_min=tmin, time_max=tmax)


def _label(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, (float, np.floating)) and math.isnan(value))
    except TypeError:
        return False


def check_groups(group: ArrayLike, n: int, order: Sequence[Any] | None = None) -> GroupCodes:
    """Validate a group column and code it ``0 .. k-1``.

    Parameters
    ----------
    group : array-like
        One label per row (strings, integers, floats or bools).
    n : int
        Expected number of rows (the length of ``time``).
    order : sequence, optional
        The labels in display order; the first is the reference group. Without it the order is
        the sorted distinct values, as R's ``factor()`` (numeric values sort numerically, strings
        in code-point order).

    Raises
    ------
    InputError
        On a length mismatch, a missing group value, a value not listed in ``order``, a label of
        ``order`` that no row carries, or a duplicated label in ``order``.
    """
    arr = _as_1d(group, "group")
    if arr.shape[0] != n:
        raise InputError(
            f"group has {arr.shape[0]} values but time has {n}; pass one group label per row"
        )
    if arr.dtype.kind == "f":
        bad = np.isnan(arr)
        if bad.any():
            i = _first_bad(bad)
            raise InputError(f"group[{i}] is missing (NaN); drop the row or give it a group")
    elif arr.dtype == object:
        for i, v in enumerate(arr.tolist()):
            if _is_missing(v):
                raise InputError(f"group[{i}] is missing ({v!r}); drop the row or give it a group")
    if arr.dtype == object:
        arr = arr.astype(str)
    if (
        arr.dtype.kind in "iub"
        and arr.shape[0] > 0
        and 0 <= int(arr.min()) <= int(arr.max()) < n + 1024
    ):
        # small non-negative integer codes: one bincount instead of a sort
        as_int = arr.astype(np.intp, copy=False)
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 1:  # min and max both occur and nothing lies between: no count needed
            uniq = np.arange(lo, hi + 1).astype(arr.dtype)
            codes = as_int - lo if lo else as_int
        else:
            present = np.bincount(as_int) > 0
            uniq = np.flatnonzero(present).astype(arr.dtype)
            codes = as_int if bool(present.all()) else (np.cumsum(present) - 1)[as_int]
    else:
        uniq, codes = np.unique(arr, return_inverse=True)
    uniq_labels = [_label(v) for v in uniq.tolist()]
    if len(set(uniq_labels)) != len(uniq_labels):
        raise InputError(
            f"group values {uniq.tolist()!r} give duplicate labels; recode the group column"
        )
    codes = np.asarray(codes, dtype=np.intp).reshape(-1)
    if order is None:
        return GroupCodes(codes=codes, labels=tuple(uniq_labels))
    order_labels = [_label(o) for o in order]
    if len(set(order_labels)) != len(order_labels):
        raise InputError(f"order {order_labels!r} lists a label twice; list each group once")
    position = {lab: j for j, lab in enumerate(order_labels)}
    missing_in_order = [lab for lab in uniq_labels if lab not in position]
    if missing_in_order:
        i = int(np.flatnonzero(codes == uniq_labels.index(missing_in_order[0]))[0])
        raise InputError(
            f"group[{i}] = {missing_in_order[0]!r} is not in order {order_labels!r}; "
            "add it to order or recode the group column"
        )
    absent = [lab for lab in order_labels if lab not in set(uniq_labels)]
    if absent:
        raise InputError(
            f"order lists {absent!r} but no row has that group; "
            f"the groups present are {uniq_labels!r}"
        )
    remap = np.array([position[lab] for lab in uniq_labels], dtype=np.intp)
    return GroupCodes(codes=remap[codes], labels=tuple(order_labels))
