"""The published-vs-demo comparison: path look-up into results.json and the tolerance rules."""

from __future__ import annotations

from hccsurv.analysis.published import PublishedValue, compare_with_published

RESULTS = {
    "endpoints": {
        "OS": {
            "groups": {"A": {"median": 7.5}},
            "cox": {
                "multivariable": [
                    {"term": "group", "level": "B", "hr": 0.45},
                    {"term": "ecog_0", "level": "0", "hr": 0.30},
                ]
            },
        }
    },
    "response": {"groups": {"A": {"CR": 1, "orr": 0.1818}}},
}


def test_lookup_and_tolerances() -> None:
    published = (
        PublishedValue("median", 6.8, ("endpoints", "OS", "groups", "A", "median"), "relative-15%"),
        PublishedValue(
            "hr",
            0.404,
            ("endpoints", "OS", "cox", "multivariable", {"term": "group", "level": "B"}, "hr"),
            "absolute-0.1",
        ),
        PublishedValue("cr", 1, ("response", "groups", "A", "CR"), "exact"),
        PublishedValue("orr", 18.2, ("response", "groups", "A", "orr"), scale=100),
        PublishedValue("absent", 2.0, ("endpoints", "PFS", "groups", "A", "median"), "exact"),
    )
    got = {c.quantity: c for c in compare_with_published(RESULTS, published)}
    assert got["median"].within is True  # 7.5 is within 15 % of 6.8 (5.78 to 7.82)
    assert got["hr"].observed == 0.45 and got["hr"].within is True
    assert got["cr"].within is True
    assert got["orr"].within is None and abs(got["orr"].observed - 18.18) < 1e-9  # type: ignore[operator]
    assert got["absent"].observed is None and got["absent"].within is False


def test_outside_tolerance_is_reported() -> None:
    published = (
        PublishedValue("median", 6.8, ("endpoints", "OS", "groups", "A", "median"), "relative-15%"),
    )
    (c,) = compare_with_published(
        {"endpoints": {"OS": {"groups": {"A": {"median": 8.0}}}}}, published
    )
    assert c.within is False
