"""The methods paragraph: a view of :class:`~hccsurv.analysis.results.StudyResults`.

Every sentence is built from the results (the tests Table 1 chose, the CI transform of the
Kaplan-Meier estimates, the ties method and selection rule of the Cox models, the response rules,
the propensity-score model, matching or weighting and the adjusted outcome models), never from
defaults, so the text cannot claim a method that was not used; an analysis that could not be
estimated is named with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from hccsurv.analysis.comparisons import PairwiseComparisons, SubgroupResults
from hccsurv.analysis.competing_study import CompetingAnalysis
from hccsurv.analysis.results import EndpointAnalysis, StudyResults
from hccsurv.analysis.safety import AdverseEventTable, Exposure
from hccsurv.analysis.time_varying import TimeVaryingAnalysis
from hccsurv.config import EndpointConfig, StudyConfig

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


def _population(analysis: StudyResults, config: StudyConfig) -> str:
    flow = analysis.cohort.flow
    names = config.groups.display_names
    groups = _join([f"{names.get(g, g)} (n = {n})" for g, n in flow.analysed_by_group.items()])
    note = f" ({flow.note})" if flow.note else ""
    text = (
        f"{config.study.design or 'Cohort study'}. Of {flow.read} patients in the data file{note}, "
    )
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
            competing = (
                ""
                if not ep.competing
                else f", with {_join([k.lower() for k in ep.competing])} "
                f"({_join(list(ep.competing.values()))}) as competing "
                f"event{'s' if len(ep.competing) > 1 else ''} (whichever date came first "
                "decided the cause)"
            )
            sentences.append(
                f"{ep.label} ({name}) was measured from {ep.start} to the first of {events}"
                f"{competing}; patients without an event were censored at {censor}"
                + (" or at the data cut-off" if config.study.cutoff is not None else "")
                + "."
            )
        else:
            sentences.append(
                f"{ep.label} ({name}) was taken from columns {ep.time} and {ep.event}"
                + _coding(ep)
                + (f", on the rows with {ep.key} = {_code(ep.key_value)}" if ep.key else "")
                + "."
            )
    days = {"months": " (days / 30.4375)", "years": " (days / 365.25)", "weeks": " (days / 7)"}
    sentences.append(f"Times are reported in {unit}{days.get(unit, '')}.")
    return " ".join(sentences)


def _code(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _coding(ep: EndpointConfig) -> str:
    """The status coding when it is not R's default 1 = event, 0 = censored."""
    if ep.status_codes == (1.0,) and ep.censored == (0.0,) and not ep.competing_status:
        return ""
    text = (
        f" (status {' or '.join(_code(c) for c in ep.status_codes)} = event, "
        f"{' or '.join(_code(c) for c in ep.censored)} = censored"
    )
    if ep.competing_status:
        causes = _join(
            [f"{' or '.join(_code(c) for c in v)} = {k}" for k, v in ep.competing_status.items()]
        )
        text += f"; competing events {causes}, censored in this cause-specific analysis"
    return text + ")"


def _baseline(analysis: StudyResults) -> str | None:
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


def _response(analysis: StudyResults) -> str | None:
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
    ties = m.ties
    text = (
        "Factors associated with each endpoint were examined by Cox proportional-hazards "
        f"regression ({ties.capitalize()} method for tied event times). Each candidate factor "
        "was first entered alone; "
        + (
            "all of them entered a multivariable model."
            if m.selection == "all"
            else f"factors with p < {m.threshold:g} ({m.selection_p}) entered a multivariable "
            "model."
        )
        + " Each model used the patients with complete data for its variables. Hazard ratios "
        "are given with 95% Wald confidence intervals and Wald p-values."
    )
    if any(ep.zph_multivariable is not None for ep in endpoints):
        text += (
            " The proportional-hazards assumption of each multivariable model was checked with "
            "score tests of the scaled Schoenfeld residuals (Kaplan-Meier time transform)."
        )
    return text


