"""The treatment record: one row per patient, cycle and drug, checked as the cohort file is.

Columns (names configurable): patient, cycle (a positive whole number), date (the cycle's first
day; ISO text or a date cell), drug (one of the protocol's drugs when planned doses are given),
dose given in mg (a number >= 0; 0 for a drug left out of a cycle) and the cycle's status, one
of :data:`CYCLE_STATUSES` (empty = ``given``): ``paused`` when a day was held for toxicity,
``stopped`` when the cycle was stopped. Every problem of the file is reported at once, each naming
patient, file row, column, value and the fix.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from functools import partial
from typing import Any

import pandas as pd

from hccsurv.config import TreatmentColumns
from hccsurv.errors import CohortValidationError, Problem

__all__ = ["CYCLE_STATUSES", "read_treatment_rows"]

CYCLE_STATUSES = ("given", "paused", "stopped")
"""Cycle statuses of the treatment record (empty reads as ``given``)."""


def _shown(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _add(
    found: list[Problem],
    file: str,
    pid: str,
    row: int,
    rec: Mapping[Hashable, Any],
    column: str,
    message: str,
    rule: str,
) -> None:
    found.append(Problem(file, message, pid, column, _shown(rec[column]), rule, row))


def read_treatment_rows(
    frame: pd.DataFrame,
    columns: TreatmentColumns | None = None,
    *,
    drugs: Collection[str] | None = None,
    file: str = "treatment file",
) -> pd.DataFrame:
    """Checked treatment rows: ``patient_id`` (text), ``row`` (file row, header = 1), ``cycle``,
    ``date``, ``drug``, ``dose`` (mg) and ``status``, sorted by patient, cycle and drug.

    ``drugs``, when given, are the drugs the protocol plans (names compared case-insensitively);
    another drug is a problem. A status column is optional (every cycle then ``given``).

    Raises
    ------
    CohortValidationError
        Every problem of the file, each naming patient, file row, column and value; also a
        patient whose cycle has two dates, or a drug given twice in one cycle.
    """
    c = columns or TreatmentColumns()
    needed = (c.patient_id, c.cycle, c.date, c.drug, c.dose)
    missing = [
        Problem(where=file, message=f"column '{col}' is missing from the {file}", column=col)
        for col in needed
        if col not in frame.columns
    ]
    if missing:
        raise CohortValidationError(f"The {file} lacks columns", missing)
    known = {d.lower(): d for d in drugs} if drugs is not None else None
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    # parsed column-wise once: a per-row parse of a long file takes minutes
    cycles = pd.to_numeric(frame[c.cycle], errors="coerce").to_numpy(float)
    # ISO text or date cells (times of day dropped); day-first text is ambiguous in a long file
    dates = pd.to_datetime(frame[c.date], errors="coerce", format="ISO8601").dt.normalize()
    doses = pd.to_numeric(frame[c.dose], errors="coerce").to_numpy(float)
    for i, rec in enumerate(frame.to_dict("records")):
        row, pid = i + 2, str(rec[c.patient_id])
        found: list[Problem] = []
        bad = partial(_add, found, file, pid, row, rec)

        cycle = cycles[i]
        if not (cycle >= 1 and float(cycle).is_integer()):
            bad(c.cycle, "the cycle must be a whole number from 1", "cycle")
        date = dates.iloc[i]
        if pd.isna(date):
            bad(c.date, "not a date; write it as YYYY-MM-DD", "cycle_date")
        drug = str(rec[c.drug]).strip()
        if known is not None:
            if drug.lower() in known:
                drug = known[drug.lower()]
            else:
                bad(
                    c.drug,
                    f"not a drug of the protocol; use one of {sorted(known.values())}",
                    "drug",
                )
        dose = doses[i]
        if not dose >= 0:
            bad(c.dose, "the dose given must be a number of mg >= 0 (0 when left out)", "dose")
        raw = rec.get(c.status)
        status = "given" if _shown(raw) is None or not str(raw).strip() else str(raw).strip()
        if status.lower() not in CYCLE_STATUSES:
            bad(c.status, f"unknown cycle status; use one of {list(CYCLE_STATUSES)}", "status")
        problems += found
        if not found:
            out.append(
                {
                    "patient_id": pid,
                    "row": row,
                    "cycle": int(cycle),
                    "date": date,
                    "drug": drug,
                    "dose": float(dose),
                    "status": status.lower(),
                }
            )
    rows = pd.DataFrame(
        out, columns=["patient_id", "row", "cycle", "date", "drug", "dose", "status"]
    )
    for (patient, cycle), part in rows.groupby(["patient_id", "cycle"]):
        if part["date"].nunique() > 1 or part["drug"].duplicated().any():
            first = part.iloc[1]
            problems.append(
                Problem(
                    file,
                    f"cycle {cycle} has {part['date'].nunique()} dates or a drug twice; "
                    "give one row per drug with the cycle's first day",
                    str(patient),
                    c.cycle,
                    str(cycle),
                    "cycle_rows",
                    int(first["row"]),
                )
            )
    if problems:
        raise CohortValidationError(f"The {file} has {len(problems)} problem(s)", problems)
    return rows.sort_values(["patient_id", "cycle", "drug"], kind="stable").reset_index(drop=True)
