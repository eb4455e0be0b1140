"""BCLC stage, 2022 update (Reig M et al., J Hepatol 2022;76:681-93), rule ``BCLC-2022``.

Decision order (domain reference §4, after the 2022 table and the Dig Dis 2016 review):

1. ECOG ≥ 3, or end-stage liver function -> "D";
2. macrovascular invasion, or extrahepatic spread, or ECOG 1-2 -> "C";
3. ECOG 0: a single nodule ≤ 20 mm -> "0"; a single nodule > 20 mm, or 2-3 nodules with the largest
   ≤ 30 mm -> "A"; otherwise (multinodular beyond A) -> "B".

Liver function is given as the Child-Pugh class: A is preserved, C is end-stage, and B follows
``child_pugh_b`` [CONFIG; UNVERIFIED exact 2022 definition]: "preserved" (default) stages a
Child-Pugh B patient by tumour burden and ECOG; "end_stage" makes it D. The 2022 transplant
exception for end-stage patients is not applied: such patients get "D". Diameters are compared
with a tolerance of 1e-9 mm. Any missing input gives a missing (None) stage.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from hccsurv.clinical._arrays import (
    TOL,
    as_float,
    as_labels,
    check_lengths,
    first_series,
    is_missing,
    restore,
)
from hccsurv.errors import InputError

__all__ = ["BCLC_RULE", "bclc_stage"]

BCLC_RULE = "BCLC-2022"
_YES = ("yes", "y", "true", "1", "present")
_NO = ("no", "n", "false", "0", "absent")


def _flag_key(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return "1" if v == 1 else "0" if v == 0 else str(v)
    return str(v).strip().lower()


def _as_flag(x: object, name: str) -> np.ndarray:
    """1.0 / 0.0 / NaN from booleans, 0/1 or "Yes"/"No" spellings."""
    labels = pd.Series(as_labels(x), dtype=object)
    missing = labels.map(is_missing).to_numpy(dtype=bool)
    keys = labels.map(_flag_key)
    yes = keys.isin(_YES).to_numpy(dtype=bool) & ~missing
    no = keys.isin(_NO).to_numpy(dtype=bool) & ~missing
    bad = ~(yes | no | missing)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name}: value {labels.iloc[i]!r} at position {i} is not yes/no; "
            "use True/False, 1/0 or Yes/No"
        )
    return np.where(missing, np.nan, yes.astype(float))


def _liver_class(x: object) -> np.ndarray:
    labels = pd.Series(as_labels(x), dtype=object)
    missing = labels.map(is_missing).to_numpy(dtype=bool)
    keys = labels.map(lambda v: str(v).strip().upper()[:1]).to_numpy(dtype=object)
    bad = ~np.isin(keys, ["A", "B", "C"]) & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"child_pugh_class: value {labels.iloc[i]!r} at position {i} is not A, B or C"
        )
    keys[missing] = None
    return keys


def bclc_stage(
    tumor_number: object,
    largest_diameter_mm: object,
    macrovascular_invasion: object,
    extrahepatic_spread: object,
    child_pugh_class: object,
    ecog: object,
    *,
    child_pugh_b: Literal["preserved", "end_stage"] = "preserved",
) -> Any:
    """BCLC 2022 stage "0", "A", "B", "C" or "D" (Reig 2022, ``BCLC-2022``).

    Parameters
    ----------
    tumor_number : scalar, array or Series
        Number of intrahepatic nodules (≥ 1).
    largest_diameter_mm : scalar, array or Series
        Largest nodule diameter in mm.
    macrovascular_invasion, extrahepatic_spread : bool, 0/1 or "Yes"/"No"
        Portal/macrovascular invasion (any Vp grade) and extrahepatic spread.
    child_pugh_class : "A", "B", "C" (a label such as "B7" is read by its letter)
        Liver function.
    ecog : 0-4
        ECOG performance status.
    child_pugh_b : {"preserved", "end_stage"}
        How Child-Pugh B counts [CONFIG; default "preserved"].

    Returns
    -------
    str or ndarray or Series
        Stage labels (object dtype), None where any input is missing.

    Examples
    --------
    >>> bclc_stage(1, 18, False, False, "A", 0)
    '0'
    """
    if child_pugh_b not in ("preserved", "end_stage"):
        raise InputError(f"child_pugh_b {child_pugh_b!r} is not 'preserved' or 'end_stage'")
    n = as_float(tumor_number, "tumor_number")
    size = as_float(largest_diameter_mm, "largest_diameter_mm")
    mvi = _as_flag(macrovascular_invasion, "macrovascular_invasion")
    ehs = _as_flag(extrahepatic_spread, "extrahepatic_spread")
    liver = _liver_class(child_pugh_class)
    ps = as_float(ecog, "ecog")
    check_lengths(
        (
            "tumor_number",
            "largest_diameter_mm",
            "macrovascular_invasion",
            "extrahepatic_spread",
            "child_pugh_class",
            "ecog",
        ),
        (n, size, mvi, ehs, liver, ps),
    )
    bad_ps = ~np.isnan(ps) & ~np.isin(ps, [0, 1, 2, 3, 4])
    if bad_ps.any():
        i = int(np.flatnonzero(bad_ps)[0])
        raise InputError(f"ecog: value {ps[i]!r} at position {i} is not an ECOG PS 0-4")
    bad_n = ~np.isnan(n) & ((n < 1) | (n != np.round(n)))
    if bad_n.any():
        i = int(np.flatnonzero(bad_n)[0])
        raise InputError(f"tumor_number: value {n[i]!r} at position {i} is not a count >= 1")
    end_stage_classes = ["C", "B"] if child_pugh_b == "end_stage" else ["C"]
    end_stage = np.isin(liver, end_stage_classes)
    single = n == 1
    stage = np.select(
        [
            (ps >= 3) | end_stage,
            (mvi == 1) | (ehs == 1) | (ps >= 1),
            single & (size <= 20 + TOL),
            single | ((n <= 3) & (size <= 30 + TOL)),
        ],
        ["D", "C", "0", "A"],
        default="B",
    ).astype(object)
    missing = (
        np.isnan(n) | np.isnan(size) | np.isnan(mvi) | np.isnan(ehs) | np.isnan(ps) | pd.isna(liver)
    )
    stage[missing] = None
    like = first_series(
        tumor_number,
        largest_diameter_mm,
        macrovascular_invasion,
        extrahepatic_spread,
        child_pugh_class,
        ecog,
    )
    return restore(stage, like)
