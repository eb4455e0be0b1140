"""CTCAE grades of laboratory values, with the criteria kept as data (one table per version).

Source of v5.0: NCI Common Terminology Criteria for Adverse Events v5.0 (27 Nov 2017), thresholds
as transcribed in admiral's CTCAE v5 metadata (``ncictcaev5.json``); domain reference §7.

Each criterion row reads "grade ``g`` when value ``op`` ``factor`` × reference", the reference
being the LLN, the ULN, the baseline or 1 (a fixed threshold), and the row applying ``always``,
only at a normal (or missing) baseline, or only at an abnormal baseline (baseline > ULN). The grade
is the highest grade whose criterion is met (0 when none is). Missing-reference rules:

- a row whose LLN or ULN is missing is undetermined; the grade is missing when an undetermined row
  could raise the grade above the met one (so an ANC of 1.8 with LLN missing is missing, 1.2 is G2);
- a baseline row with the baseline missing is not met (creatinine is then graded against ULN alone);
- a missing value gives a missing grade; grade 5 never comes from a lab value.

Boundaries follow the table's strict/inclusive signs with tolerance 1e-9 (ANC 1.0 → G2,
AST = 5×ULN → G2). Rows flagged ``lab_only`` (anaemia G3) also depend on clinical actions
(transfusion); from values alone that grade is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from hccsurv.clinical._arrays import TOL, as_float, check_lengths, first_series, restore
from hccsurv.errors import InputError

__all__ = ["CTCAE_TABLES", "CTCAE_V5", "CtcaeCriterion", "ctcae_grade"]

Reference = Literal["LLN", "ULN", "baseline", "fixed"]
When = Literal["always", "baseline_normal", "baseline_abnormal"]
Op = Literal["<", ">", ">="]


@dataclass(frozen=True)
class CtcaeCriterion:
    """One row of a CTCAE table: ``grade`` when ``value op factor × reference``."""

    term: str
    grade: int
    op: Op
    factor: float
    reference: Reference
    when: When = "always"
    lab_only: bool = False


def _rows(
    term: str,
    op: Op,
    ref: Reference,
    cuts: tuple[float, ...],
    when: When = "always",
    first: int = 1,
) -> tuple[CtcaeCriterion, ...]:
    return tuple(CtcaeCriterion(term, first + i, op, c, ref, when) for i, c in enumerate(cuts))


_AMINO = ("Aspartate aminotransferase increased", "Alanine aminotransferase increased")

CTCAE_V5: tuple[CtcaeCriterion, ...] = (
    CtcaeCriterion("Neutrophil count decreased", 1, "<", 1.0, "LLN"),
    *_rows("Neutrophil count decreased", "<", "fixed", (1.5, 1.0, 0.5), first=2),  # 10^9/L
    CtcaeCriterion("Platelet count decreased", 1, "<", 1.0, "LLN"),
    *_rows("Platelet count decreased", "<", "fixed", (75.0, 50.0, 25.0), first=2),  # 10^9/L
    CtcaeCriterion("Anemia", 1, "<", 1.0, "LLN"),  # haemoglobin, g/dL
    CtcaeCriterion("Anemia", 2, "<", 10.0, "fixed"),
    CtcaeCriterion("Anemia", 3, "<", 8.0, "fixed", lab_only=True),
    *(
        row
        for term in _AMINO
        for row in (
            *_rows(term, ">", "ULN", (1.0, 3.0, 5.0, 20.0), "baseline_normal"),
            CtcaeCriterion(term, 1, ">=", 1.5, "baseline", "baseline_abnormal"),
            *_rows(term, ">", "baseline", (3.0, 5.0, 20.0), "baseline_abnormal", first=2),
        )
    ),
    *_rows("Blood bilirubin increased", ">", "ULN", (1.0, 1.5, 3.0, 10.0), "baseline_normal"),
    *_rows(
        "Blood bilirubin increased", ">", "baseline", (1.0, 1.5, 3.0, 10.0), "baseline_abnormal"
    ),
    *_rows("Creatinine increased", ">", "ULN", (1.0, 1.5, 3.0, 6.0)),
    *_rows("Creatinine increased", ">", "baseline", (1.5, 3.0), first=2),
)
"""CTCAE v5.0 laboratory criteria (NCI 2017; admiral ``ncictcaev5.json``)."""

CTCAE_TABLES: dict[str, tuple[CtcaeCriterion, ...]] = {"5.0": CTCAE_V5}
"""Criteria per CTCAE version; a new version is a new table."""


def ctcae_grade(
    term: str,
    value: Any,
    *,
    uln: Any = None,
    lln: Any = None,
    baseline: Any = None,
    version: str = "5.0",
) -> Any:
    """CTCAE grade (0-4, NaN where undetermined) of lab ``value`` for ``term`` (case-insensitive).

    ``uln``, ``lln`` and ``baseline`` are in the value's unit and broadcast against it; the
    rules for missing references are in the module docstring. Returns a float scalar, ndarray or
    Series (NaN for missing) in the shape of the input.

    Raises
    ------
    InputError
        Unknown term or version, or inputs of different lengths.
    """
    table = CTCAE_TABLES.get(version)
    if table is None:
        raise InputError(f"CTCAE version {version!r} unknown; known: {sorted(CTCAE_TABLES)}")
    rows = [r for r in table if r.term.lower() == term.strip().lower()]
    if not rows:
        terms = sorted({r.term for r in table})
        raise InputError(f"CTCAE term {term!r} not graded from lab values; known: {terms}")
    v, u, lo, b = (
        as_float(x, n)
        for x, n in ((value, "value"), (uln, "uln"), (lln, "lln"), (baseline, "baseline"))
    )
    n = check_lengths(("value", "uln", "lln", "baseline"), (v, u, lo, b))
    v, u, lo, b = (np.broadcast_to(a, n) for a in (v, u, lo, b))
    abnormal = b > u  # False where either is missing: graded as baseline normal
    refs = {"LLN": lo, "ULN": u, "baseline": b, "fixed": np.ones(n)}
    met = np.zeros(n)
    undetermined = np.zeros(n)  # highest grade whose row could not be decided
    for r in rows:
        applies = {
            "always": np.ones(n, bool),
            "baseline_normal": ~abnormal,
            "baseline_abnormal": abnormal,
        }[r.when]
        thr = r.factor * refs[r.reference]
        if r.op == "<":
            hit = v < thr - TOL
        elif r.op == ">":
            hit = v > thr + TOL
        else:
            hit = v >= thr - TOL
        met = np.where(applies & hit, np.maximum(met, r.grade), met)
        unknown = applies & np.isnan(thr) & (r.reference != "baseline")
        undetermined = np.where(unknown, np.maximum(undetermined, r.grade), undetermined)
    grade = np.where(np.isnan(v) | (undetermined > met), np.nan, met)
    return restore(grade, first_series(value, uln, lln, baseline))
