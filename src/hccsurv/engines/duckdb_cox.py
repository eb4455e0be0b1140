"""Cox regression inside DuckDB (and across sites): one aggregate query per Newton step.

:func:`duckdb_coxph` fits R's ``coxph(Surv(t, e) ~ x1 + x2 + strata(s), weights = w)`` on a
:class:`duckdb.DuckDBPyRelation` (a Parquet or CSV scan runs out-of-core under DuckDB's
``memory_limit``). The rows never leave DuckDB: each likelihood evaluation is one
``GROUP BY stratum, time, event`` query returning, per group, :math:`\\sum w r`,
:math:`\\sum w r x` and :math:`\\sum w r x x'` (:math:`r = \\exp(x'\\beta)`, :math:`x` centred at
the weighted means); the risk sets, Efron's correction and the Newton step are computed from
that small table by :mod:`hccsurv.core.cox_sums` and :func:`hccsurv.core.cox.newton_fit`, the
iteration of the in-memory fit. The robust variance takes one more query at the fit and one at
``beta = 0`` (sums of :math:`w^2 r^k [1, x, x x']`, see
:func:`hccsurv.core.cox_sums.robust_crossprod`).

What reaches Python per step: one row per distinct (stratum, time, event status) with
:math:`1 + p + p(p+1)/2` sums, and the :math:`p \\times p` matrices. Registry follow-up in days
has at most a few thousand distinct times per stratum; continuous times make the table as long
as the data.

:func:`multisite_coxph` runs the same query at every site at each step and adds the tables:
the fit equals the pooled one while no patient row leaves its site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hccsurv.core.cox import (
    TIES,
    CoxFit,
    RobustSums,
    check_identifiable,
    newton_fit,
)
from hccsurv.core.cox_sums import (
    GroupSums,
    SquareSums,
    add_group_sums,
    evaluate_group_sums,
    robust_crossprod,
    upper_pairs,
)
from hccsurv.core.timefix import aeq_times
from hccsurv.errors import InputError

__all__ = ["duckdb_coxph", "multisite_coxph"]

_OVERFLOW_SHIFT = 300.0
_NUMERIC = re.compile(r"U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL\(.*\)|BOOLEAN")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(v: float) -> str:
    # repr round-trips a double exactly; the cast keeps DuckDB from reading it as DECIMAL
    return f"CAST({float(v)!r} AS DOUBLE)"


@dataclass(frozen=True)
class _Spec:
    time: str
    event: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    weights: str | None


def _check(rel: Any, spec: _Spec, site: str) -> None:
    """Refuse missing columns, NULLs, non-numeric covariates and impossible values, by name."""
    columns = list(rel.columns)
    used = [spec.time, spec.event, *spec.covariates, *spec.strata]
    if spec.weights is not None:
        used.append(spec.weights)
    absent = [c for c in used if c not in columns]
    if absent:
        raise InputError(f"{site}column(s) {absent} not in the relation; it has {columns}")
    types = dict(zip(columns, (str(t).upper() for t in rel.types), strict=True))
    numeric = [spec.time, spec.event, *spec.covariates]
    if spec.weights is not None:
        numeric.append(spec.weights)
    for c in numeric:
        if not _NUMERIC.fullmatch(types[c]):
            raise InputError(
                f"{site}column '{c}' has type {types[c]}; the DuckDB engine needs numbers "
                "(dummy-code a factor into 0/1 columns first)"
            )
    t, e = _quote(spec.time), _quote(spec.event)
    rules = [(c, f"{_quote(c)} IS NULL", "is missing (NULL)") for c in used]
    rules += [
        (spec.time, f"NOT isfinite(CAST({t} AS DOUBLE)) OR {t} < 0", "is negative or not finite"),
        (spec.event, f"{e} NOT IN (0, 1)", "is not 0/1"),
    ]
    rules += [
        (c, f"NOT isfinite(CAST({_quote(c)} AS DOUBLE))", "is not a finite number")
        for c in spec.covariates
    ]
    if spec.weights is not None:
        w = _quote(spec.weights)
        rules.append(
            (
                spec.weights,
                f"NOT isfinite(CAST({w} AS DOUBLE)) OR {w} < 0",
                "is negative or not finite",
            )
        )
    # one pass counts every rule's violations; only a violated rule is queried again
    counts = rel.aggregate(
        ", ".join(f"COUNT(*) FILTER (WHERE {cond})" for _, cond, _ in rules)
    ).fetchall()[0]
    for (col, cond, what), count in zip(rules, counts, strict=True):
        if count:
            value = rel.filter(cond).project(_quote(col)).limit(1).fetchall()[0][0]
            raise InputError(
                f"{site}{count} row(s) where '{col}' {what} (e.g. {value!r}); filter them "
                f"(rel.filter(...)) or fix the column before fitting"
            )


class _Site:
    """One relation: the queries of the fit, with the covariates centred at pooled means."""

    def __init__(self, rel: Any, spec: _Spec) -> None:
        self.rel = rel
        self.spec = spec
        w = "1.0" if spec.weights is None else f"CAST({_quote(spec.weights)} AS DOUBLE)"
        key = (
            "''"
            if not spec.strata
            else "concat_ws(' | ', "
            + ", ".join(f"CAST({_quote(c)} AS VARCHAR)" for c in spec.strata)
            + ")"
        )
        self.w, self.key = w, key

    def totals(self) -> tuple[float, NDArray[np.float64], int, int]:
        """:math:`\\sum w`, :math:`\\sum w x`, rows and events."""
        p = len(self.spec.covariates)
        xs = [f"SUM({self.w} * CAST({_quote(c)} AS DOUBLE))" for c in self.spec.covariates]
        e = _quote(self.spec.event)
        row = self.rel.aggregate(
            ", ".join([f"SUM({self.w})", *xs, "COUNT(*)", f"SUM(CAST({e} AS BIGINT))"])
        ).fetchall()[0]
        return (
            float(row[0] or 0.0),
            np.asarray(row[1 : 1 + p], dtype=np.float64),
            int(row[1 + p]),
            int(row[2 + p] or 0),
        )

    def centred(self, means: NDArray[np.float64]) -> Any:
        """Rows projected to key, time, event, weight and the centred covariates."""
        xs = [
            f"CAST({_quote(c)} AS DOUBLE) - {_lit(m)} AS _x{j}"
            for j, (c, m) in enumerate(zip(self.spec.covariates, means, strict=True))
        ]
        return self.rel.project(
            ", ".join(
                [
                    f"{self.key} AS _k",
                    f"CAST({_quote(self.spec.time)} AS DOUBLE) AS _t",
                    f"CAST({_quote(self.spec.event)} AS BIGINT) AS _e",
                    f"{self.w} AS _w",
                    *xs,
                ]
            )
        )

    def spread(self, rows: Any, p: int) -> NDArray[np.float64]:
        """Rows :math:`\\sum w |x|`, :math:`\\sum_{\\text{deaths}} w x` and :math:`\\max |x|`
        of the centred covariates, in one pass."""
        q = [f"SUM(_w * ABS(_x{j}))" for j in range(p)]
        q += [f"SUM(CASE WHEN _e = 1 THEN _w * _x{j} ELSE 0 END)" for j in range(p)]
        q += [f"MAX(ABS(_x{j}))" for j in range(p)]
        row = rows.aggregate(", ".join(q)).fetchall()[0]
        vals = np.asarray([0.0 if v is None else v for v in row], dtype=np.float64)
        return vals.reshape(3, p)


def _risk(beta: NDArray[np.float64], shift: float) -> str:
    eta = " + ".join(f"{_lit(b)} * _x{j}" for j, b in enumerate(beta))
    return f"exp({eta} - {_lit(shift)})"


def _group_query(
    rows: Any, beta: NDArray[np.float64], shift: float, squares: bool
) -> tuple[GroupSums, SquareSums | None]:
    """One ``GROUP BY _k, _t, _e`` pass at ``beta``: the sums of a :class:`GroupSums`."""
    p = beta.shape[0]
    pr = upper_pairs(p)
    weighted = rows.project(
        f"_k, _t, _e, _w, {_risk(beta, shift)} AS _r, " + ", ".join(f"_x{j}" for j in range(p))
    )
    sel = ["_k", "_t", "_e", "SUM(_w * _r)", "COUNT(*)", "SUM(_w)"]
    sel += [f"SUM(_w * _r * _x{j})" for j in range(p)]
    sel += [f"SUM(_w * _r * _x{i} * _x{j})" for i, j in pr]
    if squares:
        for k in range(3):
            f = ["1.0", "_r", "_r * _r"][k]
            sel.append(f"SUM(_w * _w * {f})")
            sel += [f"SUM(_w * _w * {f} * _x{j})" for j in range(p)]
            sel += [f"SUM(_w * _w * {f} * _x{i} * _x{j})" for i, j in pr]
    aliased = [*sel[:3], *(f"{expr} AS _c{i}" for i, expr in enumerate(sel[3:]))]
    res = weighted.aggregate(", ".join(aliased), "_k, _t, _e").fetchnumpy()
    nums = np.column_stack(
        [np.asarray(res[f"_c{i}"], dtype=np.float64) for i in range(len(sel) - 3)]
    )
    q = len(pr)
    sums = GroupSums(
        stratum=tuple(str(k) for k in np.asarray(res["_k"]).tolist()),
        time=np.asarray(res["_t"], dtype=np.float64),
        dead=np.asarray(res["_e"]) == 1,
        s0=nums[:, 0].copy(),
        count=np.rint(nums[:, 1]).astype(np.int64),
        weight=nums[:, 2].copy(),
        s1=nums[:, 3 : 3 + p].copy(),
        s2=nums[:, 3 + p : 3 + p + q].copy(),
        shift=shift,
    )
    if not squares:
        return sums, None
    base = 3 + p + q
    width = 1 + p + q
    blocks = [nums[:, base + k * width : base + (k + 1) * width] for k in range(3)]
    sq = SquareSums(
        t0=np.stack([b[:, 0] for b in blocks], axis=1),
        t1=np.stack([b[:, 1 : 1 + p] for b in blocks], axis=1),
        t2=np.stack([b[:, 1 + p :] for b in blocks], axis=1),
    )
    return sums, sq


def _fit_sites(
    rels: Sequence[Any],
    spec: _Spec,
    *,
    robust: bool,
    ties: str,
    max_iter: int,
    eps: float,
    toler_chol: float,
    conf_level: float,
) -> CoxFit:
    if ties not in TIES:
        raise InputError(f"ties={ties!r} is not supported; use 'efron' (R default) or 'breslow'")
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level={conf_level!r} must be between 0 and 1 (e.g. 0.95)")
    p = len(spec.covariates)
    if p == 0:
        raise InputError("no covariates; give at least one column name")
    many = len(rels) > 1
    for i, rel in enumerate(rels):
        _check(rel, spec, f"site {i + 1}: " if many else "")
    sites = [_Site(rel, spec) for rel in rels]
    totals = [s.totals() for s in sites]
    sum_w = sum(t[0] for t in totals)
    n = sum(t[2] for t in totals)
    n_events = sum(t[3] for t in totals)
    if n_events == 0:
        raise InputError("there are no events; a Cox model needs at least one event")
    means = sum((t[1] for t in totals), np.zeros(p)) / sum_w
    rows = [s.centred(means) for s in sites]
    spreads = np.stack([s.spread(r, p) for s, r in zip(sites, rows, strict=True)])
    abs_dev, dead_wx = spreads[:, 0].sum(axis=0), spreads[:, 1].sum(axis=0)
    # R's exp(eta) overflow guard, with a bound of max eta from the covariate ranges
    xmax = spreads[:, 2].max(axis=0)
    efron = ties == "efron"
    merged: dict[int, NDArray[np.float64]] = {}

    def query(beta: NDArray[np.float64], squares: bool) -> tuple[GroupSums, SquareSums | None]:
        bound = float(np.abs(beta) @ xmax)
        shift = bound if bound > _OVERFLOW_SHIFT else 0.0
        parts = [_group_query(r, beta, shift, squares) for r in rows]
        sums = add_group_sums([g for g, _ in parts])
        sq = None
        if squares:
            blocks = [s for _, s in parts if s is not None]
            sq = SquareSums(
                t0=np.concatenate([b.t0 for b in blocks]),
                t1=np.concatenate([b.t1 for b in blocks]),
                t2=np.concatenate([b.t2 for b in blocks]),
            )
        merged[0] = aeq_times(sums.time)
        return sums, sq

    def evaluate(beta: NDArray[np.float64]) -> Any:
        sums, _ = query(beta, False)
        return evaluate_group_sums(sums, merged[0], beta, dead_wx, efron=efron)

    def robust_sums(beta: NDArray[np.float64]) -> RobustSums:
        sums, sq = query(beta, True)
        assert sq is not None  # squares=True always returns them
        score = evaluate_group_sums(sums, merged[0], beta, dead_wx, efron=efron).score
        cross = robust_crossprod(sums, sq, merged[0], efron=efron)
        return RobustSums(crossprod=cross, total=score)

    beta0 = np.zeros(p)
    ev0 = evaluate(beta0)
    scale = np.where(abs_dev > 0, sum_w / np.where(abs_dev > 0, abs_dev, 1.0), 1.0)
    check_identifiable(spec.covariates, abs_dev, ev0.information, scale, toler_chol)
    rob: Callable[[NDArray[np.float64]], RobustSums] | None = robust_sums if robust else None
    return newton_fit(
        evaluate,
        ev0,
        beta0,
        names=spec.covariates,
        max_iter=max_iter,
        eps=eps,
        ties=ties,
        conf_level=conf_level,
        n=n,
        n_events=n_events,
        means=means,
        robust=rob,
    )


def _spec(
    time: str,
    event: str,
    covariates: Sequence[str],
    strata: str | Sequence[str] | None,
    weights: str | None,
) -> _Spec:
    cols = (strata,) if isinstance(strata, str) else tuple(strata or ())
    return _Spec(time, event, tuple(covariates), cols, weights)


def duckdb_coxph(
    rel: Any,
    time: str,
    event: str,
    covariates: Sequence[str],
    *,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    robust: bool = False,
    ties: str = "efron",
    max_iter: int = 20,
    eps: float = 1e-9,
    toler_chol: float = float(np.finfo(np.float64).eps) ** 0.75,
    conf_level: float = 0.95,
) -> CoxFit:
    """Fit R's ``coxph`` on a DuckDB relation without reading its rows into Python.

    Parameters
    ----------
    rel : duckdb.DuckDBPyRelation
        The rows, e.g. ``duckdb.connect().read_parquet("registry/*.parquet")``.
    time, event : str
        Follow-up time (>= 0) and event (0/1) columns.
    covariates : sequence of str
        Numeric columns (dummy-code factors into 0/1 columns first).
    strata : str or sequence of str, optional
        Stratum column(s): separate baseline hazards.
    weights : str, optional
        Case-weight column (any non-negative values).
    robust : bool
        Sandwich variance (R ``robust = TRUE``), two more passes; clusters are not supported.
    ties, max_iter, eps, toler_chol, conf_level : as :func:`hccsurv.core.cox.cox_fit`.

    Returns
    -------
    CoxFit
        The numbers of the in-memory fit; ``linear_predictor`` is empty (the rows stay in
        DuckDB: compute :math:`(x - \\bar x)'\\hat\\beta` there if needed).

    Raises
    ------
    InputError
        A missing column, a NULL or impossible value (column, count and an example), a
        non-numeric covariate, no events, or a constant / collinear covariate.
    """
    spec = _spec(time, event, covariates, strata, weights)
    return _fit_sites(
        [rel],
        spec,
        robust=robust,
        ties=ties,
        max_iter=max_iter,
        eps=eps,
        toler_chol=toler_chol,
        conf_level=conf_level,
    )


def multisite_coxph(
    sites: Sequence[Any],
    time: str,
    event: str,
    covariates: Sequence[str],
    *,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    robust: bool = False,
    ties: str = "efron",
    max_iter: int = 20,
    eps: float = 1e-9,
    conf_level: float = 0.95,
) -> CoxFit:
    """The pooled Cox fit of several sites' relations, exchanging only aggregates.

    Each site answers, per Newton step, its per-(stratum, time, event) sums at the current
    ``beta`` (and once its totals for the pooled means); the coordinator adds them
    (:func:`hccsurv.core.cox_sums.add_group_sums`), so the risk sets are those of the pooled
    rows and the fit equals :func:`duckdb_coxph` on their union (R ``coxph`` on the pooled data).
    A stratum present at several sites is one stratum (use a site column as ``strata`` for
    site-specific baselines). Parameters as :func:`duckdb_coxph`.
    """
    if not sites:
        raise InputError("no sites given")
    spec = _spec(time, event, covariates, strata, weights)
    return _fit_sites(
        list(sites),
        spec,
        robust=robust,
        ties=ties,
        max_iter=max_iter,
        eps=eps,
        toler_chol=float(np.finfo(np.float64).eps) ** 0.75,
        conf_level=conf_level,
    )
