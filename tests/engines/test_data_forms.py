"""``hccsurv.kaplan_meier`` / ``logrank`` with ``data=`` (pandas or DuckDB) equal the array form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.errors import InputError

duckdb = pytest.importorskip("duckdb")


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": np.floor(rng.exponential(300.0, n)) + 1.0,
            "e": (rng.random(n) < 0.7).astype(np.int64),
            "w": rng.uniform(0.2, 3.0, n),
            "arm": rng.choice(["TACE", "resection", "sorafenib"], n),
            "site": rng.integers(1, 4, n),
        }
    )


def _same(got: object, want: object, fields: tuple[str, ...]) -> None:
    for name in fields:
        np.testing.assert_allclose(
            np.asarray(getattr(got, name), dtype=float),
            np.asarray(getattr(want, name), dtype=float),
            rtol=1e-10,
            atol=0,
        )


KM_FIELDS = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")
LR_FIELDS = ("n", "observed", "expected", "variance", "chisq")


def test_kaplan_meier_data_forms(tmp_path: Path) -> None:
    df = _frame(1, 3000)
    path = tmp_path / "km.parquet"
    df.to_parquet(path)
    rel = duckdb.connect().read_parquet(str(path))
    # non-integer weights: R's default is the robust variance, which only the rows give
    want = hccsurv.kaplan_meier(df["t"], df["e"], weights=df["w"])
    assert want.variance == "robust"
    got = hccsurv.kaplan_meier("t", "e", weights="w", data=df)
    _same(got, want, KM_FIELDS)
    with pytest.raises(InputError, match="robust variance"):
        hccsurv.kaplan_meier("t", "e", weights="w", data=rel)
    # Greenwood's variance, asked for, is the same in every form
    want = hccsurv.kaplan_meier(df["t"], df["e"], weights=df["w"], robust=False)
    for data in (df, rel):
        got = hccsurv.kaplan_meier("t", "e", weights="w", data=data, robust=False)
        _same(got, want, KM_FIELDS)
        assert (got.n, got.median) == (want.n, want.median)
    # whole-number weights: Greenwood by default, in DuckDB too
    whole = df.assign(w=np.ceil(df["w"]))
    want = hccsurv.kaplan_meier(whole["t"], whole["e"], weights=whole["w"])
    got = hccsurv.kaplan_meier("t", "e", weights="w", data=duckdb.connect().from_df(whole))
    _same(got, want, KM_FIELDS)


def test_logrank_data_forms() -> None:
    df = _frame(2, 3000)
    rel = duckdb.connect().from_df(df)
    for kw in ({}, {"rho": 1.0}):
        want = hccsurv.logrank(df["t"], df["e"], df["arm"], strata=df["site"], **kw)
        for data in (df, rel):
            got = hccsurv.logrank("t", "e", "arm", strata="site", data=data, **kw)
            _same(got, want, LR_FIELDS)
            assert (got.labels, got.strata, got.df) == (want.labels, want.strata, want.df)
    order = ["sorafenib", "TACE", "resection"]
    want = hccsurv.logrank(df["t"], df["e"], df["arm"], order=order)
    got = hccsurv.logrank("t", "e", "arm", data=rel, order=order)
    assert got.labels == tuple(order)
    _same(got, want, LR_FIELDS)


def test_data_form_errors() -> None:
    df = _frame(3, 100)
    with pytest.raises(InputError, match="column 'time' \\(time\\) is not in data"):
        hccsurv.kaplan_meier("time", "e", data=df)
    rel = duckdb.connect().from_df(df.assign(arm=df["arm"].where(df.index != 5)))
    with pytest.raises(InputError, match="column 'arm' has missing"):
        hccsurv.logrank("t", "e", "arm", data=rel)
    with pytest.raises(InputError, match="delayed entry"):
        hccsurv.kaplan_meier("t", "e", entry="t", data=rel)


def test_coxph_on_a_relation_refuses_frame_only_options() -> None:
    rel = duckdb.connect().from_df(_frame(4, 200).assign(x=lambda d: d["w"]))
    with pytest.raises(InputError, match=r"\['cluster'\] of coxph are not available"):
        hccsurv.coxph(rel, "t", "e", ["x"], cluster="site")
