"""Per-time aggregates computed inside DuckDB, and their exact combination across sites.

Kaplan-Meier, Nelson-Aalen, the log-rank family and RMST consume only
:class:`~hccsurv.core.aggregate.TimeAggregates`. :func:`duckdb_time_aggregates` computes
them with one ``GROUP BY time, cell`` query over a :class:`duckdb.DuckDBPyRelation` (a Parquet or
CSV scan works out-of-core under DuckDB's ``memory_limit``); only the small per-time table
reaches Python. The near-tie merge of R's ``aeqSurv`` (``timefix = TRUE``) is then applied on
that table exactly as :func:`hccsurv.core.aggregate.aggregate` applies it to the rows.

:func:`combine_time_aggregates` adds the per-time tables of several sites (hospitals that may
not share patient rows): the pooled counts at a time are the sums of the sites' counts, and the
number at risk is again a reverse cumulative sum, so the combined table equals the pooled one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hccsurv.core.aggregate import TimeAggregates, _aeq_merge, _finish
from hccsurv.core.checks import check_groups
from hccsurv.core.km import KaplanMeier, kaplan_meier_from_aggregates
from hccsurv.core.logrank import LogRank, logrank_from_cells
from hccsurv.errors import InputError

__all__ = [
    "combine_time_aggregates",
    "duckdb_kaplan_meier",
    "duckdb_logrank",
    "duckdb_time_aggregates",
]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pivot(
    time: NDArray[np.float64],
    cell: NDArray[np.intp],
    n_cells: int,
    events: NDArray[np.float64],
    total: NDArray[np.float64],
    rows: NDArray[np.int64],
    *,
    timefix: bool,
) -> TimeAggregates:
    """Per-(time, cell) rows -> a (m, n_cells) :class:`TimeAggregates` with the aeqSurv merge."""
    uniq, uid = np.unique(time, return_inverse=True)
    if timefix and uniq.shape[0] > 0:
        keep = _aeq_merge(uniq)
        # a near-tied time joins the first time of its run, as aeqSurv maps it
        group = np.cumsum(keep) - 1
        uid = group[uid]
        uniq = uniq[keep]
    m = uniq.shape[0]
    idx = uid * n_cells + cell
    size = m * n_cells
    ev = np.bincount(idx, weights=events, minlength=size).reshape(m, n_cells)
    tot = np.bincount(idx, weights=total, minlength=size).reshape(m, n_cells)
    nr = np.bincount(idx, weights=rows.astype(np.float64), minlength=size)
    return _finish(uniq, ev, tot, np.rint(nr).astype(np.int64).reshape(m, n_cells))


def duckdb_time_aggregates(
    rel: Any,
    time: str,
    event: str,
    *,
    weights: str | None = None,
    cell: str | None = None,
    n_cells: int = 1,
    timefix: bool = True,
) -> TimeAggregates:
    """Per-distinct-time weighted events, censorings and numbers at risk, computed in DuckDB.

    Parameters
    ----------
    rel : duckdb.DuckDBPyRelation
        The rows (e.g. ``con.read_parquet(path)``); they never leave DuckDB.
    time, event : str
        Column names; ``event`` is 0/1.
    weights : str, optional
        Column of case weights (default 1).
    cell : str, optional
        Integer column with the cell code ``0 .. n_cells-1`` of each row (group, or
        ``stratum * k + group``), as the ``cells`` argument of
        :func:`hccsurv.core.aggregate.aggregate`.
    n_cells : int
        Number of cells.
    timefix : bool
        Merge near-tied times as R's ``aeqSurv``.

    Notes
    -----
    The query is :math:`\\text{SELECT } t, c, \\sum w\\delta, \\sum w, \\text{count}(*)
    \\text{ GROUP BY } t, c`: :math:`d_{jc}`, :math:`d_{jc} + r_{jc}` and the row counts; the
    number at risk :math:`n_{jc} = \\sum_{l \\ge j}(d_{lc} + r_{lc})` is summed on the (small)
    per-time table.
    """
    w = "1.0" if weights is None else f"CAST({_quote(weights)} AS DOUBLE)"
    c = "0" if cell is None else f"CAST({_quote(cell)} AS BIGINT)"
    t, e = _quote(time), _quote(event)
    bad = rel.filter(f"{t} IS NULL OR {e} IS NULL OR {w} IS NULL OR {c} IS NULL")
    if bad.count("*").fetchall()[0][0]:
        raise InputError("missing values in the time, event, weight or cell columns")
    # project first: a constant cell code inside GROUP BY would read as a column position
    rows = rel.project(
        f"CAST({t} AS DOUBLE) AS _t, {c} AS _c, {w} AS _w, CAST({e} AS DOUBLE) AS _e"
    )
    q = rows.aggregate(
        "_t AS t, _c AS c, SUM(_w * _e) AS d, SUM(_w) AS tot, COUNT(*) AS n", "_t, _c"
    )
    cols = q.fetchnumpy()
    cells = np.asarray(cols["c"], dtype=np.intp)
    if cells.size and (int(cells.min()) < 0 or int(cells.max()) >= n_cells):
        raise InputError(f"cell codes must lie in 0 .. {n_cells - 1}")
    return _pivot(
        np.asarray(cols["t"], dtype=np.float64),
        cells,
        n_cells,
        np.asarray(cols["d"], dtype=np.float64),
        np.asarray(cols["tot"], dtype=np.float64),
        np.asarray(cols["n"], dtype=np.int64),
        timefix=timefix,
    )


def combine_time_aggregates(
    sites: Sequence[TimeAggregates], *, timefix: bool = True
) -> TimeAggregates:
    """Pool the per-time aggregates of several sites without pooling their rows.

    At each distinct time of any site, :math:`d_{jc} = \\sum_s d^{(s)}_{jc}` and likewise for the
    censorings and row counts; :math:`n_{jc}` is the reverse cumulative sum of the pooled
    :math:`d + r`. With ``timefix`` the union of the sites' times is merged again as ``aeqSurv``
    (a near-tie across sites); the result equals :func:`hccsurv.core.aggregate.aggregate` on the
    pooled rows whenever no run of near-tied times straddles sites differently than in the pool
    (always for integer days).
    """
    if not sites:
        raise InputError("no site aggregates to combine")
    n_cells = sites[0].n_cells
    if any(s.n_cells != n_cells for s in sites):
        raise InputError("all sites must have the same number of cells")
    m = [s.time.shape[0] for s in sites]
    cell = np.tile(np.arange(n_cells, dtype=np.intp), sum(m))
    time = np.concatenate([np.repeat(s.time, n_cells) for s in sites])
    ev = np.concatenate([s.n_event.ravel() for s in sites])
    tot = np.concatenate([(s.n_event + s.n_censor).ravel() for s in sites])
    rows = np.concatenate([s.n_rows.ravel() for s in sites]).astype(np.int64)
    return _pivot(time, cell, n_cells, ev, tot, rows, timefix=timefix)


def _sql_literal(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"CAST({float(value)!r} AS DOUBLE)"
    return "'" + str(value).replace("'", "''") + "'"


def _codes(rel: Any, column: str, order: Sequence[Any] | None) -> tuple[str, tuple[str, ...]]:
    """A SQL expression coding ``column`` 0 .. k-1 as :func:`check_groups`, and the labels."""
    values = [r[0] for r in rel.project(_quote(column)).distinct().fetchall()]
    if any(v is None for v in values):
        raise InputError(f"column '{column}' has missing (NULL) values; filter those rows first")
    arr = np.asarray(values, dtype=object if any(isinstance(v, str) for v in values) else None)
    codes = check_groups(arr, len(values), order)
    cases = " ".join(
        f"WHEN {_quote(column)} = {_sql_literal(v)} THEN {int(c)}"
        for v, c in zip(values, codes.codes.tolist(), strict=True)
    )
    return f"(CASE {cases} END)", codes.labels


def duckdb_kaplan_meier(
    rel: Any,
    time: str,
    event: str,
    *,
    weights: str | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
) -> KaplanMeier:
    """:func:`hccsurv.core.km.kaplan_meier` of a DuckDB relation's columns, from one GROUP BY."""
    agg = duckdb_time_aggregates(rel, time, event, weights=weights)
    return kaplan_meier_from_aggregates(agg, conf_type=conf_type, conf_level=conf_level)


def duckdb_logrank(
    rel: Any,
    time: str,
    event: str,
    group: str,
    *,
    strata: str | None = None,
    rho: float = 0.0,
    order: Sequence[Any] | None = None,
) -> LogRank:
    """:func:`hccsurv.core.logrank.logrank` of a DuckDB relation's columns (R ``survdiff``).

    Groups are coded in SQL as :func:`hccsurv.core.checks.check_groups` codes them (sorted
    distinct values, or ``order``); the cell of a row is ``stratum * k + group``.
    """
    g_expr, labels = _codes(rel, group, order)
    k = len(labels)
    s_expr, strata_labels = ("0", ()) if strata is None else _codes(rel, strata, None)
    n_strata = max(len(strata_labels), 1)
    cells = rel.project(
        f"{_quote(time)} AS _t, {_quote(event)} AS _e, {s_expr} * {k} + {g_expr} AS _cell"
    )
    agg = duckdb_time_aggregates(cells, "_t", "_e", cell="_cell", n_cells=n_strata * k)
    return logrank_from_cells(agg, labels, strata_labels, rho=rho)
