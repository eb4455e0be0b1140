"""Issue 16's end-to-end goal: `hccsurv init FILE` then `hccsurv run` on R's own datasets.

No edit of the data file and at most one edit of the generated config (lung and mgus2 have no
treatment column: the group is named); pbc's 106 rows without a treatment are left out with
``--exclude-invalid`` as init's comment says (R's survdiff drops them too). The log-rank test of
every generated endpoint equals R's survdiff (validation/r/init_datasets.R ->
tests/reference/init_datasets.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.data.cohort import NUMBERED_ROWS
from hccsurv.data.init import starter_config
from hccsurv.report.pipeline import run_study

REF: dict[str, Any] = load_reference("init_datasets")
PLACEHOLDER = 'column = "FILL_IN_GROUP_COLUMN"\nlabels = ["FILL_IN_REFERENCE", "FILL_IN_OTHER"]'

# dataset: (the one config edit or None, --exclude-invalid, {endpoint: reference key}, flow note)
CASES: dict[str, tuple[str | None, bool, dict[str, str], str]] = {
    "pbc": (None, True, {"OS": "pbc"}, ""),
    "veteran": (None, False, {"OS": "veteran"}, NUMBERED_ROWS),
    "lung": ('column = "sex"\nlabels = ["1", "2"]', False, {"OS": "lung"}, NUMBERED_ROWS),
    "colon": (
        None,
        False,
        {"etype_1": "colon_recurrence", "etype_2": "colon"},
        "long format: 1858 rows, one per patient and etype, for 929 patients ('id')",
    ),
    "mgus2": (
        'column = "sex"\nlabels = ["F", "M"]',
        False,
        {"OS": "mgus2_os", "PSTAT": "mgus2_pstat"},
        "",
    ),
}

# what the methods text says of the rows and the status coding
METHODS = {
    "pbc": "(status 2 = event, 0 = censored; competing events 1 = status_1, censored in this "
    "cause-specific analysis).",
    "veteran": "Of 137 patients in the data file (rows numbered; the file has no id column)",
    "lung": "taken from columns time and status (status 2 = event, 1 = censored).",
    "colon": "from columns time and status, on the rows with etype = 2.",
    "mgus2": "taken from columns futime and death.",
}


@pytest.mark.parametrize("name", list(CASES))
def test_init_then_run_gives_a_report_with_r_logrank(name: str, tmp_path: Path) -> None:
    edit, exclude_invalid, endpoints, note = CASES[name]
    data = tmp_path / f"{name}.csv"
    shutil.copy(R_DATA_DIR / f"{name}.csv", data)
    config = tmp_path / "study.toml"
    text = starter_config(data, config_path=config)
    if edit is not None:
        assert PLACEHOLDER in text
        text = text.replace(PLACEHOLDER, edit)
    else:
        assert "FILL_IN" not in text
    config.write_text(text, encoding="utf-8")

    outcome = run_study(config, tmp_path / "out", exclude_invalid=exclude_invalid)

    out = tmp_path / "out"
    assert outcome.report_path.stat().st_size > 0
    assert not outcome.study.not_estimable
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(results["endpoints"]) == set(endpoints)
    for endpoint, key in endpoints.items():
        logrank = results["endpoints"][endpoint]["logrank"]
        np.testing.assert_allclose(logrank["chisq"], REF[key]["chisq"], rtol=1e-9)
        np.testing.assert_allclose(logrank["p"], REF[key]["p"], rtol=1e-6)
        counts = {e["endpoint"]: e for e in results["flow"]["detail"]["endpoints"]}
        assert (counts[endpoint]["n"], counts[endpoint]["events"]) == (
            REF[key]["n"],
            REF[key]["events"],
        )
    assert results["flow"]["detail"]["note"] == note
    methods = (out / "methods.txt").read_text(encoding="utf-8")
    assert METHODS[name] in methods
    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["patients"] == (note or "one row per patient, id 'id'")
