"""The methods paragraph, written from what was actually run.

Every sentence is built from the result objects (the tests Table 1 chose, the CI transform of the
Kaplan-Meier estimates, the ties method and selection rule of the Cox models, the response rules),
never from defaults, so the text cannot claim a method that was not used.
"""

from __future__ import annotations

from hccsurv.analysis.study import EndpointAnalysis, StudyAnalysis
from hccsurv.config import StudyConfig
from hccsurv.report.provenance import software_versions

_CONF_TYPE = {
    "log": "log",
    "log-log": "complementary log-log",
    "plain": "linear",
    "logit": "logit",
    "arcsin": "arcsine-square-root",
}


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _population(analysis: StudyAnalysis, config: StudyConfig) -> str:
    flow = analysis.cohort.flow
    names = config.groups.display_names
    groups = _join([f"{names.get(g, g)} (n = {n})" for g, n in flow.analysed_by_group.items()])
    text = f"{config.study.design or 'Cohort study'}. Of {flow.read} patients in the data file, "
    if flow.excluded:
        reasons = _join([f"{e.count} for {e.reason}" for e in flow.excluded])
        text += f"{flow.n_excluded} were excluded ({reasons}) and "
    text += f"{flow.analysed} were analysed: {groups}."
    if config.study.cutoff is not None:
        text += f" The data cut-off was {config.study.cutoff.isoformat()}."
    return text


def _endpoints(config: StudyConfig, unit: str) -> str:
    sentences = []
    for name, ep in config.endpoints.items():
        if ep.events:
            events = _join([c.replace("_date", "").replace("_", " ") for c in ep.events])
            censor = (
                "the last adequate tumour assessment"
                if ep.censoring == "last_assessment"
                else "the last date known alive"
            )
            sentences.append(
                f"{ep.label} ({name}) was measured from {ep.start} to the first of {events}; "
                f"patients without an event were censored at {censor}"
                + (" or at the data cut-off" if config.study.cutoff is not None else "")
                + "."
            )
        else:
            sentences.append(
                f"{ep.label} ({name}) was taken from columns {ep.time} and {ep.event}."
            )
    days = {"months": " (days / 30.4375)", "years": " (days / 365.25)", "weeks": " (days / 7)"}
    sentences.append(f"Times are reported in {unit}{days.get(unit, '')}.")
    return " ".join(sentences)


def _baseline(analysis: StudyAnalysis) -> str | None:
    if analysis.baseline is None:
        return None
    used = analysis.baseline.tests_used()
    if not used:
        return "No between-group tests of baseline characteristics could be computed."
    return (
        "Baseline characteristics were compared between groups with "
        + _join(sorted(used))
        + "; the test used is named next to each p-value."
    )


def _response(analysis: StudyAnalysis) -> str | None:
    r = analysis.response
    if r is None:
        return None
    s = r.summary
    text = f"Best overall response was {r.rule_text}. "
    if r.assessment is not None and r.assessment.agreement is not None:
        text += (
            "Two radiologists read every scan independently; their agreement is reported as "
            "Cohen's kappa (unweighted and weighted), and disagreements were settled by "
            f"{r.assessment.rules.adjudication.replace('_', ' ')} reading. "
        )
    denominator = "all treated patients" if s.denominator == "all_treated" else "evaluable patients"
    text += (
        "The objective response rate (ORR, CR + PR) and disease control rate (DCR, CR + PR + SD) "
        f"are given over {denominator} with exact Clopper-Pearson 95% confidence intervals"
    )
    tests = sorted({t.name for t in (s.orr_test, s.dcr_test) if t is not None})
    if tests:
        text += f", and compared between groups with {_join(tests)}"
    return text + "."


def _survival(endpoints: tuple[EndpointAnalysis, ...], config: StudyConfig) -> str:
    s = endpoints[0].summary
    level = round(s.conf_level * 100)
    scale = _CONF_TYPE.get(s.conf_type, s.conf_type)
    text = (
        "Survival was estimated with the Kaplan-Meier method, with Greenwood variances and "
        f"{level}% pointwise confidence intervals on the {scale} "
        "scale; the confidence limits of medians are where the confidence band crosses 0.5. "
        "Survival curves were compared with the log-rank test."
    )
    landmarks = [f"{lm.time:g}" for lm in s.overall.landmarks]
    if landmarks:
        text += f" Survival rates are reported at {_join(landmarks)} {s.time_unit}."
    if s.overall.rmst is not None:
        text += (
            f" The restricted mean survival time (RMST) up to {s.overall.rmst.tau:g} "
            f"{s.time_unit} was compared as a difference and a ratio."
        )
    text += " Median follow-up was estimated with the reverse Kaplan-Meier method."
    return text


def _cox(endpoints: tuple[EndpointAnalysis, ...]) -> str | None:
    built = [ep.models for ep in endpoints if ep.models is not None]
    if not built:
        return None
    m = built[0]
    ties = m.univariate[0].ties
    text = (
        "Factors associated with each endpoint were examined by Cox proportional-hazards "
        f"regression ({ties.capitalize()} method for tied event times). Each candidate factor "
        "was first entered alone; factors with p < "
        f"{m.threshold:g} ({m.selection_p}) entered a multivariable model. Each model used the "
        "patients with complete data for its variables. Hazard ratios are given with 95% Wald "
        "confidence intervals and Wald p-values."
    )
    if any(ep.zph_multivariable is not None for ep in endpoints):
        text += (
            " The proportional-hazards assumption of each multivariable model was checked with "
            "score tests of the scaled Schoenfeld residuals (Kaplan-Meier time transform)."
        )
    return text


def _software() -> str:
    v = software_versions()
    return (
        f"All analyses used hccsurv {v['hccsurv']} (Python {v['python']}, numpy {v['numpy']}, "
        f"scipy {v['scipy']}), whose estimators reproduce the R survival package (checked "
        "against R reference values to a relative tolerance of 1e-6). Two-sided p < 0.05 was "
        "considered significant."
    )


def methods_paragraphs(analysis: StudyAnalysis, config: StudyConfig) -> tuple[str, ...]:
    """The methods section, one paragraph per topic, ready to paste into a manuscript."""
    unit = analysis.cohort.time_unit
    parts = [
        _population(analysis, config),
        _endpoints(config, unit),
        _baseline(analysis),
        _response(analysis),
        _survival(analysis.endpoints, config),
        _cox(analysis.endpoints),
        _software(),
    ]
    return tuple(p for p in parts if p)
