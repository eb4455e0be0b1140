"""Per-visit response: HCC_REFERENCE §1.2-§1.7 and the worked example of §1.10."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.response import (
    ResponseRules,
    best_overall_response,
    timepoint_responses,
)

from ._response_cases import new_row, nontarget_row, target_rows

BASE, FU = "2023-01-01", "2023-02-15"
TARGETS = {  # follow-up (T1, T2) for a baseline of 40 + 20 = 60 mm
    "CR": (0.0, 0.0),
    "PR": (20.0, 10.0),
    "SD": (40.0, 20.0),
    "PD": (50.0, 30.0),
    "NE": (40.0, None),
    "none": None,
}
NONTARGET = {"CR": "absent", "IR/SD": "present", "PD": "progression", "NE": None, "none": None}


def _case(target: str, nontarget: str, new: str) -> list[dict[str, object]]:
    pid = f"{target}|{nontarget}|{new}"
    rows = (
        []
        if target == "none"
        else target_rows([BASE, FU], [(40.0, 20.0), TARGETS[target]], patient=pid)
    )
    if nontarget != "none":
        rows.append(nontarget_row(BASE, "present", patient=pid))
        if nontarget != "NE":
            rows.append(nontarget_row(FU, str(NONTARGET[nontarget]), patient=pid))
        else:  # N1 not assessed at follow-up, N2 assessed
            rows.append(nontarget_row(BASE, "present", patient=pid, lesion_id="N2"))
            rows.append(nontarget_row(FU, "present", patient=pid, lesion_id="N2"))
    if new != "no":
        rows.append(new_row(FU, 15.0, typical=new == "yes", patient=pid))
    return rows


def _expected(target: str, nontarget: str, new: str) -> tuple[str, bool]:
    """The mRECIST table (Choi 2018, Table A.1) plus the RECIST 1.1 rows: (overall, borrowed)."""
    if target == "PD" or nontarget == "PD" or new == "yes":
        return "PD", False
    if target == "NE":
        return "NE", True
    if target == "none":
        if nontarget == "CR":
            return "CR", True
        if nontarget == "IR/SD":
            return "NON-CR/NON-PD", True
        return "NE", True
    if target == "CR":
        if nontarget in ("CR", "none"):
            return "CR", nontarget == "none"
        return ("PR", False) if nontarget == "IR/SD" else ("PR", True)
    return target, nontarget == "NE"


# Every combination; a patient with no lesion at baseline has no baseline scan to compare with.
CELLS = [
    cell
    for cell in itertools.product(TARGETS, NONTARGET, ("no", "yes", "equivocal"))
    if cell[:2] != ("none", "none")
]


@pytest.fixture(scope="module")
def table_cells() -> pd.DataFrame:
    rows = [row for cell in CELLS for row in _case(*cell)]
    return timepoint_responses(pd.DataFrame(rows)).to_frame().set_index("patient_id")


@pytest.mark.parametrize(("target", "nontarget", "new"), CELLS)
def test_every_cell_of_the_overall_response_table(
    table_cells: pd.DataFrame, target: str, nontarget: str, new: str
) -> None:
    row = table_cells.loc[f"{target}|{nontarget}|{new}"]
    overall, borrowed = _expected(target, nontarget, new)
    assert row["overall_response"] == overall
    assert row["rule"] == ("RECIST1.1-borrowed" if borrowed else "mRECIST-2010")
    expected_new = {"no": "no", "yes": "yes", "equivocal": "equivocal"}[new]
    assert row["new_lesion"] == expected_new


def test_worked_example_nadir_rule_gives_pd_at_week_18_and_bor_confirmed_pr() -> None:
    # §1.10: 50 + 30 = 80 mm -> 30 + 20 = 50 (week 6) -> 46 (week 12) -> 57 (week 18).
    dates = ["2023-01-02", "2023-02-13", "2023-03-27", "2023-05-08"]
    rows = target_rows(dates, [(50, 30), (30, 20), (28, 18), (35, 22)])
    for rules in (ResponseRules(), ResponseRules(criteria="RECIST1.1")):
        tp = timepoint_responses(pd.DataFrame(rows), rules)
        frame = tp.to_frame()
        assert list(frame["target_response"]) == ["PR", "PR", "PD"]
        np.testing.assert_allclose(frame["pct_change_baseline"], [-37.5, -42.5, -28.75])
        np.testing.assert_allclose(frame["nadir_mm"], [80.0, 50.0, 46.0])
        assert frame["pct_change_nadir"].iloc[2] == pytest.approx(100 * 11 / 46)
        best = best_overall_response(tp, rules)
        assert best.bor == ("PR",)
        assert best.pd_date == ("2023-05-08",)
        assert best.first_response_date == ("2023-02-13",)
        assert best.dor_days[0] == 84


def test_pd_is_judged_against_the_nadir_not_the_baseline() -> None:
    # 100 -> 50 (PR) -> 61: +22 % over the nadir but -39 % from baseline: PD, not PR.
    rows = target_rows(["2023-01-01", "2023-02-15", "2023-04-01"], [(100,), (50,), (61,)])
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert list(frame["target_response"]) == ["PR", "PD"]


def test_recist_and_mrecist_differ_on_the_same_lesions() -> None:
    # Nadir 10 mm -> 12.5 mm: +25 % but +2.5 mm. PD under mRECIST, SD under RECIST 1.1.
    dates = ["2023-01-01", "2023-02-15", "2023-04-01"]
    rows = target_rows(dates, [(12.0,), (10.0,), (12.5,)])
    m = timepoint_responses(pd.DataFrame(rows), ResponseRules()).to_frame()
    r = timepoint_responses(pd.DataFrame(rows), ResponseRules(criteria="RECIST1.1")).to_frame()
    assert m["target_response"].iloc[1] == "PD"
    assert r["target_response"].iloc[1] == "SD"
    assert set(r["rule"]) == {"RECIST-1.1"}


def test_recist_uses_whole_lesion_and_mrecist_the_viable_part() -> None:
    dates = ["2023-01-01", "2023-02-15"]
    rows = target_rows(dates, [(40.0,), (0.0,)], total=[(50.0,), (45.0,)])
    m = timepoint_responses(pd.DataFrame(rows), ResponseRules()).to_frame()
    r = timepoint_responses(pd.DataFrame(rows), ResponseRules(criteria="RECIST1.1")).to_frame()
    assert m["target_response"].iloc[0] == "CR"  # residual non-enhancing mass is still CR
    assert r["target_response"].iloc[0] == "SD"


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        (70.0, "PR"),  # exactly -30 %
        (70.1, "SD"),
        (120.0, "PD"),  # exactly +20 % over the nadir (baseline)
        (119.9, "SD"),
    ],
)
def test_exact_boundaries(follow_up: float, expected: str) -> None:
    # Three lesions whose float sum is inexact (33.3 + 33.3 + 33.4 = 100).
    base = (33.3, 33.3, 33.4)
    scale = follow_up / 100.0
    fu = (round(33.3 * scale, 2), round(33.3 * scale, 2))
    fu = (*fu, round(follow_up - fu[0] - fu[1], 2))
    rows = target_rows(["2023-01-01", "2023-02-15"], [base, fu])
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert frame["target_response"].iloc[0] == expected


def test_recist_5mm_rule_boundary() -> None:
    # Nadir 25 -> 30: +20 % and exactly +5 mm: PD under RECIST 1.1.
    rows = target_rows(["2023-01-01", "2023-02-15"], [(25.0,), (30.0,)])
    r = timepoint_responses(pd.DataFrame(rows), ResponseRules(criteria="RECIST1.1")).to_frame()
    assert r["target_response"].iloc[0] == "PD"


def test_missing_target_is_ne_unless_pd_is_shown() -> None:
    dates = ["2023-01-01", "2023-02-15", "2023-04-01"]
    rows = target_rows(dates, [(40.0, 20.0), (40.0, None), (80.0, None)])
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert list(frame["target_response"]) == ["NE", "PD"]
    assert frame["rule"].iloc[0] == "RECIST1.1-borrowed"
    assert np.isnan(frame["target_sum_mm"].iloc[0])


def test_ne_visit_does_not_update_the_nadir() -> None:
    dates = ["2023-01-01", "2023-02-15", "2023-04-01"]
    rows = target_rows(dates, [(40.0, 20.0), (10.0, None), (40.0, 20.0)])
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert list(frame["target_response"]) == ["NE", "SD"]
    assert frame["nadir_mm"].iloc[1] == 60.0


def _atypical(sizes: tuple[float, float, float]) -> pd.DataFrame:
    dates = ["2023-01-01", "2023-02-15", "2023-04-01", "2023-05-15"]
    rows = target_rows(dates, [(40.0,), (38.0,), (38.0,), (38.0,)])
    rows += [new_row(d, size, False) for d, size in zip(dates[1:], sizes, strict=True)]
    return timepoint_responses(pd.DataFrame(rows)).to_frame()


def test_atypical_new_lesion_is_equivocal_until_growth_then_pd_dated_to_first_scan() -> None:
    # 8 -> 15 -> 18 mm: exactly 10 mm of interval growth at the third scan confirms it; the PD
    # is dated to the scan where the nodule first appeared.
    frame = _atypical((8.0, 15.0, 18.0))
    assert list(frame["new_lesion"]) == ["yes", "yes", "yes"]
    assert list(frame["overall_response"]) == ["PD", "PD", "PD"]
    assert frame["new_lesion_backdated"].iloc[0]
    # 9.9 mm of growth: still equivocal, never PD.
    frame = _atypical((8.0, 15.0, 17.9))
    assert list(frame["new_lesion"]) == ["equivocal"] * 3
    assert list(frame["overall_response"]) == ["SD"] * 3


def test_small_typical_new_lesion_is_equivocal() -> None:
    rows = [*target_rows([BASE, FU], [(40.0,), (38.0,)]), new_row(FU, 9.9, True)]
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert frame["new_lesion"].iloc[0] == "equivocal"
    assert frame["overall_response"].iloc[0] == "SD"


def test_effusion_counts_only_with_positive_cytology() -> None:
    base = target_rows([BASE, FU], [(40.0,), (38.0,)])
    base.append(nontarget_row(BASE, "present", organ="ascites"))
    without = [*base, nontarget_row(FU, "progression", organ="ascites")]
    with_cyto = [
        *base,
        nontarget_row(FU, "progression", organ="ascites", effusion_cytology_positive=True),
    ]
    tp = timepoint_responses(pd.DataFrame(without))
    assert tp.overall_response == ("SD",)
    assert any("cytology" in w.message for w in tp.warnings)
    assert timepoint_responses(pd.DataFrame(with_cyto)).overall_response == ("PD",)
    new_eff = [
        *target_rows([BASE, FU], [(40.0,), (38.0,)]),
        new_row(FU, 30.0, True, organ="pleural effusion"),
    ]
    tp = timepoint_responses(pd.DataFrame(new_eff))
    assert tp.overall_response == ("SD",)
    assert any("new effusion" in w.message for w in tp.warnings)


def test_to_dict_is_json_able_and_frame_columns_are_stable() -> None:
    import json

    tp = timepoint_responses(pd.DataFrame(target_rows([BASE, FU], [(40.0,), (20.0,)])))
    json.dumps(tp.to_dict())
    cols = list(tp.to_frame().columns)
    tp2 = timepoint_responses(
        pd.DataFrame(target_rows([BASE, FU], [(40.0,), (20.0,)])),
        ResponseRules(criteria="RECIST1.1"),
    )
    assert list(tp2.to_frame().columns) == cols


def test_target_sum_is_computed_from_lesions() -> None:
    rows = target_rows([BASE, FU], [(40.0, 20.0, 15.5), (30.0, 10.0, 5.0)])
    frame = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert frame["baseline_sum_mm"].iloc[0] == 75.5
    assert frame["target_sum_mm"].iloc[0] == 45.0


def test_recist_lymph_node_target_below_10mm_counts_as_cr() -> None:
    rows = target_rows([BASE, FU], [(30.0, 18.0), (0.0, 8.0)], organs=["liver", "lymph node"])
    r = timepoint_responses(pd.DataFrame(rows), ResponseRules(criteria="RECIST1.1")).to_frame()
    assert r["target_response"].iloc[0] == "CR"
    m = timepoint_responses(pd.DataFrame(rows)).to_frame()
    assert m["target_response"].iloc[0] == "PR"  # mRECIST: enhancement left in the node