def _comparisons(results: StudyResults) -> str | None:
    """Forced covariates, strata, pairwise comparisons and subgroups: what the config added to
    the main comparison, one sentence each."""
    config = results.config
    names = config.variable_labels
    group = config.groups.column
    sentences: list[str] = []
    forced = next((ep.models.forced for ep in results.endpoints if ep.models is not None), ())
    if forced:
        what = _join(["the treatment group" if f == group else names.get(f, f) for f in forced])
        its = "its univariate p-value" if len(forced) == 1 else "their univariate p-values"
        verb = "was" if len(forced) == 1 else "were"
        sentences.append(f"Regardless of {its}, {what} {verb} kept in every multivariable model.")
    strata = _join([names.get(c, c) for c in config.cox.strata])
    if strata:
        also = " and so were the log-rank tests" if config.cox.stratify_logrank else ""
        sentences.append(
            f"Cox models were stratified by {strata} (a baseline hazard per stratum){also}."
        )
    pairwise = results.more.get("pairwise")
    if isinstance(pairwise, PairwiseComparisons):
        how = {"holm": "Holm's", "bonferroni": "Bonferroni's", "BH": "the Benjamini-Hochberg"}
        adjust = (
            "were not adjusted for multiplicity"
            if pairwise.adjust == "none"
            else f"were adjusted by {how[pairwise.adjust]} method"
        )
        sentences.append(
            "Each pair of groups was compared by the log-rank test on the patients of the two "
            "groups and by the hazard ratio from one Cox model on all groups; the p-values of "
            f"the pairwise comparisons {adjust}."
        )
    subgroups = results.more.get("subgroups")
    if isinstance(subgroups, SubgroupResults):
        variables = _join([names.get(v, v) for v in subgroups.variables])
        sentences.append(
            f"The hazard ratio between the groups was estimated within each level of {variables} "
            "(subgroup analyses); heterogeneity was tested by the likelihood-ratio test of the "
            "group-by-subgroup interaction."
        )
    return " ".join(sentences) or None


def _adjustment(results: StudyResults) -> str | None:
    a = results.adjusted
    if a is None:
        return None
    names = results.config.variable_labels
    covariates = _join([names.get(c, c) for c in a.covariates])
    ref, trt = a.labels
    text = (
        "To account for confounding, a propensity score (the probability of belonging to the "
        f"{trt} group rather than the {ref} group) was estimated by logistic regression on "
        f"{covariates}. "
    )
    if a.matching is not None:
        m = a.matching
        caliper = (
            "without a caliper"
            if m.caliper_width is None
            else f"within a caliper of {m.caliper:g} standard deviations of its logit"
        )
        text += (
            f"Patients were matched 1:{m.ratio} by nearest-neighbour matching on the logit of the "
            f"score {caliper}, {'with' if m.replace else 'without'} replacement. "
        )
    elif a.weighting is not None:
        text += (
            f"Patients were weighted by {a.weighting.weight_type} weights for the {a.estimand}. "
        )
    text += (
        f"Balance was assessed with standardized mean differences (|SMD| < "
        f"{a.balance.threshold:g} taken as balanced). In the adjusted sample, hazard ratios "
        "came from Cox models with robust "
        "(sandwich) variances, medians from weighted Kaplan-Meier curves"
        + (
            ", the RMST difference from the weighted curves"
            if results.config.study.rmst_horizon
            else ""
        )
        + ", and the E-value measured the robustness to unmeasured confounding."
    )
    return text


def _safety(results: StudyResults) -> str | None:
    ae = results.more.get("adverse_events")
    exposure = results.more.get("exposure")
    s = results.config.safety
    if s is None or (ae is None and exposure is None):
        return None
    text = "Safety was analysed in the patients who received at least one cycle. "
    if isinstance(ae, AdverseEventTable):
        text += (
            f"Laboratory adverse events were graded by CTCAE v{ae.version} from every value "
            "after the first cycle (values converted to the grading units): increases against "
            "the upper limit of normal when the baseline was normal and against the baseline "
            "when it was abnormal, decreases only below the lower limit of normal, creatinine "
            "as the worse of the two; grade 5 was never assigned from a laboratory value and "
            "anaemia grade 3 was graded from haemoglobin alone. The baseline was the last value "
            f"within {s.baseline_window_days:g} days before the first cycle. The worst grade per "
            "patient was counted, and the proportions with any grade and with grade 3 or higher "
            "were compared between groups with Fisher's exact test. "
        )
    if isinstance(exposure, Exposure):
        text += (
            "Treatment exposure was described by the number of cycles, the time on treatment "
            "(Kaplan-Meier, from the first to the last cycle) and the relative dose intensity "
            "of each drug (dose given over the planned dose per m² times the body surface "
            f"area); a cycle with a relative dose intensity below {exposure.reduction_below:g} "
            f"was a dose reduction and more than {exposure.delay_after_days:g} days between "
            "cycles a delay. Distributions were compared with the Wilcoxon rank-sum test and "
            "proportions with Fisher's exact test."
        )
    return text.strip()


