"""DuckDB per-time aggregates and the multi-site combination equal the in-memory reduction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from hccsurv.core.aggregate import TimeAggregates, aggregate
from hccsurv.core.checks import check_survival
from hccsurv.core.km import kaplan_meier_from_aggregates
from hccsurv.core.logrank import logrank, logrank_from_aggregates
from hccsurv.engines.duckdb_aggregate import combine_time_aggregates, duckdb_time_aggregates
from hccsurv.errors import InputError

duckdb = pytest.importorskip("duckdb")


def _data(
    seed: int, n: int, *, days: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    rng = np.random.default_rng(seed)
    t = rng.exponential(300.0, n)
    t = np.floor(t) + 1.0 if days else np.round(t, 2)  # rounding leaves ties in continuous times
    e = (rng.random(n) < 0.7).astype(np.float64)
    w = rng.uniform(0.2, 3.0, n)
    c = rng.integers(0, 4, n).astype(np.intp)
    return t, e, w, c


def _assert_same(got: TimeAggregates, want: TimeAggregates) -> None:
    np.testing.assert_array_equal(got.time, want.time)
    np.testing.assert_array_equal(got.n_rows, want.n_rows)
    np.testing.assert_array_equal(got.n_obs, want.n_obs)
    for name in ("n_event", "n_censor", "n_risk"):
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-10, atol=0)


@pytest.mark.parametrize("days", [True, False])
def test_duckdb_aggregates_equal_memory(days: bool) -> None:
    t, e, w, c = _data(1, 3000, days=days)
    con = duckdb.connect()
    frame = pd.DataFrame({"t": t, "e": e.astype(np.int64), "w": w, "c": c})
    rel = con.from_df(frame)  # an in-process table stands in for a Parquet scan
    want = aggregate(check_survival(t, e, w), c, 4)
    _assert_same(duckdb_time_aggregates(rel, "t", "e", weights="w", cell="c", n_cells=4), want)
    plain = duckdb_time_aggregates(rel, "t", "e")
    _assert_same(plain, aggregate(check_survival(t, e)))


def test_duckdb_parquet_kaplan_meier(tmp_path: Path) -> None:
    t, e, w, _ = _data(2, 2000, days=False)
    path = tmp_path / "rows.parquet"
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE x AS SELECT unnest($1) AS t, unnest($2) AS e, unnest($3) AS w",
        [t.tolist(), e.tolist(), w.tolist()],
    )
    con.execute(f"COPY x TO '{path}' (FORMAT PARQUET)")
    agg = duckdb_time_aggregates(con.read_parquet(str(path)), "t", "e", weights="w")
    got = kaplan_meier_from_aggregates(agg)
    want = kaplan_meier_from_aggregates(aggregate(check_survival(t, e, w)))
    np.testing.assert_allclose(got.surv, want.surv, rtol=1e-10, atol=0)
    np.testing.assert_allclose(got.std_err, want.std_err, rtol=1e-10, atol=0)


def test_duckdb_near_ties_merged_as_aeqsurv() -> None:
    t = np.array([1.0, 1.0 + 1e-10, 2.0, 3.0, 3.0])
    e = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
    rel = duckdb.connect().sql(
        "SELECT unnest($t) AS t, unnest($e) AS e", params={"t": t.tolist(), "e": e.tolist()}
    )
    agg = duckdb_time_aggregates(rel, "t", "e")
    np.testing.assert_array_equal(agg.time, [1.0, 2.0, 3.0])
    _assert_same(agg, aggregate(check_survival(t, e)))


def test_duckdb_rejects_missing_and_bad_cells() -> None:
    con = duckdb.connect()
    with pytest.raises(InputError, match="missing"):
        duckdb_time_aggregates(con.sql("SELECT 1.0 AS t, NULL::INT AS e"), "t", "e")
    with pytest.raises(InputError, match="cell codes"):
        duckdb_time_aggregates(
            con.sql("SELECT 1.0 AS t, 1 AS e, 5 AS c"), "t", "e", cell="c", n_cells=2
        )


@pytest.mark.parametrize("days", [True, False])
def test_three_sites_combine_to_pooled(days: bool) -> None:
    t, e, w, c = _data(3, 4000, days=days)
    site = np.random.default_rng(4).integers(0, 3, t.shape[0])
    parts = [
        aggregate(check_survival(t[site == s], e[site == s], w[site == s]), c[site == s], 4)
        for s in range(3)
    ]
    pooled = aggregate(check_survival(t, e, w), c, 4)
    _assert_same(combine_time_aggregates(parts), pooled)
    with pytest.raises(InputError):
        combine_time_aggregates([])


@pytest.mark.parametrize("rho", [0.0, 1.0])
def test_duckdb_stratified_logrank_equals_memory(rho: float) -> None:
    t, e, _, c = _data(5, 3000, days=True)
    g, s = c % 2, c // 2
    rel = duckdb.connect().from_df(pd.DataFrame({"t": t, "e": e, "g": g, "s": s}))
    cells = rel.project("t, e, s * 2 + g AS cell")  # stratum * k + group, as the core's cells
    agg = duckdb_time_aggregates(cells, "t", "e", cell="cell", n_cells=4)
    got = logrank_from_aggregates(agg, 2, rho=rho)
    want = logrank(t, e, g, strata=s, rho=rho)
    np.testing.assert_allclose(got[0], want.observed, rtol=1e-10, atol=0)
    np.testing.assert_allclose(got[1], want.expected, rtol=1e-10, atol=0)
    np.testing.assert_allclose(got[2], want.variance, rtol=1e-10, atol=1e-12)


def test_three_sites_logrank_equals_pooled() -> None:
    t, e, _, c = _data(6, 3000, days=False)
    g = c % 2
    site = np.random.default_rng(7).integers(0, 3, t.shape[0])
    con = duckdb.connect()
    parts = [
        duckdb_time_aggregates(
            con.from_df(pd.DataFrame({"t": t[site == k], "e": e[site == k], "g": g[site == k]})),
            "t",
            "e",
            cell="g",
            n_cells=2,
        )
        for k in range(3)
    ]
    got = logrank_from_aggregates(combine_time_aggregates(parts), 2)
    want = logrank(t, e, g)
    np.testing.assert_allclose(got[0], want.observed, rtol=1e-10, atol=0)
    np.testing.assert_allclose(got[1], want.expected, rtol=1e-10, atol=0)
    np.testing.assert_allclose(got[2], want.variance, rtol=1e-10, atol=1e-12)
