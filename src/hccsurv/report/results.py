"""results.json: every number of a run, with the fixed contract of ``results.schema.json``.

The contract keys (``endpoints`` -> ``overall`` / ``groups`` / ``logrank`` / ``cox``,
``response``, ``flow``) are built here explicitly; the full result objects follow under extra keys
(``baseline``, ``endpoints.<name>.summary``, ``...models``, ``...zph``). Times are in the study's
time unit, ``null`` means not reached, numbers are unrounded. Patient identifiers are left out
unless the config's ``output.include_identifiers`` is true.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from hccsurv.analysis.coxph import CoxModel
from hccsurv.analysis.study import EndpointAnalysis, ResponseAnalysis, StudyAnalysis
from hccsurv.analysis.survival import CurveSummary
from hccsurv.config import StudyConfig
from hccsurv.core._result import jsonable


def results_schema() -> dict[str, Any]:
    """The JSON schema of results.json (shipped with the package)."""
    text = resources.files("hccsurv.report").joinpath("results.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


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


def _endpoint(ep: EndpointAnalysis) -> dict[str, Any]:
    s = ep.summary
    out: dict[str, Any] = {
        "label": ep.label,
        "time_unit": s.time_unit,
        "conf_type": s.conf_type,
        "overall": _summary(s.overall),
        "groups": {g.label: _summary(g) for g in s.groups},
        "logrank": {
            "chisq": s.logrank.chisq,
            "df": int(s.logrank.df),
            "p": s.logrank.p,
            "test": "log-rank (R survdiff, rho = 0)",
        },
        "rmst_comparison": None if s.rmst_comparison is None else s.rmst_comparison.to_dict(),
        "landmark_differences": [d.to_dict() for d in s.landmark_differences],
        "cox": {"univariate": [], "multivariable": []},
        "notes": list(ep.notes),
    }
    if ep.models is not None:
        m = ep.models
        out["cox"] = {
            "univariate": [t for model in m.univariate for t in _terms(model)],
            "multivariable": [] if m.multivariable is None else _terms(m.multivariable),
            "selected": list(m.selected),
            "selection_p": m.selection_p,
            "threshold": m.threshold,
            "ties": m.univariate[0].ties,
            "term_tests_univariate": [
                t.to_dict() for model in m.univariate for t in model.term_tests
            ],
            "term_tests_multivariable": []
            if m.multivariable is None
            else [t.to_dict() for t in m.multivariable.term_tests],
            "global_tests_multivariable": None
            if m.multivariable is None
            else {
                "likelihood_ratio": m.multivariable.lr_test.to_dict(),
                "wald": m.multivariable.wald_test.to_dict(),
                "score": m.multivariable.score_test.to_dict(),
                "concordance": jsonable(m.multivariable.concordance),
            },
            "warnings": sorted(
                {w for model in (*m.univariate, m.multivariable) if model for w in model.warnings}
            ),
            "notes": list(m.notes),
        }
    out["zph"] = None if ep.zph_multivariable is None else ep.zph_multivariable.to_dict()
    return out


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


def build_results(analysis: StudyAnalysis, config: StudyConfig) -> dict[str, Any]:
    """The results.json dictionary of a run."""
    cohort = analysis.cohort
    include_ids = config.output.include_identifiers
    flow = cohort.flow.to_dict(include_identifiers=include_ids)
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
        "baseline": None if analysis.baseline is None else analysis.baseline.to_dict(),
        "response": (
            {"source": None, "groups": {}, "orr_p": None, "dcr_p": None}
            if analysis.response is None
            else _response(analysis.response)
        ),
        "endpoints": {ep.name: _endpoint(ep) for ep in analysis.endpoints},
        "adjusted": None if analysis.adjusted is None else analysis.adjusted.to_dict(),
        "warnings": list(analysis.warnings),
    }
    return jsonable(results)  # type: ignore[no-any-return]
