"""The study step "competing" on the demo cohort's TTP endpoint: what it records, a cause without
events reported not estimable piece by piece, and its tables (the numbers themselves equal R in
tests/report/test_demo_competing_r_parity.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hccsurv.analysis.competing_study import CompetingAnalysis, competing_analysis
from hccsurv.analysis.study import Recorder
from hccsurv.config import load_config
from hccsurv.data.cohort import Cohort, load_cohort
from hccsurv.present.figures.cif import _curves, cif_risk_counts, plot_cif
from hccsurv.present.figures.style import FigureStyle
from hccsurv.present.format import FormatOptions
from hccsurv.present.tables.competing import competing_tables
from hccsurv.report.pipeline import demo_config_path


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return load_cohort(load_config(demo_config_path()))


def _run(cohort: Cohort, candidates: tuple[str, ...]) -> tuple[CompetingAnalysis, Recorder]:
    log = Recorder()
    result = competing_analysis(
        cohort,
        {"TTP": "Time to progression"},
        variable_labels={"group": "Post-ate-beva vs first-line"},
        landmarks=(6.0, 12.0),
        candidates=candidates,
        references={"group": "First-line", "ecog_0": "≥1"},
        threshold=0.1,
        ties="efron",
        log=log,
    )
    assert result is not None
    return result, log


def test_every_piece_is_recorded(cohort: Cohort) -> None:
    result, log = _run(cohort, ("group", "ecog_0", "age"))
    keys = [r.key for r in log.records]
    assert keys == [
        "TTP.competing.cif",
        "TTP.competing.gray.1",
        "TTP.competing.gray.2",
        "TTP.competing.finegray.univariate.group",
        "TTP.competing.finegray.univariate.ecog_0",
        "TTP.competing.finegray.univariate.age",
        "TTP.competing.finegray.multivariable",
        "TTP.competing.cause_specific.1",
        "TTP.competing.cause_specific.2",
    ]
    assert all(r.status == "estimated" for r in log.records)
    (ep,) = result.endpoints
    assert ep.finegray is not None and ep.finegray.selected == ("group", "ecog_0")
    assert ep.model_covariates == ("group", "ecog_0")
    at = ep.at_landmarks()
    assert len(at) == 2 * 2 * 2  # groups x causes x landmarks
    # the CIF never decreases between the landmarks
    for _, part in at.groupby(["group", "cause"]):
        assert part["estimate"].is_monotonic_increasing
    ids = [t.id for t in competing_tables(result, FormatOptions())]
    assert ids == ["cif_ttp", "finegray_ttp", "cshr_ttp"]


def test_a_cause_without_events_is_not_estimable_with_its_reason(cohort: Cohort) -> None:
    frame = cohort.frame.copy()
    frame["TTP_cause"] = frame["TTP_cause"].where(frame["TTP_cause"] != 2, 0.0)
    result, log = _run(dataclasses.replace(cohort, frame=frame), ("group",))
    status = {r.key: (r.status, r.reason) for r in log.records}
    reason = "Time to progression: no events of cause 'Death without progression'"
    assert status["TTP.competing.gray.2"] == (
        "not estimable",
        reason + " among the patients analysed",
    )
    assert status["TTP.competing.cause_specific.2"][0] == "not estimable"
    assert status["TTP.competing.gray.1"][0] == "estimated"
    (ep,) = result.endpoints
    assert ep.events == (52, 0) and ep.gray_p(2) is None and ep.cause_specific[1] is None
    # nothing selected at p < 0.1 would leave the group alone; here the group is selected
    assert ep.model_covariates == ("group",)
    tables = {t.id: t for t in competing_tables(result, FormatOptions())}
    cshr = tables["cshr_ttp"]
    assert cshr.rows[0].cells[-2:] == ("–", "–")  # the cause-specific model of death
    cif = tables["cif_ttp"]
    assert cif.rows[3].cells[0] == "Death without progression" and cif.rows[3].cells[-1] == "–"


def test_no_competing_endpoint_no_analysis(cohort: Cohort) -> None:
    plain = dataclasses.replace(cohort, causes={})
    assert (
        competing_analysis(
            plain,
            {},
            variable_labels={},
            landmarks=(),
            candidates=(),
            references={},
            threshold=0.1,
            ties="efron",
            log=Recorder(),
        )
        is None
    )


def test_no_events_at_all_leave_the_cif_not_estimable(cohort: Cohort) -> None:
    frame = cohort.frame.assign(TTP_cause=cohort.frame["TTP_cause"] * 0)
    result, log = _run(dataclasses.replace(cohort, frame=frame), ("group",))
    status = {r.key: (r.status, r.reason) for r in log.records}
    assert status["TTP.competing.cif"] == (
        "not estimable",
        "Time to progression: no events of any cause among the 100 patients analysed",
    )
    assert result.endpoints[0].cif is None
    assert [t.id for t in competing_tables(result, FormatOptions())] == []


def test_the_figure_draws_a_group_without_events(cohort: Cohort) -> None:
    frame = cohort.frame.copy()
    later = frame["group"] == "Post-ate-beva"
    frame.loc[later, "TTP_cause"] = 0.0
    result, _ = _run(dataclasses.replace(cohort, frame=frame), ())
    (ep,) = result.endpoints
    curves = _curves(ep, FigureStyle(), np.array([12.0]))
    flat = [c for c in curves if c.label.startswith("Post-ate-beva")]
    last = frame.loc[later, "TTP_time"].max()
    assert [c.step_x.tolist() for c in flat] == [[0.0, last]] * 2
    assert all(c.step_y.tolist() == [0.0, 0.0] for c in flat)
    counts = cif_risk_counts(ep)(np.array([0.0, 12.0]))
    assert counts.at_risk[:, 0].tolist() == [66, 34]
    # everyone is at risk, has had an event of either cause or was censored by each time
    assert (counts.at_risk[:, 1] + counts.events[:, 1] + counts.censored[:, 1]).tolist() == [
        66 - int(((frame["TTP_time"] == 12.0) & ~later).sum()),
        34,
    ]
    figure = plot_cif(ep)
    assert figure.axes
