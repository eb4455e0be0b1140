"""Derived model terms: transforms (log, per k units, centring) and interaction columns.

Each function returns a new frame with added numeric columns (the input is not changed) and the
names of those columns, ready for :func:`~hccsurv.analysis.coxph.coxph`:

* ``log``: :math:`\\ln x` (R ``log(x)``), also ``log2`` and ``log10``; a value :math:`\\le 0` is an
  error naming the row, not a silent ``-Inf``/``NaN``;
* ``per k``: :math:`x / k`, so the hazard ratio is per k units (R ``I(x / k)``);
* ``center``: :math:`x - \\bar x` with :math:`\\bar x` the mean of the non-missing values
  (R ``x - mean(x, na.rm = TRUE)``), or minus a given value, e.g. 60 years;
* interactions: the product columns of R's ``a:b`` in ``a * b`` with treatment contrasts — for two
  numeric columns :math:`a b`; for a factor, one column per non-reference level
  :math:`a \\cdot [b = l]`; for two factors, one per pair of non-reference levels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccsurv.errors import InputError

__all__ = ["TRANSFORMS", "TermSpec", "add_interaction", "add_transforms"]

#: The transforms accepted by :class:`TermSpec`.
TRANSFORMS = ("log", "log2", "log10", "per", "center")


@dataclass(frozen=True)
class TermSpec:
    """One transform: ``kind`` of ``column``; ``value`` is k for ``per``, the centre (optional,
    default the mean) for ``center``; ``name`` the new column (default e.g. ``log(afp)``)."""

    column: str
    kind: str
    value: float | None = None
    name: str | None = None

    def default_name(self) -> str:
        """R-like term name: ``log(x)``, ``x/10``, ``x - 60`` or ``x - mean``."""
        if self.kind in ("log", "log2", "log10"):
            return f"{self.kind}({self.column})"
        if self.kind == "per":
            return f"{self.column}/{self.value:g}"
        return f"{self.column} - " + ("mean" if self.value is None else f"{self.value:g}")


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise InputError(f"column '{column}' is not in the data; got {list(frame.columns)}")
    s = frame[column]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise InputError(f"column '{column}' must be numeric to transform it; it is {s.dtype}")
    return s.astype("float64")


def add_transforms(
    frame: pd.DataFrame, specs: Sequence[TermSpec]
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The frame with one new column per spec, and the centre used by each ``center`` column.

    Raises
    ------
    InputError
        An unknown column or transform, a non-numeric column, ``per`` without a positive finite
        k, a log of a value <= 0 (the row and value named), a new name that already exists.
    """
    out = frame.copy()
    centres: dict[str, float] = {}
    for spec in specs:
        if spec.kind not in TRANSFORMS:
            raise InputError(
                f"transform '{spec.kind}' of '{spec.column}' is unknown; use one of "
                f"{list(TRANSFORMS)}"
            )
        x = _numeric(frame, spec.column)
        if spec.kind == "per" and (
            spec.value is None or not math.isfinite(spec.value) or spec.value <= 0
        ):
            raise InputError(
                f"'per' for '{spec.column}' needs value = k > 0 (e.g. 10 for per 10 units); "
                f"got {spec.value!r}"
            )
        name = spec.name or spec.default_name()
        if name in out.columns:
            raise InputError(f"the transformed column '{name}' already exists; give another name")
        if spec.kind.startswith("log"):
            bad = x.notna() & (x <= 0)
            if bad.any():
                row = bad[bad].index[0]
                raise InputError(
                    f"row {row}: '{spec.column}' = {float(x[row]):g} has no logarithm; log needs "
                    "values > 0 (correct the value, or add a constant in a derived column first)"
                )
            fn = {"log": np.log, "log2": np.log2, "log10": np.log10}[spec.kind]
            out[name] = fn(x)
        elif spec.kind == "per":
            out[name] = x / float(spec.value or 1.0)  # value checked above
        else:
            centre = float(x.mean()) if spec.value is None else float(spec.value)
            if not math.isfinite(centre):
                raise InputError(f"'{spec.column}' has no non-missing value to centre on")
            out[name] = x - centre
            centres[name] = centre
    return out, centres


def _is_factor(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or s.dtype == object
        or pd.api.types.is_string_dtype(s.dtype)
    )


def _indicators(s: pd.Series, column: str, reference: object | None) -> dict[str, pd.Series]:
    """0/1 columns of the non-reference levels (NaN where the value is missing)."""
    values = s.dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(values.astype(str))
        levels = [str(c) for c in s.cat.categories if str(c) in present]
    else:
        levels = sorted({str(v) for v in values})
    ref = levels[0] if reference is None else str(reference)
    if ref not in levels:
        raise InputError(f"reference {reference!r} is not a level of '{column}': {levels}")
    text = s.astype(str).where(s.notna())
    return {lv: (text == lv).astype("float64").where(s.notna()) for lv in levels if lv != ref}


def add_interaction(
    frame: pd.DataFrame,
    a: str,
    b: str,
    *,
    reference: dict[str, object] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The frame with the product columns of ``a:b`` (R ``a * b``) and their names.

    Fit ``coxph(frame, time, event, [a, b, *names])`` for R's ``coxph(~ a * b)``; a factor's
    ``reference`` must be the one its main effect uses.
    """
    for col in (a, b):
        if col not in frame.columns:
            raise InputError(f"column '{col}' is not in the data; got {list(frame.columns)}")
    if a == b:
        raise InputError(f"an interaction needs two different columns; got '{a}' twice")
    refs = reference or {}

    def parts(col: str) -> dict[str, pd.Series]:
        s = frame[col]
        if _is_factor(s):
            return {f"{col}[{lv}]": v for lv, v in _indicators(s, col, refs.get(col)).items()}
        return {col: _numeric(frame, col)}

    out = frame.copy()
    names = []
    for na, xa in parts(a).items():
        for nb, xb in parts(b).items():
            name = f"{na}:{nb}"
            if name in out.columns:
                raise InputError(f"the interaction column '{name}' already exists in the data")
            out[name] = xa * xb
            names.append(name)
    return out, names
