"""Capture what the demo run writes (results.json, every table's raw CSV and Markdown cells, the
patient flow, the methods paragraph) into `tests/reference/demo_snapshot.json`.

Run on main before the top-of-house redesign (issue 13); `tests/report/test_demo_snapshot.py`
compares every later run against it, so "every number and table cell of the demo is unchanged" is
checked rather than claimed. Re-run only when a change of a number is intended:

    PYTHONPATH=src python tools/snapshot_demo.py
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from hccsurv.report.pipeline import run_study

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "reference" / "demo_snapshot.json"


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [list(row) for row in csv.reader(handle)]


def capture(out_dir: Path) -> dict[str, Any]:
    """The comparable content of one finished demo run in `out_dir`."""
    tables = out_dir / "tables"
    return {
        "results": json.loads((out_dir / "results.json").read_text(encoding="utf-8")),
        "tables_csv": {p.stem: _csv_rows(p) for p in sorted(tables.glob("*.csv"))},
        "tables_md": {
            p.stem: p.read_text(encoding="utf-8").splitlines() for p in sorted(tables.glob("*.md"))
        },
        "flow": _csv_rows(out_dir / "flow.csv"),
        "methods": (out_dir / "methods.txt").read_text(encoding="utf-8"),
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = run_study(None, Path(tmp) / "out").out_dir
        snapshot = capture(out_dir)
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
