"""The whole study, analysed: the pure step between a loaded cohort and the report.

:func:`analyze_study` takes a :class:`~hccsurv.data.cohort.Cohort` and the study config and runs
the steps of :data:`STUDY_STEPS`, in manuscript order: Table 1, tumour response (from lesions
through the mRECIST engine, or from a best-response column), then per endpoint the survival summary
(Kaplan-Meier, log-rank, landmark rates, RMST, follow-up), the Cox model building (univariate
screening, multivariable model) and the proportional-hazards check of the final model; and the
propensity-score adjustment (matching or weighting, balance, adjusted outcomes) when the config
asks. The result is one frozen :class:`~hccsurv.analysis.results.StudyResults`.

Every analysis leaves an :class:`~hccsurv.analysis.results.AnalysisRecord`; one that cannot be
estimated on the data is recorded "not estimable" with the reason and the study goes on, unless
the config's ``[analysis] required`` names it (then :class:`~hccsurv.errors.NotEstimableError`
ends the run). It reads no file (the lesion table comes with the cohort) and writes nothing.

A new analysis is one more :class:`StudyStep` in :data:`STUDY_STEPS`: its function returns a
:class:`~hccsurv.core._result.Result` that lands in ``StudyResults.more`` and results.json under
the step's name; its tables are registered in ``hccsurv.present.study_tables.MORE_TABLES``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from hccsurv.analysis._isolate import attempt
from hccsurv.analysis.adjust import AdjustedAnalysis, adjust_study
from hccsurv.analysis.comparisons import analyze_pairwise, analyze_subgroups, strata_labels
from hccsurv.analysis.competing_study import CompetingAnalysis, competing_analysis
from hccsurv.analysis.coxph import CoxModel
from hccsurv.analysis.models import build_cox_models
from hccsurv.analysis.published import TEMPLATE_STUDY, compare_with_published
from hccsurv.analysis.response import response_summary
from hccsurv.analysis.results import (
    ESTIMATED,
    NOT_ESTIMABLE,
    PH_ALPHA,
    AnalysisRecord,
    EndpointAnalysis,
    ResponseAnalysis,
    StudyResults,
)
from hccsurv.analysis.safety import analyze_adverse_events, analyze_exposure
from hccsurv.analysis.survival import summarize_endpoint
from hccsurv.analysis.table1 import BaselineTable, baseline_table
from hccsurv.analysis.time_varying import TimeVaryingAnalysis, response_time_analysis
from hccsurv.clinical.response import ResponseAssessment, assess_response
from hccsurv.config import ResponseConfig, StudyConfig
from hccsurv.core.zph import ZphResult
from hccsurv.data.cohort import Cohort
from hccsurv.errors import ConfigError, HccsurvWarning, NotEstimableError, Problem

T = TypeVar("T")
Advance = Callable[[int], None]


class Recorder:
    """The records of a study's analyses, in run order, and the check of ``[analysis] required``.

    ``required`` holds record keys or their prefixes: ``"OS"`` requires every analysis of the OS
    endpoint, ``"OS.logrank"`` only its log-rank test, ``"adjust"`` the propensity-score
    adjustment.
    """

    def __init__(self, required: Sequence[str] = ()) -> None:
        self.required = tuple(required)
        self.records: list[AnalysisRecord] = []

    def run(
        self,
        key: str,
        title: str,
        fn: Callable[[], T],
        *,
        n: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> T | None:
        """Run one analysis and record it; ``None`` when it cannot be estimated."""
        tried = attempt(fn)
        self.add(key, title, tried.reason, n=n, options=options, warnings=tried.warnings)
        return tried.value

    def add(
        self,
        key: str,
        title: str,
        reason: str | None,
        *,
        n: int | None = None,
        options: dict[str, Any] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Record an analysis (``reason`` set: not estimable); a required one that failed ends
        the run with :class:`~hccsurv.errors.NotEstimableError`."""
        if reason is not None and any(key == r or key.startswith(r + ".") for r in self.required):
            raise NotEstimableError(
                f"the required analysis '{title}' ({key}) cannot be estimated: {reason}. "
                f"Fix the data, or remove '{key}' from [analysis] required in the config to "
                "report it as not estimable and go on."
            )
        self.records.append(
            AnalysisRecord(
                key=key,
                title=title,
                status=ESTIMATED if reason is None else NOT_ESTIMABLE,
                reason=reason,
                n=n,
                options=dict(options or {}),
                warnings=tuple(warnings),
            )
        )


