"""ALBI score and grade (Johnson PJ et al., J Clin Oncol 2015;33:550-8), rule ``ALBI-2015``, and the
modified grade mALBI (Hiraoka A et al., Liver Cancer 2017;6:204-15), rule ``mALBI-2017``.

ALBI = 0.66 × log10(bilirubin, µmol/L) + c × albumin (g/L), c = -0.085 (default) or -0.0852 as
printed in some papers [CONFIG].

| grade | ALBI |
|---|---|
| 1 | ≤ -2.60 |
| 2 (mALBI 2a) | > -2.60 and ≤ -2.270 |
| 2 (mALBI 2b) | > -2.270 and ≤ -1.39 |
| 3 | > -1.39 |

Grades come from the unrounded score; the boundary values belong to the lower grade (tolerance
1e-9). The mALBI cut -2.270 is marked [UNVERIFIED] in the domain reference (§3, §11).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hccsurv.clinical._arrays import TOL, as_float, check_lengths, first_series, restore
from hccsurv.errors import InputError

__all__ = [
    "ALBI_COEFFICIENTS",
    "ALBI_RULE",
    "MALBI_CUT",
    "MALBI_RULE",
    "albi_grade",
    "albi_score",
    "malbi_grade",
]

ALBI_RULE = "ALBI-2015"
MALBI_RULE = "mALBI-2017"
ALBI_COEFFICIENTS = (-0.085, -0.0852)
"""Accepted albumin coefficients: -0.085 (default) and -0.0852."""
GRADE_1_MAX = -2.60
GRADE_2_MAX = -1.39
MALBI_CUT = -2.270


def albi_score(
    bilirubin_umol_l: object, albumin_g_l: object, *, albumin_coefficient: float = -0.085
) -> Any:
    """ALBI score (Johnson 2015, ``ALBI-2015``): ``0.66 log10(bilirubin µmol/L) + c albumin g/L``.

    Parameters
    ----------
    bilirubin_umol_l : scalar, array or Series
        Total bilirubin in µmol/L (``bilirubin_mg_dl_to_umol_l`` converts mg/dL with 17.1).
    albumin_g_l : scalar, array or Series
        Albumin in g/L (``albumin_g_dl_to_g_l`` converts g/dL with 10).
    albumin_coefficient : {-0.085, -0.0852}
        The albumin coefficient c [CONFIG; default -0.085].

    Returns
    -------
    float or ndarray or Series
        The unrounded score; NaN where an input is missing.

    Examples
    --------
    >>> round(albi_score(20.52, 35.0), 3)
    -2.109
    """
    if albumin_coefficient not in ALBI_COEFFICIENTS:
        raise InputError(
            f"albumin_coefficient {albumin_coefficient!r} is not one of {ALBI_COEFFICIENTS}"
        )
    bili = as_float(bilirubin_umol_l, "bilirubin_umol_l")
    alb = as_float(albumin_g_l, "albumin_g_l")
    check_lengths(("bilirubin_umol_l", "albumin_g_l"), (bili, alb))
    bad = bili <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"bilirubin_umol_l: value {bili[i]!r} at position {i} must be > 0 for log10"
        )
    score = 0.66 * np.log10(bili) + albumin_coefficient * alb
    return restore(score, first_series(bilirubin_umol_l, albumin_g_l))


def albi_grade(score: object) -> Any:
    """ALBI grade "1" (≤ -2.60), "2" (≤ -1.39), "3" (> -1.39) (Johnson 2015); missing -> None."""
    s = as_float(score, "score")
    grade = np.where(s <= GRADE_1_MAX + TOL, "1", np.where(s <= GRADE_2_MAX + TOL, "2", "3"))
    out = grade.astype(object)
    out[np.isnan(s)] = None
    return restore(out, score)


def malbi_grade(score: object) -> Any:
    """mALBI grade "1", "2a" (≤ -2.270), "2b" (≤ -1.39), "3" (Hiraoka 2017); missing -> None."""
    s = as_float(score, "score")
    grade = np.select(
        [s <= GRADE_1_MAX + TOL, s <= MALBI_CUT + TOL, s <= GRADE_2_MAX + TOL],
        ["1", "2a", "2b"],
        default="3",
    )
    out = grade.astype(object)
    out[np.isnan(s)] = None
    return restore(out, score)
