"""Exceptions and warnings raised by hccsurv.

The tree::

    HccsurvError                      base of every error hccsurv raises on purpose
    ├── InputError (ValueError)       arrays or frames handed to an estimator are unusable
    ├── ConfigError                   the study config is invalid (all problems listed at once)
    ├── DataReadError                 a cohort or lesion file cannot be read
    ├── CohortValidationError         patient-level problems found by validation (listed at once)
    ├── ConvergenceError              an iterative fit did not converge and cannot report a result
    ├── NotEstimableError             an analysis cannot be estimated on these data (run goes on)
    └── OutputError                   the output folder is unusable (user files are never replaced)

    HccsurvWarning (UserWarning)      base of every warning hccsurv issues
    └── StatisticalWarning            a valid result that needs care (monotone likelihood)

Messages name what was found (patient, column, value) and how to fix it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass


class HccsurvError(Exception):
    """Base class of every error hccsurv raises on purpose."""


class InputError(HccsurvError, ValueError):
    """Arrays or frames passed to an estimator are unusable (shape, dtype, codes, NaN)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a config or a cohort: where it is, what was found, how to fix it."""

    where: str
    message: str
    patient: str | None = None
    column: str | None = None
    value: str | None = None
    rule: str | None = None
    row: int | None = None  # 1-based row in the data file (header = row 1), where known

    def __str__(self) -> str:
        parts = []
        if self.patient is not None:
            shown = f"patient {self.patient}"
            if self.row is not None and self.patient != f"row {self.row}":
                shown += f" (file row {self.row})"
            parts.append(shown)
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        head = ", ".join(parts) if parts else self.where
        return f"{head}: {self.message}"


class _ProblemListError(HccsurvError):
    """An error carrying every problem found, not only the first."""

    def __init__(self, title: str, problems: Sequence[Problem]) -> None:
        self.title = title
        self.problems = tuple(problems)
        lines = [f"{title} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ConfigError(_ProblemListError):
    """The study config is invalid; ``problems`` lists every problem found."""


class DataReadError(HccsurvError):
    """A cohort or lesion file cannot be read."""


class CohortValidationError(_ProblemListError):
    """Validation found patient-level problems; ``problems`` lists each one."""

    def summary(self, first: int = 5) -> str:
        """One line per kind of problem (rule) with its count, the first ids and one example.

        Problems that concern no single patient (a column, the whole cohort) are shown in full.
        For long lists (one problem per patient) this is what a terminal can show; the full list
        is :meth:`problems_csv`.
        """
        kinds: dict[str, list[Problem]] = {}
        lines = [f"{self.title} ({len(self.problems)} problems):"]
        for p in self.problems:
            if p.patient is None:
                lines.append(f"  - {p}")
            else:
                kinds.setdefault(p.rule or "invalid", []).append(p)
        for rule, found in kinds.items():
            ids = list(dict.fromkeys(p.patient for p in found if p.patient is not None))
            shown = ", ".join(ids[:first]) + (", ..." if len(ids) > first else "")
            lines.append(
                f"  - {rule}: {len(found)} problem{'s' if len(found) != 1 else ''}, "
                f"{len(ids)} patient{'s' if len(ids) != 1 else ''} ({shown}); first: {found[0]}"
            )
        return "\n".join(lines)

    def problems_csv(self) -> str:
        """Every problem as CSV text: rule, patient, file row, column, value, where, message."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rule", "patient", "file_row", "column", "value", "where", "message"])
        for p in self.problems:
            row = [p.rule, p.patient, p.row, p.column, p.value, p.where, p.message]
            writer.writerow(["" if v is None else v for v in row])
        return buffer.getvalue()


class ConvergenceError(HccsurvError):
    """An iterative fit did not converge and has no usable result."""


class OutputError(HccsurvError):
    """The output folder cannot be used: it holds files hccsurv did not write, or is a file."""


class HccsurvWarning(UserWarning):
    """Base class of every warning hccsurv issues."""


class StatisticalWarning(HccsurvWarning):
    """A result is valid but needs care: monotone likelihood, sparse cells, PH violation."""


class NotEstimableError(HccsurvError):
    """An analysis cannot be estimated on these data (no events, a constant covariate, an RMST
    horizon past the last follow-up); the run reports it as "not estimable" with this message as
    the reason and goes on, unless the analysis is marked required in ``[analysis] required``."""