def _baseline(cohort: Cohort, config: StudyConfig) -> BaselineTable:
    return baseline_table(
        cohort.frame,
        cohort.group_column,
        cohort.groups,
        config.baseline,
        categorical_rule=config.tables.categorical_test,
        t_test=config.tables.t_test,
        smd=config.tables.smd,
        fisher_max_levels=config.tables.fisher_max_levels,
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
    if cohort.lesions is not None:
        start_col = next(
            (ep.start for ep in config.endpoints.values() if ep.start is not None), None
        )
        assessment = assess_response(
            cohort.lesions,
            r.rules,
            r.lesion_columns,
            treatment_start=_dates(frame, cohort.id_column, start_col),
            death_dates=_dates(frame, cohort.id_column, config.study.death_column),
        )
        best = assessment.best.to_frame()
        by_patient = pd.Series(best["bor"].to_numpy(), index=best["patient_id"].astype(str))
        bor = ids.map(by_patient).fillna("NE").rename("bor")
    else:
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


def _logrank_strata(data: pd.DataFrame, config: StudyConfig) -> np.ndarray | None:
    """One stratum label per row (the ``[cox] strata`` values joined, as R ``strata(a, b)``)
    when the log-rank tests are stratified."""
    if not (config.cox.strata and config.cox.stratify_logrank):
        return None
    labels: np.ndarray = strata_labels(data, config.cox.strata)
    return labels


def _logrank_options(config: StudyConfig) -> dict[str, Any]:
    if config.cox.strata and config.cox.stratify_logrank:
        return {"strata": list(config.cox.strata)}
    return {}


def _endpoint(
    cohort: Cohort, config: StudyConfig, name: str, log: Recorder, advance: Advance
) -> EndpointAnalysis:
    ep = config.endpoints[name]
    time_col, event_col = cohort.endpoints[name]
    frame = cohort.frame
    usable = frame[time_col].notna() & frame[event_col].notna()
    data = frame.loc[usable]
    n = int(usable.sum())
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
        strata=_logrank_strata(data, config),
    )
    pieces: list[tuple[str, str, dict[str, Any]]] = [
        ("km", "Kaplan-Meier estimates", {"conf_type": summary.conf_type}),
        ("logrank", "log-rank test", {"rho": 0, **_logrank_options(config)}),
    ]
    if len(cohort.groups) == 2:
        pieces.append(
            ("landmark", "survival differences at the landmarks", {"at": config.study.landmarks})
        )
    if config.study.rmst_horizon is not None:
        pieces.append(("rmst", "restricted mean survival time", {"tau": config.study.rmst_horizon}))
    for piece, what, options in pieces:
        log.add(
            f"{name}.{piece}",
            f"{ep.label}: {what}",
            summary.not_estimable.get(piece),
            n=n,
            options=options,
        )
    advance(1)
    models = None
    zph: ZphResult | None = None
    violated: tuple[str, ...] = ()
    if config.cox.candidates:
        refs = {c.column: c.reference for c in config.cox.candidates if c.reference is not None}
        with warnings.catch_warnings():
            # each model keeps its warnings (monotone likelihood) in ``.warnings`` for its record
            warnings.simplefilter("ignore", HccsurvWarning)
            models = build_cox_models(
                data,
                time_col,
                event_col,
                [c.column for c in config.cox.candidates],
                reference=refs,
                threshold=config.cox.threshold,
                forced=forced_covariates(config),
                selection=config.cox.selection,
                strata=list(config.cox.strata) or None,
                ties=config.cox.ties,
            )
        fitted = {m.covariates[0]: m for m in models.univariate}
        options = {
            "ties": config.cox.ties,
            "threshold": config.cox.threshold,
            "selection": config.cox.selection,
            "forced": list(models.forced),
            "strata": list(config.cox.strata),
        }
        for c in config.cox.candidates:
            model = fitted.get(c.column)
            log.add(
                f"{name}.cox.univariate.{c.column}",
                f"{ep.label}: univariate Cox model of {c.label or c.column}",
                models.not_estimable.get(c.column),
                n=None if model is None else model.n,
                options={**options, "reference": c.reference},
                warnings=() if model is None else model.warnings,
            )
            advance(1)
        multi = models.multivariable
        if models.selected:
            log.add(
                f"{name}.cox.multivariable",
                f"{ep.label}: multivariable Cox model",
                models.not_estimable.get("multivariable"),
                n=None if multi is None else multi.n,
                options={**options, "covariates": list(models.selected)},
                warnings=() if multi is None else multi.warnings,
            )
        if multi is not None:
            zph = log.run(
                f"{name}.zph",
                f"{ep.label}: proportional-hazards test (cox.zph)",
                partial(_zph, multi),
                n=multi.n,
                options={"transform": "km"},
            )
            if zph is None:
                notes.append(
                    "proportional-hazards test not available: " + str(log.records[-1].reason)
                )
            else:
                violated = tuple(r.term for r in zph.rows if r.p < PH_ALPHA)
        advance(1)
    return EndpointAnalysis(
        name=name,
        label=ep.label,
        summary=summary,
        models=models,
        zph_multivariable=zph,
        ph_violated=violated,
        notes=tuple(notes) + summary.notes,
    )


