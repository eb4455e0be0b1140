"""The public surface: ``hccsurv.__all__`` is complete, sorted, importable, and the documented
call forms work (the README's examples)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import hccsurv


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in hccsurv.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in hccsurv.__all__:
        assert hasattr(hccsurv, name), name


def test_every_public_callable_is_documented() -> None:
    for name in hccsurv.__all__:
        obj = getattr(hccsurv, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_documented_call_forms() -> None:
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame(
        {
            "time": rng.exponential(10, n).round(1) + 0.1,
            "event": rng.integers(0, 2, n),
            "group": np.where(np.arange(n) % 2 == 0, "A", "B"),
            "age": rng.normal(60, 10, n),
        }
    )
    km = hccsurv.kaplan_meier(frame["time"], frame["event"])
    lr = hccsurv.logrank(frame["time"], frame["event"], frame["group"])
    fit = hccsurv.coxph(frame, "time", "event", ["group", "age"])
    for result in (km, lr, fit):
        json.dumps(result.to_dict(), allow_nan=False)
        assert isinstance(result.to_frame(), pd.DataFrame)
    assert list(fit.to_frame()["variable"]) == ["group", "age"]
    assert fit.to_frame()["level"].iloc[0] == "B"
    assert 0.0 <= lr.p <= 1.0


@pytest.mark.parametrize("enabled", [True, False])
def test_import_leaves_the_garbage_collector_as_it_was(enabled: bool) -> None:
    # hccsurv pauses the collector while it imports; it must restore the caller's setting
    code = (
        "import gc\n"
        f"gc.enable() if {enabled} else gc.disable()\n"
        "import hccsurv\n"
        f"assert gc.isenabled() is {enabled}, gc.isenabled()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
