"""Body surface area and the template study's doses (domain reference §6).

* Mosteller (N Engl J Med 1987;317:1098): BSA = sqrt(height_cm × weight_kg / 3600).
* DuBois & DuBois (Arch Intern Med 1916;17:863): BSA = 0.007184 × weight_kg^0.425 × height_cm^0.725.
* HAIC FP (Park JY et al., Cancer 2007;110:129-37): 5-FU 500 mg/m² per day on days 1-3 and cisplatin
  60 mg/m² on day 2, rule ``HAIC-FP-Park2007``. An optional BSA cap (e.g. 2.0 m²) is an
  institutional choice [CONFIG; not sourced]; no rounding is applied.
* Atezolizumab + bevacizumab (IMbrave150): atezolizumab 1200 mg flat, bevacizumab 15 mg/kg, every
  3 weeks, rule ``AteBeva-IMbrave150``.

Worked example: 170 cm, 65 kg -> Mosteller 1.752 m² (DuBois 1.754), 5-FU 876 mg/day, cisplatin
105.1 mg, bevacizumab 975 mg. Missing height or weight gives missing BSA and doses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hccsurv.clinical._arrays import as_float, check_lengths, first_series, restore
from hccsurv.core._result import Result
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ATEZOLIZUMAB_FLAT_MG",
    "BEVACIZUMAB_MG_PER_KG",
    "CISPLATIN_MG_PER_M2",
    "FLUOROURACIL_DAYS",
    "FLUOROURACIL_MG_PER_M2_PER_DAY",
    "AteBevaDoses",
    "HaicFpDoses",
    "ate_beva_doses",
    "bsa_dubois",
    "bsa_mosteller",
    "haic_fp_doses",
]

FLUOROURACIL_MG_PER_M2_PER_DAY = 500.0
FLUOROURACIL_DAYS = 3
CISPLATIN_MG_PER_M2 = 60.0
ATEZOLIZUMAB_FLAT_MG = 1200.0
BEVACIZUMAB_MG_PER_KG = 15.0


def _height_weight(height_cm: object, weight_kg: object) -> tuple[np.ndarray, np.ndarray]:
    h = as_float(height_cm, "height_cm")
    w = as_float(weight_kg, "weight_kg")
    check_lengths(("height_cm", "weight_kg"), (h, w))
    for name, arr in (("height_cm", h), ("weight_kg", w)):
        bad = arr <= 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{name}: value {arr[i]!r} at position {i} must be > 0")
    return h, w


def bsa_mosteller(height_cm: object, weight_kg: object) -> Any:
    """Body surface area (m²), Mosteller 1987: ``sqrt(height_cm * weight_kg / 3600)``.

    Examples
    --------
    >>> round(bsa_mosteller(170, 65), 3)
    1.752
    """
    h, w = _height_weight(height_cm, weight_kg)
    return restore(np.sqrt(h * w / 3600.0), first_series(height_cm, weight_kg))


def bsa_dubois(height_cm: object, weight_kg: object) -> Any:
    """Body surface area (m²), DuBois & DuBois 1916: ``0.007184 * weight^0.425 * height^0.725``.

    Examples
    --------
    >>> round(bsa_dubois(170, 65), 3)
    1.754
    """
    h, w = _height_weight(height_cm, weight_kg)
    return restore(0.007184 * w**0.425 * h**0.725, first_series(height_cm, weight_kg))


@dataclass(frozen=True)
class HaicFpDoses(Result):
    """HAIC FP doses per patient (Park 2007): arrays aligned with the input BSA.

    Attributes
    ----------
    bsa_m2 : the BSA given; bsa_used_m2 : after the cap (equal when no cap);
    bsa_cap_m2 : the cap or None; fluorouracil_mg_per_day : 500 × BSA used (days 1-3);
    fluorouracil_mg_per_cycle : 3 × the daily dose; cisplatin_mg : 60 × BSA used (day 2).
    """

    bsa_m2: np.ndarray
    bsa_used_m2: np.ndarray
    bsa_cap_m2: float | None
    fluorouracil_mg_per_day: np.ndarray
    fluorouracil_mg_per_cycle: np.ndarray
    cisplatin_mg: np.ndarray
    rule: str = "HAIC-FP-Park2007"

    def to_frame(self) -> pd.DataFrame:
        """One row per patient: bsa_m2, bsa_used_m2, the three doses, bsa_cap_m2 and rule."""
        import pandas as pd

        return pd.DataFrame(
            {
                "bsa_m2": self.bsa_m2,
                "bsa_used_m2": self.bsa_used_m2,
                "fluorouracil_mg_per_day": self.fluorouracil_mg_per_day,
                "fluorouracil_mg_per_cycle": self.fluorouracil_mg_per_cycle,
                "cisplatin_mg": self.cisplatin_mg,
                "bsa_cap_m2": np.full(
                    len(self.bsa_m2), np.nan if self.bsa_cap_m2 is None else self.bsa_cap_m2
                ),
                "rule": self.rule,
            }
        )


def haic_fp_doses(bsa_m2: object, *, bsa_cap_m2: float | None = None) -> HaicFpDoses:
    """HAIC FP doses (Park 2007): 5-FU 500 mg/m²/day days 1-3, cisplatin 60 mg/m² day 2.

    Parameters
    ----------
    bsa_m2 : scalar, array or Series
        Body surface area (m²), e.g. from :func:`bsa_mosteller`.
    bsa_cap_m2 : float, optional
        Cap the BSA used for dosing at this value [CONFIG; institutional, not sourced].

    Returns
    -------
    HaicFpDoses
        Always arrays (length 1 for a scalar input); NaN where the BSA is missing.

    Examples
    --------
    >>> d = haic_fp_doses(1.752)
    >>> float(d.fluorouracil_mg_per_day[0]), round(float(d.cisplatin_mg[0]), 1)
    (876.0, 105.1)
    """
    bsa = as_float(bsa_m2, "bsa_m2")
    if bsa_cap_m2 is not None and not (np.isfinite(bsa_cap_m2) and bsa_cap_m2 > 0):
        raise InputError(f"bsa_cap_m2 {bsa_cap_m2!r} must be a positive number or None")
    bad = bsa <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"bsa_m2: value {bsa[i]!r} at position {i} must be > 0")
    used = bsa if bsa_cap_m2 is None else np.minimum(bsa, bsa_cap_m2)
    daily = FLUOROURACIL_MG_PER_M2_PER_DAY * used
    return HaicFpDoses(
        bsa_m2=bsa,
        bsa_used_m2=used,
        bsa_cap_m2=bsa_cap_m2,
        fluorouracil_mg_per_day=daily,
        fluorouracil_mg_per_cycle=FLUOROURACIL_DAYS * daily,
        cisplatin_mg=CISPLATIN_MG_PER_M2 * used,
    )


@dataclass(frozen=True)
class AteBevaDoses(Result):
    """Atezolizumab + bevacizumab doses per patient (IMbrave150), every 3 weeks."""

    weight_kg: np.ndarray
    atezolizumab_mg: np.ndarray
    bevacizumab_mg: np.ndarray
    rule: str = "AteBeva-IMbrave150"

    def to_frame(self) -> pd.DataFrame:
        """One row per patient: weight_kg, atezolizumab_mg, bevacizumab_mg, rule."""
        import pandas as pd

        return pd.DataFrame(
            {
                "weight_kg": self.weight_kg,
                "atezolizumab_mg": self.atezolizumab_mg,
                "bevacizumab_mg": self.bevacizumab_mg,
                "rule": self.rule,
            }
        )


def ate_beva_doses(weight_kg: object) -> AteBevaDoses:
    """Atezolizumab 1200 mg flat (whatever the weight) and bevacizumab 15 mg/kg (IMbrave150).

    Examples
    --------
    >>> d = ate_beva_doses(65.0)
    >>> float(d.atezolizumab_mg[0]), float(d.bevacizumab_mg[0])
    (1200.0, 975.0)
    """
    w = as_float(weight_kg, "weight_kg")
    bad = w <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"weight_kg: value {w[i]!r} at position {i} must be > 0")
    atezo = np.full(w.shape, ATEZOLIZUMAB_FLAT_MG)
    return AteBevaDoses(
        weight_kg=w, atezolizumab_mg=atezo, bevacizumab_mg=BEVACIZUMAB_MG_PER_KG * w
    )
