"""What ``hccsurv run`` shows on the terminal: progress while it runs and a summary at the end.

Progress (the :class:`~hccsurv.report.progress.Progress` protocol, on standard error): each step
leaves one line, ``✓ <step>  <items>  <seconds>``, or ``✗ <step>`` when it fails. While a step
runs on an interactive terminal, a live line shows a spinner and, for a step that walks over
items (patients, models, figures), a bar with ``done/total``; the live line is replaced by the
step's line when it ends. Redirected to a file or a pipe, only the step lines are written (no
control codes). ``--quiet`` and ``--json`` silence all of it.

The summary fits 80 columns whatever the terminal's width, so it reads the same in a log file, an
e-mail or a paper notebook.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as LiveProgress
from rich.table import Table

from hccsurv.report.progress import Advance

if TYPE_CHECKING:
    from hccsurv.report.pipeline import StudyOutcome

#: The summary's width: it must fit a classic 80-column terminal.
SUMMARY_WIDTH = 80


def _ignore(k: int) -> None:
    del k


class TerminalReporter:
    """Progress lines on standard error; silent when ``enabled`` is false (--quiet, --json)."""

    def __init__(self, console: Console, *, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled

    @contextmanager
    def step(self, text: str, total: int | None = None) -> Iterator[Advance]:
        """Show ``text`` (with a bar if ``total`` is given) while the block runs, then its line."""
        if not self.enabled:
            yield _ignore
            return
        done = 0
        start = time.perf_counter()
        try:
            if self.console.is_terminal:
                columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn("{task.description}")]
                if total is not None:
                    columns += [BarColumn(), MofNCompleteColumn()]
                columns.append(TimeElapsedColumn())
                with LiveProgress(*columns, console=self.console, transient=True) as live:
                    task = live.add_task(text, total=total)

                    def advance(k: int) -> None:
                        nonlocal done
                        done += k
                        live.advance(task, k)

                    yield advance
            else:

                def count(k: int) -> None:
                    nonlocal done
                    done += k

                yield count
        except BaseException:
            self.console.print(f"[red]✗[/] {text}", highlight=False)
            raise
        items = f"  {done}/{total}" if total is not None else ""
        seconds = time.perf_counter() - start
        self.console.print(f"[green]✓[/] {text}{items}  [dim]{seconds:.1f} s[/]", highlight=False)

    def warn(self, text: str) -> None:
        """A warning the user should read (shown even in the summary)."""
        if self.enabled:
            self.console.print(f"[yellow]![/] {text}", highlight=False)

    def summary(self, outcome: StudyOutcome) -> None:
        """The end-of-run summary: n, medians, hazard ratios, analyses not estimable, the report.

        Printed at most :data:`SUMMARY_WIDTH` columns wide.
        """
        s = outcome.summary
        width = min(self.console.width, SUMMARY_WIDTH)
        self.console.print()
        self.console.print(f"[bold]{s.title}[/]", highlight=False, width=width)
        self.console.print(
            f"patients read {s.n_read}, excluded {s.n_excluded}, analysed {s.n_analysed}",
            highlight=False,
            width=width,
        )
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("endpoint")
        for label in s.group_labels:
            # a long display name breaks over lines rather than losing its end to an ellipsis
            table.add_column(f"median {label}", justify="right", overflow="fold")
        table.add_column("log-rank p", justify="right")
        table.add_column("multivariable HR (95% CI)", justify="right")
        for row in s.endpoint_rows:
            table.add_row(row.endpoint, *row.medians, row.logrank_p, row.multivariable_hr)
        self.console.print(table, width=width)
        if s.not_estimable:
            self.console.print()
            self.console.print("[bold yellow]Not estimable[/] (shown as such in the report)")
            for analysis, reason in s.not_estimable:
                self.console.print(f"[yellow]{analysis}[/]: {reason}", highlight=False, width=width)
        self.console.print(
            f"Report: [bold]{outcome.report_path}[/]", highlight=False, width=width, soft_wrap=True
        )
