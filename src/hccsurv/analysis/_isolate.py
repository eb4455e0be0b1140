"""Failure isolation: run one analysis, and turn "cannot be estimated on these data" into a reason.

An estimator refuses degenerate data with :class:`~hccsurv.errors.NotEstimableError` (or, from
the numerical core, :class:`~hccsurv.errors.InputError` / :class:`~hccsurv.errors.ConvergenceError`
about the arrays it was given: no events, a constant covariate, a horizon past the data). The study
runner records such an analysis as "not estimable" with the message as the reason, as R completes
a script with a warning where a model cannot be fitted, and goes on. Any other exception is a bug
and propagates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from hccsurv.errors import ConvergenceError, HccsurvWarning, InputError, NotEstimableError

T = TypeVar("T")

ESTIMATION_ERRORS = (NotEstimableError, InputError, ConvergenceError)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """The value of an analysis, or ``None`` and the reason it could not be estimated.

    ``warnings`` are the messages of the hccsurv warnings it raised (monotone likelihood, sparse
    cells), kept for its record instead of being printed.
    """

    value: T | None
    reason: str | None
    warnings: tuple[str, ...]


def attempt(fn: Callable[[], T]) -> Attempt[T]:
    """Run ``fn``; a refusal of the data becomes the reason, hccsurv warnings are collected."""
    value: T | None = None
    reason: str | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HccsurvWarning)
        try:
            value = fn()
        except ESTIMATION_ERRORS as error:
            reason = str(error)
    messages = []
    for w in caught:
        if issubclass(w.category, HccsurvWarning):
            messages.append(str(w.message))
        else:  # not ours: pass it on as if nothing had caught it
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return Attempt(value, reason, tuple(dict.fromkeys(messages)))
