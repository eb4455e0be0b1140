"""`hccsurv init` on R's datasets it has never seen (pbc, veteran, lung, colon, mgus2).

The guessed time/status pair, decoded with the guessed coding, must give R's survdiff
(validation/r/init_datasets.R -> tests/reference/init_datasets.json); mgus2 needs one edit of the
config (the group) and then loads and reproduces R's log-rank test.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.config import load_config
from hccsurv.core.logrank import logrank
from hccsurv.data.cohort import load_cohort
from hccsurv.data.guess import guess_group, guess_id, guess_survival_pairs
from hccsurv.data.init import starter_config

REF: dict[str, Any] = load_reference("init_datasets")
DATASETS = ("pbc", "veteran", "lung", "colon", "mgus2")


def _config(name: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    data = tmp_path / f"{name}.csv"
    shutil.copy(R_DATA_DIR / f"{name}.csv", data)
    text = starter_config(data)
    return text, tomllib.loads(text)


@pytest.mark.parametrize("name", DATASETS)
def test_config_parses_loads_and_keeps_outcomes_out_of_table1(name: str, tmp_path: Path) -> None:
    text, parsed = _config(name, tmp_path)
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "study.toml")
    endpoints = parsed["endpoints"]
    outcome_cols = {c for ep in endpoints.values() for c in (ep.get("time"), ep.get("event"))}
    baseline = {b["column"] for b in parsed.get("baseline", [])}
    assert outcome_cols and not outcome_cols & baseline
    assert all(ep.time_unit == "days" or name == "mgus2" for ep in config.endpoints.values())
    # every guessed line says why
    assert text.count("# CHECK:") >= 3
    assert "sex" not in {config.groups.column}


def test_pbc_picks_trt_and_decodes_death(tmp_path: Path) -> None:
    text, parsed = _config("pbc", tmp_path)
    assert parsed["groups"]["column"] == "trt"
    assert parsed["groups"]["labels"] == ["1", "2"]
    assert parsed["endpoints"]["OS"]["event_codes"] == [2]
    assert parsed["endpoints"]["OS"]["competing_codes"] == {"status_1": 1}
    assert "--exclude-invalid to leave them out" in text
    # a 0/1 ascites is not fed to Child-Pugh as a grade, and the comment says why
    assert "ascites" not in parsed["clinical"]
    assert re.search(r"#   ascites: not clinical\.ascites: its 0/1 values", text)
    assert parsed["clinical"]["bilirubin"] == "bili"


def test_lung_and_veteran_have_no_id(tmp_path: Path) -> None:
    for name in ("lung", "veteran"):
        text, parsed = _config(name, tmp_path)
        assert "id_column" not in parsed["study"]
        assert "rows are numbered 1..n; id_column is left out" in text
    text, parsed = _config("lung", tmp_path)
    assert parsed["groups"]["column"] == "FILL_IN_GROUP_COLUMN"
    assert "Columns with 2-6 values: sex, ph.ecog, ph.karno" in text
    assert parsed["endpoints"]["OS"]["censored_codes"] == [1]


def test_colon_long_format_is_flagged(tmp_path: Path) -> None:
    text, parsed = _config("colon", tmp_path)
    assert parsed["groups"]["labels"] == ["Obs", "Lev", "Lev+5FU"]
    assert "LONG FORMAT: one row per id and etype (1, 2)" in text
    assert [(ep["key"], ep["key_value"]) for ep in parsed["endpoints"].values()] == [
        ("etype", 1),
        ("etype", 2),
    ]
    assert "etype" not in {b["column"] for b in parsed["baseline"]}
    assert "#   study: a single value (1) in every row" in text


def _decoded_logrank(name: str, group_of: str | None = None) -> tuple[float, int, int]:
    frame = pd.read_csv(R_DATA_DIR / f"{name}.csv")
    ident = guess_id(frame)
    if ident.key is not None:  # colon: the death rows (etype 2), as R's documentation
        frame = frame[frame[ident.key] == 2]
    pair = guess_survival_pairs(frame, exclude=[c for c in (ident.column, ident.key) if c])[-1]
    group = group_of or guess_group(frame, exclude=[pair.time, pair.status])[0]
    assert group is not None
    used = frame.dropna(subset=[pair.time, pair.status, group])
    event = used[pair.status].isin(pair.event_codes).to_numpy(dtype=float)
    res = logrank(used[pair.time].to_numpy(), event, used[group].to_numpy())
    return res.chisq, int(res.n.sum()), int(res.observed.sum())


@pytest.mark.parametrize(
    ("name", "group"),
    [("pbc", None), ("veteran", None), ("lung", "sex"), ("colon", None), ("mgus2_os", "sex")],
)
def test_guessed_coding_gives_r_survdiff(name: str, group: str | None) -> None:
    chisq, n, events = _decoded_logrank(name.removesuffix("_os"), group)
    ref = REF[name]
    np.testing.assert_allclose(chisq, ref["chisq"], rtol=1e-9)
    assert (n, events) == (ref["n"], ref["events"])


def test_mgus2_runs_after_one_edit(tmp_path: Path) -> None:
    text, _ = _config("mgus2", tmp_path)
    edited = text.replace(
        'column = "FILL_IN_GROUP_COLUMN"\nlabels = ["FILL_IN_REFERENCE", "FILL_IN_OTHER"]',
        'column = "sex"\nlabels = ["F", "M"]',
    )
    assert edited != text
    (tmp_path / "study.toml").write_text(edited, encoding="utf-8")
    cohort = load_cohort(load_config(tmp_path / "study.toml"))
    assert cohort.flow.analysed == REF["mgus2_os"]["n"]
    for endpoint, key in (("OS", "mgus2_os"), ("PSTAT", "mgus2_pstat")):
        f = cohort.frame
        res = logrank(f[f"{endpoint}_time"], f[f"{endpoint}_event"], f["sex"].astype(str))
        np.testing.assert_allclose(res.chisq, REF[key]["chisq"], rtol=1e-9)
        assert int(res.observed.sum()) == REF[key]["events"]
