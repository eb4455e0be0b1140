"""Single entry point of the benchmarks: ``python benchmarks/run.py [--sizes ...] [--quick]``.

Discovers every ``benchmarks/bench_*.py`` module, calls its ``run(sizes, r)`` (rows of
``task, n, times, tool, seconds``), measures one ``np.argsort`` of n untied floats as the
reference for the continuous-time targets, and writes ``benchmarks/RESULTS.md``: date, machine,
versions, one table per task with each tool's seconds and hccsurv's speed-up against each peer,
the targets (from each module's optional ``targets(rows)``) and the command to reproduce.
Timings are never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import math
import os
import platform
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# One BLAS thread for every Python tool (set before numpy loads; an explicit setting wins). On
# this 2-core machine a second BLAS thread gains nothing on tall-skinny products and, when any
# other process wants a core, its barrier waits made a Cox fit up to 1.8x slower.
BLAS_THREADS = {
    k: os.environ.setdefault(k, "1")
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
}

from common import argsort_seconds  # noqa: E402

TOOLS = (
    "hccsurv",
    "lifelines",
    "statsmodels",
    "scikit-survival",
    "R survival",
    "R cmprsk",
    "numpy",
)


def find_rscript() -> str | None:
    path = shutil.which("Rscript")
    if path is None:
        return None
    probe = subprocess.run(
        [path, "-e", "suppressPackageStartupMessages(library(survival)); cat('ok')"],
        capture_output=True,
        text=True,
        check=False,
    )
    return path if probe.stdout.endswith("ok") else None


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
    }


def versions(r: str | None) -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for name, module in [
        ("numpy", "numpy"),
        ("scipy", "scipy"),
        ("lifelines", "lifelines"),
        ("statsmodels", "statsmodels"),
        ("scikit-survival", "sksurv"),
        ("hccsurv", "hccsurv"),
    ]:
        try:
            out[name] = str(importlib.import_module(module).__version__)
        except ImportError:
            out[name] = "not installed"
    if r is not None:
        proc = subprocess.run(
            [r, "-e", "cat(R.version.string, '/ survival', format(packageVersion('survival')))"],
            capture_output=True,
            text=True,
            check=False,
        )
        out["R"] = proc.stdout.strip()
    else:
        out["R"] = "not available (R rows skipped)"
    return out


def fmt_seconds(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    s = row["seconds"]
    if not math.isfinite(s):
        return "skipped"
    return f"{s:.4f}" if s < 10 else f"{s:.1f}"


def task_table(task: str, rows: list[dict[str, Any]]) -> list[str]:
    tools = [t for t in TOOLS if any(r["tool"] == t for r in rows)]
    peers = [t for t in tools if t != "hccsurv"]
    head = ["times", "n", *[f"{t} (s)" for t in tools], *[f"speed-up vs {p}" for p in peers]]
    lines = [f"### {task}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    keys = sorted({(r["times"], r["n"]) for r in rows})
    notes: list[str] = []
    for kind, n in keys:
        by_tool = {r["tool"]: r for r in rows if r["times"] == kind and r["n"] == n}
        ours = by_tool.get("hccsurv")
        cells = [kind, f"{n:,}", *[fmt_seconds(by_tool.get(t)) for t in tools]]
        for p in peers:
            pr = by_tool.get(p)
            if ours is None or pr is None or not math.isfinite(pr["seconds"]):
                cells.append("-")
            else:
                cells.append(f"{pr['seconds'] / ours['seconds']:.1f}x")
        for t in tools:
            r = by_tool.get(t)
            if r is not None and r.get("note"):
                notes.append(f"- {t}, {kind}, n = {n:,}: {r['note']}")
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", *notes]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6,1e7", help="comma-separated n values")
    parser.add_argument("--quick", action="store_true", help="sizes 1e4,1e5; print, write nothing")
    parser.add_argument("--no-r", action="store_true", help="skip the R rows")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--only", default="", help="comma-separated module names (bench_km,...)")
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    r = None if args.no_r else find_rscript()
    started = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        rows.append(
            {
                "task": "np.argsort (reference)",
                "n": n,
                "times": "continuous",
                "tool": "numpy",
                "seconds": argsort_seconds(n),
            }
        )
    targets: list[dict[str, Any]] = []
    failures: list[str] = []
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in modules:
        if only and name not in only:
            continue
        print(f"{name}:", flush=True)
        try:
            mod = importlib.import_module(name)
            mod_rows = mod.run(sizes, r)
            rows += mod_rows
            if hasattr(mod, "targets"):
                targets += mod.targets(rows)
        except Exception:  # a broken module is reported in RESULTS.md, never hidden
            failures.append(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}")
            print(traceback.format_exc(), file=sys.stderr)
    finished = dt.datetime.now(dt.UTC)
    command = "python benchmarks/run.py --sizes " + ",".join(
        f"{n:.0e}".replace("+0", "") for n in sizes
    )
    if only:
        command += " --only " + ",".join(sorted(only))
    if args.no_r:
        command += " --no-r"
    lines = [
        "# hccsurv benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M} - {finished:%H:%M} UTC. Reproduce from the repository root:",
        "",
        f"    {command}",
        "",
        "Seconds are the best of k repeats (k = 15 / 9 / 7 / 3 for n <= 1e4 / 1e5 / 1e6 / 1e7;",
        "peers: one fit at 1e7),",
        "data generation excluded; R is timed inside R with `system.time()` around the fit only",
        "(data read from a CSV first). Speed-up = peer seconds / hccsurv seconds. Data: two arms,",
        "exponential event times, uniform censoring; `integer-days` rounds times up to whole",
        "days, `continuous` keeps untied floats. Peers whose next size was predicted to exceed",
        "the budget are marked skipped with the reason. BLAS threads for the Python tools: "
        + ", ".join(f"{k}={v}" for k, v in BLAS_THREADS.items())
        + " (R's reference BLAS is single-threaded).",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in machine().items()],
        "",
        "## Versions",
        "",
        *[f"- {k}: {v}" for k, v in versions(r).items()],
        "",
        "## Targets",
        "",
        "| target | met | measured |",
        "|---|---|---|",
        *[
            f"| {t['target']} | {'yes' if t['met'] else 'no' if t['met'] is not None else 'n/a'} "
            f"| {t['detail']} |"
            for t in targets
        ],
        "",
        "## Results",
        "",
    ]
    for task in dict.fromkeys(r_["task"] for r_ in rows):
        lines += task_table(task, [x for x in rows if x["task"] == task])
    if failures:
        lines += ["## Failed modules", "", *[f"- {f}" for f in failures], ""]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
