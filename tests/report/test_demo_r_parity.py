"""The demo study's numbers equal R's on the same data (issues 4, 7 and 8).

``validation/export_demo.py`` wrote the analysis data set hccsurv derives from the demo study
(``tests/reference/data/demo_derived.csv``); ``validation/r/demo_study.R`` recomputed, with R's
own functions, the Table 1 tests, the ORR/DCR tests, medians, 12-month rates, RMST, log-rank,
follow-up, the univariate screening and multivariable Cox models, the PH test, the propensity
score and the matched robust Cox model (``tests/reference/demo_study.json``). Here hccsurv runs the
demo study and every number is compared at rtol 1e-6; the live test reruns R on the data
hccsurv derives now.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.analysis.results import StudyResults

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-6


def _export_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "export_demo", ROOT / "validation" / "export_demo.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPORT = _export_module()


@pytest.fixture(scope="module")
def analysis() -> StudyResults:
    result: StudyResults = EXPORT.demo_analysis()
    return result


@pytest.fixture(scope="module")
def derived(analysis: StudyResults) -> pd.DataFrame:
    frame: pd.DataFrame = EXPORT.derived_frame(analysis)
    return frame


def _close(actual: Any, expected: Any) -> None:
    if expected is None:
        assert actual is None
        return
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=RTOL
    )


def test_reference_data_is_what_hccsurv_derives_today(derived: pd.DataFrame) -> None:
    committed = pd.read_csv(
        R_DATA_DIR / "demo_derived.csv", dtype={"ecog_0": str, "albi_grade": str}
    )
    assert list(committed.columns) == list(derived.columns)
    for col in committed.columns:
        if pd.api.types.is_numeric_dtype(committed[col]):
            np.testing.assert_allclose(
                derived[col].to_numpy(float), committed[col].to_numpy(float), rtol=1e-9
            )
        else:
            assert derived[col].astype(str).tolist() == committed[col].astype(str).tolist(), col


def _compare(analysis: StudyResults, ref: dict[str, Any]) -> None:
    assert analysis.baseline is not None and analysis.response is not None
    by_column = {row.variable.column: row for row in analysis.baseline.rows}
    for column, expected in ref["table1"].items():
        test = by_column[column].test
        assert test is not None, column
        assert test.method.strip() == expected["method"].strip(), column
        _close(test.p_value, expected["p"])
    summary = analysis.response.summary
    assert summary.orr_test is not None and summary.dcr_test is not None
    _close(summary.orr_test.p_value, ref["response"]["orr"]["p"])
    _close(summary.dcr_test.p_value, ref["response"]["dcr"]["p"])

    for ep in analysis.endpoints:
        r = ref["endpoints"][ep.name]
        s = ep.summary
        for curve, expected in [
            *((s.group(g), r["groups"][g]) for g in s.group_labels),
            (s.overall, r["overall"]),
        ]:
            _close(curve.median, expected["median"])
            _close(curve.median_lower, expected["lower"])
            _close(curve.median_upper, expected["upper"])
            (rate,) = curve.landmarks
            _close(rate.estimate, expected["surv12"])
            _close(rate.lower, expected["surv12_lower"])
            _close(rate.upper, expected["surv12_upper"])
            assert curve.rmst is not None
            _close(curve.rmst.estimate, expected["rmean"])
            _close(curve.rmst.se, expected["rmean_se"])
        _close(s.logrank.chisq, r["logrank"]["chisq"])
        _close(s.logrank.p, r["logrank"]["p"])
        _close(s.overall.followup.median, r["followup"]["median"])
        _close(s.overall.followup.lower, r["followup"]["lower"])

        models = ep.models
        assert models is not None and models.multivariable is not None
        for model in models.univariate:
            (variable,) = model.covariates
            expected = r["univariate"][variable]
            frame = model.to_frame()
            names = [
                v + ("" if lv is None else str(lv))
                for v, lv in zip(frame["variable"], frame["level"], strict=True)
            ]
            assert names == list(np.atleast_1d(expected["names"])), variable
            _close(frame["coef"], expected["coef"])
            _close(frame["se"], expected["se"])
            _close(frame["p"], expected["p"])
            _close(model.term_test(variable).p, expected["term_p"])
        assert list(models.selected) == list(r["selected"])
        multi = models.multivariable.to_frame()
        _close(multi["coef"], r["multivariable"]["coef"])
        _close(multi["se"], r["multivariable"]["se"])
        _close(multi["p"], r["multivariable"]["p"])
        _close(models.multivariable.concordance, r["concordance"])
        assert ep.zph_multivariable is not None
        _close(ep.zph_multivariable.global_test.chisq, r["zph_global"])

    adjusted = analysis.adjusted
    assert adjusted is not None
    order = np.argsort(
        [list(adjusted.propensity.rows).index(i) for i in analysis.cohort.frame.index]
    )
    _close(adjusted.propensity.linear[order], ref["adjusted"]["ps_linear"])
    # the same patients matched, with the same weights, as MatchIt with the demo's options
    assert adjusted.matching is not None
    _close(adjusted.matching.weights[order], ref["adjusted"]["matchit_weights"])
    assert int((adjusted.matching.weights > 0).sum()) == ref["adjusted"]["matchit_n_matched"]
    for name, outcome in adjusted.outcomes.items():
        _close(outcome.coef, ref["adjusted"][name]["coef"])
        _close(outcome.robust_se, ref["adjusted"][name]["robust_se"])
        _close(outcome.p, ref["adjusted"][name]["p"])


def test_demo_study_equals_r(analysis: StudyResults) -> None:
    # Rscript validation/r/demo_study.R (R 4.2.2, survival 3.5-3)
    _compare(analysis, load_reference("demo_study"))


@pytest.mark.r_live(packages=("MatchIt",))
def test_demo_study_equals_live_r(
    analysis: StudyResults, derived: pd.DataFrame, rscript: str, tmp_path: Path
) -> None:
    data = tmp_path / "demo_derived.csv"
    derived.to_csv(data, index=False, float_format="%.17g")
    out = tmp_path / "demo_study.json"
    subprocess.run(
        [rscript, str(ROOT / "validation" / "r" / "demo_study.R"), str(data), str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    _compare(analysis, json.loads(out.read_text(encoding="utf-8")))
