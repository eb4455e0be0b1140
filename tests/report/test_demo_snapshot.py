"""The demo run against the snapshot taken on main before the issue-13 redesign
(`tools/snapshot_demo.py` wrote `tests/reference/demo_snapshot.json`): every number of
results.json and of each table's raw CSV agrees to rtol 1e-9, every rounded Markdown cell, the
patient flow and the methods paragraph are the same text, and every figure shows the same data
(KM step coordinates, CI bands, at-risk counts, forest rows and intervals, Love-plot markers).

What the redesign moved or added on purpose is mapped here explicitly, never by regenerating the
snapshot: results.json no longer repeats the methods paragraph (it is methods.txt, a view of the
results), and the methods gained the paragraph on the propensity-score adjustment (issue 13,
item 7) and the one on immortal time (landmark and time-varying analyses, issue 20). Every
other paragraph must be unchanged.

Issue 18 added the endpoint TTP (time to progression, death without progression competing): its
own keys, tables (cif_ttp, finegray_ttp, cshr_ttp, cox_ttp, zph_ttp) and figures are additions;
its rows in the patient flow and in the survival and adjusted tables, its sentence in the
endpoints paragraph and its competing-risks paragraph are dropped here, and the tables numbered
after its Cox table (balance, adjusted) are one number further on. Everything of OS and PFS is
compared as before.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hccsurv.report.pipeline import run_study

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-9
# the demo's group labels and their display names, which Table 1, the response table and the
# Kaplan-Meier legends show since issue 16 (the survival table showed them already)
DISPLAY_NAMES = {"First-line": "First-line HAIC", "Post-ate-beva": "Post-ate-beva HAIC"}
# paragraphs the methods gained since the snapshot (their first words)
ADDED_METHODS = (
    "Regardless of its univariate p-value, the treatment group",
    "To account for confounding, a propensity score",
    "Safety was analysed in the patients",  # issue 23: adverse events and exposure
    "Comparing OS of responders and non-responders",  # issue 20: landmark / time-varying
    "For time to progression, death without progression was treated as a competing event",
)
# endpoints added since the snapshot (issue 18), by name and label
ADDED_ENDPOINTS = {"TTP": "Time to progression"}
# numbered tables that come after an added endpoint's Cox table
RENUMBERED = ("balance", "adjusted")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "snapshot_demo", ROOT / "tools" / "snapshot_demo.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(new: Any, old: Any, where: str) -> list[str]:
    """Every difference between two JSON values: numbers at RTOL, everything else exactly.

    A key the snapshot lacks is an addition (a new field of a result), not a changed number, and
    is allowed; a key the snapshot has must still be there with the same value.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        if set(old) - set(new):
            return [f"{where}: keys {sorted(set(old) - set(new))} missing"]
        return [d for k in old for d in _compare(new[k], old[k], f"{where}.{k}")]
    if isinstance(old, list) and isinstance(new, list):
        if len(new) != len(old):
            return [f"{where}: length {len(new)} != {len(old)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(new, old, strict=True))
            for d in _compare(a, b, f"{where}[{i}]")
        ]
    if isinstance(old, str) and isinstance(new, str):
        a, b = _as_number(new), _as_number(old)
        if a is not None and b is not None:
            return _compare(a, b, where)
        return [] if new == old else [f"{where}: {new!r} != {old!r}"]
    both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (new, old))
    if both_numbers:
        if math.isnan(old) and math.isnan(new):
            return []
        if math.isclose(new, old, rel_tol=RTOL, abs_tol=0.0) or new == old:
            return []
        return [f"{where}: {new!r} != {old!r}"]
    return [] if new == old else [f"{where}: {new!r} != {old!r}"]


