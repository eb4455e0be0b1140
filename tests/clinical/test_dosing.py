"""BSA and doses (domain reference §6): the worked example 170 cm / 65 kg."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.dosing import ate_beva_doses, bsa_dubois, bsa_mosteller, haic_fp_doses
from hccsurv.errors import InputError


def test_worked_example() -> None:
    bsa = bsa_mosteller(170.0, 65.0)
    assert bsa == pytest.approx(np.sqrt(170.0 * 65.0 / 3600.0), rel=1e-12)
    assert round(bsa, 3) == 1.752
    assert round(bsa_dubois(170.0, 65.0), 3) == 1.754
    doses = haic_fp_doses(round(bsa, 3))
    assert doses.fluorouracil_mg_per_day[0] == pytest.approx(876.0)
    assert doses.fluorouracil_mg_per_cycle[0] == pytest.approx(2628.0)
    assert round(float(doses.cisplatin_mg[0]), 1) == 105.1
    ab = ate_beva_doses(65.0)
    assert ab.bevacizumab_mg[0] == pytest.approx(975.0)
    assert ab.atezolizumab_mg[0] == 1200.0


def test_bsa_cap_and_frame() -> None:
    doses = haic_fp_doses(np.array([1.8, 2.3, np.nan]), bsa_cap_m2=2.0)
    np.testing.assert_allclose(doses.bsa_used_m2[:2], [1.8, 2.0])
    np.testing.assert_allclose(doses.fluorouracil_mg_per_day[:2], [900.0, 1000.0])
    assert np.isnan(doses.cisplatin_mg[2])
    frame = doses.to_frame()
    uncapped = haic_fp_doses(1.8).to_frame()
    assert list(frame.columns) == list(uncapped.columns)
    json.dumps(doses.to_dict())


def test_vectorised_bsa_series_and_errors() -> None:
    out = bsa_mosteller(pd.Series([170.0, None]), pd.Series([65.0, 70.0]))
    assert isinstance(out, pd.Series) and np.isnan(out.iloc[1])
    with pytest.raises(InputError, match="weight_kg"):
        bsa_dubois(170.0, -1.0)
    with pytest.raises(InputError, match="bsa_cap_m2"):
        haic_fp_doses(1.8, bsa_cap_m2=0.0)
    ab = ate_beva_doses([65.0, None])
    assert ab.atezolizumab_mg.tolist() == [1200.0, 1200.0]
    assert np.isnan(ab.bevacizumab_mg[1])