def forced_covariates(config: StudyConfig) -> tuple[str, ...]:
    """``[cox] forced``; by default the group column when it is a candidate, so that the
    treatment contrast never drops out of the multivariable model."""
    if config.cox.forced is not None:
        return tuple(config.cox.forced)
    group = config.groups.column
    return (group,) if any(c.column == group for c in config.cox.candidates) else ()


def _zph(model: CoxModel) -> ZphResult:
    """cox.zph of ``model``; it regresses residuals on event time, so it needs two event times."""
    times = np.unique(model.data.time[model.data.event > 0])
    if times.size < 2:
        raise NotEstimableError(
            f"all events at one time ({times[0]:g}): the proportional-hazards test regresses "
            "the Schoenfeld residuals on event time and needs at least two event times"
        )
    return model.zph()


def _adjusted(cohort: Cohort, config: StudyConfig) -> AdjustedAnalysis:
    a = config.adjust
    assert a is not None  # the step runs only when the config has [adjust]
    references = {c.column: c.reference for c in config.cox.candidates if c.reference is not None}
    return adjust_study(
        cohort.frame,
        cohort.endpoints,
        cohort.group_column,
        cohort.groups,
        a,
        references={k: v for k, v in references.items() if k in a.covariates},
        rmst_tau=config.study.rmst_horizon,
        labels=config.variable_labels,
    )


