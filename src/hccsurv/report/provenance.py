"""provenance.json: what produced a run (options, input hashes, config, software versions, time).

Everything here is deterministic for the same inputs except ``created``, the run's wall-clock
time; set ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) to fix it.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import hccsurv

_DEPENDENCIES = (
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "pydantic",
    "python-docx",
    "openpyxl",
    "pyarrow",
)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def software_versions() -> dict[str, str]:
    """hccsurv, Python and the versions of the libraries a run depends on."""
    versions = {"hccsurv": hccsurv.__version__, "python": platform.python_version()}
    for name in _DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_timestamp() -> str:
    """ISO-8601 UTC time of the run, or ``SOURCE_DATE_EPOCH`` when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat()


def build_provenance(
    *,
    config_path: Path,
    config: Mapping[str, Any],
    inputs: Sequence[Path],
    seeds: Mapping[str, int],
    options: Mapping[str, object],
) -> dict[str, Any]:
    """The provenance record of one run; ``options`` are every option of its command line."""
    return {
        "created": run_timestamp(),
        "options": dict(options),
        "config_file": config_path.name,
        "config_sha256": sha256_file(config_path),
        "config": dict(config),
        "inputs": [{"file": p.name, "sha256": sha256_file(p)} for p in inputs],
        "seeds": dict(seeds),
        "software": software_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine()},
    }
