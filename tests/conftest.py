"""Shared fixtures.

``rscript``: the path of an ``Rscript`` whose library has the R packages the test declares, in
one place, on its marker: ``@pytest.mark.r_live(packages=("cmprsk",))`` (``survival`` and
``jsonlite`` are always required). Where R or a package is missing the test is skipped on a
developer machine with the ``apt-get`` line that installs it, but when ``CI=true`` the fixture
fails instead: CI installs R, so a missing R there is a broken CI, never a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).parent / "reference"
R_DATA_DIR = REFERENCE_DIR / "data"


#: Always needed by a live test: the reference implementation and the JSON bridge.
BASE_R_PACKAGES = ("survival", "jsonlite")


@cache
def _find_rscript() -> str | None:
    return shutil.which("Rscript")


@cache
def _has_r_package(rscript: str, package: str) -> bool:
    probe = subprocess.run(
        [rscript, "-e", f"suppressPackageStartupMessages(library({package})); cat('ok')"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0 and probe.stdout.endswith("ok")


def _debian_name(package: str) -> str:
    return "r-cran-" + package.lower()


@pytest.fixture
def rscript(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("r_live")
    extra = tuple(marker.kwargs.get("packages", ())) if marker is not None else ()
    packages = BASE_R_PACKAGES + tuple(p for p in extra if p not in BASE_R_PACKAGES)
    path = _find_rscript()
    missing = (
        packages if path is None else tuple(p for p in packages if not _has_r_package(path, p))
    )
    if missing:
        names = " ".join(_debian_name(p) for p in missing)
        base = "" if path is not None else "r-base-core "
        what = "Rscript" if path is None else "R package(s) " + ", ".join(missing)
        message = (
            f"{what} not available; install with: "
            f"apt-get install -y --no-install-recommends {base}{names}"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: .ci/run must install it)")
        pytest.skip(message)
    assert path is not None
    return path


def load_reference(name: str) -> dict[str, object]:
    """Load ``tests/reference/<name>.json`` written by a script in ``validation/r/``."""
    with (REFERENCE_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, object] = json.load(fh)
    return data
