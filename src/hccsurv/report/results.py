"""The contract of results.json: its JSON schema, shipped with the package.

results.json itself is :meth:`hccsurv.analysis.results.StudyResults.to_dict`; nothing else builds
it. The schema fixes the keys other tools may rely on (``endpoints`` -> ``overall`` / ``groups`` /
``logrank`` / ``cox``, ``response``, ``flow``, ``analyses``); more keys may be added.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def results_schema() -> dict[str, Any]:
    """The JSON schema of results.json (shipped with the package)."""
    text = resources.files("hccsurv.report").joinpath("results.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
