"""hccsurv.core.zph.cox_zph against R cox.zph(fit, transform = "km", terms = TRUE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import load_reference
from hccsurv.core.cox import cox_fit, prepare_cox_data
from hccsurv.core.zph import cox_zph

REF = load_reference("cox")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_heavy_ties(ties: str) -> None:
    # R: cox.zph(coxph(Surv(time, status) ~ group + age, data = ties))$table (Efron fit)
    t = pd.DataFrame(REF["ties_data"])
    x = t[["group", "age"]].to_numpy(dtype=float)
    fit = cox_fit(t["time"], t["status"], x, ties=ties)
    data = prepare_cox_data(t["time"], t["status"], x)
    z = cox_zph(data, fit.coef, ties, [("group", [0]), ("age", [1])])
    frame = z.to_frame()
    assert list(frame["term"]) == ["group", "age", "GLOBAL"]
    assert z.global_test.df == 2
    if ties == "efron":
        ref = REF["ties_efron"]["zph"]
        np.testing.assert_allclose(frame["chisq"], ref["chisq"], rtol=1e-6)
        np.testing.assert_allclose(frame["p"], ref["p"], rtol=1e-6)


def test_single_column_terms_sum_differs_from_joint() -> None:
    t = pd.DataFrame(REF["ties_data"])
    x = t[["group", "age"]].to_numpy(dtype=float)
    fit = cox_fit(t["time"], t["status"], x)
    data = prepare_cox_data(t["time"], t["status"], x)
    joint = cox_zph(data, fit.coef, "efron", [("both", [0, 1])])
    glob = joint.global_test
    np.testing.assert_allclose(joint.rows[0].chisq, glob.chisq, rtol=1e-10)


def test_all_events_at_one_time_is_not_estimable() -> None:
    # issue 15: R's cox.zph errors here; hccsurv raises its own NotEstimableError
    import pandas as pd

    from hccsurv.analysis.coxph import coxph
    from hccsurv.errors import HccsurvError, NotEstimableError

    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "time": [5.0] * 10 + list(rng.uniform(6, 10, 10)),
            "status": [1] * 10 + [0] * 10,
            "x": rng.normal(size=20),
        }
    )
    model = coxph(frame, "time", "status", ["x"])
    with pytest.raises(NotEstimableError, match="all 10 events are at one time") as info:
        model.zph()
    assert isinstance(info.value, HccsurvError)
