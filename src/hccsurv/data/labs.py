"""The long laboratory record: checked, converted to the grading units and graded by CTCAE.

One row per measurement: patient, date, test, value, unit, LLN, ULN (column names configurable).
Each row is checked as the cohort file is (:class:`~hccsurv.errors.Problem` with patient, file
row, column, value and the fix), and every problem of the file is reported at once:

- the test must be one of :data:`LAB_TESTS` (name or alias, case-insensitive);
- the unit must be one of the test's units in :data:`LAB_UNITS` (the value, LLN and ULN are
  converted to the grading unit with its factor: bilirubin 1 mg/dL = 17.1 µmol/L, creatinine
  1 mg/dL = 88.4 µmol/L, haemoglobin 1 g/dL = 10 g/L = 0.6206 mmol/L, counts 10^9/L = 10^3/µL
  = 1000 /µL, enzymes 1 U/L = 1 IU/L = 1/60 µkat/L);
- the value must be a number: a censored result such as "<0.1" or a comment such as "hemolysed"
  is refused (rule: a grade is never guessed from a detection limit; enter the measured number,
  or leave the value empty when there was none). An empty value is not graded and is counted in a
  warning;
- the date must be ISO text (``2024-03-01``, a time of day is dropped) or a date cell;
- the reference the test's CTCAE criteria use (ULN for an increase, LLN for a decrease) must be
  present and positive, since without it the grade is undetermined.

Baseline (:func:`grade_labs`) = the patient's last value of the test dated within ``window_days``
before the first treatment cycle, the day of the first cycle included (pre-dose samples, as
CDISC ADaM takes the last value on or before the first dose); values dated after the first cycle
are graded (``ctcae_grade`` with that baseline).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.clinical.ctcae import CTCAE_TABLES, ctcae_grade
from hccsurv.config import LabColumns
from hccsurv.errors import CohortValidationError, Problem

__all__ = ["LAB_TESTS", "LAB_UNITS", "grade_labs", "read_lab_rows"]

LAB_TESTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "neutrophils": ("Neutrophil count decreased", ("anc", "neutrophil count", "neut")),
    "platelets": ("Platelet count decreased", ("plt", "platelet count", "platelet")),
    "hemoglobin": ("Anemia", ("hb", "hgb", "haemoglobin")),
    "ast": ("Aspartate aminotransferase increased", ("got", "sgot")),
    "alt": ("Alanine aminotransferase increased", ("gpt", "sgpt")),
    "bilirubin": ("Blood bilirubin increased", ("total bilirubin", "tbil", "t-bil")),
    "creatinine": ("Creatinine increased", ("cr", "creat", "scr")),
}
"""Graded tests: canonical name -> (CTCAE term, aliases)."""

_COUNT = {"10^9/l": 1.0, "g/l": 1.0, "10^3/ul": 1.0, "10^3/mm3": 1.0, "/ul": 1e-3, "/mm3": 1e-3}
_ENZYME = {"u/l": 1.0, "iu/l": 1.0, "ukat/l": 60.0}
LAB_UNITS: dict[str, dict[str, float]] = {
    "neutrophils": _COUNT,
    "platelets": _COUNT,
    "hemoglobin": {"g/dl": 1.0, "g/l": 0.1, "mmol/l": 1.0 / 0.6206},
    "ast": _ENZYME,
    "alt": _ENZYME,
    "bilirubin": {"mg/dl": 1.0, "umol/l": 1.0 / 17.1},
    "creatinine": {"mg/dl": 1.0, "umol/l": 1.0 / 88.4},
}
"""Units per test (lower case, ``µ`` written ``u``) and the factor to the grading unit: 10^9/L
for counts, g/dL for haemoglobin, U/L for enzymes, mg/dL for bilirubin and creatinine."""

_ALIASES = {a: name for name, (_, aliases) in LAB_TESTS.items() for a in (name, *aliases)}


def _unit_key(unit: object) -> str:
    return str(unit).strip().lower().replace("µ", "u").replace("μ", "u").replace(" ", "")


def _references(term: str, version: str) -> set[str]:
    return {str(r.reference) for r in CTCAE_TABLES[version] if r.term == term} & {"LLN", "ULN"}


def _problem(
    problems: list[Problem],
    file: str,
    pid: str,
    row: int,
    column: str,
    value: Any,
    message: str,
    rule: str,
) -> None:
    shown = None if value is None or pd.isna(value) else str(value)
    problems.append(Problem(file, message, pid, column, shown, rule, row))


def read_lab_rows(
    frame: pd.DataFrame,
    columns: LabColumns | None = None,
    *,
    version: str = "5.0",
    file: str = "laboratory file",
) -> tuple[pd.DataFrame, list[str]]:
    """Checked laboratory rows in the grading units, and warnings.

    Returns a frame with ``patient_id`` (text), ``row`` (file row, header = 1), ``date``,
    ``test`` (canonical name), ``term``, ``value``, ``lln``, ``uln`` (grading units); rows with an
    empty value are left out and counted in the warnings.

    Raises
    ------
    CohortValidationError
        Every problem of the file (missing column, unknown test or unit, value not a number, date
        not a date, reference missing), each naming patient, file row, column and value.
    """
    c = columns or LabColumns()
    missing = [
        Problem(where=file, message=f"column '{col}' is missing from the {file}", column=col)
        for col in (c.patient_id, c.date, c.test, c.value, c.unit, c.lln, c.uln)
        if col not in frame.columns
    ]
    if missing:
        raise CohortValidationError(f"The {file} lacks columns", missing)
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    empty = 0
    # parsed column-wise once: a per-row parse of a 10 000-row file takes a minute
    numbers = pd.to_numeric(frame[c.value], errors="coerce").to_numpy(float)
    # ISO text or date cells (times of day dropped); day-first text is ambiguous in a long file
    dates = pd.to_datetime(frame[c.date], errors="coerce", format="ISO8601").dt.normalize()
    limits = {
        "LLN": pd.to_numeric(frame[c.lln], errors="coerce").to_numpy(float),
        "ULN": pd.to_numeric(frame[c.uln], errors="coerce").to_numpy(float),
    }
    needs = {t: _references(term, version) for t, (term, _) in LAB_TESTS.items()}
    aliases = ", ".join(sorted(a for a in _ALIASES if a not in LAB_TESTS))
    for i, (rid, raw_test, unit, raw, raw_date) in enumerate(
        zip(
            frame[c.patient_id],
            frame[c.test],
            frame[c.unit],
            frame[c.value],
            frame[c.date],
            strict=True,
        )
    ):
        row = i + 2
        pid = str(rid)
        bad = partial(_problem, problems, file, pid, row)

        test = _ALIASES.get(str(raw_test).strip().lower())
        if test is None:
            bad(
                c.test,
                raw_test,
                f"unknown test; use one of {sorted(LAB_TESTS)} (or an alias: {aliases})",
                "lab_test",
            )
            continue
        factor = LAB_UNITS[test].get(_unit_key(unit))
        if factor is None:
            bad(
                c.unit,
                unit,
                f"unit of {test} unknown; use one of {sorted(LAB_UNITS[test])}",
                "lab_unit",
            )
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()) or pd.isna(raw):
            empty += 1
            continue
        value = numbers[i]
        if np.isnan(value):
            bad(
                c.value,
                raw,
                f"{test} is not a number; a censored result ('<0.1') or a comment "
                "('hemolysed') is not graded: enter the measured number, or leave the value "
                "empty when there is none",
                "lab_value",
            )
            continue
        date = dates.iloc[i]
        if pd.isna(date):
            bad(c.date, raw_date, "not a date; write it as YYYY-MM-DD", "lab_date")
            continue
        term = LAB_TESTS[test][0]
        refs: dict[str, float] = {}
        for ref, col in (("LLN", c.lln), ("ULN", c.uln)):
            x = limits[ref][i]
            if ref in needs[test] and not (x > 0):
                bad(
                    col,
                    frame[col].iloc[i],
                    f"the {ref} of {test} is missing or not a positive number; CTCAE grades "
                    f"{term!r} against it: enter the laboratory's {ref}",
                    "lab_reference",
                )
            refs[ref] = float(x) * factor
        out.append(
            {
                "patient_id": pid,
                "row": row,
                "date": date,
                "test": test,
                "term": term,
                "value": float(value) * factor,
                "lln": refs["LLN"],
                "uln": refs["ULN"],
            }
        )
    if problems:
        raise CohortValidationError(f"The {file} has {len(problems)} problem(s)", problems)
    warnings = [f"{file}: {empty} row(s) with an empty value are not graded"] if empty else []
    rows = pd.DataFrame(
        out, columns=["patient_id", "row", "date", "test", "term", "value", "lln", "uln"]
    )
    return rows, warnings


def grade_labs(
    rows: pd.DataFrame,
    first_cycle: Mapping[str, pd.Timestamp],
    *,
    window_days: float = 30.0,
    version: str = "5.0",
) -> pd.DataFrame:
    """CTCAE grades of the on-treatment values of :func:`read_lab_rows`'s rows.

    ``first_cycle`` maps patient id to the date of the first cycle; a patient without one has no
    on-treatment values. Returns the rows dated after the first cycle with ``baseline`` (see the
    module docstring; NaN when none in the window) and ``grade`` (0-4).
    """
    first = rows["patient_id"].map(dict(first_cycle))
    days = (rows["date"] - pd.to_datetime(first)).dt.days
    before = rows[(days <= 0) & (days >= -window_days)].sort_values("date", kind="stable")
    baseline = before.groupby(["patient_id", "test"])["value"].last()
    on = rows[days > 0].copy()
    keys = pd.MultiIndex.from_frame(on[["patient_id", "test"]])
    on["baseline"] = baseline.reindex(keys).to_numpy(dtype=float)
    on["grade"] = np.nan
    for term, part in on.groupby("term"):
        on.loc[part.index, "grade"] = ctcae_grade(
            str(term),
            part["value"].to_numpy(dtype=float),
            uln=part["uln"].to_numpy(dtype=float),
            lln=part["lln"].to_numpy(dtype=float),
            baseline=part["baseline"].to_numpy(dtype=float),
            version=version,
        )
    return on.reset_index(drop=True)
