"""From a data frame to a regression design matrix, as R ``model.matrix`` with treatment contrasts.

* numeric columns enter as they are, ``bool`` columns as 0/1 (one coefficient, level ``None``);
* string, object and pandas ``Categorical`` columns are factors coded with treatment contrasts:
  one 0/1 column per non-reference level. The reference is the caller's choice, else the first
  category of a ``Categorical``, else the first level in sorted order (R's ``factor()``). Levels
  absent from the rows used are dropped (R ``drop.unused.levels``);
* rows with a missing value in any column the model uses are dropped (R ``na.omit``, complete
  cases per model); their labels and the columns that were missing are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError

__all__ = ["Design", "DroppedRow", "Term", "build_design", "complete_cases"]


@dataclass(frozen=True)
class Term:
    """One model term: a numeric column or a factor with its non-reference levels."""

    variable: str
    columns: tuple[int, ...]
    levels: tuple[str | None, ...]
    reference: str | None

    @property
    def is_factor(self) -> bool:
        """True for a factor (treatment-coded) term."""
        return self.reference is not None


@dataclass(frozen=True)
class DroppedRow:
    """A row left out of a model and the columns that were missing in it."""

    label: Any
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Design(Result):
    """Design matrix of the complete cases, with term/level labels and the dropped rows."""

    matrix: NDArray[np.float64]
    column_names: tuple[str, ...]
    terms: tuple[Term, ...]
    rows: tuple[Any, ...]
    dropped: tuple[DroppedRow, ...]

    def to_frame(self) -> pd.DataFrame:
        """The design matrix with its column names, indexed by the row labels used."""
        return pd.DataFrame(self.matrix, columns=list(self.column_names), index=list(self.rows))

    def coefficient_frame(
        self, estimates: Mapping[str, Sequence[float] | NDArray[np.float64]], columns: Sequence[str]
    ) -> pd.DataFrame:
        """One row per design column: ``variable``, ``level``, ``reference``, then each of
        ``estimates`` (a vector indexed by design column) under its name, in ``columns`` order."""
        rows = [
            {
                "variable": term.variable,
                "level": level,
                "reference": term.reference,
                **{name: values[col] for name, values in estimates.items()},
            }
            for term in self.terms
            for col, level in zip(term.columns, term.levels, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(columns))

    def term(self, variable: str) -> Term:
        """The term of ``variable``."""
        for t in self.terms:
            if t.variable == variable:
                return t
        raise InputError(f"'{variable}' is not a term of this model")

    def row_for(self, profile: Mapping[str, object]) -> NDArray[np.float64]:
        """Design row of one covariate profile (a value per variable, levels by name)."""
        x = np.zeros(len(self.column_names))
        for t in self.terms:
            if t.variable not in profile:
                raise InputError(
                    f"the profile has no value for '{t.variable}'; give every model variable"
                )
            value = profile[t.variable]
            if t.is_factor:
                label = str(value)
                known = (t.reference, *t.levels)
                if label not in known:
                    raise InputError(
                        f"'{t.variable}' = {value!r} is not a level of the model; use one of "
                        f"{list(known)}"
                    )
                if label != t.reference:
                    x[t.columns[t.levels.index(label)]] = 1.0
            else:
                try:
                    x[t.columns[0]] = float(value)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    raise InputError(
                        f"'{t.variable}' = {value!r} is not a number; the term is numeric"
                    ) from None
        return x


def complete_cases(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[NDArray[np.bool_], tuple[DroppedRow, ...]]:
    """Mask of rows complete in ``columns`` and the dropped rows with their missing columns."""
    missing_cols = [c for c in columns if c not in frame.columns]
    if missing_cols:
        raise InputError(
            f"column(s) {missing_cols} are not in the data; available: {list(frame.columns)}"
        )
    cols = list(dict.fromkeys(columns))
    na = frame[cols].isna().to_numpy()
    keep: NDArray[np.bool_] = np.asarray(~na.any(axis=1), dtype=bool)
    labels = list(frame.index)
    dropped = tuple(
        DroppedRow(
            label=labels[int(i)], missing=tuple(c for c, m in zip(cols, na[i], strict=True) if m)
        )
        for i in np.flatnonzero(~keep)
    )
    return keep, dropped


def _factor_levels(
    series: pd.Series, variable: str, reference: object | None
) -> tuple[str, list[str]]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.astype(str))
        levels = [str(c) for c in series.cat.categories if str(c) in present]
    else:
        levels = sorted({str(v) for v in series})
    if len(levels) < 2:
        raise InputError(
            f"'{variable}' has a single level {levels} in the rows used; a factor needs at least "
            "two levels with data. Drop it from the model"
        )
    ref = levels[0] if reference is None else str(reference)
    if ref not in levels:
        raise InputError(
            f"reference level {reference!r} of '{variable}' is not among its levels {levels}"
        )
    return ref, [lv for lv in levels if lv != ref]


def build_design(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    reference: Mapping[str, object] | None = None,
    required: Sequence[str] = (),
) -> Design:
    """Design matrix of ``covariates`` over the rows complete in them and in ``required``.

    Parameters
    ----------
    frame : DataFrame
    covariates : sequence of str
        Model variables, in order.
    reference : mapping, optional
        Reference level per factor variable.
    required : sequence of str
        Other columns the model needs complete (time, event, strata, weights ...).

    Raises
    ------
    InputError
        An unknown column, no complete rows, a factor with one level, an unknown reference.
    """
    if len(covariates) == 0:
        raise InputError("no covariates were given; name at least one column")
    if len(set(covariates)) != len(covariates):
        raise InputError(f"covariates {list(covariates)} contain duplicates")
    refs = dict(reference or {})
    unknown = [k for k in refs if k not in covariates]
    if unknown:
        raise InputError(f"reference levels given for {unknown}, which are not model covariates")
    keep, dropped = complete_cases(frame, [*covariates, *required])
    if not keep.any():
        raise InputError(
            f"no row is complete in {list(dict.fromkeys([*covariates, *required]))}; "
            "check the missing values"
        )
    used = frame.loc[keep]
    blocks: list[NDArray[np.float64]] = []
    names: list[str] = []
    terms: list[Term] = []
    for var in covariates:
        s = used[var]
        start = len(names)
        is_factor = (
            isinstance(s.dtype, pd.CategoricalDtype)
            or s.dtype == object
            or pd.api.types.is_string_dtype(s.dtype)
        )
        if is_factor:
            ref, levels = _factor_levels(s, var, refs.get(var))
            labels = s.astype(str).to_numpy()
            for lv in levels:
                blocks.append((labels == lv).astype(np.float64))
                names.append(f"{var}[{lv}]")
            terms.append(Term(var, tuple(range(start, len(names))), tuple(levels), reference=ref))
        else:
            if var in refs:
                raise InputError(f"a reference level was given for numeric column '{var}'")
            if not (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)):
                raise InputError(
                    f"column '{var}' has dtype {s.dtype}; convert it to numbers or categories"
                )
            blocks.append(s.to_numpy(dtype=np.float64))
            names.append(var)
            terms.append(Term(var, (start,), (None,), reference=None))
    matrix = np.ascontiguousarray(np.column_stack(blocks))
    return Design(
        matrix=matrix,
        column_names=tuple(names),
        terms=tuple(terms),
        rows=tuple(used.index),
        dropped=dropped,
    )
