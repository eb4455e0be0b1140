"""``hccsurv run``: config -> cohort -> analyses -> tables, figures, report, results.json.

The output folder is checked before any work and untouched until everything is written: outputs
go to a unique hidden staging folder beside it, which is moved into place at the end and removed
on any failure (:mod:`hccsurv.report.output`), so a config, validation, analysis or rendering
error never leaves a half-written report behind.
Figures are drawn as soon as the outcome analyses exist, partly in a forked child process
(:mod:`hccsurv.report.workers`), while this process runs the response engine and writes the
tables and the records (results.json, provenance, methods, flow, derived cohort).

Files written into the output folder::

    report.html        the whole study, self-contained (figures inline, no network)
    tables.docx        every table, editable (Word)
    tables.xlsx        every table, formatted, plus the raw numbers
    tables/*.csv|.tex|.md   each table's raw numbers (CSV), LaTeX (booktabs) and Markdown
    figures/*.png|.pdf Kaplan-Meier and forest plots
    results.json       every number (contract: hccsurv/report/results.schema.json)
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
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from hccsurv.analysis.study import StudyAnalysis, analyze_outcomes, analyze_study
from hccsurv.config import StudyConfig, load_config
from hccsurv.data.cohort import Cohort, load_cohort
from hccsurv.present.format import format_hr_ci, format_median_ci, format_p
from hccsurv.present.render.csv import write_csv
from hccsurv.present.render.latex import table_to_latex
from hccsurv.present.render.markdown import table_to_markdown
from hccsurv.present.report_html import render_report
from hccsurv.report.document import build_document
from hccsurv.report.figures import collect_figures, plan_figures, render_figure
from hccsurv.report.methods_text import methods_paragraphs
from hccsurv.report.output import OutputTarget
from hccsurv.report.progress import Progress, Silent
from hccsurv.report.provenance import build_provenance
from hccsurv.report.published import TEMPLATE_STUDY, compare_with_published
from hccsurv.report.results import build_results
from hccsurv.report.tables import build_tables, format_options
from hccsurv.report.workers import share_jobs


@dataclass(frozen=True)
class EndpointLine:
    """One endpoint in the end-of-run summary."""

    endpoint: str
    medians: tuple[str, ...]
    logrank_p: str
    multivariable_hr: str


@dataclass(frozen=True)
class RunSummary:
    """What the terminal shows at the end of a run."""

    title: str
    n_read: int
    n_excluded: int
    n_analysed: int
    group_labels: tuple[str, ...]
    endpoint_rows: tuple[EndpointLine, ...]


@dataclass(frozen=True)
class StudyOutcome:
    """A finished run: results.json content, where the files are, and the summary."""

    results: dict[str, Any]
    out_dir: Path
    report_path: Path
    files: tuple[Path, ...]
    summary: RunSummary


def demo_config_path() -> Path:
    """The bundled demo study's config (inside the installed package)."""
    return Path(str(resources.files("hccsurv.demo").joinpath("study.toml")))


