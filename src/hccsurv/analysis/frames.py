"""The public estimators on arrays, on a pandas frame's columns or on a DuckDB relation.

``hccsurv.kaplan_meier(time, event)`` takes arrays, as the core; with ``data=`` the arguments
are column names of a pandas DataFrame or of a :class:`duckdb.DuckDBPyRelation` (a Parquet or CSV
scan, a table of a DuckDB database): the relation is aggregated inside DuckDB
(:mod:`hccsurv.engines.duckdb_aggregate`) and only the per-time table reaches Python.
``hccsurv.coxph(rel, "t", "e", ["x1", "x2"])`` fits a relation with
:func:`hccsurv.engines.duckdb_cox.duckdb_coxph` and a DataFrame with
:func:`hccsurv.analysis.coxph.coxph`. The numbers are the same whichever holds the rows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import ArrayLike

from hccsurv.core import km as _km
from hccsurv.core import logrank as _logrank
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from hccsurv.analysis.coxph import CoxModel
    from hccsurv.core.cox import CoxFit

__all__ = ["coxph", "is_relation", "kaplan_meier", "logrank"]

_RELATION_OPTIONS = frozenset(
    {"strata", "weights", "robust", "ties", "conf_level", "max_iter", "eps", "toler_chol"}
)


def is_relation(obj: object) -> bool:
    """True for a :class:`duckdb.DuckDBPyRelation` (without importing DuckDB when unused)."""
    mod = sys.modules.get("duckdb")
    return mod is not None and isinstance(obj, mod.DuckDBPyRelation)


def _column(data: Any, name: object, what: str) -> ArrayLike:
    if not isinstance(name, str):
        raise InputError(f"with data=, {what} must be a column name; got {type(name).__name__}")
    if name not in data.columns:
        raise InputError(f"column '{name}' ({what}) is not in data; it has {list(data.columns)}")
    values: ArrayLike = data[name].to_numpy()
    return values


def _name(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"with a DuckDB relation, {what} must be a column name")
    return value


def _fractional(rel: Any, weights: object) -> bool:
    """Whether a relation's weight column holds a value that is not a whole number."""
    column = _name(weights, "weights").replace('"', '""')
    rows = rel.aggregate(f'bool_or("{column}" <> floor("{column}"))').fetchall()
    return bool(rows and rows[0][0])


def kaplan_meier(
    time: ArrayLike | str,
    event: ArrayLike | str,
    *,
    data: pd.DataFrame | duckdb.DuckDBPyRelation | None = None,
    entry: ArrayLike | str | None = None,
    weights: ArrayLike | str | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
    robust: bool | None = None,
) -> _km.KaplanMeier:
    """R ``survfit(Surv(time, event) ~ 1)``: :func:`hccsurv.core.km.kaplan_meier`.

    Arrays, or with ``data=`` column names of a DataFrame or a DuckDB relation. DuckDB computes
    neither delayed ``entry`` nor the robust (infinitesimal-jackknife) variance, which R uses by
    default for non-integer weights: on a relation with such weights pass ``robust=False`` to
    accept Greenwood's variance, or use a DataFrame.
    """
    if data is None:
        return _km.kaplan_meier(
            time,  # type: ignore[arg-type]
            event,  # type: ignore[arg-type]
            entry=entry,  # type: ignore[arg-type]
            weights=weights,  # type: ignore[arg-type]
            conf_type=conf_type,
            conf_level=conf_level,
            robust=robust,
        )
    if is_relation(data):
        from hccsurv.engines.duckdb_aggregate import duckdb_kaplan_meier

        if entry is not None:
            raise InputError("delayed entry is not computed in DuckDB; use a DataFrame")
        if robust or (robust is None and weights is not None and _fractional(data, weights)):
            raise InputError(
                "the robust variance (R's default for non-integer weights) is not computed in "
                "DuckDB; pass robust=False for Greenwood's variance, or use a DataFrame"
            )
        return duckdb_kaplan_meier(
            data,
            _name(time, "time"),
            _name(event, "event"),
            weights=None if weights is None else _name(weights, "weights"),
            conf_type=conf_type,
            conf_level=conf_level,
        )
    return _km.kaplan_meier(
        _column(data, time, "time"),
        _column(data, event, "event"),
        entry=None if entry is None else _column(data, entry, "entry"),
        weights=None if weights is None else _column(data, weights, "weights"),
        conf_type=conf_type,
        conf_level=conf_level,
        robust=robust,
    )


def logrank(
    time: ArrayLike | str,
    event: ArrayLike | str,
    group: ArrayLike | str,
    *,
    data: pd.DataFrame | duckdb.DuckDBPyRelation | None = None,
    strata: ArrayLike | str | None = None,
    rho: float = 0.0,
    order: Sequence[Any] | None = None,
    entry: ArrayLike | str | None = None,
) -> _logrank.LogRank:
    """R ``survdiff(Surv(time, event) ~ group + strata(s), rho=)``: :func:`.core.logrank.logrank`.

    Arrays, or with ``data=`` column names of a DataFrame or a DuckDB relation.
    """
    if data is None:
        return _logrank.logrank(
            time,  # type: ignore[arg-type]
            event,  # type: ignore[arg-type]
            group,  # type: ignore[arg-type]
            strata=strata,  # type: ignore[arg-type]
            rho=rho,
            order=order,
            entry=entry,  # type: ignore[arg-type]
        )
    if is_relation(data):
        from hccsurv.engines.duckdb_aggregate import duckdb_logrank

        if entry is not None:
            raise InputError("delayed entry is not computed in DuckDB; use a DataFrame")
        return duckdb_logrank(
            data,
            _name(time, "time"),
            _name(event, "event"),
            _name(group, "group"),
            strata=None if strata is None else _name(strata, "strata"),
            rho=rho,
            order=order,
        )
    return _logrank.logrank(
        _column(data, time, "time"),
        _column(data, event, "event"),
        _column(data, group, "group"),
        strata=None if strata is None else np.asarray(_column(data, strata, "strata")),
        rho=rho,
        order=order,
        entry=None if entry is None else _column(data, entry, "entry"),
    )


@overload
def coxph(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    **options: Any,
) -> CoxModel: ...


@overload
def coxph(
    frame: duckdb.DuckDBPyRelation,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    **options: Any,
) -> CoxFit: ...


def coxph(
    frame: pd.DataFrame | duckdb.DuckDBPyRelation,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    **options: Any,
) -> CoxModel | CoxFit:
    """R ``coxph`` on a DataFrame or on a DuckDB relation.

    A DataFrame goes to :func:`hccsurv.analysis.coxph.coxph` (keyword options as there); a
    relation to :func:`hccsurv.engines.duckdb_cox.duckdb_coxph` (numeric covariates, ``strata``,
    ``weights``, ``robust``, ``ties``, ``conf_level``), whose
    :class:`~hccsurv.core.cox.CoxFit` has the in-memory fit's numbers.
    """
    if is_relation(frame):
        from hccsurv.engines.duckdb_cox import duckdb_coxph

        unknown = sorted(set(options) - _RELATION_OPTIONS)
        if unknown:
            raise InputError(
                f"option(s) {unknown} of coxph are not available on a DuckDB relation; use "
                f"{sorted(_RELATION_OPTIONS)}, dummy-code factors in SQL, or fit a DataFrame"
            )
        return duckdb_coxph(frame, time_col, event_col, covariates, **options)
    from hccsurv.analysis.coxph import coxph as frame_coxph  # pandas: loaded when first used

    return frame_coxph(frame, time_col, event_col, covariates, **options)  # type: ignore[arg-type]
