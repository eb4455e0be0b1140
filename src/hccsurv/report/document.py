"""Assemble the HTML report of a run: sections in manuscript order, each result with its
warnings, the methods paragraph, and (for the demo) the published-vs-demo appendix."""

from __future__ import annotations

from collections.abc import Sequence

from hccsurv.analysis.results import StudyResults
from hccsurv.analysis.study import STUDY_STEPS
from hccsurv.clinical.response import ReaderAgreement
from hccsurv.config import StudyConfig
from hccsurv.present.report_html import (
    Block,
    Figure,
    FlowDiagram,
    FlowStep,
    Paragraph,
    ReportDocument,
    Section,
    Warnings,
)
from hccsurv.present.study_tables import StudyTables
from hccsurv.report.figures import SavedFigure
from hccsurv.report.provenance import software_versions


def _flow(analysis: StudyResults, config: StudyConfig) -> FlowDiagram:
    flow = analysis.cohort.flow
    names = config.groups.display_names
    return FlowDiagram(
        steps=(
            FlowStep(
                f"Patients in the data file ({flow.note})"
                if flow.note
                else "Patients in the data file",
                flow.read,
                tuple((e.reason, e.count) for e in flow.excluded),
            ),
            FlowStep("Patients analysed", flow.analysed),
        ),
        branches=tuple((names.get(g, g), n) for g, n in flow.analysed_by_group.items()),
    )


def _figure(fig: SavedFigure) -> Figure:
    return Figure(png=fig.png, caption=fig.caption, alt=fig.alt)


def _not_estimable(results: StudyResults, *prefixes: str) -> tuple[str, ...]:
    """The not-estimable analyses whose key starts with one of ``prefixes``, with the reason."""
    return tuple(
        f"Not estimable: {r.title} ({r.reason})."
        for r in results.not_estimable
        if any(r.key == p or r.key.startswith(p + ".") for p in prefixes)
    )


