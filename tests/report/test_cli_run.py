"""`hccsurv` failures as a user meets them: output-folder refusals, internal bugs, Ctrl-C, a killed
run, bad demo-data arguments; and what a run shows and records (progress, --quiet, provenance)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccsurv.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OUTPUT, EXIT_USAGE, app

runner = CliRunner()
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _hccsurv(
    *args: str, cwd: Path, prelude: str = "", capture: bool = True
) -> subprocess.Popen[str]:
    """``hccsurv ARGS`` as its own process (and process group), from this checkout's sources.

    Without ``capture`` its output is discarded: a pipe would make waiting for the output wait
    for every process that inherited it too.
    """
    stream = subprocess.PIPE if capture else subprocess.DEVNULL
    code = f"{prelude}\nfrom hccsurv.cli import main\nmain()"
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdout=stream,
        stderr=stream,
        text=True,
        start_new_session=True,
    )


def _group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (from /proc; zombies are already dead)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("empty", "--out is empty"),
        ("dot", "current folder"),
        ("symlink", "symbolic link"),
        ("file", "is a file"),
        ("root", "filesystem root"),
    ],
)
def test_unusable_out_is_refused_with_exit_7_before_any_work(
    make: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hccsurv.report.pipeline

    def not_reached(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run started although --out is unusable")

    monkeypatch.setattr(hccsurv.report.pipeline, "run_study", not_reached)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "file.csv").write_text("x", encoding="utf-8")
    out = {"empty": "", "dot": ".", "symlink": "link", "file": "file.csv", "root": "/"}[make]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["run", "--out", out])
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list((tmp_path / "real").iterdir()) == []


def test_run_study_checks_the_output_folder_before_the_config(tmp_path: Path) -> None:
    from hccsurv.errors import OutputError
    from hccsurv.report.pipeline import run_study

    file = tmp_path / "results.csv"
    file.write_text("x", encoding="utf-8")
    # a missing config would be exit 3: the output folder is refused first
    with pytest.raises(OutputError, match="is a file"):
        run_study(tmp_path / "missing.toml", file)


def test_a_user_partial_folder_and_a_user_file_in_the_output_survive(tmp_path: Path) -> None:
    mine = tmp_path / "res.partial"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    out = tmp_path / "res"
    first = runner.invoke(app, ["run", "--quiet", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"
    (out / "tables" / "my_table.csv").write_text("precious", encoding="utf-8")
    again = runner.invoke(app, ["run", "--quiet", "--out", str(out)])
    assert again.exit_code == EXIT_OUTPUT
    assert "tables/my_table.csv" in again.output
    assert (out / "tables" / "my_table.csv").read_text(encoding="utf-8") == "precious"
    assert (out / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res", "res.partial"]


def test_progress_lines_the_summary_and_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shown = runner.invoke(app, ["run", "--out", "a"])
    assert shown.exit_code == 0, shown.output
    lines = shown.stderr.splitlines()
    steps = [line for line in lines if line.startswith("✓ ")]
    assert steps[0].startswith("✓ Config study.toml")
    assert any(line.startswith("✓ Report") for line in steps)
    assert all(line.rstrip().endswith(" s") for line in steps)  # each with its time
    assert any(line.startswith("Report: ") for line in lines)
    assert max(len(line) for line in lines if not line.startswith("Report: ")) <= 80

    quiet = runner.invoke(app, ["run", "--quiet", "--exclude-invalid", "--out", "b"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output == ""


def test_provenance_records_every_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "--quiet", "--exclude-invalid", "--out", "res"])
    assert result.exit_code == 0, result.output
    provenance = json.loads((tmp_path / "res" / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["options"] == {
        "command": "hccsurv run",
        "CONFIG": None,
        "--out": "res",
        "--exclude-invalid": True,
        "--quiet": True,
        "--json": False,
    }


def test_an_internal_bug_gives_a_short_message_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hccsurv.report.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom in the pipeline")

    monkeypatch.setattr(hccsurv.report.pipeline, "run_study", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_INTERNAL
    assert isinstance(result.exception, SystemExit)  # handled, not escaped
    assert "Traceback" not in result.output
    assert "internal error" in result.output
    assert "RuntimeError: boom in the pipeline" in result.output
    assert "maintainers" in result.output
    (report,) = tmp_path.glob("hccsurv-crash-*.txt")
    assert str(report) in result.output.replace("\n", "")
    text = report.read_text(encoding="utf-8")
    assert "Traceback" in text and "boom in the pipeline" in text and "def broken" not in text
    assert not (tmp_path / "out").exists()


def test_an_internal_bug_through_the_console_script(tmp_path: Path) -> None:
    prelude = (
        "import tempfile, hccsurv.report.pipeline as p\n"
        f"tempfile.tempdir = {str(tmp_path)!r}\n"
        "def broken(*a, **k): raise KeyError('results')\n"
        "p.run_study = broken"
    )
    proc = _hccsurv("run", "--out", "out", cwd=tmp_path, prelude=prelude)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERNAL
    assert "Traceback" not in stdout + stderr
    assert "internal error" in stderr and "KeyError" in stderr
    assert len(list(tmp_path.glob("hccsurv-crash-*.txt"))) == 1


def test_ctrl_c_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hccsurv.report.pipeline

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(hccsurv.report.pipeline, "run_study", interrupted)
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_INTERRUPTED
    assert "interrupted" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "/missing/folder/x.csv"], "does not exist"),
        (["--out", "{tmp}"], "is a folder"),
        (["--out", "{tmp}/x.csv", "--seed", "-1"], "--seed"),
        (["--out", "{tmp}/x.csv", "--seed", "one"], "--seed"),
    ],
)
def test_demo_data_bad_arguments_are_usage_errors(
    args: list[str], message: str, tmp_path: Path
) -> None:
    argv = ["demo-data", *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    result = runner.invoke(app, argv)
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_killed_run_leaves_no_process_and_no_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _hccsurv("run", "--quiet", "--out", "out", cwd=tmp_path, capture=False)
    try:
        # Kill it mid-run: as soon as its first file is in its staging folder, with most of the
        # writing (tables, figures, report) still ahead. A fixed delay would land before the
        # staging on a busy machine, or after the publication on a fast one.
        deadline = time.monotonic() + 120
        while not any(p.is_file() for p in tmp_path.glob(".out.hccsurv-*/**/*")):
            assert proc.poll() is None, "the run ended before it wrote anything"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(2)
        assert _group_members(proc.pid) == []
    finally:  # never leave a process of this test behind, even when it fails
        if _group_members(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert not out.exists()
    (stale,) = tmp_path.glob(".out.hccsurv-*")
    assert not (stale / ".hccsurv-output").exists()  # it does not look like a finished output

    again = _hccsurv("run", "--quiet", "--out", "out", cwd=tmp_path)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert (out / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
