"""Clopper-Pearson intervals against R ``binom.test`` (tests/reference/group_tests.json)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import load_reference
from hccsurv.core.proportion import clopper_pearson
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("group_tests")


@pytest.mark.parametrize("case", REF["binom"], ids=lambda c: f"{c['x']}of{c['n']}")
def test_matches_binom_test(case: dict[str, Any]) -> None:
    # binom.test(x, n)$conf.int and binom.test(x, n, conf.level = 0.9)$conf.int
    for level, key in ((0.95, "conf_int"), (0.9, "conf_int_90")):
        res = clopper_pearson(case["x"], case["n"], conf_level=level)
        assert res.conf_low == pytest.approx(case[key][0], rel=1e-9, abs=1e-15)
        assert res.conf_high == pytest.approx(case[key][1], rel=1e-9, abs=1e-15)
        assert res.estimate == pytest.approx(case["x"] / case["n"])


def test_template_orr_interval() -> None:
    # binom.test(12, 34): 35.3 % (19.7 %, 53.5 %)
    res = clopper_pearson(12, 34)
    assert (round(res.conf_low or 0, 3), round(res.conf_high or 0, 3)) == (0.197, 0.535)


def test_empty_denominator_and_errors() -> None:
    empty = clopper_pearson(0, 0)
    assert empty.estimate is None and empty.conf_low is None
    assert list(empty.to_frame().columns) == list(clopper_pearson(1, 2).to_frame().columns)
    with pytest.raises(InputError, match="0 <= x <= n"):
        clopper_pearson(5, 3)
    with pytest.raises(InputError, match="conf_level"):
        clopper_pearson(1, 3, conf_level=95)
