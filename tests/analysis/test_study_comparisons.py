"""Pairwise comparisons and subgroup analyses run as part of a study, config to results.json and
tables: the numbers equal R's (tests/reference/pairwise_subgroup.json, from
validation/r/pairwise_subgroup.R) on the same data, survival's colon (death records)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.study import analyze_study
from hccsurv.config import load_config
from hccsurv.core.logrank import logrank
from hccsurv.data.cohort import load_cohort
from hccsurv.errors import ConfigError, HccsurvError
from hccsurv.present.study_tables import build_tables, format_options
from hccsurv.report.pipeline import run_study
from hccsurv.report.results import results_schema

REFERENCE = Path(__file__).parents[1] / "reference"
R = json.loads((REFERENCE / "pairwise_subgroup.json").read_text(encoding="utf-8"))


def _colon(tmp_path: Path, rows: pd.Series | None = None) -> Path:
    """survival's colon, death records only (what the R script analyses)."""
    colon = pd.read_csv(REFERENCE / "data" / "colon.csv")
    colon = colon[colon["etype"] == 2]
    if rows is not None:
        colon = colon[rows(colon)]
    path = tmp_path / "colon_death.csv"
    colon.to_csv(path, index=False)
    return path


def _config(tmp_path: Path, data: Path, groups: list[str], extra: str = "") -> Path:
    labels = ", ".join(f'"{g}"' for g in groups)
    text = f"""
[study]
data = "{data.as_posix()}"
id_column = "id"
time_unit = "days"
landmarks = [365]

[groups]
column = "rx"
labels = [{labels}]
display_names = {{ "Obs" = "Observation" }}

[endpoints.OS]
label = "Overall survival"
time = "time"
event = "status"
time_unit = "days"
{extra}
"""
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _results(config_path: Path) -> dict[str, Any]:
    config = load_config(config_path)
    results: dict[str, Any] = analyze_study(load_cohort(config), config).to_dict()
    jsonschema.validate(json.loads(json.dumps(results)), results_schema())
    return results


def test_three_groups_get_holm_adjusted_pairwise_logrank_equal_to_r(tmp_path: Path) -> None:
    got = _results(_config(tmp_path, _colon(tmp_path), ["Lev", "Lev+5FU", "Obs"]))
    pairwise = got["pairwise"]
    assert pairwise["adjust"] == "holm"
    logrank = pairwise["endpoints"]["OS"]["logrank"]
    ref = R["colon_logrank"]
    assert logrank["group1"] == ref["group1"] and logrank["group2"] == ref["group2"]
    np.testing.assert_allclose(logrank["chisq"], ref["chisq"], rtol=1e-9)
    # the numbers: 0.0083455 / 0.81135 / 0.0047846
    np.testing.assert_allclose(logrank["p_adjusted"], ref["p_adjusted"], rtol=1e-9)
    records = {r["key"]: r["status"] for r in got["analyses"]}
    assert records["OS.pairwise.logrank"] == records["OS.pairwise.cox"] == "estimated"
    cox = pairwise["endpoints"]["OS"]["cox"]
    assert [(c["group1"], c["group2"]) for c in cox] == list(
        zip(ref["group1"], ref["group2"], strict=True)
    )
    assert got["subgroups"] is None


def test_pairwise_order_follows_the_config_and_bh_is_configurable(tmp_path: Path) -> None:
    extra = ""
    config = _config(tmp_path, _colon(tmp_path), ["Obs", "Lev", "Lev+5FU"], extra)
    text = config.read_text(encoding="utf-8").replace(
        'display_names = { "Obs" = "Observation" }',
        'display_names = { "Obs" = "Observation" }\npairwise_adjust = "BH"',
    )
    config.write_text(text, encoding="utf-8")
    got = _results(config)["pairwise"]["endpoints"]["OS"]["logrank"]
    ref = R["colon_logrank_bh"]
    by_pair = {
        frozenset(p): (c, a)
        for *p, c, a in zip(
            ref["group1"], ref["group2"], ref["chisq"], ref["p_adjusted"], strict=True
        )
    }
    assert got["group1"] == ["Obs", "Obs", "Lev"]
    for g1, g2, chisq, p_adj in zip(
        got["group1"], got["group2"], got["chisq"], got["p_adjusted"], strict=True
    ):
        want = by_pair[frozenset((g1, g2))]
        np.testing.assert_allclose((chisq, p_adj), want, rtol=1e-9)


