"""The public surface: ``hccsurv.__all__`` is complete, sorted, importable, and the documented
call forms work (the README's examples)."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hccsurv


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in hccsurv.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in hccsurv.__all__:
        assert hasattr(hccsurv, name), name


def test_the_stub_is_the_one_list_and_every_name_imports_from_its_home() -> None:
    # each `from <home> import <name> as <name>` of __init__.pyi is public, re-exported under
    # its own name, and really defined in (or re-exported by) <home>
    stub = ast.parse(Path(hccsurv.__file__).with_suffix(".pyi").read_text(encoding="utf-8"))
    listed: list[str] = []
    for node in stub.body:
        if isinstance(node, ast.ImportFrom):
            assert node.module is not None and node.level == 0
            home = importlib.import_module(node.module)
            for alias in node.names:
                assert alias.asname == alias.name, f"{alias.name}: write `{alias.name} as ...`"
                assert getattr(hccsurv, alias.name) is getattr(home, alias.name), alias.name
                listed.append(alias.name)
    assert sorted(listed) == sorted(set(listed)), "a name is listed twice"
    assert sorted([*listed, "__version__"]) == hccsurv.__all__ == dir(hccsurv)
    assert isinstance(hccsurv.__version__, str)


def test_the_stub_ships_with_the_package() -> None:
    pyproject = tomllib.loads(
        (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    )
    assert "*.pyi" in pyproject["tool"]["setuptools"]["package-data"]["hccsurv"]


def test_every_public_callable_is_documented() -> None:
    for name in hccsurv.__all__:
        obj = getattr(hccsurv, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_documented_call_forms() -> None:
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame(
        {
            "time": rng.exponential(10, n).round(1) + 0.1,
            "event": rng.integers(0, 2, n),
            "group": np.where(np.arange(n) % 2 == 0, "A", "B"),
            "age": rng.normal(60, 10, n),
        }
    )
    km = hccsurv.kaplan_meier(frame["time"], frame["event"])
    lr = hccsurv.logrank(frame["time"], frame["event"], frame["group"])
    fit = hccsurv.coxph(frame, "time", "event", ["group", "age"])
    for result in (km, lr, fit):
        json.dumps(result.to_dict(), allow_nan=False)
        assert isinstance(result.to_frame(), pd.DataFrame)
    assert list(fit.to_frame()["variable"]) == ["group", "age"]
    assert fit.to_frame()["level"].iloc[0] == "B"
    assert 0.0 <= lr.p <= 1.0


def test_import_is_light_and_names_load_on_first_use() -> None:
    # `import hccsurv` loads nothing heavy; a name loads only its own module's dependencies
    code = (
        "import sys, gc\n"
        "import hccsurv\n"
        "assert gc.isenabled()\n"
        "heavy = ('pandas', 'matplotlib', 'scipy')\n"
        "assert not [m for m in heavy if m in sys.modules], sorted(sys.modules)\n"
        "km = hccsurv.kaplan_meier([1, 2, 3], [1, 0, 1])\n"
        "assert 'matplotlib' not in sys.modules and 'pandas' not in sys.modules\n"
        "assert 'kaplan_meier' in dir(hccsurv) and km.median == 3.0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = hccsurv.no_such_name  # type: ignore[attr-defined]
