"""Progress events of a run: one step per pipeline stage, with a count where a stage walks items.

The pipeline emits them; the terminal (rich, in ``hccsurv.report.terminal``) and the web app
display them. A step is a context manager that yields ``advance``: call ``advance(k)`` after
``k`` more of the step's ``total`` items (patients, models, figures) are done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    """Where a run reports its steps."""

    def step(self, text: str, total: int | None = None) -> AbstractContextManager[Advance]: ...


def _ignore(k: int) -> None:
    del k


class Silent:
    """No progress output (``--quiet``, and the default of the Python API)."""

    @contextmanager
    def step(self, text: str, total: int | None = None) -> Iterator[Advance]:
        del text, total
        yield _ignore
