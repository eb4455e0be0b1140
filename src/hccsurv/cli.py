"""The ``hccsurv`` command: a thin layer over the library.

Exit codes
----------
0    success
1    internal error: a bug in hccsurv, not in the input. A short message says what failed and
     where the full traceback was written (a file in the temporary folder) to send to the
     maintainers; nothing is written to ``--out``. Python's own code for an unhandled error, so
     a crash before this handler (a broken installation) gives the same code.
2    usage error (unknown option, missing argument, an invalid option value)
3    the study config is invalid (every problem listed)
4    an input file cannot be read
5    the cohort failed validation (every problem listed, or for more than 10 one line per kind
     with the full list in ``<config>-problems.csv`` beside the config, ``hccsurv-problems.csv``
     in the working directory for the bundled demo; nothing else was written); also a cohort
     with no patients, fewer than 2 in a group, or none left by ``--exclude-invalid``
6    an analysis named in ``[analysis] required`` could not be estimated
7    the output folder cannot be used (a link, ``.``, the root or home folder, a file, or a
     folder holding files hccsurv did not write); nothing was deleted
130  interrupted (Ctrl-C); nothing is written to ``--out``
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup, TyperOption

from hccsurv.errors import (
    CohortValidationError,
    ConfigError,
    DataReadError,
    HccsurvError,
    OutputError,
)

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_READ = 4
EXIT_VALIDATION = 5
EXIT_ANALYSIS = 6
EXIT_OUTPUT = 7
EXIT_INTERRUPTED = 130
# more validation problems than this are summarised one line per kind (the rest go to a CSV)
LIST_LIMIT = 10


def _blank_flag_types(params: list[Any]) -> list[Any]:
    """typer's rich help prints a type for flags too (``--quiet <bool>``); a flag takes no
    value, so its type column is left blank (the metavar is what that column shows)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _blank_flag_types(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _blank_flag_types(super().get_params(ctx))


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=False,
    help="Treatment-outcome studies in liver cancer: from a patient spreadsheet to a publication.",
)


