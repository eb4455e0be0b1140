"""Fine-Gray core: reductions to Cox without competing events, and input checks (the R parity
is in tests/analysis/test_competing.py and test_r_live_competing.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hccsurv.core.cox import cox_fit
from hccsurv.core.fine_gray import fine_gray_fit
from hccsurv.errors import InputError, StatisticalWarning


def _data(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    time = np.ceil(rng.exponential(8.0, n))
    status = rng.choice([0, 1], n, p=[0.4, 0.6])
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)]).astype(float)
    return time, status, x


def test_without_competing_events_finegray_is_coxph_efron() -> None:
    # every weight is 1: the model is Cox's, and the coxph rules are replayed exactly
    time, status, x = _data(1)
    fg = fine_gray_fit(time, status, x, method="finegray")
    cox = cox_fit(time, status, x)
    np.testing.assert_allclose(fg.coef, cox.coef, rtol=1e-12)
    np.testing.assert_allclose(fg.model_se, cox.se, rtol=1e-10)
    np.testing.assert_allclose(fg.loglik, cox.loglik, rtol=1e-12)
    assert fg.iterations == cox.iterations


def test_without_competing_events_crr_is_coxph_breslow() -> None:
    time, status, x = _data(2)
    crr = fine_gray_fit(time, status, x, gtol=1e-13)
    cox = cox_fit(time, status, x, ties="breslow")
    np.testing.assert_allclose(crr.coef, cox.coef, rtol=1e-8)
    np.testing.assert_allclose(crr.model_se, cox.se, rtol=1e-7)
    np.testing.assert_allclose(crr.loglik_null, cox.loglik_null, rtol=1e-12)


def test_result_exports() -> None:
    time, status, x = _data(3)
    status = np.where((status == 0) & (np.arange(status.size) % 3 == 0), 2, status)
    fit = fine_gray_fit(time, status, x, names=("a", "b"))
    frame = fit.to_frame()
    assert list(frame["term"]) == ["a", "b"]
    assert fit.n_competing == int((status == 2).sum())
    assert fit.n_events + fit.n_competing + fit.n_censored == time.size
    np.testing.assert_allclose(frame["hr_upper"] / frame["hr"], frame["hr"] / frame["hr_lower"])
    assert json.dumps(fit.to_dict(), allow_nan=False)


def test_bad_input() -> None:
    time, status, x = _data(4, 20)
    with pytest.raises(InputError, match="no events"):
        fine_gray_fit(time, np.zeros(20), x)
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(InputError, match=r"X\[3, 1\]"):
        fine_gray_fit(time, status, bad)
    with pytest.raises(InputError, match=r"time\[0\]"):
        fine_gray_fit(np.r_[-1.0, time[1:]], status, x)
    with pytest.raises(InputError, match="method"):
        fine_gray_fit(time, status, x, method="cox")
    with pytest.raises(InputError, match="names"):
        fine_gray_fit(time, status, x, names=("a",))


@pytest.mark.parametrize("method", ["crr", "finegray"])
def test_a_level_without_events_of_the_cause_warns(method: str) -> None:
    rng = np.random.default_rng(3)
    n = 200
    time = np.ceil(rng.exponential(8.0, n))
    status = rng.choice([0, 1, 2], n)
    x = rng.integers(0, 2, n).astype(float)
    status[(x == 1) & (status == 1)] = 2  # x = 1 never has the cause: beta -> -infinity
    with pytest.warns(StatisticalWarning, match="infinite"):
        fit = fine_gray_fit(time, status, x, method=method)
    assert fit.coef[0] < -8.0
    assert len(fit.warnings) == 1 and "infinite" in fit.warnings[0]