def _summary(analysis: StudyAnalysis, config: StudyConfig) -> RunSummary:
    flow = analysis.cohort.flow
    group_col = analysis.cohort.group_column
    lines = []
    for ep in analysis.endpoints:
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
        lines.append(EndpointLine(ep.label, medians, format_p(ep.summary.logrank.p), hr))
    return RunSummary(
        title=config.study.title,
        n_read=flow.read,
        n_excluded=flow.n_excluded,
        n_analysed=flow.analysed,
        group_labels=analysis.cohort.groups,
        endpoint_rows=tuple(lines),
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
    _write_json(
        staging / "provenance.json",
        build_provenance(
            config_path=config_path,
            config=config.model_dump(mode="json"),
            inputs=inputs,
            seeds=seeds,
            options=command_line,
        ),
    )
    (staging / "methods.txt").write_text("\n\n".join(methods) + "\n", encoding="utf-8")
    cohort.flow.to_frame().to_csv(staging / "flow.csv", index=False)
    derived = cohort.frame
    if not config.output.include_identifiers:
        derived = derived.drop(columns=[cohort.id_column])
    derived.to_csv(staging / "cohort_derived.csv", index=False)


def _is_demo(config_path: Path) -> bool:
    return config_path.resolve() == demo_config_path().resolve()


def run_study(
    config_path: Path | None,
    out_dir: Path,
    *,
    exclude_invalid: bool = False,
    reporter: Progress | None = None,
    parallel: bool = True,
    command_line: Mapping[str, object] | None = None,
) -> StudyOutcome:
    """Run the study described by ``config_path`` (default: the bundled demo) into ``out_dir``.

    With ``parallel`` (the default) a forked child draws part of the figures while this process
    writes the tables (Linux with two or more CPUs; see :mod:`hccsurv.report.workers`). The files
    are the same either way. ``command_line`` holds the command-line options of the run, recorded in
    provenance.json (the CLI passes every one; by default the arguments of this call).
    """
    rep: Progress = reporter if reporter is not None else Silent()
    target = OutputTarget.check(out_dir)  # before any work: a refused --out costs nothing
    path = config_path if config_path is not None else demo_config_path()
    with rep.step(f"Config {path.name}"):
        config = load_config(path)
    with rep.step(f"Cohort {config.data_path.name}: read, validate, derive"):
        cohort = load_cohort(config, exclude_invalid=exclude_invalid)
    with rep.step("Analyses: Kaplan-Meier, log-rank, Cox, adjustment"):
        outcomes = analyze_outcomes(cohort, config)

    options = format_options(config)
    # The figures need only the outcome analyses: a forked child starts drawing them now (the
    # largest first) while this process runs the response engine and Table 1 and writes the
    # tables, then takes the figures the child has not started.
    jobs = plan_figures(outcomes, cohort.group_column, config, options)
    largest_first = sorted(jobs, key=lambda j: -j.cost)
    with target.stage() as staging:
        folder = staging / "figures"
        folder.mkdir()
        (staging / "tables").mkdir()
        with share_jobs(
            [partial(render_figure, j, folder, config) for j in largest_first], parallel=parallel
        ) as shared:
            with rep.step("Analyses: Table 1, tumour response"):
                analysis = analyze_study(cohort, config, outcomes)
                results = build_results(analysis, config)
                comparisons = (
                    compare_with_published(results, TEMPLATE_STUDY) if _is_demo(path) else None
                )
                if comparisons is not None:
                    results["published_comparison"] = [c.__dict__ for c in comparisons]
                methods = methods_paragraphs(analysis, config)
                results["methods"] = list(methods)
            with rep.step("Tables: Word, Excel, CSV, LaTeX, Markdown"):
                # python-docx and openpyxl load here, while the child draws (it never needs them)
                from hccsurv.present.render.docx import write_docx
                from hccsurv.present.render.xlsx import write_xlsx

                tables = build_tables(analysis, config, options)
                write_docx(tables.all(), staging / "tables.docx", title=config.study.title)
                write_xlsx(tables.all(), staging / "tables.xlsx")
                for table in tables.all():
                    write_csv(table, staging / "tables" / f"{table.id}.csv")
                    tex, md = table_to_latex(table), table_to_markdown(table)
                    (staging / "tables" / f"{table.id}.tex").write_text(tex, "utf-8")
                    (staging / "tables" / f"{table.id}.md").write_text(md, "utf-8")
            with rep.step("Records: results.json, provenance.json, methods, patient flow"):
                if command_line is None:
                    command_line = {
                        "command": "hccsurv.report.pipeline.run_study",
                        "config_path": None if config_path is None else str(config_path),
                        "out_dir": str(out_dir),
                        "exclude_invalid": exclude_invalid,
                    }
                _write_records(staging, path, config, cohort, results, methods, command_line)
            with rep.step("Figures: Kaplan-Meier, forest and balance plots"):
                shared.finish()
        figures = collect_figures(jobs, folder, config)
        with rep.step("Report"):
            document = build_document(
                analysis, config, tables, figures, methods, options, comparisons
            )
            (staging / "report.html").write_text(render_report(document), encoding="utf-8")

    out_dir = target.path
    files = tuple(sorted(p for p in out_dir.rglob("*") if p.is_file()))
    return StudyOutcome(
        results=results,
        out_dir=out_dir,
        report_path=out_dir / "report.html",
        files=files,
        summary=_summary(analysis, config),
    )