def test_subgroups_from_the_config_equal_r_and_reach_every_table_format(tmp_path: Path) -> None:
    data = _colon(tmp_path, lambda d: d["rx"] != "Lev")
    extra = '\n[subgroups]\nvariables = ["obstruct"]\ncovariates = ["age", "nodes"]\n'
    config = _config(tmp_path, data, ["Lev+5FU", "Obs"], extra)
    outcome = run_study(config, tmp_path / "out")
    out = outcome.out_dir
    # the terminal summary names the groups by their display names
    assert outcome.summary.group_labels == ("Lev+5FU", "Observation")
    got = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(got, results_schema())
    assert got["pairwise"] is None  # two groups
    sub = got["subgroups"]["endpoints"]["OS"]
    ref = R["colon_rx_obstruct"]
    levels = [r for r in sub["rows"] if r["variable"] == "obstruct"]
    assert [r["level"] for r in levels] == ref["levels"]["level"]
    for key, want in (("hr", "hr"), ("hr_lower", "lower"), ("hr_upper", "upper"), ("p", "p")):
        np.testing.assert_allclose([r[key] for r in levels], ref["levels"][want], rtol=1e-6)
    (test,) = sub["interactions"]
    np.testing.assert_allclose((test["chisq"], test["p"]), (ref["chisq"], ref["p"]), rtol=1e-6)
    assert test["df"] == ref["df"]
    for suffix in ("csv", "md", "tex"):
        assert (out / "tables" / f"subgroups_os.{suffix}").is_file()
    md = (out / "tables" / "subgroups_os.md").read_text(encoding="utf-8")
    assert "Observation" in md and "p for" in md
    # the subgroup forest figure, in display names, is in the report
    assert (out / "figures" / "subgroups_os.png").is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "Subgroup analysis of overall survival: hazard ratio of Observation versus Lev+5FU" in html
    )
    methods = (out / "methods.txt").read_text(encoding="utf-8")
    assert "within each level of obstruct (subgroup analyses)" in methods
    assert "Regardless of" not in methods  # no Cox candidates, nothing forced


def test_subgroups_with_three_groups_are_not_estimable_with_the_reason(tmp_path: Path) -> None:
    extra = '\n[subgroups]\nvariables = ["obstruct"]\n'
    got = _results(_config(tmp_path, _colon(tmp_path), ["Lev", "Lev+5FU", "Obs"], extra))
    (record,) = [r for r in got["analyses"] if r["key"] == "OS.subgroups"]
    assert record["status"] == "not estimable"
    assert "exactly two values" in record["reason"]
    assert got["subgroups"]["endpoints"]["OS"] is None


def test_pairwise_table_shows_display_names_and_the_adjustment(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, _colon(tmp_path), ["Lev", "Lev+5FU", "Obs"]))
    results = analyze_study(load_cohort(config), config)
    (table,) = build_tables(results, format_options(config)).more["pairwise"]
    cells = [r.cells[0] for r in table.rows]
    assert cells == [
        "Overall survival",
        "Lev+5FU vs Lev",
        "Observation vs Lev",
        "Observation vs Lev+5FU",
    ]
    assert "Holm" in table.footnotes[0]
    # the Holm-adjusted log-rank p of Lev+5FU vs Lev, 0.0083455, printed at 3 decimals
    assert table.rows[1].cells[3] == "0.008"


def test_a_subgroup_column_missing_from_the_data_is_named(tmp_path: Path) -> None:
    extra = '\n[subgroups]\nvariables = ["obstruction"]\n'
    config = load_config(_config(tmp_path, _colon(tmp_path), ["Lev", "Lev+5FU", "Obs"], extra))
    with pytest.raises(HccsurvError, match="obstruction") as caught:
        load_cohort(config)
    assert "subgroups.variables[0]" in str(caught.value)


def test_merged_groups_equal_r_on_the_merged_data(tmp_path: Path) -> None:
    # [groups] merge gathers Lev and Lev+5FU into one arm; the pairwise test of Lev+5FU vs Obs
    # on the unmerged data is a different number, so the merge is what is tested here
    data = _colon(tmp_path)
    config = _config(tmp_path, data, ["Obs", "Lev (any)"])
    text = config.read_text(encoding="utf-8").replace(
        'display_names = { "Obs" = "Observation" }',
        'display_names = { "Obs" = "Observation" }\nmerge = { "Lev (any)" = ["Lev", "Lev+5FU"] }',
    )
    config.write_text(text, encoding="utf-8")
    got = _results(config)
    colon = pd.read_csv(data)
    arm = np.where(colon["rx"] == "Obs", "Obs", "Lev (any)")
    # the same test on an arm recoded by hand (hccsurv.logrank equals R's survdiff)
    want = logrank(colon["time"], colon["status"], arm, order=["Obs", "Lev (any)"])
    assert got["endpoints"]["OS"]["logrank"]["chisq"] == pytest.approx(want.chisq, rel=1e-12)
    assert got["flow"]["detail"]["analysed_by_group"] == {
        "Obs": int((arm == "Obs").sum()),
        "Lev (any)": int((arm != "Obs").sum()),
    }


@pytest.mark.parametrize(
    ("merge", "message"),
    [
        ('{ "Lev+" = ["Lev"] }', "merge has keys that are not group labels: Lev+"),
        ('{ "Obs" = ["Lev"], "Lev (any)" = ["Lev"] }', "merge lists Lev in more than one group"),
        ('{ "Lev (any)" = ["Obs"] }', "merge sends the group label(s) Obs into another group"),
    ],
)
def test_a_merge_that_cannot_work_is_refused(tmp_path: Path, merge: str, message: str) -> None:
    config = _config(tmp_path, _colon(tmp_path), ["Obs", "Lev (any)"])
    text = config.read_text(encoding="utf-8").replace(
        'display_names = { "Obs" = "Observation" }', f"merge = {merge}"
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(config)
