"""Exceptions and warnings raised by hccsurv.

The tree::

    HccsurvError                      base of every error hccsurv raises on purpose
    ├── InputError (ValueError)       arrays or frames handed to an estimator are unusable
    ├── ConfigError                   the study config is invalid (all problems listed at once)
    ├── DataReadError                 a cohort or lesion file cannot be read
    ├── CohortValidationError         patient-level problems found by validation (listed at once)
    ├── ConvergenceError              an iterative fit did not converge and cannot report a result
    └── OutputError                   the output folder is unusable (user files are never replaced)

    HccsurvWarning (UserWarning)      base of every warning hccsurv issues
    ├── StatisticalWarning            a valid result that needs care (monotone likelihood)
    └── DataWarning                   a value is plausible but suspicious (unit guess, magnitude)

Messages name what was found (patient, column, value) and how to fix it.
"""

from __future__ import annotations

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

    def __str__(self) -> str:
        parts = []
        if self.patient is not None:
            parts.append(f"patient {self.patient}")
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


class ConvergenceError(HccsurvError):
    """An iterative fit did not converge and has no usable result."""


class OutputError(HccsurvError):
    """The output folder cannot be used: it holds files hccsurv did not write, or is a file."""


class HccsurvWarning(UserWarning):
    """Base class of every warning hccsurv issues."""


class StatisticalWarning(HccsurvWarning):
    """A result is valid but needs care: monotone likelihood, sparse cells, PH violation."""


class DataWarning(HccsurvWarning):
    """A value is plausible but suspicious: an implausible magnitude for the stated unit."""


class NotEstimableError(HccsurvError):
    """An analysis cannot be estimated from these data (the reason says why); the study goes on without it."""  # noqa: E501
