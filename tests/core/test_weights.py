"""Non-integer case weights follow R's defaults (issue 15, part 3).

``coxph(..., weights = w)`` with non-integer ``w`` uses the robust (sandwich) variance and
``survfit(..., weights = w)`` the infinitesimal-jackknife one; hccsurv's ``coxph`` and
``kaplan_meier`` do the same by default and record it. Reference: validation/r/weights.R.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis.coxph import coxph
from hccsurv.core.km import kaplan_meier, kaplan_meier_groups

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "weights.json").read_text())


def _na(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def check_against_r(frame: pd.DataFrame, ref: dict[str, Any]) -> None:
    """coxph and kaplan_meier with R's default variance for these weights vs R's numbers."""
    model = coxph(frame, "time", "status", ["x1", "x2"], weights="w")
    assert model.variance == "robust" and model.robust
    assert any("non-integer case weights" in w for w in model.warnings)
    got = model.to_frame()
    cox = ref["cox"]
    np.testing.assert_allclose(got["coef"], cox["coef"], rtol=1e-6)
    np.testing.assert_allclose(got["se"], cox["se"], rtol=1e-6)
    np.testing.assert_allclose(got["robust_se"], cox["robust_se"], rtol=1e-6)
    np.testing.assert_allclose(got["p"], cox["p"], rtol=1e-6)
    np.testing.assert_allclose(got["hr_lower"], cox["lower"], rtol=1e-6)
    np.testing.assert_allclose(got["hr_upper"], cox["upper"], rtol=1e-6)
    km = kaplan_meier(frame["time"], frame["status"], weights=frame["w"])
    r = ref["km"]
    assert km.variance == "robust"
    np.testing.assert_allclose(km.time, r["time"], rtol=1e-12)
    np.testing.assert_allclose(km.surv, r["surv"], rtol=1e-9)
    # R's std.err is the se of S here; hccsurv's std_err stays the se of log S (inf at S = 0)
    alive = km.surv > 0
    assert np.isinf(km.std_err[~alive]).all()
    se_s = km.surv[alive] * km.std_err[alive]
    np.testing.assert_allclose(se_s, _na(r["std_err"])[alive], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(km.lower, _na(r["lower"]), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(km.upper, _na(r["upper"]), rtol=1e-6, atol=1e-12)
    # survfit(Surv(time, status) ~ x2, weights = w): R's curves one after the other
    groups = kaplan_meier_groups(frame["time"], frame["status"], frame["x2"], weights=frame["w"])
    g = ref["km_by_x2"]
    bounds = np.cumsum([0, *g["strata"]])
    for label, start, stop in zip(groups.labels, bounds[:-1], bounds[1:], strict=True):
        curve = groups.curves[label]
        assert curve.variance == "robust"
        np.testing.assert_allclose(curve.time, g["time"][start:stop], rtol=1e-12)
        np.testing.assert_allclose(curve.surv, g["surv"][start:stop], rtol=1e-9)
        lo, hi = _na(g["lower"][start:stop]), _na(g["upper"][start:stop])
        np.testing.assert_allclose(curve.lower, lo, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(curve.upper, hi, rtol=1e-6, atol=1e-12)


def test_non_integer_weights_match_r_defaults() -> None:
    check_against_r(pd.DataFrame(REF["data"]), REF)


def test_integer_weights_keep_model_variance_and_greenwood() -> None:
    frame = pd.DataFrame(REF["data"])
    frame["w"] = np.round(frame["w"])
    model = coxph(frame, "time", "status", ["x1", "x2"], weights="w")
    assert model.variance == "model" and model.to_dict()["variance"] == "model"
    assert kaplan_meier(frame["time"], frame["status"], weights=frame["w"]).variance == (
        "greenwood"
    )
    forced = coxph(frame, "time", "status", ["x1", "x2"], weights="w", robust=True)
    assert forced.variance == "robust"


def test_concordance_can_be_skipped() -> None:
    frame = pd.DataFrame(REF["data"])
    full = coxph(frame, "time", "status", ["x1", "x2"])
    fast = coxph(frame, "time", "status", ["x1", "x2"], concordance=False)
    assert fast.concordance_skipped and not full.concordance_skipped
    assert np.isnan(fast.concordance) and 0.0 < full.concordance < 1.0
    assert fast.to_dict()["concordance_skipped"] is True
    assert fast.to_dict()["concordance"] is None
    np.testing.assert_allclose(fast.to_frame()["coef"], full.to_frame()["coef"])
