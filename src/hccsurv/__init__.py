"""hccsurv: treatment-outcome studies in liver cancer, with R ``survival`` parity.

The public API. Estimators take arrays (or, for Cox, a pandas DataFrame) and return immutable
results with ``to_frame()`` and ``to_dict()``; ``run_study`` runs a whole study from its config.

>>> import hccsurv
>>> km = hccsurv.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
>>> km.median
2.5

The public names are listed once, in the stub ``__init__.pyi`` beside this file (the
scientific-Python ``lazy_loader`` pattern): type checkers and IDEs read the stub, and this module
reads its imports to learn where each name lives. Names are loaded on first use (PEP 562),
``__version__`` included: ``import hccsurv`` itself imports nothing heavy, so
``hccsurv --version`` answers at once and ``hccsurv.kaplan_meier`` loads only the survival core,
not pandas' report stack or matplotlib.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any


def _homes() -> dict[str, str]:
    """``{public name: module}`` from the ``from <module> import <name> as <name>`` lines."""
    stub = ast.parse(Path(__file__).with_suffix(".pyi").read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name: node.module
        for node in stub.body
        if isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names
    }


_HOMES = _homes()
__all__ = sorted(["__version__", *_HOMES])


def __getattr__(name: str) -> Any:
    if name == "__version__":  # one source of truth: pyproject.toml (read when first asked)
        from importlib.metadata import version

        globals()[name] = value = version("hccsurv")
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hccsurv' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