def analyze_baseline(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> BaselineTable | None:
    """Table 1 (``None`` without ``[[baseline]]`` rows)."""
    if not config.baseline:
        return None
    table = log.run(
        "baseline",
        "Baseline characteristics (Table 1)",
        lambda: _baseline(cohort, config),
        n=cohort.flow.analysed,
        options=config.tables.model_dump(),
    )
    advance(1)
    return table


def analyze_response(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> ResponseAnalysis | None:
    """Best overall response and ORR/DCR (``None`` without ``[response]``)."""
    if config.response is None:
        return None
    options = TypeAdapter(ResponseConfig).dump_python(config.response, mode="json")
    del options["lesion_columns"]
    response = log.run(
        "response",
        "Tumour response",
        lambda: _response(cohort, config),
        n=cohort.flow.analysed,
        options=options,
    )
    advance(1)
    return response


def analyze_endpoints(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> tuple[EndpointAnalysis, ...]:
    """Per endpoint: survival summary, Cox models and the PH test of the final model."""
    return tuple(_endpoint(cohort, config, name, log, advance) for name in config.endpoints)


def analyze_adjustment(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> AdjustedAnalysis | None:
    """The propensity-score adjustment (``None`` without ``[adjust]``)."""
    if config.adjust is None:
        return None
    adjusted = log.run(
        "adjust",
        f"Propensity-score {config.adjust.method}",
        lambda: _adjusted(cohort, config),
        n=cohort.flow.analysed,
        options=config.adjust.model_dump(),
    )
    if adjusted is not None:
        for endpoint, reason in adjusted.not_estimable.items():
            log.add(f"adjust.{endpoint}", f"Adjusted comparison of {endpoint}", reason)
    advance(1)
    return adjusted


def _time_varying(cohort: Cohort, config: StudyConfig) -> TimeVaryingAnalysis:
    tv = config.time_varying
    assert tv is not None  # the step runs only when the config has [time_varying]
    start_col = config.endpoints[tv.endpoint].start
    if start_col is None:
        raise NotEstimableError(
            f"endpoint {tv.endpoint} is given as a ready time, without the start date that "
            "places the response on its time scale"
        )
    response = _response(cohort, config)
    if response is None or response.assessment is None:
        raise NotEstimableError('no response dates: [response] needs source = "lesions"')
    best = response.assessment.best.to_frame()
    dates = pd.to_datetime(best["first_response_date"].replace("", None))
    first = (
        cohort.frame[cohort.id_column]
        .astype(str)
        .map(pd.Series(dates.to_numpy(), index=best["patient_id"].astype(str)))
    )
    start = pd.to_datetime(cohort.frame[start_col])
    time_col, event_col = cohort.endpoints[tv.endpoint]
    return response_time_analysis(
        cohort.frame,
        cohort.id_column,
        time_col,
        event_col,
        (first - start).dt.days / config.days_per_unit,
        tv.landmarks,
        endpoint=tv.endpoint,
        unit=config.study.time_unit,
    )


def analyze_time_varying(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> TimeVaryingAnalysis | None:
    """The endpoint by response: naive, landmark and time-varying (``[time_varying]``)."""
    if config.time_varying is None:
        return None
    tv = config.time_varying
    result = log.run(
        "time_varying",
        f"{tv.endpoint} by response: landmark and time-varying analyses",
        lambda: _time_varying(cohort, config),
        n=cohort.flow.analysed,
        options=tv.model_dump(),
    )
    advance(1)
    return result


def analyze_competing(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> CompetingAnalysis | None:
    """Competing risks of the endpoints with competing events (``None`` when there is none)."""
    result = competing_analysis(
        cohort,
        {name: ep.label for name, ep in config.endpoints.items()},
        variable_labels=dict(config.cox_labels),
        landmarks=tuple(config.study.landmarks),
        candidates=tuple(c.column for c in config.cox.candidates),
        references={c.column: c.reference for c in config.cox.candidates if c.reference},
        threshold=config.cox.threshold,
        ties=config.cox.ties,
        log=log,
    )
    advance(1)
    return result


@dataclass(frozen=True)
class StudyStep:
    """One analysis of the study: the ``StudyResults`` field it fills (any other name: its key in
    ``StudyResults.more`` and results.json), how to run it, and how many items its progress bar
    counts (``None``: no bar)."""

    field: str
    title: str
    run: Callable[[Cohort, StudyConfig, Recorder, Advance], object]
    items: Callable[[StudyConfig], int | None]


def _endpoint_items(config: StudyConfig) -> int:
    per_endpoint = 1 + (len(config.cox.candidates) + 1 if config.cox.candidates else 0)
    return len(config.endpoints) * per_endpoint


STUDY_STEPS: tuple[StudyStep, ...] = (
    StudyStep("baseline", "Table 1: baseline characteristics", analyze_baseline, lambda c: None),
    StudyStep("response", "Tumour response", analyze_response, lambda c: None),
    StudyStep(
        "endpoints",
        "Survival: Kaplan-Meier, log-rank, RMST, Cox models, PH tests",
        analyze_endpoints,
        _endpoint_items,
    ),
    StudyStep("pairwise", "Pairwise comparisons of the groups", analyze_pairwise, lambda c: None),
    StudyStep("subgroups", "Subgroup analyses", analyze_subgroups, lambda c: None),
    StudyStep("adjusted", "Propensity-score adjustment", analyze_adjustment, lambda c: None),
    StudyStep("adverse_events", "Adverse events (CTCAE)", analyze_adverse_events, lambda c: None),
    StudyStep("exposure", "Treatment exposure", analyze_exposure, lambda c: None),
    StudyStep(
        "time_varying", "Landmark and time-varying analyses", analyze_time_varying, lambda c: None
    ),
    StudyStep("competing", "Competing risks", analyze_competing, lambda c: None),
)


def required_keys_problems(config: StudyConfig) -> list[Problem]:
    """``[analysis] required`` entries that name no analysis of this config."""
    roots = {
        *config.endpoints,
        "baseline",
        "response",
        "adjust",
        "adverse_events",
        "exposure",
        "time_varying",
    }
    return [
        Problem(
            where=f"analysis.required[{i}]",
            message=f"'{key}' names no analysis; use one of {sorted(roots)} or a key of "
            "results.json's 'analyses' such as 'OS.logrank'",
        )
        for i, key in enumerate(config.analysis.required)
        if key.split(".")[0] not in roots
    ]


def study_results(
    cohort: Cohort,
    config: StudyConfig,
    values: dict[str, Any],
    log: Recorder,
    *,
    compare_published: bool = False,
) -> StudyResults:
    """Assemble the results of the :data:`STUDY_STEPS` (a step whose name is not a field of
    :class:`StudyResults` goes into ``StudyResults.more``); with ``compare_published`` (the
    demo) add the comparison with the template study's paper."""
    fields = {f.name for f in dataclasses.fields(StudyResults)}
    results = StudyResults(
        config=config,
        cohort=cohort,
        warnings=tuple(cohort.warnings),
        analyses=tuple(log.records),
        **{k: v for k, v in values.items() if k in fields},
        more={k: v for k, v in values.items() if k not in fields},
    )
    if compare_published:
        comparisons = compare_with_published(results.to_dict(), TEMPLATE_STUDY)
        results = dataclasses.replace(results, published=comparisons)
    return results


def _ignore(k: int) -> None:
    del k


def analyze_study(
    cohort: Cohort, config: StudyConfig, *, compare_published: bool = False
) -> StudyResults:
    """Run every analysis the config describes on ``cohort`` (:data:`STUDY_STEPS`)."""
    problems = required_keys_problems(config)
    if problems:
        raise ConfigError("Invalid study config", problems)
    log = Recorder(config.analysis.required)
    values = {step.field: step.run(cohort, config, log, _ignore) for step in STUDY_STEPS}
    return study_results(cohort, config, values, log, compare_published=compare_published)
