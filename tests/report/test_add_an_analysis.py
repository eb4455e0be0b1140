"""The path docs/DESIGN.md gives for a new analysis, walked with a small one: a result type, its
analysis function, one `StudyStep` registered in `STUDY_STEPS` and a table builder registered in
`MORE_TABLES`. Nothing else changes, and the analysis reaches results.json (with its record),
every table format and the report; when it cannot be estimated, it is reported so in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hccsurv.analysis import study
from hccsurv.analysis.study import Recorder, StudyStep
from hccsurv.config import StudyConfig
from hccsurv.core._result import Result
from hccsurv.data.cohort import Cohort
from hccsurv.errors import NotEstimableError
from hccsurv.present.format import FormatOptions
from hccsurv.present.study_tables import MORE_TABLES
from hccsurv.present.table import Column, Row, Table
from hccsurv.report import pipeline


@dataclass(frozen=True)
class Deaths(Result):
    """Deaths per group (the example analysis)."""

    by_group: dict[str, int]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"group": list(self.by_group), "deaths": list(self.by_group.values())})


def _deaths(cohort: Cohort) -> Deaths:
    _, event = cohort.endpoints["OS"]
    frame = cohort.frame
    counts = frame.groupby(cohort.group_column, observed=True)[event].sum()
    return Deaths({str(g): int(counts[g]) for g in cohort.groups})


def _deaths_table(result: Deaths, options: FormatOptions) -> tuple[Table, ...]:
    del options
    rows = tuple(Row((g, str(n))) for g, n in result.by_group.items())
    columns = (Column("group", "Group", "left"), Column("deaths", "Deaths"))
    table = Table(
        id="deaths", title="Deaths by group", columns=columns, rows=rows, data=result.to_frame()
    )
    return (table,)


def _register(
    monkeypatch: pytest.MonkeyPatch, fn: Callable[[Cohort], Deaths], tmp_path: Path
) -> dict[str, Any]:
    def run(cohort: Cohort, config: StudyConfig, log: Recorder, advance: object) -> Deaths | None:
        del config, advance
        return log.run("deaths", "Deaths by group", lambda: fn(cohort))

    steps = (*study.STUDY_STEPS, StudyStep("deaths", "Deaths", run, lambda c: None))
    monkeypatch.setattr(study, "STUDY_STEPS", steps)
    monkeypatch.setattr(pipeline, "STUDY_STEPS", steps)
    monkeypatch.setitem(MORE_TABLES, "deaths", _deaths_table)
    out = pipeline.run_study(None, tmp_path / "out").out_dir
    results: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    results["html"] = (out / "report.html").read_text(encoding="utf-8")
    results["out"] = out
    return results


def test_a_registered_analysis_reaches_results_tables_and_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    got = _register(monkeypatch, _deaths, tmp_path)
    os_groups = got["endpoints"]["OS"]["groups"]
    # the same counts as the Kaplan-Meier summary of OS, by another route
    assert got["deaths"] == {"by_group": {g: os_groups[g]["events"] for g in os_groups}}
    record = [r for r in got["analyses"] if r["key"] == "deaths"]
    assert [(r["status"], r["title"]) for r in record] == [("estimated", "Deaths by group")]
    out = got["out"]
    assert isinstance(out, Path)
    for suffix in ("csv", "tex", "md"):
        assert (out / "tables" / f"deaths.{suffix}").is_file()
    assert '<section id="deaths">' in str(got["html"])


def test_a_registered_analysis_that_fails_is_reported_in_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(cohort: Cohort) -> Deaths:
        raise NotEstimableError("no deaths recorded")

    got = _register(monkeypatch, refuse, tmp_path)
    assert got["deaths"] is None
    out = got["out"]
    assert isinstance(out, Path) and not (out / "tables" / "deaths.csv").exists()
    assert "Not estimable: Deaths by group (no deaths recorded)" in str(got["html"])
