"""The template study's published results, and how close a run on the demo cohort comes to them.

The demo cohort is simulated (the study's patient data were not published). The appendix of the
demo report puts each published number next to the demo's, with the tolerance the simulator is
calibrated to: exact for counts, 15 % for medians, 0.1 for the adjusted group hazard ratios;
other numbers are shown for comparison only. Source: ../shared/study/STUDY.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Tolerance = Literal["exact", "relative-15%", "absolute-0.1", "shown"]
PathStep = str | Mapping[str, str | None]


@dataclass(frozen=True)
class PublishedValue:
    """One published number and where its counterpart sits in results.json."""

    quantity: str
    value: float
    path: tuple[PathStep, ...]
    tolerance: Tolerance = "shown"
    scale: float = 1.0  # multiply the results.json value by this to compare (e.g. 100 for %)


@dataclass(frozen=True)
class Comparison:
    """A published value beside the run's value and whether it is within tolerance."""

    quantity: str
    published: float
    observed: float | None
    tolerance: Tolerance
    within: bool | None


def _lookup(results: Mapping[str, Any], path: Sequence[PathStep]) -> Any:
    node: Any = results
    for step in path:
        if isinstance(step, str):
            if not isinstance(node, Mapping) or step not in node:
                return None
            node = node[step]
        else:
            if not isinstance(node, list):
                return None
            matches = [item for item in node if all(item.get(k) == v for k, v in step.items())]
            if len(matches) != 1:
                return None
            node = matches[0]
    return node


def _within(tolerance: Tolerance, published: float, observed: float | None) -> bool | None:
    if tolerance == "shown":
        return None
    if observed is None:
        return False
    if tolerance == "exact":
        return abs(observed - published) < 1e-9
    if tolerance == "relative-15%":
        return abs(observed - published) <= 0.15 * abs(published)
    return abs(observed - published) <= 0.1


def compare_with_published(
    results: Mapping[str, Any], published: Sequence[PublishedValue]
) -> tuple[Comparison, ...]:
    """Each published value with the run's counterpart (``None`` when the run has none)."""
    out = []
    for item in published:
        raw = _lookup(results, item.path)
        observed = None if raw is None else float(raw) * item.scale
        out.append(
            Comparison(
                quantity=item.quantity,
                published=item.value,
                observed=observed,
                tolerance=item.tolerance,
                within=_within(item.tolerance, item.value, observed),
            )
        )
    return tuple(out)


FIRST, POST = "First-line", "Post-ate-beva"


def _median(endpoint: str, group: str | None) -> tuple[PathStep, ...]:
    base: tuple[PathStep, ...] = ("endpoints", endpoint)
    return (*base, "overall", "median") if group is None else (*base, "groups", group, "median")


def _rate(endpoint: str, group: str) -> tuple[PathStep, ...]:
    return ("endpoints", endpoint, "groups", group, "survival", "12", "estimate")


def _hr(model: str, endpoint: str, term: str, level: str | None) -> tuple[PathStep, ...]:
    return ("endpoints", endpoint, "cox", model, {"term": term, "level": level}, "hr")


def _multi_hr(endpoint: str, term: str, level: str | None) -> tuple[PathStep, ...]:
    return _hr("multivariable", endpoint, term, level)


def _uni_hr(endpoint: str, term: str, level: str | None) -> tuple[PathStep, ...]:
    return _hr("univariate", endpoint, term, level)


