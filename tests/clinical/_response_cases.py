"""Builders of small hand-made lesion tables for the response-engine tests."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def target_rows(
    dates: Sequence[str],
    sums: Sequence[Sequence[float | None]],
    patient: str = "P1",
    reader: str = "R1",
    total: Sequence[Sequence[float | None]] | None = None,
    organs: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """One target row per lesion per date; ``None`` leaves the lesion unmeasured (no row)."""
    rows: list[dict[str, object]] = []
    for k, (date, values) in enumerate(zip(dates, sums, strict=True)):
        for j, value in enumerate(values):
            if value is None:
                continue
            whole = total[k][j] if total is not None else value
            rows.append(
                {
                    "patient_id": patient,
                    "reader": reader,
                    "assessment_date": date,
                    "lesion_id": f"T{j + 1}",
                    "lesion_kind": "target",
                    "organ": organs[j] if organs is not None else "liver",
                    "viable_diameter_mm": value,
                    "total_diameter_mm": whole,
                }
            )
    return rows


def nontarget_row(
    date: str, status: str, patient: str = "P1", reader: str = "R1", **extra: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "patient_id": patient,
        "reader": reader,
        "assessment_date": date,
        "lesion_id": str(extra.pop("lesion_id", "N1")),
        "lesion_kind": "non-target",
        "organ": str(extra.pop("organ", "liver")),
        "nontarget_status": status,
    }
    row.update(extra)
    return row


def new_row(
    date: str,
    size: float,
    typical: bool,
    patient: str = "P1",
    reader: str = "R1",
    lesion_id: str = "NEW1",
    **extra: object,
) -> dict[str, object]:
    row: dict[str, object] = {
        "patient_id": patient,
        "reader": reader,
        "assessment_date": date,
        "lesion_id": lesion_id,
        "lesion_kind": "new",
        "organ": str(extra.pop("organ", "liver")),
        "new_lesion_size_mm": size,
        "new_lesion_typical": typical,
    }
    row.update(extra)
    return row


def graded(
    calls: Sequence[tuple[int, str]], patient: str = "P1", reader: str = "R1"
) -> pd.DataFrame:
    """A graded per-visit table from ``(day after 2023-01-01, response)`` pairs."""
    base = pd.Timestamp("2023-01-01")
    return pd.DataFrame(
        {
            "patient_id": patient,
            "reader": reader,
            "assessment_date": [(base + pd.Timedelta(days=d)).date().isoformat() for d, _ in calls],
            "response": [r for _, r in calls],
        }
    )
