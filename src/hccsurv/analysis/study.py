"""The whole study, analysed: the pure step between a loaded cohort and the report.

:func:`analyze_study` takes a :class:`~hccsurv.data.cohort.Cohort` and the study config and runs,
in manuscript order: Table 1, tumour response (from lesions through the mRECIST engine, or from a
best-response column), then per endpoint the survival summary (Kaplan-Meier, log-rank, landmark
rates, RMST, follow-up), the Cox model building (univariate screening, multivariable model) and the
proportional-hazards check of each model; and the propensity-score adjustment (matching or
weighting, balance, adjusted outcomes) when the config asks.
It reads no file except the lesion table the config names and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hccsurv.analysis.adjust import AdjustedAnalysis, adjust_study
from hccsurv.analysis.models import ModelBuilding, build_cox_models
from hccsurv.analysis.response import ResponseSummary, response_summary
from hccsurv.analysis.survival import EndpointSummary, summarize_endpoint
from hccsurv.analysis.table1 import BaselineTable, BaselineVariable, baseline_table
from hccsurv.clinical.response import (
    LesionColumns,
    ResponseAssessment,
    ResponseRules,
    assess_response,
)
from hccsurv.config import ResponseConfig, StudyConfig
from hccsurv.core.zph import ZphResult
from hccsurv.data.cohort import Cohort
from hccsurv.data.readers import read_table
from hccsurv.errors import ConfigError, HccsurvError, Problem


@dataclass(frozen=True)
class EndpointAnalysis:
    """One endpoint: survival summary, Cox model building and PH checks."""

    name: str
    label: str
    summary: EndpointSummary
    models: ModelBuilding | None
    zph_multivariable: ZphResult | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ResponseAnalysis:
    """Best responses per patient and their summary; ``assessment`` when from lesions."""

    source: str
    rule_text: str
    best_response: pd.Series
    summary: ResponseSummary
    assessment: ResponseAssessment | None


@dataclass(frozen=True)
class OutcomeAnalyses:
    """The time-to-event part of a study: every endpoint and the confounding adjustment.

    It is all the figures need, so a run can start drawing them while the response engine and
    Table 1 are still being computed (see :func:`analyze_outcomes`).
    """

    endpoints: tuple[EndpointAnalysis, ...]
    adjusted: AdjustedAnalysis | None


@dataclass(frozen=True)
class StudyAnalysis:
    """Every analysis of a study, in manuscript order."""

    cohort: Cohort
    baseline: BaselineTable | None
    response: ResponseAnalysis | None
    endpoints: tuple[EndpointAnalysis, ...]
    adjusted: AdjustedAnalysis | None
    warnings: tuple[str, ...]


def _baseline(cohort: Cohort, config: StudyConfig) -> BaselineTable | None:
    if not config.baseline:
        return None
    variables = [
        BaselineVariable(
            column=b.column,
            label=b.label or b.column,
            kind=b.kind,
            levels=tuple(b.levels) if b.levels else None,
        )
        for b in config.baseline
    ]
    return baseline_table(
        cohort.frame,
        cohort.group_column,
        cohort.groups,
        variables,
        categorical_rule=config.tables.categorical_test,
        t_test=config.tables.t_test,
        smd=config.tables.smd,
        fisher_max_levels=config.tables.fisher_max_levels,
    )


def _rules(r: ResponseConfig) -> ResponseRules:
    return ResponseRules(
        criteria=r.criteria,
        confirm_days=r.confirm_days,
        sd_min_days=r.sd_min_days,
        max_nr_ne=r.max_nr_ne,
        accept_sd=r.accept_sd,
        denominator=r.denominator,
        adjudication=r.adjudication,
    )


def _dates(frame: pd.DataFrame, id_col: str, col: str | None) -> dict[str, object]:
    if col is None or col not in frame:
        return {}
    values = frame[[id_col, col]].dropna()
    return dict(zip(values[id_col].astype(str), values[col], strict=True))


def _response(cohort: Cohort, config: StudyConfig) -> ResponseAnalysis | None:
    r = config.response
    if r is None:
        return None
    frame = cohort.frame
    ids = frame[cohort.id_column].astype(str)
    assessment: ResponseAssessment | None = None
    if r.source == "lesions":
        if r.lesion_file is None:
            raise ConfigError(
                "Invalid study config",
                [
                    Problem(
                        where="response.lesion_file", message="source = 'lesions' needs lesion_file"
                    )
                ],
            )
        lesions = read_table(config.resolve(r.lesion_file))
        lesions = lesions[lesions[r.lesion_columns.patient_id].astype(str).isin(set(ids))]
        start_col = next(
            (ep.start for ep in config.endpoints.values() if ep.start is not None), None
        )
        assessment = assess_response(
            lesions,
            _rules(r),
            LesionColumns(**r.lesion_columns.model_dump()),
            treatment_start=_dates(frame, cohort.id_column, start_col),
            death_dates=_dates(frame, cohort.id_column, config.study.death_column),
        )
        best = assessment.best.to_frame()
        by_patient = pd.Series(best["bor"].to_numpy(), index=best["patient_id"].astype(str))
        bor = ids.map(by_patient).fillna("NE").rename("bor")
    else:
        if r.best_response is None:
            raise ConfigError(
                "Invalid study config",
                [
                    Problem(
                        where="response.best_response",
                        message="source = 'column' needs best_response",
                    )
                ],
            )
        bor = frame[r.best_response].fillna("NE").astype(str).str.upper()
    summary = response_summary(
        bor.to_numpy(),
        frame[cohort.group_column].astype(str).to_numpy(),
        cohort.groups,
        denominator=r.denominator,
        categorical_rule=config.tables.categorical_test,
    )
    if assessment is not None:
        rules = assessment.rules
        rule_text = (
            f"{rules.version}; CR/PR confirmed by a scan at least {rules.confirm_days} days later; "
            f"SD at least {rules.sd_min_days} days after the start of treatment"
        )
    else:
        rule_text = f"as recorded in column '{r.best_response}'"
    return ResponseAnalysis(
        source=r.source,
        rule_text=rule_text,
        best_response=bor,
        summary=summary,
        assessment=assessment,
    )


def _endpoint(cohort: Cohort, config: StudyConfig, name: str) -> EndpointAnalysis:
    ep = config.endpoints[name]
    time_col, event_col = cohort.endpoints[name]
    frame = cohort.frame
    usable = frame[time_col].notna() & frame[event_col].notna()
    data = frame.loc[usable]
    notes: list[str] = []
    if int((~usable).sum()):
        notes.append(f"{int((~usable).sum())} patient(s) without a usable {name} time or event")
    summary = summarize_endpoint(
        name,
        data[time_col].to_numpy(dtype=float),
        data[event_col].to_numpy(dtype=float),
        data[cohort.group_column].astype(str).to_numpy(),
        cohort.groups,
        label=ep.label,
        time_unit=cohort.time_unit,
        landmarks=tuple(config.study.landmarks),
        tau=config.study.rmst_horizon,
    )
    models: ModelBuilding | None = None
    zph: ZphResult | None = None
    if config.cox.candidates:
        refs = {c.column: c.reference for c in config.cox.candidates if c.reference is not None}
        models = build_cox_models(
            data,
            time_col,
            event_col,
            [c.column for c in config.cox.candidates],
            reference=refs,
            threshold=config.cox.threshold,
            ties=config.cox.ties,
        )
        if models.multivariable is not None:
            try:
                zph = models.multivariable.zph()
            except HccsurvError as error:
                notes.append(f"proportional-hazards test not available: {error}")
    return EndpointAnalysis(
        name=name,
        label=ep.label,
        summary=summary,
        models=models,
        zph_multivariable=zph,
        notes=tuple(notes) + summary.notes,
    )


def _adjusted(cohort: Cohort, config: StudyConfig) -> AdjustedAnalysis | None:
    a = config.adjust
    if a is None:
        return None
    references = {c.column: c.reference for c in config.cox.candidates if c.reference is not None}
    options = {
        **a.model_dump(),
        "references": {k: v for k, v in references.items() if k in a.covariates},
        "rmst_tau": config.study.rmst_horizon,
    }
    return adjust_study(
        cohort.frame,
        cohort.endpoints,
        cohort.group_column,
        cohort.groups,
        options,
        labels=config.variable_labels,
    )


def analyze_outcomes(cohort: Cohort, config: StudyConfig) -> OutcomeAnalyses:
    """Every endpoint (survival summary, Cox models, PH checks) and the adjustment."""
    return OutcomeAnalyses(
        endpoints=tuple(_endpoint(cohort, config, name) for name in config.endpoints),
        adjusted=_adjusted(cohort, config),
    )


def analyze_study(
    cohort: Cohort, config: StudyConfig, outcomes: OutcomeAnalyses | None = None
) -> StudyAnalysis:
    """Run every analysis the config describes on ``cohort``.

    ``outcomes`` are the endpoint and adjustment analyses when :func:`analyze_outcomes` has
    already run them on the same cohort and config.
    """
    if outcomes is None:
        outcomes = analyze_outcomes(cohort, config)
    return StudyAnalysis(
        cohort=cohort,
        baseline=_baseline(cohort, config),
        response=_response(cohort, config),
        endpoints=outcomes.endpoints,
        adjusted=outcomes.adjusted,
        warnings=tuple(cohort.warnings),
    )
