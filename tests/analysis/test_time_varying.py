"""OS by response three ways (``analysis.time_varying``) and its study step on the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hccsurv
from hccsurv.analysis.time_varying import response_time_analysis
from hccsurv.errors import ConfigError, NotEstimableError

DEMO_CONFIG = Path(hccsurv.__file__).parent / "demo" / "study.toml"


def _cohort(seed: int = 3, n: int = 150) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "pid": [f"P{i:03d}" for i in range(n)],
            "time": np.round(rng.exponential(12.0, n), 2) + 0.05,
            "event": (rng.uniform(size=n) < 0.7).astype(int),
        }
    )
    response = pd.Series(np.where(rng.uniform(size=n) < 0.35, rng.uniform(0.5, 8.0, n), np.nan))
    return frame, response


def test_each_method_is_the_documented_model() -> None:
    frame, response = _cohort()
    result = response_time_analysis(
        frame, "pid", "time", "event", response, [3.0, 6.0], endpoint="OS", unit="months"
    )
    # the time-varying model is coxph on tmerge's rows, clustered on the patient
    rows = hccsurv.tmerge(
        frame,
        frame.assign(r=response).dropna(subset=["r"]),
        id="pid",
        stop="time",
        event="event",
        tdc={"resp": "r"},
    )
    direct = hccsurv.coxph(rows, "tstop", "event", ["resp"], start_col="tstart", cluster="pid")
    np.testing.assert_allclose(result.time_varying.fit.coef, direct.fit.coef, rtol=1e-12)
    np.testing.assert_allclose(result.time_varying.fit.var, direct.fit.var, rtol=1e-12)
    # each landmark is hccsurv.landmark on the same patients
    lm = hccsurv.landmark(frame.assign(r=response), "time", "event", landmark=6.0, switch_col="r")
    assert result.landmarks[1].hr == pytest.approx(lm.hr, rel=1e-12)
    # responders whose response came after the event or censoring still count in the naive
    # model, which therefore differs from the time-varying one
    assert result.naive.fit.coef[0] != pytest.approx(result.time_varying.fit.coef[0], rel=1e-3)
    table = result.to_frame()
    assert table["method"].tolist()[1:3] == ["landmark at 3 months", "landmark at 6 months"]
    assert result.to_dict()["n_responders"] == int(response.notna().sum())


def test_no_responder_is_not_estimable() -> None:
    frame, _ = _cohort()
    none = pd.Series(np.full(len(frame), np.nan))
    with pytest.raises(NotEstimableError, match="no patient has a confirmed response"):
        response_time_analysis(frame, "pid", "time", "event", none, [3.0], endpoint="OS", unit="m")


def test_config_needs_a_known_endpoint(tmp_path: Path) -> None:
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace(
        'endpoint = "OS"                      # survive', 'endpoint = "DFS"  # survive'
    )
    assert "DFS" in text
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        hccsurv.load_config(tmp_path / "study.toml")
    assert any(
        "time_varying.endpoint = 'DFS' is not an endpoint" in str(p) for p in info.value.problems
    )


def test_the_demo_study_reports_os_by_response_three_ways() -> None:
    from hccsurv.analysis.study import analyze_study
    from hccsurv.present.study_tables import build_tables, format_options

    config = hccsurv.load_config(DEMO_CONFIG)
    results = analyze_study(hccsurv.load_cohort(config), config)
    record = next(r for r in results.analyses if r.key == "time_varying")
    assert (record.status, record.reason) == ("estimated", None)
    tv = results.more["time_varying"]
    assert [lm.landmark for lm in tv.landmarks] == [3.0, 6.0]
    assert results.to_dict()["time_varying"]["comparisons"][0]["method"].startswith("naive")
    table = build_tables(results, format_options(config)).more["time_varying"][0]
    assert len(table.rows) == 4


def test_without_response_dates_the_step_is_not_estimable(tmp_path: Path) -> None:
    import shutil

    from hccsurv.analysis.study import analyze_study

    for name in ("study.toml", "cohort.csv", "treatment.csv", "labs.csv"):
        shutil.copy(DEMO_CONFIG.parent / name, tmp_path / name)
    path = tmp_path / "study.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('source = "lesions"', 'source = "column"\nbest_response = "best_response"')
    path.write_text(text.replace('lesion_file = "lesions.csv"', ""), encoding="utf-8")
    config = hccsurv.load_config(path)
    results = analyze_study(hccsurv.load_cohort(config), config)
    record = next(r for r in results.analyses if r.key == "time_varying")
    assert record.status == "not estimable"
    assert "no response dates" in str(record.reason)
