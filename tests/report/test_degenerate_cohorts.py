"""Degenerate cohorts made from the demo cohort: every one completes through the CLI with exit 0
and a complete report; an analysis that cannot be estimated is marked "not estimable" with its
reason (in results.json, the report and the terminal summary), and what the defect does not touch
is identical to the run on the intact cohort.

Where R has a behaviour it is followed: a level or group without events gives an infinite
coefficient that is reported with R's warning (coxph: "Loglik converged before variable ...");
no events at all gives no log-rank p (survdiff: p = NA) and no Cox model (coxph: NA).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner

from hccsurv.cli import app
from hccsurv.report.pipeline import demo_config_path
from hccsurv.report.results import results_schema

runner = CliRunner()
SECTIONS = ("methods", "flow", "baseline", "response", "survival", "cox", "adjusted")
FIRST, POST = "First-line", "Post-ate-beva"
Path_ = tuple[str, ...]


def _shift(start: pd.Series, days: int) -> pd.Series:
    return (pd.to_datetime(start) + pd.Timedelta(days=days)).dt.strftime("%Y-%m-%d")


def _no_deaths_in_group(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[df["group"] == POST, "death_date"] = None
    return df


def _level_without_events(df: pd.DataFrame) -> pd.DataFrame:
    other = df["etiology"] == "Other"
    df.loc[other, ["death_date", "progression_date"]] = None
    return df


def _all_censored(df: pd.DataFrame) -> pd.DataFrame:
    df[["death_date", "progression_date"]] = None
    return df


def _constant_candidate(df: pd.DataFrame) -> pd.DataFrame:
    df["tumor_number"] = "1"  # multiple_tumors: "Single" for everyone
    return df


def _events_at_one_time(df: pd.DataFrame) -> pd.DataFrame:
    # every patient with an event dies 100 days after the start; nobody progresses before
    hit = df["death_date"].notna() | df["progression_date"].notna()
    day = _shift(df.loc[hit, "haic_start"], 100)
    df.loc[hit, "death_date"] = day
    df.loc[hit, "progression_date"] = None
    df.loc[hit, "last_contact_date"] = day
    scans = df.loc[hit, "last_assessment_date"]
    df.loc[hit, "last_assessment_date"] = scans.where(scans.isna() | (scans <= day), day)
    return df


def _three_in_a_group(df: pd.DataFrame) -> pd.DataFrame:
    post = df.index[df["group"] == POST]
    return df.drop(post[3:])


def _unchanged(df: pd.DataFrame) -> pd.DataFrame:
    return df


@dataclass(frozen=True)
class Case:
    """A defect: how it is made, the analyses it leaves not estimable or estimated with a
    warning, and the results.json entries it must not change."""

    mutate: Callable[[pd.DataFrame], pd.DataFrame]
    not_estimable: tuple[str, ...] = ()
    warned: tuple[tuple[str, str], ...] = ()
    same: tuple[Path_, ...] = ()
    config: Callable[[str], str] = lambda text: text


CASES = {
    "group_without_deaths": Case(
        _no_deaths_in_group,
        warned=(("OS.cox.univariate.group", "coefficient may be infinite"),),
        same=(
            ("baseline",),
            ("endpoints", "OS", "groups", FIRST),
            ("endpoints", "PFS", "groups", FIRST),
        ),
    ),
    "candidate_level_without_events": Case(
        _level_without_events,
        warned=(("OS.cox.univariate.etiology", "coefficient may be infinite"),),
        same=(("baseline",), ("flow", "analysed")),
    ),
    "all_censored": Case(
        _all_censored,
        not_estimable=(
            "OS.logrank",
            "OS.rmst",
            "OS.cox.univariate.group",
            "OS.cox.univariate.age",
            "PFS.logrank",
            "PFS.cox.univariate.ecog_0",
            "adjust.OS",
            "adjust.PFS",
        ),
        same=(("baseline",), ("adjusted", "balance")),
    ),
    "constant_candidate": Case(
        _constant_candidate,
        not_estimable=(
            "OS.cox.univariate.multiple_tumors",
            "PFS.cox.univariate.multiple_tumors",
            "adjust",
        ),
        same=(
            ("response",),
            *(
                ("endpoints", ep, part)
                for ep in ("OS", "PFS")
                for part in ("overall", "groups", "logrank", "rmst_comparison")
            ),
        ),
    ),
    "rmst_horizon_beyond_follow_up": Case(
        _unchanged,
        not_estimable=("OS.rmst", "PFS.rmst"),
        same=(
            ("baseline",),
            ("response",),
            *(
                ("endpoints", ep, part)
                for ep in ("OS", "PFS")
                for part in ("logrank", "cox", "zph", "landmark_differences")
            ),
            ("adjusted", "balance"),
            ("adjusted", "outcomes", "OS", "hr"),
        ),
        config=lambda text: text.replace("rmst_horizon = 12 ", "rmst_horizon = 120 "),
    ),
    "all_events_at_one_time": Case(
        _events_at_one_time,
        not_estimable=("OS.zph", "PFS.zph"),
        same=(("baseline",), ("flow", "read")),
    ),
    "three_patients_in_a_group": Case(
        _three_in_a_group,
        not_estimable=("adjust",),
        same=(
            ("endpoints", "OS", "groups", FIRST, "median"),
            ("endpoints", "PFS", "groups", FIRST, "survival"),
            ("response", "groups", FIRST),
        ),
    ),
}


def _run(folder: Path, case: Case) -> tuple[Any, Path]:
    """Copy the demo study into ``folder``, apply the defect and run it through the CLI."""
    source = demo_config_path().parent
    folder.mkdir(parents=True)
    for name in ("lesions.csv", "treatment.csv", "labs.csv"):
        shutil.copy(source / name, folder / name)
    text = (source / "study.toml").read_text(encoding="utf-8")
    (folder / "study.toml").write_text(case.config(text), encoding="utf-8")
    cohort = pd.read_csv(source / "cohort.csv", dtype=str, keep_default_na=False)
    cohort = cohort.replace("", None)
    case.mutate(cohort).to_csv(folder / "cohort.csv", index=False)
    out = folder / "out"
    result = runner.invoke(app, ["run", str(folder / "study.toml"), "--out", str(out)])
    return result, out


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result, out = _run(tmp_path_factory.mktemp("intact") / "study", Case(_unchanged))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not [r for r in data["analyses"] if r["status"] != "estimated"]
    return data


def _at(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _same(a: Any, b: Any) -> bool:
    """Equal JSON values, numbers to rtol 1e-9 (a value computed by another route)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return bool(a == b)


