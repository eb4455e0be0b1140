"""Dependencies point one way: core <- data/clinical <- analysis <- present <- report/cli.

Each module's imports are read from its source (no import side effects) and checked against the
rules of docs/DESIGN.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hccsurv"

# package -> hccsurv subpackages it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("data", "clinical", "analysis", "present", "report", "demo", "config", "cli"),
    "clinical": ("data", "analysis", "present", "report", "cli", "config"),
    "data": ("analysis", "present", "report", "cli"),
    "analysis": ("present", "report", "cli"),
    "present": ("report", "cli", "data"),
    "engines": ("data", "clinical", "analysis", "present", "report", "demo", "config", "cli"),
}
# third-party modules the numerical core must not import at module level
CORE_FORBIDDEN_THIRD_PARTY = ("pandas", "matplotlib", "docx", "openpyxl", "pydantic", "typer")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.If):  # TYPE_CHECKING blocks are type-only
            continue
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_respects_layering(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    layer = rel.parts[0] if len(rel.parts) > 1 else None
    if layer not in FORBIDDEN:
        return
    bad = sorted(
        name
        for name in _imports(path, top_level_only=False)
        if name.startswith("hccsurv.") and name.split(".")[1] in FORBIDDEN[layer]
    )
    assert not bad, f"{rel} (layer {layer}) imports {bad}"
    if layer == "core":
        heavy = sorted(
            name
            for name in _imports(path, top_level_only=True)
            if name.split(".")[0] in CORE_FORBIDDEN_THIRD_PARTY
        )
        assert not heavy, f"{rel} imports {heavy} at module level; the core takes arrays"


def test_layering_test_sees_the_package() -> None:
    assert len(_modules()) > 10
