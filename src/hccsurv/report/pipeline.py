"""``hccsurv run``: config -> cohort -> analyses -> views -> files, in one process, top to bottom.

:func:`run_study` loads the config and the cohort, runs the analyses of
:data:`hccsurv.analysis.study.STUDY_STEPS` into one frozen
:class:`~hccsurv.analysis.results.StudyResults`, builds the views (tables, figures, methods,
report; pure functions of the results) and writes them. Each step is reported to a
:class:`~hccsurv.report.progress.Progress` (the terminal, the web app, or nothing).

The output folder is checked before any work and untouched until everything is written: outputs
go to a unique hidden staging folder beside it, which is moved into place at the end and removed
on any failure (:mod:`hccsurv.report.output`), so a config, validation, analysis or rendering
error never leaves a half-written report behind.

Files written into the output folder::

    report.html        the whole study, self-contained (figures inline, no network)
    tables.docx        every table, editable (Word)
    tables.xlsx        every table, formatted, plus the raw numbers
    tables/*.csv|.tex|.md   each table's raw numbers (CSV), LaTeX (booktabs) and Markdown
    figures/*.png|.pdf Kaplan-Meier, forest and balance plots
    results.json       every number: StudyResults.to_dict() (contract: results.schema.json)
    provenance.json    input hashes, config, software versions, time
    .hccsurv-output    lists every file hccsurv wrote: a re-run replaces only such a folder
    cohort_derived.csv the analysed cohort with derived variables (ids only if asked)
    flow.csv           patient flow
    methods.txt        the methods paragraph
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hccsurv.analysis.results import StudyResults
from hccsurv.analysis.study import STUDY_STEPS, Recorder, required_keys_problems, study_results
from hccsurv.config import StudyConfig, load_config
from hccsurv.data.cohort import Cohort, load_cohort
from hccsurv.errors import ConfigError
from hccsurv.present.format import NOT_ESTIMABLE, format_hr_ci, format_median_ci, format_p
from hccsurv.present.methods import methods_paragraphs
from hccsurv.present.render.csv import write_csv
from hccsurv.present.render.docx import write_docx
from hccsurv.present.render.latex import table_to_latex
from hccsurv.present.render.markdown import table_to_markdown
from hccsurv.present.render.xlsx import write_xlsx
from hccsurv.present.report_html import render_report
from hccsurv.present.study_figures import study_figures
from hccsurv.present.study_tables import StudyTables, build_tables, format_options
from hccsurv.report.document import build_document
from hccsurv.report.figures import write_figures
from hccsurv.report.output import OutputTarget
from hccsurv.report.progress import Advance, Progress, Silent
from hccsurv.report.provenance import build_provenance, software_versions


@dataclass(frozen=True)
class EndpointLine:
    """One endpoint in the end-of-run summary."""

    endpoint: str
    medians: tuple[str, ...]
    logrank_p: str
    multivariable_hr: str


@dataclass(frozen=True)
class RunSummary:
    """What the terminal shows at the end of a run; ``not_estimable`` holds an (analysis, reason)
    pair for each analysis that could not be estimated."""

    title: str
    n_read: int
    n_excluded: int
    n_analysed: int
    group_labels: tuple[str, ...]
    endpoint_rows: tuple[EndpointLine, ...]
    not_estimable: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class StudyOutcome:
    """A finished run: its results, results.json's content, where the files are, the summary."""

    study: StudyResults
    results: dict[str, Any]
    out_dir: Path
    report_path: Path
    files: tuple[Path, ...]
    summary: RunSummary


def demo_config_path() -> Path:
    """The bundled demo study's config (inside the installed package)."""
    return Path(str(resources.files("hccsurv.demo").joinpath("study.toml")))


def _summary(results: StudyResults) -> RunSummary:
    flow = results.cohort.flow
    group_col = results.cohort.group_column
    lines = []
    for ep in results.endpoints:
        medians = tuple(
            format_median_ci(g.median, g.median_lower, g.median_upper, 1) for g in ep.summary.groups
        )
        hr = "–"
        multi = ep.models.multivariable if ep.models is not None else None
        if multi is not None:
            rows = multi.to_frame()
            rows = rows[rows["variable"] == group_col]
            if len(rows) == 1:
                r = rows.iloc[0]
                hr = format_hr_ci(r["hr"], r["hr_lower"], r["hr_upper"])
        lr = ep.summary.logrank
        p = NOT_ESTIMABLE if lr is None else format_p(lr.p)
        lines.append(EndpointLine(ep.label, medians, p, hr))
    return RunSummary(
        title=results.config.study.title,
        n_read=flow.read,
        n_excluded=flow.n_excluded,
        n_analysed=flow.analysed,
        group_labels=tuple(results.config.groups.display(g) for g in results.cohort.groups),
        endpoint_rows=tuple(lines),
        not_estimable=tuple((r.title, str(r.reason)) for r in results.not_estimable),
    )


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )


def _write_records(
    staging: Path,
    config_path: Path,
    config: StudyConfig,
    cohort: Cohort,
    results: dict[str, Any],
    methods: Sequence[str],
    command_line: Mapping[str, object],
) -> None:
    """results.json, provenance.json, methods.txt, flow.csv and cohort_derived.csv."""
    _write_json(staging / "results.json", results)
    inputs = [config.data_path]
    if (
        config.response is not None
        and config.response.source == "lesions"
        and config.response.lesion_file is not None
    ):
        inputs.append(config.resolve(config.response.lesion_file))
    seeds = {"adjust": config.adjust.seed} if config.adjust is not None else {}
    provenance = build_provenance(
        config_path=config_path,
        config=config.model_dump(mode="json"),
        inputs=inputs,
        seeds=seeds,
        options=command_line,
    )
    # how the rows of the data file became patients (numbered rows, long format)
    provenance["patients"] = cohort.flow.note or f"one row per patient, id '{cohort.id_column}'"
    _write_json(staging / "provenance.json", provenance)
    (staging / "methods.txt").write_text("\n\n".join(methods) + "\n", encoding="utf-8")
    cohort.flow.to_frame().to_csv(staging / "flow.csv", index=False)
    derived = cohort.frame
    if not config.output.include_identifiers:
        derived = derived.drop(columns=[cohort.id_column])
    derived.to_csv(staging / "cohort_derived.csv", index=False)


def _write_tables(tables: StudyTables, staging: Path, title: str, advance: Advance) -> None:
    """Every table in every format: Word, Excel (``advance(1)`` after each), and per table CSV,
    LaTeX and Markdown (``advance(1)`` after each table)."""
    write_docx(tables.all(), staging / "tables.docx", title=title)
    advance(1)
    write_xlsx(tables.all(), staging / "tables.xlsx")
    advance(1)
    for table in tables.all():
        write_csv(table, staging / "tables" / f"{table.id}.csv")
        (staging / "tables" / f"{table.id}.tex").write_text(table_to_latex(table), "utf-8")
        (staging / "tables" / f"{table.id}.md").write_text(table_to_markdown(table), "utf-8")
        advance(1)


def _is_demo(config_path: Path) -> bool:
    return config_path.resolve() == demo_config_path().resolve()


def run_study(
    config_path: Path | None,
    out_dir: Path,
    *,
    exclude_invalid: bool = False,
    progress: Progress | None = None,
    command_line: Mapping[str, object] | None = None,
) -> StudyOutcome:
    """Run the study described by ``config_path`` (default: the bundled demo) into ``out_dir``.

    An analysis that cannot be estimated on the data is reported as "not estimable" and the run
    goes on; invalid input, an output folder that cannot be used, or a failed analysis named in
    ``[analysis] required`` raise the matching :class:`~hccsurv.errors.HccsurvError`.
    ``command_line`` holds the command-line options of the run, recorded in provenance.json (the
    CLI passes every one; by default the arguments of this call).
    """
    show = progress if progress is not None else Silent()
    target = OutputTarget.check(out_dir)  # before any work: a refused --out costs nothing
    path = config_path if config_path is not None else demo_config_path()
    if command_line is None:
        command_line = {
            "command": "hccsurv.report.pipeline.run_study",
            "config_path": None if config_path is None else str(config_path),
            "out_dir": str(out_dir),
            "exclude_invalid": exclude_invalid,
        }

    # 1. config and data
    with show.step(f"Config {path.name}"):
        config = load_config(path)
        problems = required_keys_problems(config)
        if problems:
            raise ConfigError("Invalid study config", problems)
    with show.step(f"Cohort {config.data_path.name}: read, validate, derive"):
        cohort = load_cohort(config, exclude_invalid=exclude_invalid)

    # 2. analyses, one step each, into one StudyResults
    log = Recorder(config.analysis.required)
    values: dict[str, Any] = {}
    for step in STUDY_STEPS:
        with show.step(step.title, step.items(config)) as advance:
            values[step.field] = step.run(cohort, config, log, advance)
    results = study_results(cohort, config, values, log, compare_published=_is_demo(path))

    # 3. views: pure functions of the results
    options = format_options(config)
    tables = build_tables(results, options)
    figures = study_figures(results, options)
    methods = methods_paragraphs(results, software_versions())
    results_json = results.to_dict()

    # 4. files, staged and moved into place at the end
    with target.stage() as staging:
        (staging / "figures").mkdir()
        (staging / "tables").mkdir()
        n_tables = 2 + len(tables.all())
        with show.step("Tables: Word, Excel, CSV, LaTeX, Markdown", n_tables) as advance:
            _write_tables(tables, staging, config.study.title, advance)
        with show.step("Figures: Kaplan-Meier, forest and balance plots", len(figures)) as advance:
            saved = write_figures(figures, staging / "figures", config, advance)
        with show.step("Records: results.json, provenance.json, methods, patient flow"):
            _write_records(staging, path, config, cohort, results_json, methods, command_line)
        with show.step("Report"):
            document = build_document(results, tables, saved, methods)
            (staging / "report.html").write_text(render_report(document), encoding="utf-8")

    out_dir = target.path
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return StudyOutcome(
        study=results,
        results=results_json,
        out_dir=out_dir,
        report_path=out_dir / "report.html",
        files=files,
        summary=_summary(results),
    )
