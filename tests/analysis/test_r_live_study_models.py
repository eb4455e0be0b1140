"""Live parity of the study's model options: fresh seeded data -> validation/r/study_models.R.

A study config with ``[cox] forced`` (the group, by default), ``selection = "all"`` and
``strata`` (with the endpoint's log-rank stratified the same way) must give R's screening
p-values, selection, multivariable coefficients and stratified log-rank test at rtol 1e-6.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.results import StudyResults
from hccsurv.analysis.study import analyze_study
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "study_models.R"


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    x = rng.normal(0, 1, n).round(2)
    cat = rng.choice(["lo", "mid", "hi"], n)
    s = rng.integers(1, 3, n)
    # no group effect: the group is kept only because it is forced
    lp = 0.5 * x + 0.4 * (cat == "hi") + 0.5 * (s == 2)
    t = rng.exponential(300 * np.exp(-lp))
    c = rng.uniform(100, 900, n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "group": rng.choice(["A", "B", "C"], n),
            "x": x,
            "cat": cat,
            "s": s,
            "time": np.ceil(np.minimum(t, c)),
            "status": (t <= c).astype(int),
        }
    )


def _study(tmp_path: Path, data: Path, cox: str) -> StudyResults:
    text = f"""
[study]
data = "{data.as_posix()}"
id_column = "id"
time_unit = "days"
landmarks = [180]

[groups]
column = "group"
labels = ["A", "B", "C"]

[endpoints.OS]
label = "Overall survival"
time = "time"
event = "status"
time_unit = "days"

[cox]
{cox}

[[cox.candidates]]
column = "group"
reference = "A"

[[cox.candidates]]
column = "x"

[[cox.candidates]]
column = "cat"
reference = "lo"
"""
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    return analyze_study(load_cohort(config), config)


def _compare(results: StudyResults, want: dict[str, Any]) -> None:
    (ep,) = results.endpoints
    models = ep.models
    assert models is not None and models.multivariable is not None
    uni = [m.term_test(m.covariates[0]).p for m in models.univariate]
    np.testing.assert_allclose(uni, want["uni_p"], rtol=1e-6)
    assert list(models.selected) == list(np.atleast_1d(want["selected"]))
    # R names a coefficient term + level (groupB, catmid, x)
    frame = models.multivariable.to_frame()
    terms = [
        f"{v}{'' if lvl is None else lvl}"
        for v, lvl in zip(frame["variable"], frame["level"], strict=True)
    ]
    got = frame.set_index(pd.Index(terms)).loc[want["terms"]]
    np.testing.assert_allclose(got["coef"], want["coef"], rtol=1e-6)
    np.testing.assert_allclose(got["se"], want["se"], rtol=1e-6)
    lr = ep.summary.logrank
    assert lr is not None
    np.testing.assert_allclose(
        (lr.chisq, lr.p), (want["logrank_chisq"], want["logrank_p"]), rtol=1e-6
    )


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [31, 32])
def test_live_forced_all_and_stratified_models(rscript: str, tmp_path: Path, seed: int) -> None:
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    _draw(seed).to_csv(csv, index=False)
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))
    strata = 'strata = ["s"]\nstratify_logrank = true'
    # the group is forced by default (it is a candidate); it stays though it has no effect
    screened = _study(tmp_path, csv, f"threshold = 0.1\n{strata}")
    _compare(screened, ref["screen"])
    assert screened.endpoints[0].models is not None
    assert screened.endpoints[0].models.selected[0] == "group"
    _compare(_study(tmp_path, csv, f'selection = "all"\nforced = []\n{strata}'), ref["all"])
    _compare(_study(tmp_path, csv, "threshold = 0.1"), ref["unstratified"])
