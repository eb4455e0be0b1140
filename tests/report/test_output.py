"""The output folder: refused --out values, staging, publication, the marker, stale staging."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from hccsurv.errors import OutputError
from hccsurv.report.output import MARKER, OutputTarget


def _publish(out: Path, files: dict[str, str]) -> OutputTarget:
    target = OutputTarget.check(out)
    with target.stage() as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
    return target


def _all_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_publishes_every_file_with_a_marker_listing_them(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "out"
    _publish(out, {"report.html": "r", "figures/km.png": "k"})
    assert set(_all_files(out)) == {"report.html", "figures/km.png", MARKER}
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["files"] == ["figures/km.png", "report.html"]
    assert marker["written_by"].startswith("hccsurv ")
    # nothing is left beside it: no staging folder, no copy of the previous output
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_the_output_folder_has_the_usual_permissions(tmp_path: Path) -> None:
    _publish(tmp_path / "out", {"report.html": "r"})
    (tmp_path / "plain").mkdir()
    assert (tmp_path / "out").stat().st_mode == (tmp_path / "plain").stat().st_mode


def test_a_rerun_replaces_its_own_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish(out, {"report.html": "first", "figures/old.png": "x"})
    _publish(out, {"report.html": "second"})
    assert _all_files(out) == {
        "report.html": "second",
        MARKER: (out / MARKER).read_text(encoding="utf-8"),
    }
    assert not (out / "figures").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_users_partial_folder_is_never_touched(tmp_path: Path) -> None:
    # the old pipeline staged in <out>.partial and deleted whatever was there
    mine = tmp_path / "out.partial"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    _publish(tmp_path / "out", {"report.html": "r"})
    _publish(tmp_path / "out", {"report.html": "r2"})
    assert _all_files(mine) == {"notes.txt": "mine"}


def test_a_user_file_inside_a_previous_output_is_named_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish(out, {"report.html": "r", "figures/km.png": "k"})
    (out / "figures" / "my_edit.png").write_text("precious", encoding="utf-8")
    with pytest.raises(OutputError, match=r"did not write: 'figures/my_edit.png'"):
        OutputTarget.check(out)
    assert (out / "figures" / "my_edit.png").read_text(encoding="utf-8") == "precious"
    assert (out / "report.html").exists()


def test_a_user_folder_inside_a_previous_output_is_named(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish(out, {"report.html": "r"})
    (out / "drafts").mkdir()
    with pytest.raises(OutputError, match=r"'drafts/'"):
        OutputTarget.check(out)
    assert (out / "drafts").is_dir()


def test_nested_folders_of_listed_files_are_ours_and_a_link_is_not(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish(out, {"a/b/c.txt": "c"})
    OutputTarget.check(out)  # a/ and a/b/ hold listed files
    (out / "a" / "link.txt").symlink_to(out / "a" / "b" / "c.txt")
    with pytest.raises(OutputError, match=r"'a/link\.txt'"):
        OutputTarget.check(out)


def test_a_file_added_during_the_run_is_caught_at_publication(tmp_path: Path) -> None:
    out = tmp_path / "out"
    target = _publish(out, {"report.html": "r"})
    with pytest.raises(OutputError, match=r"thesis\.docx"), target.stage() as staging:
        (staging / "report.html").write_text("new", encoding="utf-8")
        (out / "thesis.docx").write_text("precious", encoding="utf-8")
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"
    assert (out / "report.html").read_text(encoding="utf-8") == "r"
    assert target.staging_folders() == []


def test_a_folder_it_did_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(OutputError, match="not empty and was not written by hccsurv"):
        OutputTarget.check(out)
    # an empty folder is fine: the user may create the folder first
    empty = tmp_path / "empty"
    empty.mkdir()
    _publish(empty, {"report.html": "r"})
    assert (empty / "report.html").is_file()


def test_a_marker_that_lists_nothing_is_refused(tmp_path: Path) -> None:
    # written by an earlier hccsurv: it cannot tell its files from the user's
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("written by hccsurv run\n", encoding="utf-8")
    (out / "report.html").write_text("r", encoding="utf-8")
    with pytest.raises(OutputError, match="does not list the files"):
        OutputTarget.check(out)
    assert (out / "report.html").exists()


@pytest.mark.parametrize("given", ["", " ", ".", "./", ".."])
def test_the_current_folder_or_an_empty_name_is_refused(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(OutputError, match=r"empty|current folder"):
        OutputTarget.check(given)


def test_the_root_home_and_a_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="filesystem root"):
        OutputTarget.check("/")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(OutputError, match="home folder"):
        OutputTarget.check(home)
    file = tmp_path / "results.csv"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"):
        OutputTarget.check(file)
    with pytest.raises(OutputError, match=r"results\.csv' is a file"):
        OutputTarget.check(file / "out")


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        OutputTarget.check(link)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="symbolic link"):
        OutputTarget.check(dangling)
    assert not (tmp_path / "nowhere").exists()


def test_a_failed_run_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    target = OutputTarget.check(out)
    with pytest.raises(RuntimeError, match="boom"), target.stage() as staging:
        (staging / "report.html").write_text("half", encoding="utf-8")
        assert not (staging / MARKER).exists()  # no marker before publication
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_is_removed_and_a_live_one_kept(tmp_path: Path) -> None:
    target = OutputTarget.check(tmp_path / "out")
    stale = tmp_path / ".out.hccsurv-dead1234"
    (stale / "figures").mkdir(parents=True)
    live = tmp_path / ".out.hccsurv-live5678"
    live.mkdir()
    other = tmp_path / ".other.hccsurv-abcd"  # another target's: not this run's business
    other.mkdir()
    fd = os.open(live, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running hccsurv holds it
        with target.stage() as staging:
            assert not stale.exists()
            assert live.is_dir()
            assert staging.name.startswith(".out.hccsurv-")
            (staging / "report.html").write_text("r", encoding="utf-8")
    finally:
        os.close(fd)
    assert live.is_dir() and other.is_dir()
    assert target.remove_stale() == [live]  # once its lock is free
