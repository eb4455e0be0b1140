"""Independent file-writing jobs shared with a second process, so a run uses both cores.

Drawing and saving the figures of a run is most of its time, and each figure is independent: it
is drawn from finished results and written to its own files. :func:`share_jobs` forks one child
process (Linux only) that starts on the jobs at once, while the parent goes on with its own work
(the response engine, the tables); :meth:`SharedJobs.finish` then makes the parent take the
remaining jobs and wait for the child.

* Work sharing, not a fixed split: the jobs sit in a queue in shared memory; the child takes
  them from the front (largest first), the parent from the back once its own work is done, each
  claim under a lock. Both finish about together whatever the machine's speed.
* Nothing is pickled: the child is a copy-on-write image of the parent, results included.
* The child writes files only. It prints nothing (its standard streams are reset to the real
  file descriptors, away from any progress display) and leaves with ``os._exit``, so no
  buffered output or exit handler of the parent runs twice.
* Same result either way: if forking is unavailable (not Linux, one usable CPU, or
  ``parallel=False``) the parent runs every job in :meth:`~SharedJobs.finish`; if the child
  fails, the parent re-runs the child's jobs, so an error surfaces as an ordinary exception with
  its traceback, and the files are the same.
* Leaving the ``with`` block by an exception stops the child (SIGKILL) and reaps it; if this
  process is killed (SIGKILL cannot be handled), Linux kills the child too (``PR_SET_PDEATHSIG``),
  so no orphan goes on writing into the staging folder.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from types import TracebackType

__all__ = ["SharedJobs", "share_jobs"]

Job = Callable[[], object]


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """In the child: be SIGKILLed when the parent dies, however it dies."""
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _can_fork() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1


class SharedJobs:
    """Jobs taken from the front by a forked child and from the back by this process."""

    def __init__(self, jobs: Sequence[Job], *, parallel: bool = True) -> None:
        self._jobs = tuple(jobs)
        self._pid: int | None = None
        self._finished = False
        ctx = multiprocessing.get_context("fork") if parallel and _can_fork() else None
        if ctx is None or not self._jobs:
            self._lock = None
            self._ends = [0, len(self._jobs)]
            return
        # [next job from the front, one past the next job from the back]
        self._lock = ctx.Lock()
        self._ends = ctx.RawArray("q", [0, len(self._jobs)])
        self._pid = self._fork()

    @property
    def forked(self) -> bool:
        """True while a child process shares the jobs."""
        return self._pid is not None

    def _claim(self, front: bool) -> int | None:
        assert self._lock is not None
        with self._lock:
            if self._ends[0] >= self._ends[1]:
                return None
            if front:
                self._ends[0] += 1
                return int(self._ends[0] - 1)
            self._ends[1] -= 1
            return int(self._ends[1])

    def _fork(self) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        with warnings.catch_warnings():
            # Python >= 3.12 warns when a process with threads (BLAS pools, a progress display)
            # forks: the child could block on a lock held by a thread that it does not have.
            # The child here runs only the jobs and touches no lock those threads take.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: run jobs from the front until none is left, never return
            code = 1
            try:
                _die_with_parent(parent)
                sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
                while (i := self._claim(front=True)) is not None:
                    self._jobs[i]()
                code = 0
            except BaseException:  # the parent re-runs the child's jobs and raises the error
                code = 1
            finally:
                os._exit(code)
        return pid

    def finish(self) -> None:
        """Run the jobs left (from the back), wait for the child, redo its jobs if it failed."""
        if self._finished:
            return
        self._finished = True
        if self._pid is None:
            for job in self._jobs:
                job()
            return
        while (i := self._claim(front=False)) is not None:
            self._jobs[i]()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            for job in self._jobs[: int(self._ends[0])]:
                job()

    def _stop(self) -> None:
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        self._finished = True

    def __enter__(self) -> SharedJobs:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.finish()
        else:
            self._stop()


def share_jobs(jobs: Sequence[Job], *, parallel: bool = True) -> SharedJobs:
    """Start sharing ``jobs`` with a forked child; use as ``with share_jobs(jobs) as shared:``.

    Put the largest jobs first: the child works from the front, this process from the back.
    """
    return SharedJobs(jobs, parallel=parallel)