@pytest.fixture(scope="module")
def snapshot_now(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out_dir = run_study(None, tmp_path_factory.mktemp("snap") / "out").out_dir
    tool = _tool()
    captured: dict[str, Any] = tool.capture(out_dir)
    captured["figures"] = tool.figures()
    return _snapshot_layout(captured)


def _snapshot_layout(captured: dict[str, Any]) -> dict[str, Any]:
    """Map a run onto the snapshot's layout: drop the added methods paragraphs, and put the
    methods back into results.json where the snapshot had them."""
    paragraphs = captured["methods"].rstrip("\n").split("\n\n")
    added = [p for p in paragraphs if p.startswith(ADDED_METHODS)]
    assert len(added) == len(ADDED_METHODS), "an added methods paragraph is missing"
    kept = [_drop_endpoint_sentences(p) for p in paragraphs if not p.startswith(ADDED_METHODS)]
    captured["methods"] = "\n\n".join(kept) + "\n"
    assert "methods" not in captured["results"]
    captured["results"]["methods"] = kept
    _drop_added_endpoints(captured)
    return captured


def _drop_endpoint_sentences(paragraph: str) -> str:
    for name, label in ADDED_ENDPOINTS.items():
        start = paragraph.find(f"{label} ({name}) was measured")
        if start >= 0:
            end = paragraph.index(". ", start) + 2
            paragraph = paragraph[:start] + paragraph[end:]
    return paragraph


def _drop_added_endpoints(captured: dict[str, Any]) -> None:
    """Remove the added endpoints' rows from the flow and the survival and adjusted tables, and
    number the tables after their Cox tables back."""
    names, labels = set(ADDED_ENDPOINTS), set(ADDED_ENDPOINTS.values())
    detail = captured["results"]["flow"]["detail"]
    detail["endpoints"] = [e for e in detail["endpoints"] if e["endpoint"] not in names]
    captured["flow"] = [r for r in captured["flow"] if not (r[0] == "endpoint" and r[1] in names)]
    for table in ("survival", "adjusted"):
        rows = captured["tables_csv"][table]
        captured["tables_csv"][table] = [r for r in rows if r[0] not in names]
    md = captured["tables_md"]
    md["adjusted"] = [
        r for r in md["adjusted"] if not r.startswith(tuple(f"| {x} |" for x in labels))
    ]
    survival, kept, skipping = md["survival"], [], False
    for line in survival:
        if line.startswith("| ***"):
            skipping = any(line.startswith(f"| ***{x}***") for x in labels)
        elif not line.startswith("| &emsp;"):
            skipping = False
        if not skipping:
            kept.append(line)
    md["survival"] = kept
    shift = len([t for t in captured["tables_md"] if t.removeprefix("cox_").upper() in names])
    for table in RENUMBERED:
        title = md[table][0]
        number = int(title.split("Table ")[1].split(".")[0])
        md[table][0] = title.replace(f"Table {number}.", f"Table {number - shift}.", 1)


@pytest.fixture(scope="module")
def snapshot_main() -> dict[str, Any]:
    path = ROOT / "tests" / "reference" / "demo_snapshot.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return _display_names(loaded)


def _display_names(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with the group labels of Table 1's and the response table's headers and SMD
    note, and of the Kaplan-Meier legends, shown by their display names: text, no number."""

    def rename(text: str, after: tuple[str, ...]) -> str:
        for label, shown in DISPLAY_NAMES.items():
            for tail in after:
                text = text.replace(f"{label}{tail}", f"{shown}{tail}")
        return text

    tables = snapshot["tables_md"]
    for name in ("table1", "response"):
        tables[name] = [rename(line, ("<br>", " versus", ".")) for line in tables[name]]
    for name, panels in snapshot["figures"].items():
        if name.startswith("km_"):
            for panel in panels:
                panel["legend"] = [rename(x, (": median",)) for x in panel["legend"]]
    return snapshot


@pytest.mark.parametrize(
    "part", ["results", "tables_csv", "tables_md", "flow", "methods", "figures"]
)
def test_demo_output_matches_the_snapshot(
    snapshot_now: dict[str, Any], snapshot_main: dict[str, Any], part: str
) -> None:
    differences = _compare(snapshot_now[part], snapshot_main[part], part)
    assert not differences, "\n".join(differences[:20])


def test_the_comparison_sees_a_changed_number(snapshot_main: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(snapshot_main["tables_csv"]))
    row = changed["cox_os"][1]
    row[3] = repr(float(row[3]) * (1 + 1e-6))
    assert _compare(changed, snapshot_main["tables_csv"], "tables_csv")
