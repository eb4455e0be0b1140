"""Assemble the HTML report of a run: sections in manuscript order, each result with its
warnings, the methods paragraph, and (for the demo) the published-vs-demo appendix."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hccsurv.analysis.study import StudyAnalysis
from hccsurv.clinical.response import ReaderAgreement
from hccsurv.config import StudyConfig
from hccsurv.present.format import FormatOptions, format_n_pct, format_number
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
from hccsurv.present.table import Column, Row, Table
from hccsurv.present.tables.zph import zph_table
from hccsurv.report.figures import SavedFigure
from hccsurv.report.provenance import software_versions
from hccsurv.report.published import Comparison
from hccsurv.report.tables import StudyTables


def _flow(analysis: StudyAnalysis, config: StudyConfig) -> FlowDiagram:
    flow = analysis.cohort.flow
    names = config.groups.display_names
    return FlowDiagram(
        steps=(
            FlowStep(
                "Patients in the data file",
                flow.read,
                tuple((e.reason, e.count) for e in flow.excluded),
            ),
            FlowStep("Patients analysed", flow.analysed),
        ),
        branches=tuple((names.get(g, g), n) for g, n in flow.analysed_by_group.items()),
    )


def _analysis_columns(config: StudyConfig) -> list[str]:
    """Columns the analyses use as variables (event dates are not 'missing' when empty)."""
    cols = [b.column for b in config.baseline] + [c.column for c in config.cox.candidates]
    if config.adjust is not None:
        cols += list(config.adjust.covariates)
    return list(dict.fromkeys(cols))


def _missing_table(analysis: StudyAnalysis, config: StudyConfig) -> Table | None:
    counts = analysis.cohort.flow.missing
    missing = {c: counts[c] for c in _analysis_columns(config) if counts.get(c)}
    if not missing:
        return None
    n = analysis.cohort.flow.analysed
    return Table(
        id="missing",
        title="Missing values among the patients analysed",
        columns=(Column("column", "Variable", "left"), Column("n", "Missing, n (%)")),
        rows=tuple(Row((k, format_n_pct(v, n))) for k, v in missing.items()),
        data=pd.DataFrame({"column": list(missing), "missing": list(missing.values())}),
    )


def _figure(fig: SavedFigure) -> Figure:
    return Figure(png=fig.png, caption=fig.caption, alt=fig.alt)


def _published_table(comparisons: Sequence[Comparison], options: FormatOptions) -> Table:
    def text(x: float | None, exact: bool) -> str:
        if x is None:
            return options.not_applicable
        if exact:  # counts: 66, not 66.0
            return format_number(x, 0, options=options)
        return format_number(x, 3 if abs(x) < 1 else 1, options=options)

    verdict = {True: "yes", False: "NO", None: "shown only"}
    tol = {
        "exact": "exact",
        "relative-15%": "within 15 %",
        "absolute-0.1": "within 0.1",
        "shown": "–",
    }
    rows = tuple(
        Row(
            (
                c.quantity,
                text(c.published, c.tolerance == "exact"),
                text(c.observed, c.tolerance == "exact"),
                tol[c.tolerance],
                verdict[c.within],
            )
        )
        for c in comparisons
    )
    return Table(
        id="published",
        title="Appendix. The demo cohort against the published results",
        columns=(
            Column("quantity", "Quantity", "left"),
            Column("published", "Published"),
            Column("demo", "Demo cohort"),
            Column("tolerance", "Calibration target"),
            Column("within", "Met"),
        ),
        rows=rows,
        footnotes=(
            "The study's patient data were not published; the demo cohort is simulated to "
            "reproduce its design and margins. Published values from the template study.",
        ),
        data=pd.DataFrame([c.__dict__ for c in comparisons]),
    )


def build_document(
    analysis: StudyAnalysis,
    config: StudyConfig,
    tables: StudyTables,
    figures: Sequence[SavedFigure],
    methods: Sequence[str],
    options: FormatOptions,
    published: Sequence[Comparison] | None,
) -> ReportDocument:
    """The report: methods, patient flow, Table 1, response, survival, Cox, appendix."""
    by_name = {f.name: f for f in figures}
    labels = config.cox_labels
    sections: list[Section] = [
        Section("methods", "Statistical methods", tuple(Paragraph(p) for p in methods)),
    ]
    flow_blocks: list[Block] = [_flow(analysis, config)]
    missing = _missing_table(analysis, config)
    if missing is not None:
        flow_blocks.append(missing)
    if analysis.cohort.warnings:
        flow_blocks.append(Warnings(tuple(analysis.cohort.warnings)))
    sections.append(Section("flow", "Patient flow", tuple(flow_blocks)))
    if tables.baseline is not None and analysis.baseline is not None:
        notes = tuple(analysis.baseline.notes)
        sections.append(
            Section("baseline", "Baseline characteristics", (tables.baseline, Warnings(notes)))
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
        if ep.notes:
            survival_blocks.append(Warnings(ep.notes))
    sections.append(Section("survival", "Survival", tuple(survival_blocks)))
    cox_sections = []
    cox_by_id = {t.id: t for t in tables.cox}
    for ep in analysis.endpoints:
        if ep.models is None:
            continue
        blocks = [
            cox_by_id[f"cox_{ep.name.lower()}"],
            _figure(by_name[f"forest_{ep.name.lower()}"]),
        ]
        warnings = sorted(
            {w for m in (*ep.models.univariate, ep.models.multivariable) if m for w in m.warnings}
        )
        if ep.zph_multivariable is not None:
            blocks.append(
                zph_table(
                    ep.zph_multivariable,
                    endpoint_label=ep.label,
                    variable_labels=labels,
                    options=options,
                    table_id=f"zph_{ep.name.lower()}",
                )
            )
            names = {**labels, "GLOBAL": "the model as a whole (global test)"}
            violated = [names.get(r.term, r.term) for r in ep.zph_multivariable.rows if r.p < 0.05]
            if violated:
                warnings.append(
                    "Proportional hazards may not hold (cox.zph p < 0.05) for: "
                    + "; ".join(violated)
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
                    Warnings(tuple(adj.warnings)),
                ),
            )
        )
    if published is not None:
        sections.append(
            Section(
                "appendix",
                "Appendix: demo cohort vs published results",
                (_published_table(published, options),),
            )
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
