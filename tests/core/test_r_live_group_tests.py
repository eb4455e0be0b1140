"""Live parity: fresh seeded random tables and samples -> Rscript validation/r/group_tests.R.

Random 2 x 2, 2 x k and 3 x 3/3 x 4 tables (chisq.test with and without Yates, fisher.test incl.
odds ratio and CI), two-sample vectors with and without ties (t.test Student/Welch,
wilcox.test exact and approximate), k-sample vectors (oneway.test, kruskal.test) and binom.test
intervals, compared at rtol 1e-6.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hccsurv.core.group_tests import (
    TestResult,
    chisq_test,
    fisher_exact,
    kruskal_wallis,
    oneway_anova,
    t_test,
    wilcoxon_rank_sum,
)
from hccsurv.core.proportion import clopper_pearson

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "group_tests.R"
RTOL = 1e-6


def _spec(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    tables = []
    for shape in [(2, 2), (2, 2), (2, 3), (2, 4), (2, 6), (3, 3), (3, 4)]:
        n = int(rng.integers(20, 120))
        probs = rng.dirichlet(np.full(shape[0] * shape[1], 2.0))
        t = rng.multinomial(n, probs).reshape(shape)
        t[:, 0] += 1  # no empty column
        t[0, :] += 1
        tables.append(t.tolist())
    two = []
    for ties in (False, True):
        for n1, n2 in ((int(rng.integers(4, 30)), int(rng.integers(4, 30))), (60, 45)):
            x = rng.normal(60, 10, n1)
            y = rng.normal(64, 12, n2)
            if ties:
                x, y = np.round(x / 5) * 5, np.round(y / 5) * 5
            two.append({"x": x.tolist(), "y": y.tolist()})
    k = [
        {"groups": [rng.gamma(2.0, 3.0 + j, int(rng.integers(5, 40))).tolist() for j in range(3)]},
        {"groups": [np.round(rng.normal(j, 1, 25)).tolist() for j in range(4)]},
    ]
    binom = [{"x": int(x), "n": int(n)} for n in rng.integers(1, 200, 4) for x in (0, n // 3, n)]
    return {"tables": tables, "two": two, "k": k, "binom": binom}


def _check(res: TestResult, ref: dict[str, Any]) -> None:
    assert res.method == ref["method"]
    assert res.p_value == pytest.approx(ref["p_value"], rel=RTOL, abs=1e-15)
    if ref.get("statistic") is not None:
        assert res.statistic == pytest.approx(ref["statistic"], rel=RTOL, abs=1e-12)
    if res.test == "fisher_exact" and ref.get("estimate") is not None:
        if ref["estimate"] == "Inf":
            assert res.estimate == math.inf
        else:
            assert res.estimate == pytest.approx(ref["estimate"], rel=RTOL, abs=1e-12)
        assert res.conf_int is not None
        for got, want in zip(res.conf_int, ref["conf_int"], strict=True):
            assert (got == math.inf) if want is None else got == pytest.approx(want, rel=RTOL)


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [20240611, 17])
def test_live_group_tests(rscript: str, tmp_path: Path, seed: int) -> None:
    spec = _spec(seed)
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(spec))
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(src), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    for table, r in zip(spec["tables"], ref["tables"], strict=True):
        # chisq.test(m, correct = FALSE / TRUE); fisher.test(m)
        if (np.array(table).sum(axis=1) > 0).all():
            _check(chisq_test(table), r["chisq"])
            _check(chisq_test(table, correct=True), r["yates"])
        _check(fisher_exact(table), r["fisher"])
    for s, r in zip(spec["two"], ref["two"], strict=True):
        # t.test(x, y, var.equal = TRUE), t.test(x, y), wilcox.test(x, y)
        _check(t_test(s["x"], s["y"]), r["student"])
        _check(t_test(s["x"], s["y"], var_equal=False), r["welch"])
        _check(wilcoxon_rank_sum(s["x"], s["y"]), r["wilcox"])
    for s, r in zip(spec["k"], ref["k"], strict=True):
        # oneway.test(v ~ f, var.equal = TRUE); kruskal.test(v, f)
        _check(oneway_anova(s["groups"]), r["anova"])
        _check(kruskal_wallis(s["groups"]), r["kruskal"])
    for s, r in zip(spec["binom"], ref["binom"], strict=True):
        # binom.test(x, n)$conf.int
        ci = clopper_pearson(s["x"], s["n"])
        assert [ci.conf_low, ci.conf_high] == pytest.approx(r, rel=1e-9, abs=1e-15)
