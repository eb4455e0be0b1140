"""The study's model options from the config: the group forced into the multivariable model by
default, ``forced = []`` to screen it like any candidate, and the checks of ``[cox]``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hccsurv.analysis.study import analyze_study
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.errors import ConfigError

REFERENCE = Path(__file__).parents[1] / "reference"


def _study(tmp_path: Path, cox: str) -> Path:
    # colon deaths, observation vs levamisole alone: the arms do not differ (log-rank p 0.81)
    colon = pd.read_csv(REFERENCE / "data" / "colon.csv")
    colon = colon[(colon["etype"] == 2) & colon["rx"].isin(["Obs", "Lev"])]
    colon.to_csv(tmp_path / "colon.csv", index=False)
    text = f"""
[study]
data = "colon.csv"
id_column = "id"
time_unit = "days"
landmarks = [365]

[groups]
column = "rx"
labels = ["Obs", "Lev"]

[endpoints.OS]
label = "Overall survival"
time = "time"
event = "status"
time_unit = "days"

[cox]
{cox}

[[cox.candidates]]
column = "rx"
reference = "Obs"

[[cox.candidates]]
column = "nodes"

[[cox.candidates]]
column = "obstruct"
"""
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _selected(path: Path) -> tuple[str, ...]:
    config = load_config(path)
    (ep,) = analyze_study(load_cohort(config), config).endpoints
    assert ep.models is not None
    return ep.models.selected


def test_the_group_stays_in_the_multivariable_model_by_default(tmp_path: Path) -> None:
    assert _selected(_study(tmp_path, "threshold = 0.1")) == ("rx", "nodes", "obstruct")


def test_forced_empty_screens_the_group_like_any_candidate(tmp_path: Path) -> None:
    # the old behaviour, now asked for: the group (p = 0.81) drops out
    assert _selected(_study(tmp_path, "forced = []")) == ("nodes", "obstruct")


def test_selection_all_takes_every_candidate(tmp_path: Path) -> None:
    path = _study(tmp_path, 'selection = "all"\nforced = []\nthreshold = 0.001')
    assert _selected(path) == ("rx", "nodes", "obstruct")


@pytest.mark.parametrize(
    ("cox", "message"),
    [
        ('forced = ["age"]', "forced names age, not a [[cox.candidates]] column"),
        ('strata = ["nodes"]', "nodes is both a stratum and a candidate"),
    ],
)
def test_cox_options_that_cannot_work_are_refused(tmp_path: Path, cox: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_study(tmp_path, cox))
    assert message in str(caught.value)
    assert "cox" in str(caught.value)