TEMPLATE_STUDY: tuple[PublishedValue, ...] = (
    PublishedValue("Patients, first-line", 66, ("response", "groups", FIRST, "n"), "exact"),
    PublishedValue("Patients, post-ate-beva", 34, ("response", "groups", POST, "n"), "exact"),
    PublishedValue("Deaths, all patients", 47, ("endpoints", "OS", "overall", "events"), "exact"),
    PublishedValue("Median OS, first-line (months)", 6.8, _median("OS", FIRST), "relative-15%"),
    PublishedValue("Median OS, post-ate-beva (months)", 12.4, _median("OS", POST), "relative-15%"),
    PublishedValue("Median OS, all patients (months)", 8.3, _median("OS", None), "relative-15%"),
    PublishedValue("Median PFS, first-line (months)", 3.1, _median("PFS", FIRST), "relative-15%"),
    PublishedValue("Median PFS, post-ate-beva (months)", 8.2, _median("PFS", POST), "relative-15%"),
    PublishedValue("Median PFS, all patients (months)", 5.1, _median("PFS", None), "relative-15%"),
    PublishedValue("12-month OS, first-line (%)", 40.3, _rate("OS", FIRST), scale=100),
    PublishedValue("12-month OS, post-ate-beva (%)", 54.0, _rate("OS", POST), scale=100),
    PublishedValue("12-month PFS, first-line (%)", 12.9, _rate("PFS", FIRST), scale=100),
    PublishedValue("12-month PFS, post-ate-beva (%)", 41.0, _rate("PFS", POST), scale=100),
    PublishedValue("Log-rank p, OS", 0.073, ("endpoints", "OS", "logrank", "p")),
    PublishedValue("Log-rank p, PFS", 0.018, ("endpoints", "PFS", "logrank", "p")),
    PublishedValue("CR, first-line", 1, ("response", "groups", FIRST, "CR"), "exact"),
    PublishedValue("PR, first-line", 11, ("response", "groups", FIRST, "PR"), "exact"),
    PublishedValue("SD, first-line", 27, ("response", "groups", FIRST, "SD"), "exact"),
    PublishedValue("CR, post-ate-beva", 0, ("response", "groups", POST, "CR"), "exact"),
    PublishedValue("PR, post-ate-beva", 12, ("response", "groups", POST, "PR"), "exact"),
    PublishedValue("SD, post-ate-beva", 17, ("response", "groups", POST, "SD"), "exact"),
    PublishedValue("ORR, first-line (%)", 18.2, ("response", "groups", FIRST, "orr"), scale=100),
    PublishedValue("ORR, post-ate-beva (%)", 35.3, ("response", "groups", POST, "orr"), scale=100),
    PublishedValue("DCR, first-line (%)", 59.1, ("response", "groups", FIRST, "dcr"), scale=100),
    PublishedValue("DCR, post-ate-beva (%)", 85.3, ("response", "groups", POST, "dcr"), scale=100),
    PublishedValue("DCR p", 0.008, ("response", "dcr_p")),
    PublishedValue(
        "ORR p (not reproducible from the published counts)", 0.031, ("response", "orr_p")
    ),
    PublishedValue(
        "Median follow-up, all patients (months)",
        4.3,
        ("endpoints", "OS", "overall", "followup", "median"),
    ),
    PublishedValue("Univariate HR OS, ECOG 0 vs ≥1", 0.233, _uni_hr("OS", "ecog_0", "0")),
    PublishedValue(
        "Univariate HR OS, Child-Pugh A vs B", 0.456, _uni_hr("OS", "child_pugh_class", "A")
    ),
    PublishedValue(
        "Univariate HR OS, tumour >10 cm", 1.982, _uni_hr("OS", "tumor_gt_10cm", ">10 cm")
    ),
    PublishedValue("Univariate HR PFS, post-ate-beva", 0.513, _uni_hr("PFS", "group", POST)),
    PublishedValue("Univariate HR PFS, ECOG 0 vs ≥1", 0.331, _uni_hr("PFS", "ecog_0", "0")),
    PublishedValue(
        "Univariate HR PFS, Child-Pugh A vs B", 0.549, _uni_hr("PFS", "child_pugh_class", "A")
    ),
    PublishedValue(
        "Univariate HR PFS, extrahepatic metastasis",
        2.079,
        _uni_hr("PFS", "extrahepatic_metastasis", "Yes"),
    ),
    PublishedValue("Multivariable HR OS, ECOG 0 vs ≥1", 0.265, _multi_hr("OS", "ecog_0", "0")),
    PublishedValue("Multivariable HR PFS, ECOG 0 vs ≥1", 0.437, _multi_hr("PFS", "ecog_0", "0")),
    PublishedValue(
        "Multivariable HR PFS, extrahepatic metastasis",
        1.753,
        _multi_hr("PFS", "extrahepatic_metastasis", "Yes"),
    ),
    PublishedValue(
        "Multivariable HR OS, post-ate-beva vs first-line",
        0.404,
        _multi_hr("OS", "group", POST),
        "absolute-0.1",
    ),
    PublishedValue(
        "Multivariable HR PFS, post-ate-beva vs first-line",
        0.441,
        _multi_hr("PFS", "group", POST),
        "absolute-0.1",
    ),
)
