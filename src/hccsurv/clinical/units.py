"""Laboratory unit conversions and a plausibility check for unit mix-ups (domain reference §0, §8).

Factors: bilirubin 1 mg/dL = 17.1 µmol/L; albumin 1 g/dL = 10 g/L; creatinine 1 mg/dL = 88.4 µmol/L;
AFP IU/mL -> ng/mL only with a factor the caller states (the WHO 72/225 standard is usually taken as
1 IU ≈ 1.21 ng, [UNVERIFIED], assay dependent). Conversions are vectorised (scalar, ndarray or
Series in, same shape out); missing values stay missing.

:func:`check_lab_units` never converts: it returns one :class:`~hccsurv.errors.Problem` per value
that is implausible in its stated unit and says which unit the value looks like (the classic
mix-ups: albumin 35 "g/dL" is g/L; bilirubin 20 "mg/dL" is probably µmol/L).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hccsurv.clinical._arrays import as_float, restore
from hccsurv.errors import InputError, Problem

__all__ = [
    "AFP_NG_PER_IU_WHO_72_225",
    "ALBUMIN_G_L_PER_G_DL",
    "BILIRUBIN_UMOL_L_PER_MG_DL",
    "CREATININE_UMOL_L_PER_MG_DL",
    "PLAUSIBLE_RANGES",
    "afp_iu_ml_to_ng_ml",
    "albumin_g_dl_to_g_l",
    "albumin_g_l_to_g_dl",
    "bilirubin_mg_dl_to_umol_l",
    "bilirubin_umol_l_to_mg_dl",
    "check_lab_units",
    "creatinine_mg_dl_to_umol_l",
    "creatinine_umol_l_to_mg_dl",
]

BILIRUBIN_UMOL_L_PER_MG_DL = 17.1
ALBUMIN_G_L_PER_G_DL = 10.0
CREATININE_UMOL_L_PER_MG_DL = 88.4
AFP_NG_PER_IU_WHO_72_225 = 1.21
"""Commonly used ng per IU of AFP (WHO 1st IS 72/225) [UNVERIFIED; pass it explicitly]."""

PLAUSIBLE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("bilirubin", "mg/dL"): (0.1, 10.0),
    ("bilirubin", "umol/L"): (2.0, 170.0),
    ("albumin", "g/dL"): (1.0, 6.0),
    ("albumin", "g/L"): (10.0, 60.0),
    ("creatinine", "mg/dL"): (0.2, 15.0),
    ("creatinine", "umol/L"): (18.0, 1300.0),
}
"""Plausible range per (analyte, unit) for the mix-up check (inclusive; engineering choice)."""

_FACTORS = {
    "bilirubin": ("mg/dL", "umol/L", BILIRUBIN_UMOL_L_PER_MG_DL),
    "albumin": ("g/dL", "g/L", ALBUMIN_G_L_PER_G_DL),
    "creatinine": ("mg/dL", "umol/L", CREATININE_UMOL_L_PER_MG_DL),
}


def _scale(x: object, factor: float, name: str) -> Any:
    return restore(as_float(x, name) * factor, x)


def bilirubin_mg_dl_to_umol_l(x: object) -> Any:
    """Bilirubin mg/dL -> µmol/L (× 17.1)."""
    return _scale(x, BILIRUBIN_UMOL_L_PER_MG_DL, "bilirubin_mg_dl")


def bilirubin_umol_l_to_mg_dl(x: object) -> Any:
    """Bilirubin µmol/L -> mg/dL (÷ 17.1)."""
    return _scale(x, 1.0 / BILIRUBIN_UMOL_L_PER_MG_DL, "bilirubin_umol_l")


def albumin_g_dl_to_g_l(x: object) -> Any:
    """Albumin g/dL -> g/L (× 10)."""
    return _scale(x, ALBUMIN_G_L_PER_G_DL, "albumin_g_dl")


def albumin_g_l_to_g_dl(x: object) -> Any:
    """Albumin g/L -> g/dL (÷ 10)."""
    return _scale(x, 1.0 / ALBUMIN_G_L_PER_G_DL, "albumin_g_l")


def creatinine_mg_dl_to_umol_l(x: object) -> Any:
    """Creatinine mg/dL -> µmol/L (× 88.4)."""
    return _scale(x, CREATININE_UMOL_L_PER_MG_DL, "creatinine_mg_dl")


def creatinine_umol_l_to_mg_dl(x: object) -> Any:
    """Creatinine µmol/L -> mg/dL (÷ 88.4)."""
    return _scale(x, 1.0 / CREATININE_UMOL_L_PER_MG_DL, "creatinine_umol_l")


def afp_iu_ml_to_ng_ml(x: object, *, ng_per_iu: float) -> Any:
    """AFP IU/mL -> ng/mL with the stated assay factor (e.g. ``AFP_NG_PER_IU_WHO_72_225`` = 1.21).

    The factor has no default on purpose: it depends on the assay's calibration (§8).
    """
    if not (np.isfinite(ng_per_iu) and ng_per_iu > 0):
        raise InputError(f"ng_per_iu {ng_per_iu!r} must be a positive number (e.g. 1.21)")
    return _scale(x, ng_per_iu, "afp_iu_ml")


def check_lab_units(
    values: object, analyte: str, unit: str, *, ids: Sequence[str] | None = None
) -> list[Problem]:
    """Flag values implausible in their stated unit, naming the unit they look like; never converts.

    Parameters
    ----------
    values : scalar, array or Series
        Measured values as recorded.
    analyte : {"bilirubin", "albumin", "creatinine"}
    unit : {"mg/dL", "umol/L"} for bilirubin and creatinine, {"g/dL", "g/L"} for albumin
        The unit the values were recorded in ("µmol/L" is accepted for "umol/L").
    ids : sequence of str, optional
        Patient identifiers, one per value, used in the messages.

    Returns
    -------
    list of Problem
        One per implausible value (empty when all are plausible or missing).

    Examples
    --------
    >>> [p.message for p in check_lab_units(35.0, "albumin", "g/dL")][0][:40]
    'albumin 35 g/dL is outside the plausible'
    """
    unit_key = unit.replace("µ", "u").replace("μ", "u")
    if analyte not in _FACTORS:
        raise InputError(f"analyte {analyte!r} is not one of {sorted(_FACTORS)}")
    small, large, factor = _FACTORS[analyte]
    if unit_key not in (small, large):
        raise InputError(f"unit {unit!r} for {analyte} is not one of {small!r}, {large!r}")
    x = as_float(values, analyte)
    if ids is not None and len(ids) != len(x):
        raise InputError(f"ids has {len(ids)} entries for {len(x)} values; pass one id per value")
    lo, hi = PLAUSIBLE_RANGES[(analyte, unit_key)]
    other = large if unit_key == small else small
    to_other = factor if unit_key == small else 1.0 / factor
    olo, ohi = PLAUSIBLE_RANGES[(analyte, other)]
    bad = np.flatnonzero(~np.isnan(x) & ((x < lo) | (x > hi)))
    problems = []
    for i in bad.tolist():
        v = float(x[i])
        converted = v / to_other
        if olo <= v <= ohi:
            hint = (
                f"it looks like {other} ({v:g} {other} = {converted:.3g} {unit_key}); "
                f"check the unit and record the value with its unit"
            )
        else:
            hint = "check the value and its unit"
        problems.append(
            Problem(
                where=f"position {i}",
                message=(
                    f"{analyte} {v:g} {unit_key} is outside the plausible range "
                    f"{lo:g}-{hi:g} {unit_key}; {hint}; the value was not converted"
                ),
                patient=None if ids is None else str(ids[i]),
                column=analyte,
                value=f"{v:g}",
                rule="unit-plausibility",
            )
        )
    return problems