@pytest.mark.parametrize("name", list(CASES))
def test_degenerate_cohort_completes_with_the_failure_in_place(
    name: str, intact: dict[str, Any], tmp_path: Path
) -> None:
    case = CASES[name]
    result, out = _run(tmp_path / name, case)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / name / "out.partial").exists()

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, results_schema())
    records = {r["key"]: r for r in data["analyses"]}
    for key in case.not_estimable:
        assert records[key]["status"] == "not estimable", key
        assert records[key]["reason"], key
    for key, text in case.warned:
        assert records[key]["status"] == "estimated", key
        assert any(text in w for w in records[key]["warnings"]), records[key]
    for path in case.same:
        assert _same(_at(data, path), _at(intact, path)), path

    # a complete report, the failures named in it and in the terminal summary
    html = (out / "report.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    for figure in ("km_os", "km_pfs"):
        assert (out / "figures" / f"{figure}.png").is_file()
    for key in case.not_estimable:
        title = records[key]["title"]
        assert f"Not estimable: {title}" in html, title
        # the summary table wraps long titles: compare without the line breaks
        assert "".join(title.split()) in "".join(result.output.split()), title
    for _, text in case.warned:
        assert text in html
    methods = (out / "methods.txt").read_text(encoding="utf-8")
    if case.not_estimable:
        assert "could not be estimated on these data" in methods


def _require(keys: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert "\nrequired = []" in text
        return text.replace("\nrequired = []", f"\nrequired = [{keys}]")

    return edit


def test_a_required_analysis_that_fails_ends_the_run(tmp_path: Path) -> None:
    case = Case(_all_censored, config=_require('"OS.logrank"'))
    result, out = _run(tmp_path / "required", case)
    assert result.exit_code == 6, result.output
    assert "OS.logrank" in result.output and "no events" in result.output
    assert not out.exists()
    assert not (tmp_path / "required" / "out.partial").exists()


def test_a_required_key_that_names_no_analysis_is_a_config_error(tmp_path: Path) -> None:
    case = Case(_unchanged, config=_require('"DFS"'))
    result, out = _run(tmp_path / "unknown", case)
    assert result.exit_code == 3, result.output
    assert "analysis.required[0]" in result.output and "'DFS'" in result.output
    assert not out.exists()