def _time_varying(results: StudyResults) -> str | None:
    tv = results.more.get("time_varying")
    if not isinstance(tv, TimeVaryingAnalysis):
        return None
    unit = results.cohort.time_unit
    landmarks = _join([f"{lm.landmark:g}" for lm in tv.landmarks])
    return (
        f"Comparing {tv.endpoint} of responders and non-responders from the start of treatment "
        "favours responders, who had to survive until their response was seen (immortal-time "
        f"bias); this naive comparison is shown only beside two unbiased ones. In landmark "
        f"analyses at {landmarks} {unit}, the patients still in follow-up at the landmark were "
        "grouped by the confirmed response reached by then and followed from the landmark "
        "(Kaplan-Meier, log-rank test and Cox model). In a Cox model with response as a "
        "time-varying covariate, each patient's follow-up was split at the date of the "
        "confirmed response (counting-process start-stop rows, as R survival's tmerge) and the "
        "variance was clustered on the patient."
    )


def _competing(results: StudyResults) -> str | None:
    result = results.more.get("competing")
    if not isinstance(result, CompetingAnalysis):
        return None
    config = results.config
    sentences = []
    for ep in result.endpoints:
        others = _join([c.lower() for c in ep.causes[1:]])
        sentences.append(
            f"For {ep.label.lower()}, {others} was treated as a competing event rather than as "
            "censoring."
        )
    screening = (
        f"with the same univariate screening (p < {config.cox.threshold:g}) and multivariable "
        "model as the Cox models, "
        if config.cox.candidates
        else ""
    )
    sentences.append(
        "The cumulative incidence of each cause was estimated by the Aalen-Johansen method with "
        "95% confidence intervals on the log scale (R survival, survfit) and compared between "
        "groups with Gray's test (R cmprsk, cuminc). Subdistribution hazard ratios came from "
        f"Fine-Gray models (cmprsk crr, robust standard errors), {screening}and cause-specific "
        "hazard ratios from Cox models in which the other causes were censored, reported side "
        "by side."
    )
    return " ".join(sentences)


def _not_estimable(results: StudyResults) -> str | None:
    missing = results.not_estimable
    if not missing:
        return None
    by_reason: dict[str, list[str]] = {}
    for r in missing:
        by_reason.setdefault(str(r.reason), []).append(r.title)
    items = "; ".join(f"{_join(titles)} ({reason})" for reason, titles in by_reason.items())
    return f"The following analyses could not be estimated on these data: {items}."


def _software(versions: Mapping[str, str]) -> str:
    v = versions
    return (
        f"All analyses used hccsurv {v['hccsurv']} (Python {v['python']}, numpy {v['numpy']}, "
        f"scipy {v['scipy']}), whose estimators reproduce the R survival package (checked "
        "against R reference values to a relative tolerance of 1e-6). Two-sided p < 0.05 was "
        "considered significant."
    )


def methods_paragraphs(results: StudyResults, versions: Mapping[str, str]) -> tuple[str, ...]:
    """The methods section, one paragraph per topic, ready to paste into a manuscript.

    ``versions`` are the software versions to cite (``hccsurv``, ``python``, ``numpy``,
    ``scipy``), as ``hccsurv.report.provenance.software_versions`` gives them.
    """
    config = results.config
    unit = results.cohort.time_unit
    parts = [
        _population(results, config),
        _endpoints(config, unit),
        _baseline(results),
        _response(results),
        _survival(results.endpoints, config),
        _cox(results.endpoints),
        _comparisons(results),
        _adjustment(results),
        _safety(results),
        _time_varying(results),
        _competing(results),
        _not_estimable(results),
        _software(versions),
    ]
    return tuple(p for p in parts if p)
