"""Number formatting: rounding rule, p-value bounds, intervals, missing values."""

from __future__ import annotations

import math

import pytest

from hccsurv.errors import InputError
from hccsurv.present.format import (
    FormatOptions,
    format_ci,
    format_hr_ci,
    format_mean_sd,
    format_median_ci,
    format_median_iqr,
    format_n_pct,
    format_number,
    format_p,
    format_percent,
    format_percent_ci,
)


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0.0785, 3, "0.079"),  # half away from zero on the printed decimal
        (18.15, 1, "18.2"),  # binary 18.149999... -> round()/sprintf give 18.1
        (2.675, 2, "2.68"),  # round(2.675, 2) == 2.67 in Python
        (0.125, 2, "0.13"),  # banker's rounding would give 0.12
        (-0.125, 2, "-0.13"),  # away from zero for negatives too
        (-0.001, 2, "0.00"),  # no negative zero
        (-0.004999, 2, "0.00"),
        (0.0, 2, "0.00"),
        (1.0, 0, "1"),
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (65.789, 2, "65.79"),
        (123456789.125, 2, "123456789.13"),
        (1e-30, 2, "0.00"),
        (1e30, 0, "1000000000000000000000000000000"),
        (7, 2, "7.00"),
    ],
)
def test_format_number_rounds_half_away_from_zero(x: float, decimals: int, expected: str) -> None:
    assert format_number(x, decimals) == expected


def test_format_number_default_decimals_and_missing() -> None:
    assert format_number(3.14159) == "3.14"
    assert format_number(3.14159, options=FormatOptions(decimals=4)) == "3.1416"
    assert format_number(None) == "–"
    assert format_number(math.nan) == "–"
    assert format_number(math.inf) == "–"
    assert format_number(None, options=FormatOptions(not_applicable="n/a")) == "n/a"


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, "<0.001"),
        (1e-12, "<0.001"),
        (0.00096, "<0.001"),  # below the threshold even though it rounds to 0.001
        (0.000999999, "<0.001"),
        (0.001, "0.001"),
        (0.0010004, "0.001"),
        (0.0015, "0.002"),
        (0.0495, "0.050"),
        (0.0785, "0.079"),
        (0.151, "0.151"),
        (0.9994, "0.999"),
        (0.9995, ">0.999"),  # would print 1.000
        (0.99999, ">0.999"),
        (1.0, ">0.999"),
        (1.0 + 1e-12, ">0.999"),  # numerical noise above 1 is tolerated
        (-1e-12, "<0.001"),
    ],
)
def test_format_p_boundaries(p: float, expected: str) -> None:
    assert format_p(p) == expected


def test_format_p_never_prints_zero_or_one() -> None:
    grid = [i / 1_000_000 for i in range(0, 2001)] + [1 - i / 1_000_000 for i in range(0, 2001)]
    for p in grid:
        assert format_p(p) not in {"0.000", "1.000"}, p


def test_format_p_other_precision_and_missing() -> None:
    two = FormatOptions(p_decimals=2, p_threshold=0.01)
    assert format_p(0.0049, options=two) == "<0.01"
    assert format_p(0.0149, options=two) == "0.01"
    assert format_p(0.996, options=two) == ">0.99"
    four = FormatOptions(p_decimals=4, p_threshold=0.0001)
    assert format_p(0.00012345, options=four) == "0.0001"
    assert format_p(0.00005, options=four) == "<0.0001"
    coarse = FormatOptions(p_decimals=3, p_threshold=0.01)
    assert format_p(0.005, options=coarse) == "<0.010"
    assert format_p(None) == "–"
    assert format_p(math.nan) == "–"


@pytest.mark.parametrize("p", [-0.01, 1.01, math.inf])
def test_format_p_rejects_non_probabilities(p: float) -> None:
    with pytest.raises(InputError, match="outside"):
        format_p(p)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"p_threshold": 0.0005},  # not a multiple of 0.001: 0.0006 would print 0.001
        {"p_threshold": 0.0},
        {"p_threshold": 1.0},
        {"p_decimals": 0},
        {"decimals": -1},
        {"decimals": 1.5},
        {"percent_decimals": True},
        {"ci_style": "parens"},
    ],
)
def test_format_options_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError, match="FormatOptions"):
        FormatOptions(**kwargs)  # type: ignore[arg-type]


def test_format_ci_styles() -> None:
    assert format_ci(1.982, 1.083, 3.629) == "1.98 (1.08–3.63)"
    assert format_ci(1.982, 1.083, 3.629, options=FormatOptions(ci_style="comma")) == (
        "1.98 (1.08, 3.63)"
    )
    assert format_ci(1.982, 1.083, 3.629, options=FormatOptions(ci_style="bracket")) == (
        "1.98 [1.08; 3.63]"
    )
    assert format_ci(1.982, 1.083, 3.629, 3) == "1.982 (1.083–3.629)"