def _version(value: bool) -> None:
    if value:
        from hccsurv import __version__

        typer.echo(f"hccsurv {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """hccsurv: run a study from its config (`hccsurv run`), or start one (`hccsurv init`)."""


def _problems_file(config: Path | None) -> Path:
    """Where the full list of validation problems goes: beside the config (demo: here)."""
    if config is None:
        return Path("hccsurv-problems.csv")
    return config.with_name(f"{config.stem}-problems.csv")


def _fail(console: Console, error: HccsurvError, problems_file: Path | None = None) -> int:
    if isinstance(error, ConfigError):
        code = EXIT_CONFIG
    elif isinstance(error, DataReadError):
        code = EXIT_READ
    elif isinstance(error, CohortValidationError):
        code = EXIT_VALIDATION
    elif isinstance(error, OutputError):
        code = EXIT_OUTPUT
    else:
        code = EXIT_ANALYSIS
    text = str(error)
    if isinstance(error, CohortValidationError) and len(error.problems) > LIST_LIMIT:
        text = error.summary()
        if problems_file is not None:
            try:
                problems_file.write_text(error.problems_csv(), encoding="utf-8")
                text += f"\nThe full list ({len(error.problems)} problems): {problems_file}"
            except OSError as exc:
                text += f"\n(The full list could not be written to {problems_file}: {exc})"
    console.print("[bold red]error:[/] ", end="", highlight=False, markup=True)
    console.print(text, highlight=False, markup=False, soft_wrap=True)
    cohort_level = {"no_patients", "too_few_patients", "all_excluded"}
    if isinstance(error, CohortValidationError) and not any(
        p.rule in cohort_level for p in error.problems
    ):
        console.print(
            "Fix the values above, or run again with --exclude-invalid to exclude these "
            "patients (each exclusion is counted in the patient flow).",
            highlight=False,
        )
    return code


def _write_crash_report(error: BaseException) -> Path:
    """Write the traceback of an internal error, with what a maintainer needs, to a temp file."""
    from hccsurv import __version__

    fd, name = tempfile.mkstemp(prefix="hccsurv-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"hccsurv {__version__}, Python {platform.python_version()}, ")
        fh.write(f"{platform.system()} {platform.machine()}\n")
        fh.write(f"command: {' '.join(sys.argv)}\n\n")
        fh.write("".join(traceback.format_exception(error)))
    return Path(name)


def _internal_error(console: Console, error: Exception) -> int:
    """A short message for an unexpected exception (a bug); the traceback goes to a file."""
    what = f"{type(error).__name__}: {error}".strip().splitlines()[0][:200]
    console.print(
        f"[bold red]internal error:[/] hccsurv stopped on a bug ({what}). This is a problem in "
        "hccsurv, not in your data or config.",
        highlight=False,
        markup=True,
    )
    try:
        where = f"The full traceback is in {_write_crash_report(error)}"
    except OSError as write_error:
        where = f"The traceback could not be written ({write_error})"
    console.print(
        f"{where}; please send it, with the command you ran, to the maintainers (it may quote "
        "values from your data: check it first).",
        highlight=False,
        soft_wrap=True,
    )
    return EXIT_INTERNAL


@contextmanager
def _handled(console: Console, problems_file: Path | None = None) -> Iterator[None]:
    """Give every failure of a command its documented exit code and a message, never a traceback.

    hccsurv's own errors map to 3-7 (see the module docstring); typer's exits and usage errors pass
    through (exit 2 for usage); Ctrl-C is 130; anything else is an internal error (exit 1).
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except HccsurvError as error:
        raise typer.Exit(_fail(console, error, problems_file)) from None
    except KeyboardInterrupt:
        console.print("interrupted", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:
        raise typer.Exit(_internal_error(console, error)) from None


@app.command(cls=_Command)
def run(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Study config (TOML). Default: the bundled demo study.", show_default=False
        ),
    ] = None,
    # a str, not a Path: Path("") would read an empty --out as "." (the current folder)
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder.")] = "hccsurv-out",
    exclude_invalid: Annotated[
        bool,
        typer.Option("--exclude-invalid", help="Exclude patients that fail validation and go on."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print results.json to standard output.")
    ] = False,
) -> None:
    """Run the whole study and write the report, tables, figures and results.json into OUT."""
    err = Console(stderr=True)
    # every option of the command line, recorded in provenance.json
    options = {
        "command": "hccsurv run",
        "CONFIG": None if config is None else str(config),
        "--out": out,
        "--exclude-invalid": exclude_invalid,
        "--quiet": quiet,
        "--json": as_json,
    }
    with _handled(err, _problems_file(config)):
        from hccsurv.report.output import OutputTarget

        OutputTarget.check(out)  # at once, before the analysis stack loads
        from hccsurv.report.pipeline import run_study
        from hccsurv.report.terminal import TerminalReporter

        reporter = TerminalReporter(err, enabled=not (quiet or as_json))
        outcome = run_study(
            config,
            Path(out),
            exclude_invalid=exclude_invalid,
            progress=reporter,
            command_line=options,
        )
        if as_json:
            sys.stdout.write(json.dumps(outcome.results, indent=2, allow_nan=False) + "\n")
        elif not quiet:
            reporter.summary(outcome)


@app.command(cls=_Command)
def init(
    datafile: Annotated[Path, typer.Argument(help="Cohort file (CSV, XLSX, Parquet, ...).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Where to write the config (default: study.toml beside the data)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
) -> None:
    """Write a commented starter config guessed from DATAFILE's columns."""
    from hccsurv.data.init import starter_config

    err = Console(stderr=True)
    target = out if out is not None else datafile.with_name("study.toml")
    if target.exists() and not force:
        err.print(f"[bold red]error:[/] {target} exists; pass --force to overwrite it.")
        raise typer.Exit(2)
    with _handled(err):
        text = starter_config(datafile, config_path=target)
        target.write_text(text, encoding="utf-8")
    Console(stderr=True).print(
        f"Wrote {target}. Check the guesses marked 'CHECK', then: hccsurv run {target}"
    )


@app.command("demo-data", cls=_Command)
def demo_data(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")],
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (a whole number, 0 or more).")
    ] = 1,
    safety: Annotated[
        bool,
        typer.Option(
            "--safety",
            help="Also write treatment.csv and labs.csv (HAIC-FP cycles and daily laboratory "
            "values) next to the cohort file, for a [safety] section.",
        ),
    ] = False,
) -> None:
    """Write a simulated cohort of the template study's design (seeded, reproducible)."""
    err = Console(stderr=True)
    if out.is_dir():
        raise typer.BadParameter(
            f"{out} is a folder; give a file name, e.g. {out / 'cohort.csv'}", param_hint="'--out'"
        )
    if not out.parent.is_dir():
        raise typer.BadParameter(
            f"the folder {out.parent} does not exist; create it first or choose another path",
            param_hint="'--out'",
        )
    with _handled(err):
        from hccsurv.demo.safety import write_safety_data
        from hccsurv.demo.simulator import write_demo_data

        try:
            write_demo_data(seed, out)
            more = write_safety_data(out, seed, out.parent) if safety else ()
        except OSError as error:
            raise typer.BadParameter(
                f"cannot write {out}: {error.strerror}", param_hint="'--out'"
            ) from None
    err.print(f"Wrote {', '.join(str(p) for p in (out, *more))} (seed {seed}).")


def main() -> None:
    """Console-script entry point."""
    app()
