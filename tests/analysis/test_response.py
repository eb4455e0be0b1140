"""hccsurv.analysis.response on the template's counts, checked against R (group_tests.json)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.analysis.response import response_summary
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("group_tests")
CONT = {c["name"]: c for c in REF["contingency"]}
BINOM = {(c["x"], c["n"]): c for c in REF["binom"]}
ORDER = ["First-line", "Post-ate-beva"]


def _template() -> tuple[list[str], list[str]]:
    # STUDY.md: first-line CR/PR/SD/PD 1/11/27/27 of 66; post-ate-beva 0/12/17/5 of 34
    first = ["CR"] * 1 + ["PR"] * 11 + ["SD"] * 27 + ["PD"] * 27
    post = ["PR"] * 12 + ["SD"] * 17 + ["PD"] * 5
    return first + post, [ORDER[0]] * 66 + [ORDER[1]] * 34


def test_template_dcr_and_orr_match_r() -> None:
    br, grp = _template()
    res = response_summary(br, grp, ORDER)
    assert res.counts == ((1, 11, 27, 27, 0), (0, 12, 17, 5, 0))
    assert res.denominators == (66, 34)
    dcr = res.dcr
    assert [(p.x, p.n) for p in dcr.by_group] == [(39, 66), (29, 34)]
    # chisq.test(matrix(c(39, 27, 29, 5), 2), correct = FALSE): p = 0.0078 (paper: 0.008)
    assert dcr.test is not None and dcr.test.test == "pearson_chisq"
    assert dcr.test.method == "Pearson's Chi-squared test"
    assert dcr.test.p_value == pytest.approx(
        CONT["paper_dcr"]["chisq_uncorrected"]["p_value"], rel=1e-9
    )
    assert round(dcr.test.p_value, 4) == 0.0078
    # chisq.test(matrix(c(12, 54, 12, 22), 2), correct = FALSE): 0.0577, not the paper's 0.031
    orr = res.orr
    assert orr.test is not None
    assert orr.test.p_value == pytest.approx(
        CONT["paper_orr"]["chisq_uncorrected"]["p_value"], rel=1e-9
    )
    # binom.test(x, n)$conf.int
    for prop in (*orr.by_group, *dcr.by_group):
        ref = BINOM[(prop.x, prop.n)]["conf_int"]
        assert [prop.conf_low, prop.conf_high] == pytest.approx(ref, rel=1e-9)


def test_yates_and_fisher_options() -> None:
    br, grp = _template()
    yates = response_summary(br, grp, ORDER, correct=True)
    assert yates.dcr.test is not None
    assert yates.dcr.test.p_value == pytest.approx(
        CONT["paper_dcr"]["chisq_corrected"]["p_value"], rel=1e-9
    )
    dist = response_summary(br, grp, ORDER, distribution_test=True).distribution_test
    assert dist is not None and dist.test == "fisher_exact"  # CR cells expect < 1
    assert dist.reason is not None and dist.reason.startswith("Fisher")


def test_evaluable_only_and_missing() -> None:
    br = ["CR", "PR", "NE", None, "sd", " PD ", "PR", "", "SD", "PD"]
    grp = ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"]
    all_treated = response_summary(br, grp, ["A", "B"])
    assert all_treated.counts == ((1, 1, 1, 0, 2), (0, 1, 1, 2, 1))
    assert all_treated.denominators == (5, 5)
    assert any("counted as NE" in n for n in all_treated.notes)
    evaluable = response_summary(br, grp, ["A", "B"], denominator="evaluable_only")
    assert evaluable.denominators == (3, 4)
    assert [(p.x, p.n) for p in evaluable.orr.by_group] == [(2, 3), (1, 4)]
    assert [(p.x, p.n) for p in evaluable.dcr.by_group] == [(3, 3), (2, 4)]
    assert any("excluded" in n for n in evaluable.notes)
    frame = evaluable.to_frame()
    assert list(frame.columns) == list(all_treated.to_frame().columns)
    ne = frame[(frame.measure == "NE") & (frame.group == "A")]
    assert ne["count"].iloc[0] == 2 and ne["denominator"].isna().all()


def test_no_test_when_rate_is_degenerate() -> None:
    res = response_summary(["SD", "PD", "SD", "PD"], ["A", "A", "B", "B"], ["A", "B"])
    assert res.orr.test is None and res.orr.note is not None and "0%" in res.orr.note
    assert res.dcr.test is not None
    empty = response_summary(["SD", "PD"], ["A", "A"], ["A", "B"])
    assert empty.dcr.test is None and empty.dcr.by_group[1].estimate is None


def test_input_errors() -> None:
    with pytest.raises(InputError, match=r"best_response\[1\] is 'MR'"):
        response_summary(["CR", "MR"], ["A", "B"], ["A", "B"])
    with pytest.raises(InputError, match=r"group\[0\] is 'C'"):
        response_summary(["CR"], ["C"], ["A", "B"])
    with pytest.raises(InputError, match="one per patient"):
        response_summary(["CR", "PR"], ["A"], ["A", "B"])
    with pytest.raises(InputError, match="denominator"):
        response_summary(["CR"], ["A"], ["A", "B"], denominator="all")  # type: ignore[arg-type]
    assert response_summary(np.array(["CR", "PD"]), np.array(["A", "B"]), ["A", "B"]).groups == (
        "A",
        "B",
    )


def test_test_shortcuts() -> None:
    br, grp = _template()
    res = response_summary(br, grp, ORDER)
    assert res.orr_test is res.orr.test and res.dcr_test is res.dcr.test
    assert res.dcr_test is not None and res.dcr_test.name == "Pearson's chi-square test"
