"""The terminal: one line per step, a bar for steps over items, silence, an 80-column summary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from hccsurv.report.pipeline import EndpointLine, RunSummary, StudyOutcome
from hccsurv.report.progress import Progress
from hccsurv.report.terminal import SUMMARY_WIDTH, TerminalReporter


def _console(*, terminal: bool, width: int = 120) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=terminal, width=width, color_system=None, legacy_windows=False
    )
    return console, buffer


def test_one_line_per_step_with_its_count() -> None:
    console, buffer = _console(terminal=False)
    reporter: Progress = TerminalReporter(console)
    with reporter.step("Config study.toml"):
        pass
    with reporter.step("Figures", total=3) as advance:
        advance(1)
        advance(2)
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("✓ Config study.toml  ") and lines[0].endswith(" s")
    assert lines[1].startswith("✓ Figures  3/3  ")


def test_a_failed_step_is_marked_and_the_error_passes() -> None:
    console, buffer = _console(terminal=False)
    reporter = TerminalReporter(console)
    with pytest.raises(ValueError, match="bad"), reporter.step("Cohort cohort.csv"):
        raise ValueError("bad")
    assert buffer.getvalue().splitlines() == ["✗ Cohort cohort.csv"]


def test_quiet_prints_nothing() -> None:
    console, buffer = _console(terminal=True)
    reporter = TerminalReporter(console, enabled=False)
    with reporter.step("Figures", total=2) as advance:
        advance(2)
    reporter.warn("careful")
    assert buffer.getvalue() == ""


def test_on_a_terminal_a_step_with_a_total_shows_a_bar() -> None:
    console, buffer = _console(terminal=True)
    reporter = TerminalReporter(console)
    with reporter.step("Figures", total=4) as advance:
        advance(1)
        advance(3)
    with reporter.step("Report"):
        pass
    text = buffer.getvalue()
    assert "━" in text  # the bar, drawn live and then replaced
    assert "4/4" in text
    assert "✓ Figures  4/4" in text and "✓ Report" in text


def _outcome(summary: RunSummary) -> StudyOutcome:
    return StudyOutcome(
        study=None,  # type: ignore[arg-type]  # the summary does not read it
        results={},
        out_dir=Path("out"),
        report_path=Path("out") / "report.html",
        files=(),
        summary=summary,
    )


def test_the_summary_fits_80_columns_and_lists_what_was_not_estimable() -> None:
    summary = RunSummary(
        title="HAIC as first-line treatment vs after atezolizumab-bevacizumab failure in "
        "advanced HCC: a long title that must wrap",
        n_read=100,
        n_excluded=0,
        n_analysed=100,
        group_labels=("First-line", "Post-ate-beva"),
        endpoint_rows=(
            EndpointLine(
                "Progression-free survival", ("3.1 (2.6–5.5)", "8.9 (6.3–NR)"), "0.015", "0.44"
            ),
        ),
        not_estimable=(
            ("Cox OS: ecog", "no events in level 2 (R: coefficient infinite, CI 0-Inf)"),
            ("RMST PFS", "horizon 60 months is past the last follow-up in group First-line " * 2),
        ),
    )
    console, buffer = _console(terminal=False, width=200)
    TerminalReporter(console).summary(_outcome(summary))
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= SUMMARY_WIDTH
    text = buffer.getvalue()
    assert "Not estimable" in text
    assert "Cox OS: ecog" in text and "RMST PFS" in text
    assert "no events in level 2" in text


def test_three_groups_with_long_display_names_fit_80_columns() -> None:
    names = ("First-line HAIC", "Post-ate-beva HAIC", "Sorafenib after HAIC")
    medians = ("6.2 (5.6–13.2)", "12.8 (10.3–NR)", "3.0 (2.1–4.4)")
    summary = RunSummary(
        "Study", 150, 0, 150, names, (EndpointLine("Overall survival", medians, "0.013", "—"),), ()
    )
    console, buffer = _console(terminal=False, width=200)
    TerminalReporter(console).summary(_outcome(summary))
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= SUMMARY_WIDTH
    assert "…" not in text  # no name or number cut short
    assert all(m.split()[0] in text for m in medians)


def test_a_summary_without_gaps_shows_no_such_list() -> None:
    summary = RunSummary("Study", 3, 0, 3, ("A", "B"), (), ())
    console, buffer = _console(terminal=False)
    TerminalReporter(console).summary(_outcome(summary))
    assert "Not estimable" not in buffer.getvalue()
    assert "patients read 3, excluded 0, analysed 3" in buffer.getvalue()
