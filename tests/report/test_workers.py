"""The fork-based job sharing that lets a run draw figures on the second core."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hccsurv.report.workers import share_jobs

forking = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="forking needs Linux and two usable CPUs",
)


def _writer(path: Path, seconds: float = 0.0) -> Callable[[], None]:
    def job() -> None:
        time.sleep(seconds)
        path.write_text(str(os.getpid()))

    return job


@forking
def test_every_job_runs_once_shared_between_child_and_parent(tmp_path: Path) -> None:
    # the parent is busy while the child takes jobs from the front; then it takes the rest
    jobs = [_writer(tmp_path / f"job{i}", 0.05) for i in range(8)]
    with share_jobs(jobs) as shared:
        assert shared.forked
        time.sleep(0.12)
        shared.finish()
        assert not shared.forked
    pids = [int((tmp_path / f"job{i}").read_text()) for i in range(8)]
    child = [p for p in pids if p != os.getpid()]
    assert child and len(set(child)) == 1  # one child did some of the jobs ...
    assert pids[0] != os.getpid()  # ... starting from the front ...
    assert pids[-1] == os.getpid() or pids == [child[0]] * 8  # ... the parent from the back
    first_parent = next((i for i, p in enumerate(pids) if p == os.getpid()), 8)
    assert all(p == os.getpid() for p in pids[first_parent:])


def test_without_fork_the_parent_runs_every_job_in_finish(tmp_path: Path) -> None:
    shared = share_jobs([_writer(tmp_path / "a")], parallel=False)
    assert not shared.forked and not (tmp_path / "a").exists()
    shared.finish()
    assert int((tmp_path / "a").read_text()) == os.getpid()
    shared.finish()  # a second call does nothing
    with share_jobs([]) as empty:
        assert not empty.forked


@forking
def test_a_failing_child_job_is_rerun_here_and_raises_here(tmp_path: Path) -> None:
    def fail() -> None:
        with (tmp_path / "tries").open("a") as f:
            f.write(f"{os.getpid()}\n")
        raise ValueError("the figure could not be drawn")

    with pytest.raises(ValueError, match="could not be drawn"), share_jobs([fail]) as shared:
        time.sleep(0.3)  # the child claims the only job and fails
        assert shared.forked
    tries = (tmp_path / "tries").read_text().split()
    assert len(tries) == 2 and tries[1] == str(os.getpid()) != tries[0]


@forking
def test_an_error_in_the_parent_stops_the_child(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError, match="tables failed"),
        share_jobs([_writer(tmp_path / "late", 30.0)]) as shared,
    ):
        assert shared.forked
        raise RuntimeError("tables failed")
    assert not (tmp_path / "late").exists()
