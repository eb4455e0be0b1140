"""The demo study's competing-risks endpoint (TTP: progression, death without progression
competing) equals R on the same data (issue 18, item 5).

``validation/r/demo_competing.R`` recomputed, from the analysis data set hccsurv exported
(``tests/reference/data/demo_derived.csv``, checked against today's derivation in
``test_demo_r_parity.py``), the CIF at 12 months (survfit multi-state estimate and log limits;
cuminc's variance), Gray's test per cause, the univariate Fine-Gray models (crr) of every
candidate with the term Wald p, the selection at p < 0.1, the multivariable crr and the
cause-specific coxph of each cause (``tests/reference/demo_competing.json``). Every number is
compared at rtol 1e-6; the live test reruns R on the data hccsurv derives now.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.analysis.competing_study import CompetingAnalysis, CompetingEndpoint
from hccsurv.analysis.results import StudyResults
from hccsurv.core.competing import cumulative_incidence

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-6


@pytest.fixture(scope="module")
def analysis() -> StudyResults:
    spec = importlib.util.spec_from_file_location(
        "export_demo", ROOT / "validation" / "export_demo.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: StudyResults = module.demo_analysis()
    return result


def _ttp(analysis: StudyResults) -> CompetingEndpoint:
    competing = analysis.more["competing"]
    assert isinstance(competing, CompetingAnalysis)
    (ep,) = competing.endpoints
    assert ep.name == "TTP" and ep.causes == ("Progression", "Death without progression")
    return ep


def _close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(
        np.atleast_1d(np.asarray(actual, dtype=float)),
        np.atleast_1d(np.asarray(expected, dtype=float)),
        rtol=RTOL,
    )


def _names(frame: Any) -> list[str]:
    return [
        v + ("" if lv is None else str(lv))
        for v, lv in zip(frame["variable"], frame["level"], strict=True)
    ]


def _compare(ep: CompetingEndpoint, ref: dict[str, Any]) -> None:
    assert ep.n == ref["n"] and list(ep.events) == ref["events"]
    at = ep.at_landmarks()
    assert ep.cif is not None and ep.landmarks == (12.0,)
    # cuminc's variance, from the same data through hccsurv's cuminc method
    data = ep.data
    by_cuminc = cumulative_incidence(
        data["time"], data["cause"].astype(int), data["group"], method="cuminc"
    ).at([12.0])
    for row in ref["cif_12"]:
        mine = at[(at["group"] == row["group"]) & (at["cause"] == row["cause"])]
        _close(mine["estimate"], row["estimate"])
        _close(mine["lower"], row["lower"])
        _close(mine["upper"], row["upper"])
        theirs = by_cuminc[
            (by_cuminc["group"] == row["group"]) & (by_cuminc["cause"] == row["cause"])
        ]
        _close(theirs["estimate"], row["cuminc_estimate"])
        _close(theirs["variance"], row["cuminc_variance"])
    assert ep.cif.tests is not None
    for k, (stat, p) in enumerate(zip(ref["gray"]["statistic"], ref["gray"]["p"], strict=True)):
        test = ep.cif.tests.test(k + 1)
        _close(test.statistic, stat)
        _close(test.p_value, p)
        assert ep.gray_p(k + 1) == pytest.approx(p, rel=RTOL)

    s = ep.finegray
    assert s is not None and not s.not_estimable
    for model in s.univariate:
        (variable,) = model.covariates
        expected = ref["univariate"][variable]
        frame = model.to_frame()
        assert _names(frame) == list(np.atleast_1d(expected["names"])), variable
        _close(frame["coef"], expected["coef"])
        _close(frame["se"], expected["se"])
        _close(frame["p"], expected["p"])
        term = next(t for t in model.term_tests if t.variable == variable)
        _close(term.p, expected["term_p"])
    assert list(s.selected) == ref["selected"]
    assert s.multivariable is not None and ep.model_covariates == s.selected
    multi = s.multivariable.to_frame()
    assert _names(multi) == ref["multivariable"]["names"]
    _close(multi["coef"], ref["multivariable"]["coef"])
    _close(multi["se"], ref["multivariable"]["se"])
    _close(multi["p"], ref["multivariable"]["p"])
    for model, expected in zip(ep.cause_specific, ref["cause_specific"], strict=True):
        assert model is not None
        frame = model.model.to_frame()
        assert _names(frame) == expected["names"]
        # death without progression: no death among patients with extrahepatic metastasis
        # gives a monotone likelihood whose coefficient R and hccsurv stop at the same
        # iteration; its SE and p are those of a flat likelihood, compared like the rest
        _close(frame["coef"], expected["coef"])
        _close(frame["se"], expected["se"])
        _close(frame["p"], expected["p"])


def test_demo_competing_equals_r(analysis: StudyResults) -> None:
    # Rscript validation/r/demo_competing.R (R 4.2.2, survival 3.5-3, cmprsk 2.2-11)
    _compare(_ttp(analysis), load_reference("demo_competing"))


@pytest.mark.r_live(packages=("cmprsk",))
def test_demo_competing_equals_live_r(analysis: StudyResults, rscript: str, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "export_demo", ROOT / "validation" / "export_demo.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = tmp_path / "demo_derived.csv"
    module.derived_frame(analysis).to_csv(data, index=False, float_format="%.17g")
    out = tmp_path / "demo_competing.json"
    subprocess.run(
        [rscript, str(ROOT / "validation" / "r" / "demo_competing.R"), str(data), str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    _compare(_ttp(analysis), json.loads(out.read_text(encoding="utf-8")))
