"""Child-Pugh score and class (Pugh RN et al., Br J Surg 1973;60:646-9), rule ``Child-Pugh-1973``.

| item | 1 point | 2 points | 3 points |
|---|---|---|---|
| bilirubin (mg/dL) | < 2.0 | 2.0-3.0 | > 3.0 |
| albumin (g/dL), band "pugh" | > 3.5 | 2.8-3.5 | < 2.8 |
| albumin (g/dL), band "harrison" | > 3.5 | 3.0-3.5 | < 3.0 |
| INR | < 1.7 | 1.7-2.3 | > 2.3 |
| ascites | none | mild | moderate-severe |
| encephalopathy | none | grade 1-2 | grade 3-4 |

Both ends of each middle band belong to it (bilirubin 2.0 and 3.0, albumin 3.5 and 2.8, INR 1.7 and
2.3 score 2 points), compared with a tolerance of 1e-9. Class A = 5-6, B = 7-9, C = 10-15, labelled
e.g. "B7". Ascites and encephalopathy are clinical judgements: a missing one makes the score missing
(never imputed as "none"). Convert µmol/L or g/L with :mod:`hccsurv.clinical.units` first.
"""

from __future__ import annotations

import re
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

__all__ = [
    "ALBUMIN_BANDS",
    "CHILD_PUGH_RULE",
    "ascites_points",
    "child_pugh_class",
    "child_pugh_label",
    "child_pugh_points",
    "encephalopathy_points",
]

CHILD_PUGH_RULE = "Child-Pugh-1973"
ALBUMIN_BANDS: dict[str, float] = {"pugh": 2.8, "harrison": 3.0}
"""Lower edge (g/dL) of the 2-point albumin band per band set [CONFIG; default "pugh"]."""

_ASCITES = {
    1: ("none", "no", "absent", "0"),
    2: ("mild", "slight", "grade 1", "controlled", "diuretic controlled", "diuretic-controlled"),
    3: (
        "moderate",
        "severe",
        "moderate-severe",
        "moderate/severe",
        "moderate to severe",
        "tense",
        "refractory",
    ),
}
_ENCEPHALOPATHY = {
    1: ("none", "no", "absent", "0", "grade 0"),
    2: ("grade1-2", "grade 1-2", "grade 1", "grade 2", "1", "2", "1-2", "mild", "controlled"),
    3: ("grade3-4", "grade 3-4", "grade 3", "grade 4", "3", "4", "3-4", "severe", "refractory"),
}


def _normalise(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower().replace("_", " "))


def _category_points(values: object, table: dict[int, tuple[str, ...]], name: str) -> np.ndarray:
    lookup = {_normalise(s): p for p, spellings in table.items() for s in spellings}
    labels = pd.Series(as_labels(values), dtype=object)
    missing = labels.map(is_missing).to_numpy(dtype=bool)
    keys = labels[~missing].astype(str).map(_normalise)
    points = keys.map(lookup)
    unknown = points.isna().to_numpy(dtype=bool)
    if unknown.any():
        i = int(keys.index[np.flatnonzero(unknown)[0]])
        accepted = ", ".join(repr(s) for spellings in table.values() for s in spellings)
        raise InputError(
            f"{name}: unknown category {labels.iloc[i]!r} at position {i}; use one of {accepted} "
            "(or leave it empty when the chart does not state it)"
        )
    out = np.full(labels.shape[0], np.nan)
    out[~missing] = points.to_numpy(dtype=float)
    return out


def ascites_points(ascites: object) -> Any:
    """Child-Pugh points for ascites (Pugh 1973): none 1, mild 2, moderate-severe 3.

    Accepts e.g. "none"/"no", "mild"/"slight"/"controlled", "moderate"/"severe"/"refractory"
    (case and spacing ignored). Missing gives NaN; an unknown spelling raises ``InputError``.
    """
    return restore(_category_points(ascites, _ASCITES, "ascites"), ascites)


def encephalopathy_points(encephalopathy: object) -> Any:
    """Child-Pugh points for hepatic encephalopathy (Pugh 1973): none 1, grade 1-2 2, grade 3-4 3.

    Accepts e.g. "none", "grade1-2"/"grade 1"/"grade 2"/"mild", "grade3-4"/"grade 3"/"severe".
    Missing gives NaN; an unknown spelling raises ``InputError``.
    """
    return restore(
        _category_points(encephalopathy, _ENCEPHALOPATHY, "encephalopathy"), encephalopathy
    )


