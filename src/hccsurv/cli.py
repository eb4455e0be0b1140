"""The ``hccsurv`` command: a thin layer over the library.

Exit codes
----------
0  success
2  usage error (unknown option, missing argument)
3  the study config is invalid (every problem listed)
4  an input file cannot be read
5  the cohort failed validation (every problem listed, or for more than 10 one line per kind
   with the full list in ``<config>-problems.csv`` beside the config, ``hccsurv-problems.csv``
   in the working directory for the bundled demo; nothing else was written); also a cohort with
   no patients, fewer than 2 in a group, or none left by ``--exclude-invalid``
6  an analysis could not be completed
7  the output folder cannot be written (it holds files hccsurv did not write)
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hccsurv.errors import (
    CohortValidationError,
    ConfigError,
    DataReadError,
    HccsurvError,
    OutputError,
)

EXIT_CONFIG = 3
EXIT_READ = 4
EXIT_VALIDATION = 5
EXIT_ANALYSIS = 6
EXIT_OUTPUT = 7
# more validation problems than this are summarised one line per kind (the rest go to a CSV)
LIST_LIMIT = 10

app = typer.Typer(
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


@contextmanager
def _loading() -> Iterator[None]:
    """Pause the garbage collector while the analysis stack loads, then freeze what it loaded.

    Importing numpy, pandas, scipy and matplotlib creates about a million long-lived objects and
    almost no garbage: a running collector spends ~0.2 s on passes that free nothing, and every
    later full collection would scan those objects again. ``gc.freeze`` moves them out of its
    reach for the rest of the process.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


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


@app.command()
def run(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Study config (TOML). Default: the bundled demo study.", show_default=False
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("hccsurv-out"),
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
    with _loading():
        from hccsurv.report.pipeline import run_study
        from hccsurv.report.terminal import TerminalReporter

    err = Console(stderr=True)
    reporter = TerminalReporter(Console(stderr=True), enabled=not (quiet or as_json))
    try:
        outcome = run_study(config, out, exclude_invalid=exclude_invalid, reporter=reporter)
    except HccsurvError as error:
        raise typer.Exit(_fail(err, error, _problems_file(config))) from None
    if as_json:
        sys.stdout.write(json.dumps(outcome.results, indent=2, allow_nan=False) + "\n")
    elif not quiet:
        reporter.summary(outcome)


@app.command()
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
    try:
        text = starter_config(datafile, config_path=target)
    except HccsurvError as error:
        raise typer.Exit(_fail(err, error)) from None
    target.write_text(text, encoding="utf-8")
    Console(stderr=True).print(
        f"Wrote {target}. Check the guesses marked 'CHECK', then: hccsurv run {target}"
    )


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
) -> None:
    """Write a simulated cohort of the template study's design (seeded, reproducible)."""
    from hccsurv.demo.simulator import write_demo_data

    write_demo_data(seed, out)
    Console(stderr=True).print(f"Wrote {out} (seed {seed}).")


def main() -> None:
    """Console-script entry point.

    Once the command has finished and its output is flushed, the process leaves with
    ``os._exit``: tearing down the interpreter (the modules of pandas, matplotlib and scipy)
    takes about 0.3 s and does nothing for a finished command, whose files are all closed.
    """
    try:
        app()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):  # sys.exit("message"): print it and fail, as Python does
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)
