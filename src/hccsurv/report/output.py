"""The output folder of a run: checked before any analysis, staged, and published whole.

Rules (every refusal is an :class:`~hccsurv.errors.OutputError`, exit 7, and deletes nothing):

* ``--out`` must name a folder that hccsurv may own: not an empty name, not ``.`` or any folder
  holding the current one, not the filesystem root, not the home folder, not a symbolic link
  (hccsurv never writes through a link), not an existing file.
* An existing folder is replaced only if it is empty, or if it is an earlier hccsurv output whose
  marker file (``.hccsurv-output``) lists every file in it. A file the user added there is named in
  the refusal and never deleted. The check runs twice: before the analysis, so a refusal costs
  nothing, and again at publication, so a file added during the run is caught too.
* Outputs are written into a staging folder beside the target, ``.<name>.hccsurv-<random>``
  (hidden; 64 random bits, created exclusively; made like any folder, so the published output
  has the user's usual permissions, unlike a 0700 :func:`tempfile.mkdtemp` folder), never a fixed
  name such as ``<name>.partial`` that a user's own folder could carry. The marker is written
  last, listing every staged file, and the staging folder is then renamed into place (atomic on
  one filesystem; a previous output is first renamed aside to ``<staging>.previous`` and removed
  after). On any failure the staging folder is removed; a killed run leaves only hidden staging
  folders without the look of a finished output.
* Stale staging folders: the running process holds an exclusive ``flock`` on its staging folder
  for as long as it lives. The kernel releases the lock when the process dies, SIGKILL included,
  so a staging folder of this target whose lock can be taken belongs to no live run and is
  removed by the next run; one whose lock is held is another live run's and is left alone. Unlike
  a pid file this cannot be fooled by a recycled pid. (``flock`` is POSIX: Linux and macOS.)
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import hccsurv
from hccsurv.errors import OutputError

MARKER = ".hccsurv-output"
_STAGING_TAG = ".hccsurv-"
_SHOWN = 5  # foreign files named in a refusal; the rest are counted


def _quote(path: Path | str) -> str:
    return f"'{path}'"


def _listed_files(folder: Path) -> frozenset[str]:
    """The files the marker of ``folder`` says hccsurv wrote (POSIX paths relative to it)."""
    marker = folder / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise TypeError("files is not a list of names")
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise OutputError(
            f"--out {_quote(folder)} has a marker {MARKER} that does not list the files hccsurv "
            f"wrote ({error}; an earlier hccsurv version, or edited), so hccsurv cannot tell "
            "them from yours; move the files you want to keep, delete the folder, or choose "
            "another --out"
        ) from None
    return frozenset(files)


def _raise(error: OSError) -> None:
    raise error


def _foreign_entries(folder: Path) -> list[str]:
    """Entries under ``folder`` that its marker does not account for (sorted).

    A folder is accounted for if it holds a listed file; a link never is (hccsurv writes none).
    An unreadable sub-folder raises ``OSError``: what it holds cannot be checked.
    """
    listed = _listed_files(folder)
    needed_dirs = {p.as_posix() for f in listed for p in Path(f).parents} - {"."}
    foreign = []
    for root, dirs, files in os.walk(folder, onerror=_raise):
        base = Path(root).relative_to(folder)
        for name in dirs:
            rel = (base / name).as_posix()
            if (Path(root) / name).is_symlink():
                foreign.append(rel)
            elif rel not in needed_dirs:
                foreign.append(rel + "/")
        dirs[:] = [d for d in dirs if (base / d).as_posix() in needed_dirs]
        for name in files:
            rel = (base / name).as_posix()
            path = Path(root) / name
            ours = rel == MARKER or rel in listed
            if not ours or path.is_symlink() or not path.is_file():
                foreign.append(rel)
    return sorted(foreign)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor)


@dataclass(frozen=True)
class OutputTarget:
    """A checked ``--out`` folder (absolute path) that a run may create or replace."""

    path: Path

    @classmethod
    def check(cls, out_dir: Path | str) -> OutputTarget:
        """Check ``out_dir`` against the rules of this module; raise ``OutputError`` if refused.

        Writes nothing. A relative path is taken from the current folder.
        """
        text = str(out_dir)
        if text.strip() == "":
            raise OutputError("--out is empty; give the name of a folder, e.g. --out results")
        given = Path(text)
        if given.is_symlink():
            raise OutputError(
                f"--out {_quote(text)} is a symbolic link (to {_quote(os.readlink(given))}); "
                "hccsurv does not write through links: give the real folder, or a new name"
            )
        path = given.resolve()
        if path == Path(path.anchor):
            raise OutputError(
                f"--out {_quote(text)} is the filesystem root; give a folder of its own, "
                "e.g. --out results"
            )
        if path == Path(os.path.expanduser("~")).resolve():
            raise OutputError(
                f"--out {_quote(text)} is your home folder; give a folder of its own, "
                "e.g. --out ~/results"
            )
        cwd = Path.cwd().resolve()
        if path == cwd or path in cwd.parents:
            where = "the current folder" if path == cwd else "a folder holding the current folder"
            raise OutputError(
                f"--out {_quote(text)} is {where}; a run replaces its output folder whole, so "
                "give a folder of its own, e.g. --out results"
            )
        if path.exists() and not path.is_dir():
            raise OutputError(f"--out {_quote(text)} is a file; give a folder (it will be created)")
        existing = _nearest_existing(path.parent)
        if not existing.is_dir():
            raise OutputError(
                f"--out {_quote(text)} cannot be created: {_quote(existing)} is a file"
            )
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(
                f"--out {_quote(text)} cannot be created: no permission to write in "
                f"{_quote(existing)}; choose a folder you can write to"
            )
        if path.is_dir():
            try:
                cls._check_replaceable(path, text)
            except OSError as error:
                raise OutputError(f"--out {_quote(text)} cannot be read: {error}") from None
        return cls(path)

    @staticmethod
    def _check_replaceable(path: Path, text: str) -> None:
        if not any(path.iterdir()):
            return
        if not (path / MARKER).is_file():
            raise OutputError(
                f"--out {_quote(text)} is not empty and was not written by hccsurv (no {MARKER} "
                "marker); choose a new folder (it will be created) or empty this one"
            )
        foreign = _foreign_entries(path)
        if foreign:
            named = ", ".join(_quote(f) for f in foreign[:_SHOWN])
            more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
            raise OutputError(
                f"--out {_quote(text)} is an earlier hccsurv output, but it also holds "
                f"{'a file' if len(foreign) == 1 else 'files'} hccsurv did not write: "
                f"{named}{more}. hccsurv never deletes your files: move them out of the folder, "
                "or choose another --out"
            )

    def staging_folders(self) -> list[Path]:
        """Staging folders of this target beside it, left by live or killed runs."""
        prefix = f".{self.path.name}{_STAGING_TAG}"
        parent = self.path.parent
        if not parent.is_dir():
            return []
        return sorted(
            p for p in parent.iterdir() if p.name.startswith(prefix) and not p.is_symlink()
        )

    def remove_stale(self) -> list[Path]:
        """Remove staging folders of this target whose run is dead (their lock is free)."""
        removed = []
        for folder in self.staging_folders():
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:  # gone meanwhile, or not a folder: not ours to judge
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: a live run is writing there
                os.close(fd)
                continue
            try:
                shutil.rmtree(folder, ignore_errors=True)  # what cannot go stays hidden, harmless
            finally:
                os.close(fd)
            if not folder.exists():
                removed.append(folder)
        return removed

    @contextmanager
    def stage(self) -> Iterator[Path]:
        """A fresh staging folder, published as ``path`` when the block ends, removed on failure."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.remove_stale()
            staging = self.path.with_name(f".{self.path.name}{_STAGING_TAG}{secrets.token_hex(8)}")
            staging.mkdir()
        except OSError as error:
            raise OutputError(f"--out {_quote(self.path)} cannot be created: {error}") from None
        # Held until this process ends (a forked child inherits it): see the module docstring.
        lock = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                yield staging
                self._publish(staging)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        finally:
            os.close(lock)

    def _publish(self, staging: Path) -> None:
        """Write the marker listing every staged file, then move the staging folder into place."""
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        marker = {"written_by": f"hccsurv {hccsurv.__version__}", "files": files}
        (staging / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        type(self).check(self.path)  # again: the user may have added a file during the run
        try:
            if self.path.exists():
                previous = staging.with_name(staging.name + ".previous")
                self.path.rename(previous)
                staging.rename(self.path)
                shutil.rmtree(previous, ignore_errors=True)  # a stale-staging sweep may race
            else:
                staging.rename(self.path)
        except OSError as error:
            raise OutputError(f"--out {_quote(self.path)} cannot be written: {error}") from None
