"""hccsurv.core.p_adjust against R p.adjust (validation/r/pairwise_subgroup.R)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.core.p_adjust import p_adjust
from hccsurv.errors import InputError

REF: dict[str, Any] = load_reference("pairwise_subgroup")["p_adjust"]  # type: ignore[assignment]


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v == "NA" else v for v in values], dtype=float)


@pytest.mark.parametrize("method", ["holm", "BH", "bonferroni"])
def test_matches_r_with_a_missing_p(method: str) -> None:
    got = p_adjust(_floats(REF["p"]), method)
    np.testing.assert_allclose(got, _floats(REF[method]), rtol=1e-12)
    assert np.isnan(got[4])  # NA stays NA and does not count in m


def test_none_and_empty() -> None:
    np.testing.assert_array_equal(p_adjust([0.2, 0.01], "none"), [0.2, 0.01])
    assert p_adjust([], "holm").size == 0


def test_holm_is_monotone_in_the_sorted_p() -> None:
    p = np.array([0.04, 0.01, 0.03, 0.02])
    adj = p_adjust(p, "holm")
    o = np.argsort(p)
    assert np.all(np.diff(adj[o]) >= 0)
    assert adj[1] == pytest.approx(0.04)  # smallest p times m


def test_bad_input() -> None:
    with pytest.raises(InputError, match="adjust='fdr'"):
        p_adjust([0.1], "fdr")
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        p_adjust([1.2], "holm")
