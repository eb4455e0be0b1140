"""Registry scale: Kaplan-Meier, log-rank and Cox on Parquet, in DuckDB and in memory.

Not a ``bench_*`` module of ``run.py`` (its sizes and memory caps are its own)::

    python benchmarks/registry_scale.py --sizes 1e6,1e7            # this machine
    python benchmarks/registry_scale.py --sizes 1e8 --memory-limit 2GB --no-memory-engine
    python benchmarks/registry_scale.py --check-5e6                # the 1 GB out-of-core check

For each size and time kind the cohort (10 covariates: 5 normal, 5 binary; 4 strata; a Cox
model with known coefficients; uniform censoring) is written to Parquet by DuckDB itself, from
a hash of the row number (seeded, identical on every machine, never held in Python). Every
(estimator, engine) then runs in a fresh subprocess that reports its wall time and its peak
resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``):

- ``duckdb``: ``hccsurv.kaplan_meier/logrank/coxph`` on ``con.read_parquet(path)`` with
  ``SET memory_limit`` (the out-of-core engine; only per-time tables reach Python);
- ``memory``: the Parquet read into pandas, then the same estimators on arrays;
- ``lifelines``: ``CoxPHFitter`` (Efron) on the pandas frame, where it can run (``--peers``).

Markdown rows go to stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

P = 10
COVARIATES = [f"x{j}" for j in range(1, P + 1)]


def _u(i: str, salt: int) -> str:
    """A uniform (0, 1) from a hash of the row number (DuckDB ``hash`` is deterministic)."""
    return f"((hash({i} * 64 + {salt}) % 1000000007)::DOUBLE + 0.5) / 1000000007.0"


def write_parquet(path: Path, n: int, kind: str, limit: str = "1GB") -> None:
    """The cohort as Parquet, generated inside DuckDB (no n-sized array in Python)."""
    import duckdb

    normals = [
        f"sqrt(-2 * ln({_u('i', 2 * j)})) * cos(2 * pi() * {_u('i', 2 * j + 1)}) AS x{j + 1}"
        for j in range(5)
    ]
    binaries = [f"({_u('i', 20 + j)} < 0.4)::INTEGER AS x{j + 6}" for j in range(5)]
    eta = "0.3 * x1 - 0.2 * x2 + 0.1 * x3 + 0.5 * x6 - 0.3 * x7"
    raw = "LEAST(ev, cens)" if kind == "continuous" else "CEIL(LEAST(ev, cens))"
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{limit}'")
    con.execute(
        f"""COPY (
        SELECT {raw} AS t, (ev <= cens)::INTEGER AS e, s, {", ".join(COVARIATES)}
        FROM (
            SELECT *, -ln({_u("i", 40)}) * 365.0 / exp({eta}) AS ev,
                   30.0 + 2970.0 * {_u("i", 41)} AS cens
            FROM (
                SELECT i, ({_u("i", 42)} * 4)::INTEGER % 4 AS s,
                       {", ".join(normals)}, {", ".join(binaries)}
                FROM range({n}) r(i)
            )
        )
        ) TO '{path}' (FORMAT PARQUET)"""
    )


CHILD = r"""
import json, resource, sys, time
path, engine, task, limit = sys.argv[1:5]
covs = [f"x{j}" for j in range(1, 11)]
t0 = time.perf_counter()
import hccsurv
if engine == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{limit}'")
    con.execute("SET preserve_insertion_order=false")
    con.execute("SET enable_progress_bar=false")
    rel = con.read_parquet(path)
    if task == "kaplan_meier":
        hccsurv.kaplan_meier("t", "e", data=rel)
    elif task == "logrank":
        hccsurv.logrank("t", "e", "x6", strata="s", data=rel)
    else:
        fit = hccsurv.coxph(rel, "t", "e", covs, strata="s")
else:
    import pandas as pd
    df = pd.read_parquet(path)
    if engine == "lifelines":
        from lifelines import CoxPHFitter
        CoxPHFitter().fit(df[["t", "e", "s", *covs]], "t", "e", strata=["s"])
    elif task == "kaplan_meier":
        hccsurv.kaplan_meier(df["t"].to_numpy(), df["e"].to_numpy())
    elif task == "logrank":
        hccsurv.logrank(df["t"].to_numpy(), df["e"].to_numpy(), df["x6"].to_numpy(),
                        strata=df["s"].to_numpy())
    else:
        from hccsurv.core.cox import cox_fit
        cox_fit(df["t"].to_numpy(), df["e"].to_numpy(), df[covs].to_numpy(float),
                strata=df["s"].to_numpy())
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"seconds": seconds, "peak_mb": peak}))
"""


def measure(path: Path, engine: str, task: str, limit: str, timeout: float) -> dict[str, object]:
    """Wall time (imports and Parquet scan included) and peak RSS of one fresh process."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), engine, task, limit],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "note": f"> {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "note": last[:80]}
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--kinds", default="integer-days,continuous")
    ap.add_argument("--tasks", default="kaplan_meier,logrank,coxph")
    ap.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit")
    ap.add_argument("--no-memory-engine", action="store_true")
    ap.add_argument("--peers", action="store_true", help="also lifelines (Cox)")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--check-5e6", action="store_true", help="the 5e6-row Cox under 200MB")
    args = ap.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="hccsurv-registry-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.check_5e6:
        path = work / "cohort-5e6.parquet"
        if not path.exists():
            write_parquet(path, 5_000_000, "integer-days", "200MB")
        r = measure(path, "duckdb", "coxph", "200MB", args.timeout)
        print(json.dumps(r))
        return 0 if float(str(r["peak_mb"])) < 1024.0 else 1
    print("| n | times | estimator | engine | seconds | peak MB | DuckDB memory_limit |")
    print("|---|---|---|---|---:|---:|---|")
    for size in (int(float(s)) for s in args.sizes.split(",")):
        for kind in args.kinds.split(","):
            path = work / f"cohort-{size}-{kind}.parquet"
            if not path.exists():
                write_parquet(path, size, kind, args.memory_limit)
            engines = ["duckdb"] + ([] if args.no_memory_engine else ["memory"])
            for task in args.tasks.split(","):
                runs = [*engines, *(["lifelines"] if args.peers and task == "coxph" else [])]
                for engine in runs:
                    r = measure(path, engine, task, args.memory_limit, args.timeout)
                    secs = float(str(r["seconds"]))
                    peak = float(str(r["peak_mb"]))
                    note = f" ({r['note']})" if "note" in r else ""
                    limit = args.memory_limit if engine == "duckdb" else "-"
                    print(
                        f"| {size:.0e} | {kind} | {task} | {engine} | {secs:.1f}{note} | "
                        f"{peak:.0f} | {limit} |",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
