"""Nearest-neighbour matching: messages, counts, weights, subclass rules.

R parity (MatchIt 4.5.1) is in test_adjust_parity.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.adjust.matching import MatchingResult, match_nearest
from hccsurv.errors import InputError


def _toy() -> tuple[np.ndarray, np.ndarray]:
    # rows:           0     1     2     3     4     5     6     7     8     9    10    11
    d = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 1.25, 2.0, -1.9, -0.1, 0.45, 1.125, 3.5])
    t = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)
    return d, t


def test_greedy_largest_first_without_caliper() -> None:
    d, t = _toy()
    m = match_nearest(d, t)
    # order by decreasing distance: 11 (3.5) -> 6, 10 (1.125) -> 4 (1.0 and 1.25 are both 0.125
    # away: the first in row order wins), 9 (0.45) -> 3, 8 (-0.1) -> 2, 7 (-1.9) -> 0
    assert m.match_matrix[:, 0].tolist() == [0, 2, 3, 4, 6]
    assert m.treated_positions.tolist() == [7, 8, 9, 10, 11]
    np.testing.assert_array_equal(m.weights, [1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])
    assert m.n_treated_unmatched == 0 and m.n_control_unmatched == 2


def test_caliper_leaves_far_treated_unmatched() -> None:
    d, t = _toy()
    m = match_nearest(d, t, caliper=0.2, std_caliper=False)
    assert m.match_matrix[:, 0].tolist() == [0, 2, 3, 4, -1]
    assert m.n_treated_unmatched == 1 and m.weights[11] == 0.0
    assert m.caliper_width == pytest.approx(0.2)


def test_subclass_numbers_follow_the_text_order_of_row_numbers() -> None:
    # MatchIt factor(): "10" < "11" < "8" < "9" (treated rows 7..10 are "8".."11")
    d, t = _toy()
    m = match_nearest(d, t, caliper=0.2, std_caliper=False)
    assert m.subclass[[7, 8, 9, 10]].tolist() == [3, 4, 1, 2]
    assert m.subclass[[0, 2, 3, 4]].tolist() == [3, 4, 1, 2]
    assert m.subclass[11] == 0


def test_ratio_and_replacement_weights() -> None:
    d, t = _toy()
    m = match_nearest(d, t, ratio=2, replace=True)
    assert (m.match_matrix >= 0).all()
    assert m.subclass.sum() == 0  # no subclasses with replacement (as MatchIt)
    assert m.cluster.tolist() == list(range(12))
    controls = m.weights[~t]
    assert controls.sum() == pytest.approx((controls > 0).sum())


def test_no_match_within_caliper_is_a_clear_error() -> None:
    d = np.array([0.0, 0.1, 5.0, 5.1])
    t = np.array([0, 0, 1, 1], dtype=bool)
    with pytest.raises(InputError, match=r"no treated patient has a control within the caliper"):
        match_nearest(d, t, caliper=0.01)


def test_exact_strata_without_both_groups() -> None:
    d, t = _toy()
    exact = pd.DataFrame({"sex": np.where(t, "F", "M")})
    with pytest.raises(InputError, match=r"no stratum of the exact-matching columns \['sex'\]"):
        match_nearest(d, t, exact=exact)


def test_random_order_is_seeded() -> None:
    d, t = _toy()
    a = match_nearest(d, t, m_order="random", seed=7)
    b = match_nearest(d, t, m_order="random", seed=7)
    np.testing.assert_array_equal(a.match_matrix, b.match_matrix)
    with pytest.raises(InputError, match="needs a seed"):
        match_nearest(d, t, m_order="random")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": 0}, "ratio"),
        ({"caliper": -1.0}, "caliper"),
        ({"m_order": "closest"}, "m_order"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    d, t = _toy()
    with pytest.raises(InputError, match=message):
        match_nearest(d, t, **kwargs)  # type: ignore[arg-type]


def test_frame_and_dict_have_stable_columns() -> None:
    d, t = _toy()
    m: MatchingResult = match_nearest(d, t, rows=[f"P{i}" for i in range(12)])
    frame = m.to_frame()
    assert list(frame.columns) == [
        "row",
        "treated",
        "distance",
        "matched",
        "subclass",
        "weight",
        "n_matches",
    ]
    assert frame["n_matches"].tolist()[7:] == [1, 1, 1, 1, 1]
    out = m.to_dict()
    assert out["n_treated_matched"] == 5 and "P1" not in str(out)
