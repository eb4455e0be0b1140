"""Failure isolation in the analysis layer: `attempt` turns a refusal of the data into a reason
and keeps hccsurv's warnings for the record; `Recorder` ends the run only for a required
analysis; the demo study records every analysis it runs."""

from __future__ import annotations

import warnings

import pytest

from hccsurv.analysis._isolate import attempt
from hccsurv.analysis.study import Recorder, analyze_study
from hccsurv.config import load_config
from hccsurv.data.cohort import load_cohort
from hccsurv.errors import InputError, NotEstimableError, StatisticalWarning
from hccsurv.report.pipeline import demo_config_path


def _refuse() -> int:
    raise NotEstimableError("no events")


def _warn() -> int:
    warnings.warn("monotone likelihood", StatisticalWarning, stacklevel=1)
    return 3


def test_attempt_turns_a_refusal_into_a_reason() -> None:
    refused = attempt(_refuse)
    assert (refused.value, refused.reason) == (None, "no events")

    def bad_arrays() -> int:
        raise InputError("a constant covariate")

    assert attempt(bad_arrays).reason == "a constant covariate"
    done = attempt(_warn)
    assert (done.value, done.reason, done.warnings) == (3, None, ("monotone likelihood",))


def test_attempt_lets_a_bug_and_foreign_warnings_through() -> None:
    def bug() -> int:
        raise KeyError("internal")

    with pytest.raises(KeyError):
        attempt(bug)

    def foreign() -> int:
        warnings.warn("from pandas", FutureWarning, stacklevel=1)
        return 1

    with pytest.warns(FutureWarning, match="from pandas"):
        assert attempt(foreign).warnings == ()


def test_recorder_ends_the_run_only_for_a_required_analysis() -> None:
    log = Recorder(required=("OS",))
    assert log.run("PFS.logrank", "PFS: log-rank", _refuse) is None
    assert log.run("OSX.logrank", "OSX: log-rank", _refuse) is None  # "OS" is not a prefix
    assert log.run("OS.km", "OS: KM", _warn) == 3
    with pytest.raises(NotEstimableError, match=r"OS\.logrank.*no events.*\[analysis\] required"):
        log.run("OS.logrank", "OS: log-rank", _refuse)
    statuses = [(r.key, r.status, r.reason, r.warnings) for r in log.records]
    assert statuses == [
        ("PFS.logrank", "not estimable", "no events", ()),
        ("OSX.logrank", "not estimable", "no events", ()),
        ("OS.km", "estimated", None, ("monotone likelihood",)),
    ]


def test_the_demo_records_every_analysis_as_estimated() -> None:
    config = load_config(demo_config_path())
    results = analyze_study(load_cohort(config), config)
    keys = [r.key for r in results.analyses]
    candidates = [c.column for c in config.cox.candidates]
    for ep in ("OS", "PFS"):
        for piece in ("km", "logrank", "landmark", "rmst", "cox.multivariable", "zph"):
            assert f"{ep}.{piece}" in keys
        assert [k for k in keys if k.startswith(f"{ep}.cox.univariate.")] == [
            f"{ep}.cox.univariate.{c}" for c in candidates
        ]
    assert {"baseline", "response", "adjust"} <= set(keys)
    assert results.not_estimable == ()
    multi = results.endpoints[0].models.multivariable if results.endpoints[0].models else None
    assert multi is not None and results.record("OS.cox.multivariable").n == multi.n
    # the PH decision is made here, from cox.zph, and recorded
    for ep in results.endpoints:
        assert ep.zph_multivariable is not None
        assert ep.ph_violated == tuple(r.term for r in ep.zph_multivariable.rows if r.p < 0.05)
    assert results.to_dict()["analyses"][0]["key"] == keys[0]
