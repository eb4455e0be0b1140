"""hccsurv.core.cox_predict against R survfit(coxph fit, newdata =)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import R_DATA_DIR, load_reference
from hccsurv.core.cox import cox_fit, prepare_cox_data
from hccsurv.core.cox_predict import predict_cox_survival
from hccsurv.errors import InputError

REF = load_reference("cox")


def _lung() -> tuple[pd.DataFrame, np.ndarray]:
    d = pd.read_csv(R_DATA_DIR / "lung.csv").dropna(subset=["age", "sex", "ph.ecog", "wt.loss"])
    x = np.column_stack(
        [d["age"], d["sex"], d["ph.ecog"] == 1, d["ph.ecog"] == 2, d["ph.ecog"] == 3, d["wt.loss"]]
    ).astype(float)
    return d, x


@pytest.mark.parametrize(
    ("case", "ties"), [("lung_multi", "efron"), ("lung_multi_breslow", "breslow")]
)
def test_profile_curve(case: str, ties: str) -> None:
    # R: survfit(coxph(Surv(time, status) ~ age + sex + factor(ph.ecog) + wt.loss, lung),
    #            newdata = data.frame(age = 60, sex = 2, ph.ecog = 1, wt.loss = 5))
    d, x = _lung()
    fit = cox_fit(d["time"], d["status"] - 1, x, ties=ties)
    data = prepare_cox_data(d["time"], d["status"] - 1, x)
    curve = predict_cox_survival(data, fit.coef, fit.var, ties, [60, 2, 1, 0, 0, 5])
    ref = REF[case]["predict"]
    np.testing.assert_array_equal(curve.time, ref["time"])
    np.testing.assert_allclose(curve.surv, ref["surv"], rtol=1e-6)
    np.testing.assert_allclose(curve.std_err, ref["std_err"], rtol=1e-6)
    assert list(curve.to_frame().columns) == [
        "time",
        "n_risk",
        "n_event",
        "cumhaz",
        "surv",
        "std_err",
        "lower",
        "upper",
    ]
    with pytest.raises(InputError, match="6 finite"):
        predict_cox_survival(data, fit.coef, fit.var, ties, [60, 2])


def test_overflowing_risk_score_gives_na_limits() -> None:
    # issue 15: when the profile's risk score overflows (a diverging, monotone-likelihood
    # coefficient; here an absurd age of 1e6) the se is undefined; the limits are NaN (R's
    # NA), as the Kaplan-Meier's are, and nothing warns or raises
    frame, x = _lung()
    data = prepare_cox_data(frame["time"], frame["status"] - 1, x)
    fit = cox_fit(frame["time"], frame["status"] - 1, x)
    coef = np.array(fit.coef, dtype=float)
    pred = predict_cox_survival(data, coef, np.asarray(fit.var), "efron", [1e6, 1, 0, 0, 0, 0])
    assert np.isnan(pred.lower).all() and np.isnan(pred.upper).all()
    finite = predict_cox_survival(data, np.asarray(fit.coef), np.asarray(fit.var), "efron", x[0])
    assert np.isfinite(finite.lower).all()
