"""Unit conversions and the unit mix-up check (domain reference §0, §8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.clinical.units import (
    AFP_NG_PER_IU_WHO_72_225,
    afp_iu_ml_to_ng_ml,
    albumin_g_dl_to_g_l,
    albumin_g_l_to_g_dl,
    bilirubin_mg_dl_to_umol_l,
    bilirubin_umol_l_to_mg_dl,
    check_lab_units,
    creatinine_mg_dl_to_umol_l,
    creatinine_umol_l_to_mg_dl,
)
from hccsurv.errors import InputError


def test_factors() -> None:
    assert bilirubin_mg_dl_to_umol_l(1.2) == pytest.approx(20.52, rel=1e-12)
    assert bilirubin_umol_l_to_mg_dl(17.1) == pytest.approx(1.0, rel=1e-12)
    assert albumin_g_dl_to_g_l(3.5) == pytest.approx(35.0, rel=1e-12)
    assert albumin_g_l_to_g_dl(35.0) == pytest.approx(3.5, rel=1e-12)
    assert creatinine_mg_dl_to_umol_l(1.0) == pytest.approx(88.4, rel=1e-12)
    assert creatinine_umol_l_to_mg_dl(88.4) == pytest.approx(1.0, rel=1e-12)
    assert afp_iu_ml_to_ng_ml(100.0, ng_per_iu=AFP_NG_PER_IU_WHO_72_225) == pytest.approx(121.0)
    with pytest.raises(InputError, match="ng_per_iu"):
        afp_iu_ml_to_ng_ml(100.0, ng_per_iu=0.0)


def test_shapes_and_missing() -> None:
    s = albumin_g_dl_to_g_l(pd.Series([3.5, None], index=["x", "y"]))
    assert list(s.index) == ["x", "y"] and s["x"] == 35.0 and np.isnan(s["y"])
    arr = bilirubin_mg_dl_to_umol_l(np.array([1.0, np.nan]))
    assert isinstance(arr, np.ndarray) and np.isnan(arr[1])


def test_classic_mixups_are_flagged_not_converted() -> None:
    problems = check_lab_units([35.0, 3.5], "albumin", "g/dL", ids=["P1", "P2"])
    assert len(problems) == 1
    assert problems[0].patient == "P1" and problems[0].column == "albumin"
    assert "looks like g/L" in problems[0].message and "not converted" in problems[0].message
    bili = check_lab_units(20.0, "bilirubin", "mg/dL")
    assert len(bili) == 1 and "looks like umol/L" in bili[0].message
    assert "1.17 mg/dL" in bili[0].message
    reverse = check_lab_units([1.2, 20.0], "bilirubin", "µmol/L")
    assert len(reverse) == 1 and "looks like mg/dL" in reverse[0].message
    assert check_lab_units([np.nan, 1.0], "creatinine", "mg/dL") == []


def test_check_rejects_unknown_analyte_or_unit() -> None:
    with pytest.raises(InputError, match="analyte"):
        check_lab_units(1.0, "sodium", "mmol/L")
    with pytest.raises(InputError, match="unit"):
        check_lab_units(1.0, "albumin", "mg/dL")
    with pytest.raises(InputError, match="ids"):
        check_lab_units([1.0, 2.0], "albumin", "g/dL", ids=["a"])
