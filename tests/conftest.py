"""Shared fixtures.

``rscript``: the path of an ``Rscript`` whose library has ``survival``. Live parity tests use it.
Where R is missing the test is skipped on a developer machine, but when ``CI=true`` the fixture
fails instead: CI installs R, so a missing R there is a broken CI, never a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).parent / "reference"
R_DATA_DIR = REFERENCE_DIR / "data"


def _find_rscript() -> str | None:
    path = shutil.which("Rscript")
    if path is None:
        return None
    probe = subprocess.run(
        [path, "-e", "suppressPackageStartupMessages(library(survival)); cat('ok')"],
        capture_output=True,
        text=True,
        check=False,
    )
    return path if probe.returncode == 0 and probe.stdout.endswith("ok") else None


@pytest.fixture(scope="session")
def rscript() -> str:
    path = _find_rscript()
    if path is None:
        message = "Rscript with the survival package is not available"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"{message}, but CI=true: .ci/run must install R (r-base-core, r-cran-survival)"
            )
        pytest.skip(message)
    return path


def load_reference(name: str) -> dict[str, object]:
    """Load ``tests/reference/<name>.json`` written by a script in ``validation/r/``."""
    with (REFERENCE_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, object] = json.load(fh)
    return data
