"""Live parity: fresh seeded r x c tables -> Rscript validation/r/fisher_rxc.R (live mode).

Random 2 x k (k up to 15) and 3 x 3 ... 4 x 4 tables of moderate size, where R's FEXACT is
reliable and quick; hccsurv's exact p must equal fisher.test(m, workspace = 2e8)$p.value at
rtol 1e-6 on every table R finishes (and R must finish most of them).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hccsurv.core.group_tests import fisher_exact

SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "r" / "fisher_rxc.R"


def _tables(seed: int) -> list[list[list[int]]]:
    rng = np.random.default_rng(seed)
    out = []
    for shape in [(2, 4), (2, 8), (2, 15), (3, 3), (3, 4), (3, 5), (4, 4)]:
        n = int(rng.integers(20, 70))
        t = rng.multinomial(n, rng.dirichlet(np.full(shape[0] * shape[1], 2.0))).reshape(shape)
        t[:, 0] += 1  # no empty margin
        t[0, :] += 1
        out.append(t.tolist())
    return out


@pytest.mark.r_live
@pytest.mark.parametrize("seed", [15, 20261207])
def test_live_fisher_rxc(rscript: str, tmp_path: Path, seed: int) -> None:
    tables = _tables(seed)
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps({"tables": tables}))
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(src), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    ref = json.loads(out.read_text())
    finished = [(t, r["p_value"]) for t, r in zip(tables, ref, strict=True) if r["p_value"]]
    assert len(finished) >= len(tables) - 1
    for table, p in finished:
        res = fisher_exact(table)
        assert res.replicates is None
        assert res.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)
