"""Input checks, the aeqSurv time merge and the per-time aggregation."""

from __future__ import annotations

import numpy as np
import pytest

from hccsurv.core.aggregate import aggregate
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.km import kaplan_meier, kaplan_meier_groups
from hccsurv.core.timefix import AEQ_TOLERANCE, aeq_times
from hccsurv.errors import InputError


def test_accepts_lists_bools_and_ints() -> None:
    s = check_survival([1, 2, 3], [True, False, True])
    assert s.time.dtype == np.float64 and s.event.tolist() == [1.0, 0.0, 1.0]
    assert s.weights.tolist() == [1.0, 1.0, 1.0] and s.n == 3


@pytest.mark.parametrize(
    ("time", "event", "weights", "match"),
    [
        ([1, 2], [1], None, "time has 2 values but event has 1"),
        ([1, np.nan, 3], [1, 0, 1], None, r"time\[1\] = nan"),
        ([1, np.inf], [1, 0], None, r"time\[1\] = inf"),
        ([1, -2, 3], [1, 0, 1], None, r"time\[1\] = -2.0 is negative"),
        ([1, 2, 3], [1, 2, 1], None, r"event\[1\] = 2.0.*R's 1/2 coding.*status - 1"),
        ([1, 2, 3], [0, 1, 3], None, r"event\[2\] = 3.0 is not 0 or 1; use 1"),
        ([1, 2, 3], [0, np.nan, 1], None, r"event\[1\] is missing"),
        ([1, 2, 3], [0, 1, 1], [1, -1, 1], r"weights\[1\] = -1.0 is negative"),
        ([1, 2, 3], [0, 1, 1], [1, np.nan, 1], r"weights\[1\] = nan"),
        ([1, 2, 3], [0, 1, 1], [1, 1], "weights has 2"),
        ([], [], None, "empty"),
        (["a", "b"], [0, 1], None, r"time\[0\] = 'a' is not a number"),
    ],
)
def test_bad_survival_input(time: object, event: object, weights: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        check_survival(time, event, weights)  # type: ignore[arg-type]


def test_lung_status_coding_is_caught_by_estimators() -> None:
    with pytest.raises(InputError, match="status - 1"):
        kaplan_meier([306, 455, 1010], [2, 2, 1])


def test_groups_default_order_is_sorted_like_r_factor() -> None:
    g = check_groups([10, 2, 2, 10, 1], 5)
    assert g.labels == ("1", "2", "10")  # numeric sort, not string sort
    assert g.codes.tolist() == [2, 1, 1, 2, 0]
    g = check_groups(["b", "a", "c"], 3, order=["c", "a", "b"])
    assert g.labels == ("c", "a", "b") and g.codes.tolist() == [2, 1, 0]
    assert check_groups([1.0, 2.0], 2, order=[2, 1]).labels == ("2", "1")


@pytest.mark.parametrize(
    ("group", "order", "match"),
    [
        (["a", "b"], ["a"], r"group\[1\] = 'b' is not in order"),
        (["a", "a"], ["a", "b"], r"order lists \['b'\] but no row"),
        (["a", "b"], ["a", "a", "b"], "twice"),
        ([1.0, np.nan], None, r"group\[1\] is missing"),
        (["a", None], None, r"group\[1\] is missing"),
        (["a"], None, "group has 1 values but time has 2"),
    ],
)
def test_bad_groups(group: object, order: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        check_groups(group, 2, order)  # type: ignore[arg-type]


def test_aeq_times_merges_like_aeqsurv() -> None:
    t = np.array([1.0, 1.0 + 1e-10, 2.0, 3.0, 3.0 + 2e-8, 3.0 + 1e-7])
    merged = aeq_times(t)
    # R: aeqSurv(Surv(t, rep(1, 6)))[, 1] -> 1 1 2 3 3 3.0000001 (2e-8 / mean(|y|) <= 1.49e-8)
    assert merged.tolist() == [1.0, 1.0, 2.0, 3.0, 3.0, 3.0 + 1e-7]
    assert pytest.approx(1.4901161193847656e-08, rel=1e-15) == AEQ_TOLERANCE
    ints = np.arange(10.0)
    assert aeq_times(ints) is ints
    # R: aeqSurv(Surv(c(1e9, 1e9 + 5, 2e9), rep(1, 3)))[, 1] -> 1e9 1e9 2e9 (relative gap)
    big = np.array([1e9, 1e9 + 5.0, 2e9])
    assert aeq_times(big).tolist() == [1e9, 1e9, 2e9]


def test_aggregate_paths_agree() -> None:
    rng = np.random.default_rng(1)
    t = rng.integers(0, 50, 1000).astype(float)
    e = rng.integers(0, 2, 1000)
    w = rng.integers(1, 4, 1000).astype(float)
    g = rng.integers(0, 3, 1000)
    a = aggregate(check_survival(t, e, w), g, 3)
    b = aggregate(check_survival(t * 1e6, e, w), g, 3)  # range too wide: argsort path
    np.testing.assert_array_equal(a.time * 1e6, b.time)
    for f in ("n_event", "n_censor", "n_risk", "n_rows", "n_obs"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert a.n_risk[0].sum() == w.sum()


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.uint8, np.int32, np.int64, np.uint64, float]
)
def test_unweighted_day_counts_agree_with_the_sorting_path(dtype: type) -> None:
    # the unweighted integer-day path counts 2 * slot + event in one bincount
    rng = np.random.default_rng(2)
    t = rng.integers(0, 40, 500).astype(float)
    e = rng.integers(0, 2, 500).astype(dtype)
    g = rng.integers(0, 2, 500)
    for cells, k in ((None, 1), (g, 2)):
        a = aggregate(check_survival(t, e), cells, k)
        b = aggregate(check_survival(t + 0.5, e), cells, k)  # not whole days: argsort path
        np.testing.assert_array_equal(a.time + 0.5, b.time)
        for f in ("n_event", "n_censor", "n_risk", "n_rows", "n_obs"):
            np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    s = check_survival(t, e)
    assert s.event.dtype == np.float64 and s.event.tolist() == e.astype(float).tolist()
    assert (s.time_min, s.time_max) == (float(t.min()), float(t.max()))


@pytest.mark.parametrize(
    ("event", "match"),
    [
        (np.array([0, -1, 1], dtype=np.int64), r"event\[1\] = -1.0 is not 0 or 1"),
        (np.array([0, 1, -1], dtype=np.int8), r"event\[2\] = -1.0 is not 0 or 1"),
        (np.array([0, 1, 7], dtype=np.uint64), r"event\[2\] = 7.0 is not 0 or 1"),
        (np.array([1, 2, 2], dtype=np.int32), r"event\[1\] = 2.0.*status - 1"),
        (np.array([0.0, 0.5, 1.0]), r"event\[1\] = 0.5 is not 0 or 1"),
    ],
)
def test_bad_event_codes_of_every_dtype(event: np.ndarray, match: str) -> None:
    with pytest.raises(InputError, match=match):
        check_survival([1.0, 2.0, 3.0], event)


def test_single_patient_group_and_all_censored() -> None:
    fits = kaplan_meier_groups([1, 2, 3, 4], [1, 0, 1, 0], ["a", "a", "a", "b"])
    b = fits.curves["b"]
    assert b.n == 1 and b.surv.tolist() == [1.0] and b.median is None
    a = fits.curves["a"]
    # R: survfit(Surv(c(1,2,3), c(1,0,1)) ~ 1): S = 2/3, 0 ; median 3
    np.testing.assert_allclose(a.surv, [2 / 3, 2 / 3, 0.0])
    assert a.median == 3.0
    km = kaplan_meier([5, 6], [0, 0], conf_type="log-log")
    assert km.median is None and np.isnan(km.lower).all()  # R: NA at S = 1 for log-log
