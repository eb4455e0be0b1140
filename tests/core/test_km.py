"""Kaplan-Meier, Nelson-Aalen, summary at times, quantiles and median follow-up against R.

Reference values: ``validation/r/km_logrank.R`` -> ``tests/reference/km_logrank.json``
(R 4.2.2, survival 3.5-3). Each case holds the data and the outputs of
``survfit(Surv(time, status) ~ 1, weights =, conf.type =)`` (``fit$time``, ``n.risk``,
``n.event``, ``n.censor``, ``surv``, ``std.err``, ``lower``, ``upper``, ``cumhaz``,
``std.chaz``), ``summary(fit, times =, extend = TRUE)``, ``quantile(fit, c(.25, .5, .75))`` and
``quantile(survfit(Surv(time, 1 - status) ~ 1), 0.5)``, overall and per group.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from conftest import load_reference
from hccsurv.core.followup import median_followup, median_followup_groups
from hccsurv.core.km import CONF_TYPES, KaplanMeier, kaplan_meier, kaplan_meier_groups
from hccsurv.core.nelson_aalen import nelson_aalen

REF: dict[str, Any] = load_reference("km_logrank")
CASES: dict[str, Any] = REF["cases"]
EXACT = 1e-9  # exact arithmetic in both (sums, products, square roots)
_SPECIAL = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}


def r_array(values: Any) -> np.ndarray:
    """A jsonlite vector (scalars unboxed, NA/Inf as strings) as a float array."""
    seq = values if isinstance(values, list) else [values]
    return np.array([_SPECIAL[v] if isinstance(v, str) else v for v in seq], dtype=float)


def close(actual: Any, expected: Any, rtol: float = EXACT) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), r_array(expected), rtol=rtol, atol=0.0, equal_nan=True
    )


def opt(value: float | None) -> float:
    return math.nan if value is None else value


def _subsets(case: dict[str, Any]) -> list[tuple[str, np.ndarray, dict[str, Any]]]:
    n = len(r_array(case["time"]))
    out = [("overall", np.ones(n, dtype=bool), case["overall"])]
    if "groups" in case:
        group = np.array(case["group"] if isinstance(case["group"], list) else [case["group"]])
        out += [(label, group == label, case["groups"][label]) for label in case["labels"]]
    return out


def _data(case: dict[str, Any], keep: np.ndarray) -> tuple[np.ndarray, ...]:
    t = r_array(case["time"])[keep]
    e = r_array(case["status"])[keep]
    w = r_array(case["weights"])[keep] if "weights" in case else None
    return t, e, w  # type: ignore[return-value]


CURVE_PARAMS = [
    pytest.param(name, label, id=f"{name}-{label}")
    for name, case in CASES.items()
    for label, _, _ in _subsets(case)
]


def _lookup(name: str, label: str) -> tuple[dict[str, Any], np.ndarray, dict[str, Any]]:
    case = CASES[name]
    for lab, keep, ref in _subsets(case):
        if lab == label:
            return case, keep, ref
    raise KeyError(label)


@pytest.mark.parametrize(("name", "label"), CURVE_PARAMS)
def test_curve_matches_survfit(name: str, label: str) -> None:
    case, keep, ref = _lookup(name, label)
    t, e, w = _data(case, keep)
    fit = kaplan_meier(t, e, weights=w)  # R: survfit(Surv(time, status) ~ 1, weights = w)
    curve = ref["curve"]
    for ours, theirs in [
        ("time", "time"),
        ("n_risk", "n_risk"),
        ("n_event", "n_event"),
        ("n_censor", "n_censor"),
        ("surv", "surv"),
        ("std_err", "std_err"),
        ("lower", "lower"),
        ("upper", "upper"),
    ]:
        close(getattr(fit, ours), curve[theirs])
    na = nelson_aalen(t, e, weights=w)  # R: fit$cumhaz, fit$std.chaz
    close(na.cumhaz, curve["cumhaz"])
    if w is None:  # with case weights R's std.chaz is not the Aalen variance on weighted counts
        close(na.std_err, curve["std_chaz"])


@pytest.mark.parametrize(("name", "label"), CURVE_PARAMS)
def test_every_conf_type(name: str, label: str) -> None:
    case, keep, ref = _lookup(name, label)
    t, e, w = _data(case, keep)
    times = r_array(case["spec"]["times"])
    probs = r_array(case["spec"]["probs"])
    for conf_type in CONF_TYPES:
        fit = kaplan_meier(t, e, weights=w, conf_type=conf_type)
        if conf_type != "none":  # R: survfit(..., conf.type = conf_type)$lower / $upper
            close(fit.lower, ref["ci"][conf_type]["lower"])
            close(fit.upper, ref["ci"][conf_type]["upper"])
        else:
            assert np.isnan(fit.lower).all() and np.isnan(fit.upper).all()
        # R: summary(fit, times = times, extend = TRUE)
        at = fit.survival_at(times)
        r_at = ref["at"][conf_type]
        for field in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err"):
            close(getattr(at, field), r_at[field])
        if conf_type != "none":
            close(at.lower, r_at["lower"])
            close(at.upper, r_at["upper"])
        close(fit.n_at_risk(times), r_at["n_risk"])
        # R: quantile(fit, probs = c(.25, .5, .75))
        q = fit.quantile(probs)
        r_q = ref["quantiles"][conf_type]
        close(q.time, r_q["time"])
        if conf_type != "none":
            close(q.lower, r_q["lower"])
            close(q.upper, r_q["upper"])
            assert [opt(fit.median), opt(fit.median_lower), opt(fit.median_upper)] == (
                pytest.approx([q.time[1], q.lower[1], q.upper[1]], rel=EXACT, nan_ok=True)
            )


@pytest.mark.parametrize(("name", "label"), CURVE_PARAMS)
def test_median_followup_matches_reverse_km(name: str, label: str) -> None:
    case, keep, ref = _lookup(name, label)
    t, e, _ = _data(case, keep)
    fu = median_followup(t, e)  # R: quantile(survfit(Surv(time, 1 - status) ~ 1), 0.5)
    close(
        [opt(fu.median), opt(fu.lower), opt(fu.upper)],
        [ref["followup"]["median"], ref["followup"]["lower"], ref["followup"]["upper"]],
    )


def test_groups_match_single_curves_and_frame() -> None:
    case = CASES["veteran_celltype"]
    t, e, g = r_array(case["time"]), r_array(case["status"]), np.array(case["group"])
    fits = kaplan_meier_groups(t, e, g)
    assert fits.labels == tuple(case["labels"])  # R factor() level order
    for label in fits.labels:
        single = kaplan_meier(t[g == label], e[g == label])
        np.testing.assert_array_equal(fits.curves[label].surv, single.surv)
        close(fits.curves[label].surv, case["groups"][label]["curve"]["surv"])
    frame = fits.to_frame()
    assert list(frame.columns) == [
        "group",
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "surv",
        "std_err",
        "lower",
        "upper",
    ]
    assert len(frame) == sum(len(c.time) for c in fits.curves.values())
    json.dumps(fits.to_dict())
    fu = median_followup_groups(t, e, g, order=["squamous", "smallcell", "adeno", "large"])
    assert fu.labels[0] == "squamous"
    close(opt(fu.estimates["adeno"].median), case["groups"]["adeno"]["followup"]["median"])


def test_flat_step_at_half_gives_midpoint() -> None:
    # R: quantile(survfit(Surv(1:6, c(1,1,1,0,1,1)) ~ 1), 0.5) = 4 (S = 0.5 on [3, 5))
    fit = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 1])
    assert fit.median == 4.0
    # R: times 1..4 all events: median 2.5, 0.75-quantile 3.5
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    np.testing.assert_array_equal(fit.quantile([0.25, 0.5, 0.75]).time, [1.5, 2.5, 3.5])


def test_median_not_reached_is_none_and_json() -> None:
    fit = kaplan_meier([3, 5, 5, 8, 13], [0, 0, 0, 0, 0])
    assert fit.median is None and fit.median_lower is None and fit.median_upper is None
    np.testing.assert_array_equal(fit.surv, 1.0)
    d = fit.to_dict()
    assert d["median"] is None
    json.dumps(d)


def test_result_is_frozen_and_typed() -> None:
    fit = kaplan_meier([1, 2, 3], [1, 0, 1])
    assert isinstance(fit, KaplanMeier)
    with pytest.raises(AttributeError):
        fit.median = 1.0  # type: ignore[misc]
    assert fit.conf_type == "log" and fit.variance == "greenwood"


def test_lifelines_matches_r_log_log_not_default_log() -> None:
    # lifelines' KaplanMeierFitter has one CI, the "exponential Greenwood" (log-log) interval,
    # equal to R's conf.type = "log-log"; R's default (and ours) is conf.type = "log", which
    # differs by up to 0.057 on lung (R_PARITY_NOTES). Its median is the first t with
    # S(t) <= 0.5, without R's midpoint rule on a flat step at exactly 0.5.
    from lifelines import KaplanMeierFitter

    case = CASES["lung_sex"]
    t, e = r_array(case["time"]), r_array(case["status"])
    kmf = KaplanMeierFitter().fit(t, e)
    ll = kmf.confidence_interval_.iloc[1:]  # lifelines adds a row at t = 0
    ours = kaplan_meier(t, e, conf_type="log-log")
    idx = np.searchsorted(ours.time, ll.index.to_numpy())
    finite = ~np.isnan(ours.lower[idx])
    np.testing.assert_allclose(ll.iloc[:, 0].to_numpy()[finite], ours.lower[idx][finite], rtol=1e-9)
    np.testing.assert_allclose(ll.iloc[:, 1].to_numpy()[finite], ours.upper[idx][finite], rtol=1e-9)
    log_ci = kaplan_meier(t, e)
    assert np.nanmax(np.abs(log_ci.lower[idx] - ll.iloc[:, 0].to_numpy())) > 0.01
    flat = KaplanMeierFitter().fit([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 1])
    assert flat.median_survival_time_ == 5.0  # lifelines; R and hccsurv: 4
    assert kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 1]).median == 4.0
