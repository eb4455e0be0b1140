"""What ``hccsurv run`` shows on the terminal: progress while it runs and a summary at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from hccsurv.report.progress import Advance

if TYPE_CHECKING:
    from hccsurv.report.pipeline import StudyOutcome


def _ignore(k: int) -> None:
    del k


class TerminalReporter:
    """Progress lines on standard error; silent when ``enabled`` is false (--quiet, --json)."""

    def __init__(self, console: Console, *, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled

    @contextmanager
    def step(self, text: str, total: int | None = None) -> Iterator[Advance]:
        """Show ``text`` with a spinner while the block runs, then a tick."""
        del total  # the count is not shown yet
        if not self.enabled:
            yield _ignore
            return
        with self.console.status(text, spinner="dots"):
            yield _ignore
        self.console.print(f"[green]✓[/] {text}", highlight=False)

    def warn(self, text: str) -> None:
        """A warning the user should read (shown even in the summary)."""
        if self.enabled:
            self.console.print(f"[yellow]![/] {text}", highlight=False)

    def summary(self, outcome: StudyOutcome) -> None:
        """The end-of-run summary: n, medians, hazard ratios, where the report is."""
        s = outcome.summary
        self.console.print()
        self.console.print(f"[bold]{s.title}[/]", highlight=False)
        self.console.print(
            f"patients read {s.n_read}, excluded {s.n_excluded}, analysed {s.n_analysed}",
            highlight=False,
        )
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("endpoint")
        for label in s.group_labels:
            table.add_column(f"median {label}", justify="right")
        table.add_column("log-rank p", justify="right")
        table.add_column("multivariable HR (95% CI)", justify="right")
        for row in s.endpoint_rows:
            table.add_row(row.endpoint, *row.medians, row.logrank_p, row.multivariable_hr)
        self.console.print(table)
        for line in s.not_estimable:
            self.console.print(f"[yellow]not estimable:[/] {line}", highlight=False, soft_wrap=True)
        self.console.print(f"Report: [bold]{outcome.report_path}[/]", highlight=False)