def build_document(
    analysis: StudyResults,
    tables: StudyTables,
    figures: Sequence[SavedFigure],
    methods: Sequence[str],
) -> ReportDocument:
    """The report: methods, patient flow, Table 1, response, survival, Cox, adjustment, appendix.

    An analysis that could not be estimated is named, with its reason, in its section.
    """
    config = analysis.config
    by_name = {f.name: f for f in figures}
    labels = config.cox_labels
    sections: list[Section] = [
        Section("methods", "Statistical methods", tuple(Paragraph(p) for p in methods)),
    ]
    flow_blocks: list[Block] = [_flow(analysis, config)]
    if tables.missing is not None:
        flow_blocks.append(tables.missing)
    if analysis.cohort.warnings:
        flow_blocks.append(Warnings(tuple(analysis.cohort.warnings)))
    sections.append(Section("flow", "Patient flow", tuple(flow_blocks)))
    if tables.baseline is not None and analysis.baseline is not None:
        notes = tuple(analysis.baseline.notes)
        sections.append(
            Section("baseline", "Baseline characteristics", (tables.baseline, Warnings(notes)))
        )
    elif config.baseline:
        sections.append(
            Section(
                "baseline",
                "Baseline characteristics",
                (Warnings(_not_estimable(analysis, "baseline")),),
            )
        )
    if config.response is not None and analysis.response is None:
        sections.append(
            Section(
                "response", "Tumour response", (Warnings(_not_estimable(analysis, "response")),)
            )
        )
    if tables.response is not None and analysis.response is not None:
        blocks: list[Block] = [tables.response]
        a = analysis.response.assessment
        if a is not None:
            if a.agreement is not None:
                blocks.append(Paragraph(_agreement_text(a.agreement)))
            blocks.append(Warnings(tuple(str(w) for w in a.warnings)))
        sections.append(Section("response", "Tumour response", tuple(blocks)))
    survival_blocks: list[Block] = [tables.survival]
    for ep in analysis.endpoints:
        survival_blocks.append(_figure(by_name[f"km_{ep.name.lower()}"]))
        pieces = (f"{ep.name}.{p}" for p in ("km", "logrank", "landmark", "rmst"))
        notes = (*ep.notes, *_not_estimable(analysis, *pieces))
        if notes:
            survival_blocks.append(Warnings(notes))
    sections.append(Section("survival", "Survival", tuple(survival_blocks)))
    cox_sections = []
    cox_by_id = {t.id: t for t in tables.cox}
    zph_by_id = {t.id: t for t in tables.zph}
    for ep in analysis.endpoints:
        if ep.models is None:
            continue
        blocks = [cox_by_id[f"cox_{ep.name.lower()}"]]
        if f"forest_{ep.name.lower()}" in by_name:
            blocks.append(_figure(by_name[f"forest_{ep.name.lower()}"]))
        warnings = sorted(
            {w for m in (*ep.models.univariate, ep.models.multivariable) if m for w in m.warnings}
        )
        warnings += _not_estimable(analysis, f"{ep.name}.cox", f"{ep.name}.zph")
        zph = zph_by_id.get(f"zph_{ep.name.lower()}")
        if zph is not None:
            blocks.append(zph)
        if ep.ph_violated:
            names = {**labels, "GLOBAL": "the model as a whole (global test)"}
            warnings.append(
                "Proportional hazards may not hold (cox.zph p < 0.05) for: "
                + "; ".join(names.get(t, t) for t in ep.ph_violated)
                + ". Consider a time-varying effect, stratification or a landmark analysis."
            )
        blocks.append(Warnings(tuple(warnings)))
        cox_sections.append(Section(f"cox-{ep.name.lower()}", ep.label, tuple(blocks)))
    if cox_sections:
        sections.append(Section("cox", "Cox regression", subsections=tuple(cox_sections)))
    if analysis.adjusted is not None and tables.balance is not None and tables.adjusted is not None:
        adj = analysis.adjusted
        sections.append(
            Section(
                "adjusted",
                "Confounding adjustment (propensity score)",
                (
                    *(Paragraph(n) for n in adj.notes),
                    tables.balance,
                    _figure(by_name["love"]),
                    tables.adjusted,
                    Warnings((*adj.warnings, *_not_estimable(analysis, "adjust"))),
                ),
            )
        )
    elif config.adjust is not None:
        sections.append(
            Section(
                "adjusted",
                "Confounding adjustment (propensity score)",
                (Warnings(_not_estimable(analysis, "adjust")),),
            )
        )
    step_titles = {step.field: step.title for step in STUDY_STEPS}
    for name in analysis.more:  # further analyses registered in STUDY_STEPS, in their order
        title = next((r.title for r in analysis.analyses if r.key == name), None)
        # a step's figures: those of its section, or named after it (subgroups_os)
        more_figures = [
            _figure(f) for f in figures if f.section == name or f.name.startswith(f"{name}_")
        ]
        # an analysis per endpoint records its pieces as "<endpoint>.<name>...."
        prefixes = (name, *(f"{ep}.{name}" for ep in config.endpoints))
        gaps = _not_estimable(analysis, *prefixes)
        more_tables = tables.more.get(name, ())
        if not (more_tables or more_figures or gaps):
            continue  # a step the config does not ask for (no [subgroups], two groups): no section
        blocks = [*more_tables, *more_figures, Warnings(gaps)]
        sections.append(Section(name, title or step_titles.get(name, name), tuple(blocks)))
    if tables.published is not None:
        sections.append(
            Section("appendix", "Appendix: demo cohort vs published results", (tables.published,))
        )
    versions = software_versions()
    footer = (
        f"Made by hccsurv {versions['hccsurv']} (Python {versions['python']}, numpy "
        f"{versions['numpy']}, scipy {versions['scipy']}). Everything in this file is inline; "
        "it fetches nothing."
    )
    n = analysis.cohort.flow.analysed
    return ReportDocument(
        title=config.study.title,
        subtitle=f"{config.study.design or 'Cohort study'} · {n} patients analysed",
        sections=tuple(sections),
        footer=footer,
        meta={"generator": f"hccsurv {versions['hccsurv']}"},
    )


def _agreement_text(agreement: ReaderAgreement) -> str:
    r1, r2 = agreement.readers
    parts = []
    for what, unweighted, weighted in (
        ("per visit", agreement.visit_kappa, agreement.visit_weighted),
        ("on best overall response", agreement.bor_kappa, agreement.bor_weighted),
    ):
        lo, hi = unweighted.kappa_ci
        wlo, whi = weighted.kappa_ci
        parts.append(
            f"{what} (n = {unweighted.n}): agreement {100 * unweighted.percent_agreement:.1f}%, "
            f"Cohen's kappa {unweighted.kappa:.2f} (95% CI {lo:.2f}–{hi:.2f}), "
            f"{weighted.weights}-weighted kappa {weighted.kappa:.2f} ({wlo:.2f}–{whi:.2f})"
        )
    return f"Agreement of readers {r1} and {r2}: " + "; ".join(parts) + "."
