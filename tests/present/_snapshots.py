"""Snapshot files under ``tests/present/snapshots/``.

A test compares rendered text with the stored file. To regenerate deliberately (after a reviewed
change to a renderer), run ``HCCSURV_UPDATE_SNAPSHOTS=1 pytest tests/present`` and review the diff.
A missing snapshot fails the test instead of being written silently.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


def assert_snapshot(text: str, name: str) -> None:
    """Assert ``text`` equals ``snapshots/<name>`` (or rewrite it when regenerating)."""
    path = SNAPSHOT_DIR / name
    if os.environ.get("HCCSURV_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), (
        f"snapshot {path} is missing; create it with HCCSURV_UPDATE_SNAPSHOTS=1 and review it"
    )
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"rendered text differs from snapshot {name}"