def _band_points(
    x: np.ndarray, low_cut: float, high_cut: float, higher_is_worse: bool
) -> np.ndarray:
    """1/2/3 points with both cuts inside the 2-point band (tolerance ``TOL``); NaN stays NaN."""
    if higher_is_worse:
        pts = np.where(x < low_cut - TOL, 1.0, np.where(x > high_cut + TOL, 3.0, 2.0))
    else:
        pts = np.where(x > high_cut + TOL, 1.0, np.where(x < low_cut - TOL, 3.0, 2.0))
    return np.where(np.isnan(x), np.nan, pts)


def child_pugh_points(
    bilirubin_mg_dl: object,
    albumin_g_dl: object,
    inr: object,
    ascites: object,
    encephalopathy: object,
    *,
    albumin_band: Literal["pugh", "harrison"] = "pugh",
) -> Any:
    """Child-Pugh total score 5-15 (Pugh 1973; rule ``Child-Pugh-1973``).

    Parameters
    ----------
    bilirubin_mg_dl, albumin_g_dl, inr : scalar, array or Series
        Total bilirubin (mg/dL), albumin (g/dL), INR.
    ascites, encephalopathy : str, array or Series
        Categories as accepted by :func:`ascites_points` and :func:`encephalopathy_points`.
    albumin_band : {"pugh", "harrison"}
        2-point albumin band 2.8-3.5 g/dL (Pugh, default) or 3.0-3.5 g/dL (Harrison's) [CONFIG].

    Returns
    -------
    float or ndarray or Series
        The total (float; NaN where any item is missing), shaped like the first array input.

    Examples
    --------
    >>> child_pugh_points(1.2, 3.2, 1.3, "mild", "none")
    7.0
    """
    if albumin_band not in ALBUMIN_BANDS:
        raise InputError(f"albumin_band {albumin_band!r} is not one of {sorted(ALBUMIN_BANDS)}")
    names = ("bilirubin_mg_dl", "albumin_g_dl", "inr", "ascites", "encephalopathy")
    bili = as_float(bilirubin_mg_dl, names[0])
    alb = as_float(albumin_g_dl, names[1])
    inr_v = as_float(inr, names[2])
    asc = _category_points(ascites, _ASCITES, names[3])
    enc = _category_points(encephalopathy, _ENCEPHALOPATHY, names[4])
    check_lengths(names, (bili, alb, inr_v, asc, enc))
    total = (
        _band_points(bili, 2.0, 3.0, higher_is_worse=True)
        + _band_points(alb, ALBUMIN_BANDS[albumin_band], 3.5, higher_is_worse=False)
        + _band_points(inr_v, 1.7, 2.3, higher_is_worse=True)
        + asc
        + enc
    )
    like = first_series(bilirubin_mg_dl, albumin_g_dl, inr, ascites, encephalopathy)
    return restore(total, like)


def _points_array(points: object) -> np.ndarray:
    pts = as_float(points, "points")
    ok = np.isnan(pts) | ((pts >= 5) & (pts <= 15) & (pts == np.round(pts)))
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise InputError(f"points: value {pts[i]!r} at position {i} is not a Child-Pugh total 5-15")
    return pts


def child_pugh_class(points: object) -> Any:
    """Child-Pugh class from the total (Pugh 1973): A = 5-6, B = 7-9, C = 10-15; missing -> None."""
    pts = _points_array(points)
    cls = np.where(pts <= 6, "A", np.where(pts <= 9, "B", "C")).astype(object)
    cls[np.isnan(pts)] = None
    return restore(cls, points)


def child_pugh_label(points: object) -> Any:
    """Class and score as one label, e.g. "A5", "B7", "C10" (Pugh 1973); missing -> None."""
    pts = _points_array(points)
    cls = np.where(pts <= 6, "A", np.where(pts <= 9, "B", "C"))
    score = np.where(np.isnan(pts), 0, pts).astype(np.int64).astype(str)
    label = np.char.add(cls, score).astype(object)
    label[np.isnan(pts)] = None
    return restore(label, points)
