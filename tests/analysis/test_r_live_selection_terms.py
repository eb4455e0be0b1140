"""Live parity: fresh seeded data -> validation/r/selection_terms.R (live mode) -> compare.

R screens the candidates (forced treatment, p < 0.1), fits a model with log, per-k, centred and
interaction terms, and tests treatment x factor with anova(); hccsurv must agree at rtol 1e-6.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccsurv.analysis.coxph import coxph
from hccsurv.analysis.selection import lr_test, select_multivariable
from hccsurv.analysis.terms import TermSpec, add_interaction, add_transforms

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "selection_terms.R"


def _draw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 350
    trt = rng.integers(0, 2, n)
    f = rng.choice(["a", "b", "c"], n)
    x = np.exp(rng.normal(1, 0.7, n)).round(3)
    z = rng.normal(50, 10, n).round(1)
    w = rng.normal(0, 2, n).round(2)
    lp = -0.3 * trt + 0.4 * np.log(x) + 0.02 * (z - 50) + np.where(f == "c", 0.5, 0.0)
    lp = lp + 0.4 * trt * (f == "b")
    t = rng.exponential(15 * np.exp(-lp))
    c = rng.uniform(5, 40, n)
    frame = pd.DataFrame(
        {
            "time": np.ceil(np.minimum(t, c)),
            "status": (t <= c).astype(int),
            "trt": trt,
            "f": f,
            "x": x,
            "z": z,
            "w": w,
        }
    )
    frame.loc[rng.choice(n, 8, replace=False), "w"] = np.nan
    return frame


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [31, 32])
def test_live_selection_and_terms(rscript: str, tmp_path: Path, seed: int) -> None:
    d = _draw(seed)
    csv, out = tmp_path / "d.csv", tmp_path / "out.json"
    d.to_csv(csv, index=False, na_rep="NA")
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(csv), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text(encoding="utf-8"))
    frame = d.assign(trt=d["trt"].astype(str))

    sel = select_multivariable(frame, "time", "status", ["f", "x", "z", "w"], forced=["trt"])
    r = ref["select"]
    assert list(sel.selected) == r["selected"]
    np.testing.assert_allclose(sel.univariate_p, r["p"], rtol=1e-6)
    assert sel.multivariable is not None
    np.testing.assert_allclose(sel.multivariable.fit.coef, r["coef"], rtol=1e-7)
    np.testing.assert_allclose(sel.multivariable.fit.se, r["se"], rtol=1e-6)

    t, _ = add_transforms(
        frame, [TermSpec("x", "log"), TermSpec("z", "per", 5.0), TermSpec("w", "center")]
    )
    t, trt_f = add_interaction(t, "trt", "f")
    t, x_z = add_interaction(t, "x", "z")
    covs = ["log(x)", "z/5", "w - mean", "trt", "f", *trt_f, *x_z]
    model = coxph(t, "time", "status", covs)
    np.testing.assert_allclose(model.fit.coef, ref["terms"]["coef"], rtol=1e-6)
    np.testing.assert_allclose(model.fit.se, ref["terms"]["se"], rtol=1e-6)
    assert model.n == ref["terms"]["n"]

    test = lr_test(
        coxph(t, "time", "status", ["trt", "f"]),
        coxph(t, "time", "status", ["trt", "f", *trt_f]),
    )
    assert test.df == ref["lr"]["df"]
    np.testing.assert_allclose(
        [test.chisq, test.p], [ref["lr"]["chisq"], ref["lr"]["p"]], rtol=1e-6
    )