def test_format_ci_negative_bounds_use_to() -> None:
    assert format_ci(-0.5, -1.2, 0.3) == "-0.50 (-1.20 to 0.30)"
    assert format_ci(-0.5, -1.2, -0.3) == "-0.50 (-1.20 to -0.30)"
    # a bound that is negative before rounding still switches the separator
    assert format_ci(0.1, -0.001, 0.3) == "0.10 (0.00 to 0.30)"
    assert format_ci(-0.5, -1.2, 0.3, options=FormatOptions(ci_style="comma")) == (
        "-0.50 (-1.20, 0.30)"
    )


def test_format_ci_missing_parts() -> None:
    assert format_ci(1.0, None, math.inf) == "1.00 (–––)"
    assert format_ci(1.0, 0.5, None, missing="NE") == "1.00 (0.50–NE)"


def test_format_hr_ci() -> None:
    assert format_hr_ci(0.404, 0.197, 0.829) == "0.40 (0.20–0.83)"
    three = FormatOptions(hr_decimals=3)
    assert format_hr_ci(0.40449, 0.1965, 0.8294, options=three) == "0.404 (0.197–0.829)"
    with pytest.raises(InputError, match="not a ratio"):
        format_hr_ci(0.5, -0.1, 1.0)
    # the lower limit of an infinite coefficient underflows to 0, as in R
    assert format_hr_ci(0.5, 0.0, 2.0) == "0.50 (0.00–2.00)"


def test_format_hr_ci_degenerate_ratios_as_r() -> None:
    # issue 15: a lower limit that underflows to 0 and an infinite upper limit are valid
    # results (R prints 0 and Inf); a 2 x 2 odds ratio of 0 or Inf likewise
    assert format_hr_ci(2.0e9, 0.0, math.inf) == "2000000000.00 (0.00–Inf)"
    assert format_hr_ci(0.0, 0.0, 3.1) == "0.00 (0.00–3.10)"
    assert format_hr_ci(math.inf, 1.2, math.inf) == "Inf (1.20–Inf)"
    assert format_hr_ci(None, math.nan, None) == "– (–––)"


def test_format_percent_and_percent_ci() -> None:
    assert format_percent(0.403) == "40.3"
    assert format_percent(0.18181818) == "18.2"
    assert format_percent(0.00085) == "0.1"  # 0.085 % -> 0.1
    assert format_percent(0.5, 0) == "50"
    assert format_percent(None) == "–"
    assert format_percent_ci(0.40325, 0.27996, 0.58104) == "40.3 (28.0–58.1)"
    assert format_percent_ci(0.129, 0.053, 0.314) == "12.9 (5.3–31.4)"


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (12, 66, "12 (18.2)"),  # 18.1818...
        (12, 34, "12 (35.3)"),
        (39, 66, "39 (59.1)"),
        (29, 34, "29 (85.3)"),
        (0, 66, "0 (0.0)"),
        (66, 66, "66 (100.0)"),
        (1, 8, "1 (12.5)"),
        (363, 2000, "363 (18.2)"),  # exactly 18.15 -> 18.2
        (1, 3, "1 (33.3)"),
        (2, 3, "2 (66.7)"),
        (0, 0, "0 (–)"),
    ],
)
def test_format_n_pct(k: int, n: int, expected: str) -> None:
    assert format_n_pct(k, n) == expected


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_format_n_pct_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(InputError, match="impossible"):
        format_n_pct(k, n)


def test_format_mean_sd() -> None:
    assert format_mean_sd(65.7878, 11.1915) == "65.79 ± 11.19"
    assert format_mean_sd(62.12, 13.46, 1) == "62.1 ± 13.5"
    assert format_mean_sd(62.0, None) == "62.00 ± –"


def test_format_median_iqr() -> None:
    assert format_median_iqr(410.0, 120.0, 2310.0, 0) == "410 [120–2310]"
    assert format_median_iqr(4.25, 2.05, 7.5, 1) == "4.3 [2.1–7.5]"
    assert format_median_iqr(-1.0, -2.0, 0.5, 1) == "-1.0 [-2.0 to 0.5]"


def test_format_median_ci_not_reached() -> None:
    assert format_median_ci(6.8, 4.1, None, 1) == "6.8 (4.1–NR)"
    assert format_median_ci(8.3, 6.8, 17.3, 1) == "8.3 (6.8–17.3)"
    assert format_median_ci(None, 9.0, None, 1) == "NR (9.0–NR)"
    assert format_median_ci(None, None, None) == "NR (NR–NR)"
    assert format_median_ci(12.4, 9.0, None, 1, options=FormatOptions(not_reached="NA")) == (
        "12.4 (9.0–NA)"
    )


def test_p_threshold_follows_p_decimals_by_default() -> None:
    assert FormatOptions().p_floor == 0.001
    two = FormatOptions(p_decimals=2)
    assert two.p_floor == 0.01
    assert format_p(0.004, options=two) == "<0.01"
    assert format_p(0.0151, options=two) == "0.02"
    assert format_p(0.00004, options=FormatOptions(p_decimals=4)) == "<0.0001"
