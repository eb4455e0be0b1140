"""Best overall response and confirmation (admiralonco derive_param_confirmed_bor semantics)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.response import (
    ResponseRules,
    best_overall_response,
    graded_responses,
    response_counts,
)
from hccsurv.errors import CohortValidationError, InputError

from ._response_cases import graded

# Each case: per-visit calls as (days after baseline 2023-01-01, response) -> expected BOR.
# Treatment starts on the baseline date (the SD window counts from it).
CASES: dict[str, tuple[list[tuple[int, str]], str, ResponseRules]] = {
    "pr_confirmed_at_28_days": ([(42, "PR"), (70, "PR")], "PR", ResponseRules()),
    "pr_not_confirmed_at_27_days": ([(42, "PR"), (69, "PR")], "SD", ResponseRules()),
    "cr_confirmed_at_28_days": ([(42, "CR"), (70, "CR")], "CR", ResponseRules()),
    "cr_at_27_days_is_not_cr": ([(42, "CR"), (69, "CR")], "SD", ResponseRules()),
    "pr_then_cr_is_pr": ([(42, "PR"), (84, "CR")], "PR", ResponseRules()),
    "pr_then_cr_confirmed": ([(42, "PR"), (84, "CR"), (126, "CR")], "CR", ResponseRules()),
    "cr_then_pr_not_confirmed_cr": ([(42, "CR"), (84, "PR")], "SD", ResponseRules()),
    "pr_sd_pr_rejected": ([(42, "PR"), (63, "SD"), (84, "PR")], "SD", ResponseRules()),
    "pr_sd_pr_accept_sd": (
        [(42, "PR"), (63, "SD"), (84, "PR")],
        "PR",
        ResponseRules(accept_sd=True),
    ),
    "pr_ne_pr_one_ne_allowed": ([(42, "PR"), (63, "NE"), (84, "PR")], "PR", ResponseRules()),
    "pr_ne_ne_pr_two_ne": ([(42, "PR"), (56, "NE"), (63, "NE"), (84, "PR")], "SD", ResponseRules()),
    "pr_ne_ne_pr_max_nr_ne_2": (
        [(42, "PR"), (56, "NE"), (63, "NE"), (84, "PR")],
        "PR",
        ResponseRules(max_nr_ne=2),
    ),
    "pr_then_pd_sd_met": ([(42, "PR"), (84, "PD")], "SD", ResponseRules()),
    "pr_then_pd_sd_not_met": ([(30, "PR"), (50, "PD")], "PD", ResponseRules()),
    "pr_then_ne_sd_not_met": ([(30, "PR"), (40, "NE")], "NE", ResponseRules()),
    "sd_at_42_days": ([(42, "SD")], "SD", ResponseRules()),
    "sd_at_41_days_is_ne": ([(41, "SD")], "NE", ResponseRules()),
    "sd_at_41_then_pd": ([(41, "SD"), (80, "PD")], "PD", ResponseRules()),
    "pd_first": ([(40, "PD")], "PD", ResponseRules()),
    "only_ne": ([(45, "NE")], "NE", ResponseRules()),
    "after_pd_ignored": ([(42, "PD"), (84, "PR"), (126, "PR")], "PD", ResponseRules()),
    "confirmation_after_pd_ignored": ([(42, "PR"), (60, "PD"), (84, "PR")], "SD", ResponseRules()),
    "non_cr_non_pd": ([(42, "NON-CR/NON-PD")], "NON-CR/NON-PD", ResponseRules()),
    "sd_min_custom": ([(30, "SD")], "SD", ResponseRules(sd_min_days=28)),
}


@pytest.fixture(scope="module")
def bor_by_rules() -> dict[ResponseRules, dict[str, str]]:
    """Every case graded in one table (one patient per case), once per rule set."""
    frame = pd.concat([graded(calls, patient=name) for name, (calls, _, _) in CASES.items()])
    tp = graded_responses(frame, dict.fromkeys(CASES, "2023-01-01"))
    out = {}
    for rules in {rules for _, _, rules in CASES.values()}:
        best = best_overall_response(tp, rules)
        out[rules] = dict(zip(best.patient_id, best.bor, strict=True))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_confirmation_cases(bor_by_rules: dict[ResponseRules, dict[str, str]], name: str) -> None:
    _, expected, rules = CASES[name]
    assert bor_by_rules[rules][name] == expected


def test_no_post_baseline_assessment_is_ne_and_not_evaluable() -> None:
    tp = graded_responses(
        graded([(42, "PR"), (84, "PR")]), {"P1": "2023-01-01", "P2": "2023-01-05"}
    )
    best = best_overall_response(tp)
    frame = best.to_frame().set_index("patient_id")
    assert frame.loc["P2", "bor"] == "NE"
    assert not frame.loc["P2", "evaluable"]
    assert frame.loc["P2", "n_assessments"] == 0
    assert frame.loc["P1", "bor"] == "PR"
    counts = response_counts(best)
    assert (counts.orr_events[0], counts.denominator[0]) == (1, 2)
    evaluable = response_counts(best, denominator="evaluable_only")
    assert (evaluable.orr_events[0], evaluable.denominator[0]) == (1, 1)
    json.dumps(best.to_dict())


def test_unconfirmed_bor_dates_and_duration_of_response() -> None:
    calls = [(42, "PR"), (69, "PR"), (100, "PR"), (140, "SD"), (180, "PD")]
    tp = graded_responses(graded(calls), {"P1": "2023-01-01"})
    best = best_overall_response(tp)
    # Day 42 PR is confirmed by day 100 (the first CR/PR >= 28 days later; the PR in between
    # is allowed), so the response starts on day 42.
    assert best.bor == ("PR",)
    assert best.first_response_date == ("2023-02-12",)
    assert best.pd_date == ("2023-06-30",)
    assert best.dor_days[0] == 180 - 42
    assert best.dor_event[0]
    unconfirmed = best_overall_response(
        graded_responses(graded([(42, "PR"), (60, "SD")]), {"P1": "2023-01-01"})
    )
    assert (unconfirmed.bor, unconfirmed.bor_unconfirmed) == (("SD",), ("PR",))
    assert unconfirmed.first_response_date == ("",)
    assert np.isnan(unconfirmed.dor_days[0])


def test_duration_of_response_censored_and_ended_by_death() -> None:
    calls = [(42, "PR"), (84, "PR"), (126, "NE")]
    tp = graded_responses(graded(calls), {"P1": "2023-01-01"})
    censored = best_overall_response(tp)
    assert censored.dor_days[0] == 42 and not censored.dor_event[0]  # last adequate = day 84
    died = best_overall_response(tp, death_dates={"P1": "2023-05-01"})
    assert died.dor_days[0] == (pd.Timestamp("2023-05-01") - pd.Timestamp("2023-02-12")).days
    assert died.dor_event[0]


def test_sd_window_counts_from_treatment_start_when_given() -> None:
    tp = graded_responses(
        graded([(45, "SD")]), {"P1": "2023-01-01"}, treatment_start={"P1": "2023-01-10"}
    )
    assert best_overall_response(tp).bor == ("NE",)  # day 36 after start


def test_graded_table_errors_are_listed_at_once() -> None:
    frame = graded([(42, "XX"), (-3, "PR")])
    with pytest.raises(CohortValidationError) as err:
        graded_responses(frame, {"P1": "2023-01-01"})
    text = str(err.value)
    assert "unknown response" in text and "on or before the baseline" in text
    assert len(err.value.problems) == 2


def test_rules_are_validated() -> None:
    with pytest.raises(InputError, match="criteria"):
        ResponseRules(criteria="WHO")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="confirm_days"):
        ResponseRules(confirm_days=-1)
    assert ResponseRules().version == "mRECIST-2010"
    assert ResponseRules(criteria="RECIST1.1").version == "RECIST-1.1"
