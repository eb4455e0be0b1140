"""One frozen result for a whole study: every analysis, its status, and results.json.

:class:`StudyResults` is what :mod:`hccsurv.analysis.study` produces and what every view (tables,
figures, methods paragraph, report, terminal summary) reads. Its :meth:`StudyResults.to_dict` *is*
results.json (contract: ``hccsurv/report/results.schema.json``): nothing else builds that file.

Each analysis of the study also has an :class:`AnalysisRecord` (``StudyResults.analyses``): its
key (``OS.logrank``, ``OS.cox.univariate.age``, ``adjust``), its options, the n it used, the
warnings it raised and its status, ``"estimated"`` or ``"not estimable"`` with the reason. An
analysis that cannot be estimated on the data leaves its result ``None`` and the rest of the
study is reported as usual.

Times are in the study's time unit, ``null`` means not reached or not estimable, numbers are
unrounded. Patient identifiers are left out unless the config's ``output.include_identifiers``
is true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from hccsurv.analysis.adjust import AdjustedAnalysis
from hccsurv.analysis.coxph import CoxModel
from hccsurv.analysis.models import ModelBuilding
from hccsurv.analysis.published import Comparison
from hccsurv.analysis.response import ResponseSummary
from hccsurv.analysis.survival import CurveSummary, EndpointSummary
from hccsurv.analysis.table1 import BaselineTable
from hccsurv.core._result import Result, jsonable
from hccsurv.core.zph import ZphResult

if TYPE_CHECKING:
    from hccsurv.clinical.response import ResponseAssessment
    from hccsurv.config import StudyConfig
    from hccsurv.data.cohort import Cohort

Status = Literal["estimated", "not estimable"]
ESTIMATED: Status = "estimated"
NOT_ESTIMABLE: Status = "not estimable"


@dataclass(frozen=True)
class AnalysisRecord(Result):
    """One analysis of the study: what it is, how it was run and whether it could be estimated.

    ``key`` names it in results.json and in ``[analysis] required`` (``OS.logrank``); ``title``
    is how the report and the terminal name it.
    """

    key: str
    title: str
    status: Status
    reason: str | None
    n: int | None
    options: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def estimated(self) -> bool:
        """Whether the analysis gave a result."""
        return self.status == ESTIMATED

    def to_frame(self) -> pd.DataFrame:
        """One row: key, title, status, reason, n."""
        return pd.DataFrame(
            [{k: getattr(self, k) for k in ("key", "title", "status", "reason", "n")}]
        )


@dataclass(frozen=True)
class EndpointAnalysis:
    """One endpoint: survival summary, Cox model building and the PH check of the final model.

    ``ph_violated`` lists the terms (and ``GLOBAL``) whose cox.zph p is below 0.05, the decision
    the report states; empty without a PH test.
    """

    name: str
    label: str
    summary: EndpointSummary
    models: ModelBuilding | None
    zph_multivariable: ZphResult | None
    ph_violated: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ResponseAnalysis:
    """Best responses per patient and their summary; ``assessment`` when from lesions."""

    source: str
    rule_text: str
    best_response: pd.Series
    summary: ResponseSummary
    assessment: ResponseAssessment | None


PH_ALPHA = 0.05


@dataclass(frozen=True)
class StudyResults:
    """Every analysis of a study, in manuscript order, with its record.

    ``config`` and ``cohort`` are what the analyses ran on (the views read labels and the patient
    flow from them); ``published`` is the demo's comparison with the template study's paper.
    ``more`` holds the result of each further analysis registered in
    ``hccsurv.analysis.study.STUDY_STEPS`` under its name (``None`` when not run or not
    estimable); results.json carries its ``to_dict()`` under the same key.
    """

    config: StudyConfig
    cohort: Cohort
    baseline: BaselineTable | None
    response: ResponseAnalysis | None
    endpoints: tuple[EndpointAnalysis, ...]
    adjusted: AdjustedAnalysis | None
    warnings: tuple[str, ...]
    analyses: tuple[AnalysisRecord, ...]
    published: tuple[Comparison, ...] | None = None
    more: dict[str, Result | None] = field(default_factory=dict)

    def record(self, key: str) -> AnalysisRecord:
        """The record of the analysis called ``key`` (``KeyError`` when there is none)."""
        for r in self.analyses:
            if r.key == key:
                return r
        raise KeyError(key)

    @property
    def not_estimable(self) -> tuple[AnalysisRecord, ...]:
        """The analyses that could not be estimated, in run order."""
        return tuple(r for r in self.analyses if not r.estimated)

    def to_dict(self) -> dict[str, Any]:
        """results.json: the contract keys first, then each full result and every record."""
        cohort = self.cohort
        config = self.config
        flow = cohort.flow.to_dict(include_identifiers=config.output.include_identifiers)
        results: dict[str, Any] = {
            "study": {
                "title": config.study.title,
                "design": config.study.design,
                "groups": list(cohort.groups),
                "reference_group": cohort.groups[0],
                "time_unit": cohort.time_unit,
            },
            "flow": {
                "read": flow["read"],
                "excluded": {e["reason"]: e["count"] for e in flow["excluded"]},
                "analysed": flow["analysed"],
                "detail": flow,
            },
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
            "response": (
                {"source": None, "groups": {}, "orr_p": None, "dcr_p": None}
                if self.response is None
                else _response(self.response)
            ),
            "endpoints": {ep.name: _endpoint(ep) for ep in self.endpoints},
            "adjusted": None if self.adjusted is None else self.adjusted.to_dict(),
            "warnings": list(self.warnings),
            "analyses": [r.to_dict() for r in self.analyses],
        }
        for name, result in self.more.items():
            results[name] = None if result is None else result.to_dict()
        if self.published is not None:
            results["published_comparison"] = list(self.published)
        out: dict[str, Any] = jsonable(results)
        return out


def _summary(curve: CurveSummary) -> dict[str, Any]:
    return {
        "n": curve.n,
        "events": curve.events,
        "median": curve.median,
        "median_ci": [curve.median_lower, curve.median_upper],
        "survival": {
            f"{lm.time:g}": {"estimate": lm.estimate, "ci": [lm.lower, lm.upper]}
            for lm in curve.landmarks
        },
        "rmst": None if curve.rmst is None else curve.rmst.to_dict(),
        "followup": curve.followup.to_dict(),
    }


def _terms(model: CoxModel) -> list[dict[str, Any]]:
    out = []
    for rec in model.to_frame().to_dict(orient="records"):
        out.append(
            {
                "term": rec["variable"],
                "level": None if rec["level"] is None else str(rec["level"]),
                "reference": None if rec["reference"] is None else str(rec["reference"]),
                "hr": rec["hr"],
                "ci": [rec["hr_lower"], rec["hr_upper"]],
                "p": rec["p"],
                "coef": rec["coef"],
                "se": rec["se"],
                "n": model.n,
                "events": model.n_events,
            }
        )
    return out


def _cox(m: ModelBuilding) -> dict[str, Any]:
    multi = m.multivariable
    return {
        "univariate": [t for model in m.univariate for t in _terms(model)],
        "multivariable": [] if multi is None else _terms(multi),
        "selected": list(m.selected),
        "selection_p": m.selection_p,
        "threshold": m.threshold,
        "ties": m.ties,
        "term_tests_univariate": [t.to_dict() for model in m.univariate for t in model.term_tests],
        "term_tests_multivariable": []
        if multi is None
        else [t.to_dict() for t in multi.term_tests],
        "global_tests_multivariable": None
        if multi is None
        else {
            "likelihood_ratio": multi.lr_test.to_dict(),
            "wald": multi.wald_test.to_dict(),
            "score": multi.score_test.to_dict(),
            "concordance": jsonable(multi.concordance),
        },
        "warnings": sorted(
            {w for model in (*m.univariate, multi) if model for w in model.warnings}
        ),
        "notes": list(m.notes),
    }


def _endpoint(ep: EndpointAnalysis) -> dict[str, Any]:
    s = ep.summary
    lr = s.logrank
    return {
        "label": ep.label,
        "time_unit": s.time_unit,
        "conf_type": s.conf_type,
        "overall": _summary(s.overall),
        "groups": {g.label: _summary(g) for g in s.groups},
        "logrank": None
        if lr is None
        else {
            "chisq": lr.chisq,
            "df": int(lr.df),
            "p": lr.p,
            "test": "log-rank (R survdiff, rho = 0)",
        },
        "rmst_comparison": None if s.rmst_comparison is None else s.rmst_comparison.to_dict(),
        "landmark_differences": [d.to_dict() for d in s.landmark_differences],
        "cox": {"univariate": [], "multivariable": []} if ep.models is None else _cox(ep.models),
        "notes": list(ep.notes),
        "zph": None if ep.zph_multivariable is None else ep.zph_multivariable.to_dict(),
        "ph_violated": list(ep.ph_violated),
    }


def _response(r: ResponseAnalysis) -> dict[str, Any]:
    s = r.summary
    cats = list(s.categories)
    groups = {}
    for g, label in enumerate(s.groups):
        counts = dict(zip(cats, s.counts[g], strict=True))
        orr, dcr = s.orr.by_group[g], s.dcr.by_group[g]
        groups[label] = {
            "n": int(sum(s.counts[g])),
            **{k: int(counts.get(k, 0)) for k in ("CR", "PR", "SD", "PD", "NE")},
            "denominator": s.denominators[g],
            "orr": orr.estimate,
            "orr_ci": [orr.conf_low, orr.conf_high],
            "dcr": dcr.estimate,
            "dcr_ci": [dcr.conf_low, dcr.conf_high],
        }
    out: dict[str, Any] = {
        "source": r.source,
        "rule": r.rule_text,
        "denominator": s.denominator,
        "groups": groups,
        "orr_p": None if s.orr_test is None else s.orr_test.p_value,
        "orr_test": None if s.orr_test is None else s.orr_test.name,
        "dcr_p": None if s.dcr_test is None else s.dcr_test.p_value,
        "dcr_test": None if s.dcr_test is None else s.dcr_test.name,
        "summary": s.to_dict(),
    }
    if r.assessment is not None:
        a = r.assessment
        out["rule_version"] = a.best.rule_version
        out["agreement"] = None if a.agreement is None else a.agreement.to_dict()
        out["warnings"] = [str(w) for w in a.warnings]
    return out
