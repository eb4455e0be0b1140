"""The lesion table: column mapping, response rules and input checks.

The input is a long table with one row per lesion per reading (patient, reader, assessment date).
:class:`LesionColumns` maps the file's column names onto the names the engine uses;
:class:`ResponseRules` holds every configurable rule (the ``[response]`` config section,
:class:`hccsurv.config.ResponseConfig`, inherits it). :func:`prepare_lesions` renames, types and
checks the table and returns it together with the problems found: errors raise
:class:`~hccsurv.errors.CohortValidationError` listing all of them at once; warnings are returned
so that nothing is dropped silently.

Checks (HCC_REFERENCE §1.1-§1.2; Eisenhauer et al. 2009 for the RECIST 1.1 conventions):

- errors: a missing column, an unknown ``lesion_kind``, a negative or non-numeric diameter, an
  unparseable date, a lesion id used twice within one reading, a baseline after treatment start;
- warnings: a baseline target < 10 mm, more than 2 targets in one organ or more than 5 in total,
  a baseline target not measured at a follow-up (that visit becomes NE unless PD is shown),
  a target lesion first recorded after baseline, an assessment dated before the baseline scan
  (not used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal, cast

import numpy as np
import pandas as pd

from hccsurv.errors import CohortValidationError, InputError, Problem

Criteria = Literal["mRECIST", "RECIST1.1"]
Denominator = Literal["all_treated", "evaluable_only"]
Adjudication = Literal["consensus", "third_reader", "conservative"]

KINDS = ("target", "non-target", "new")
KIND_ALIASES = {"nontarget": "non-target", "non_target": "non-target", "non target": "non-target"}
NONTARGET_STATUSES = ("present", "absent", "progression")
EFFUSION_ORGANS = frozenset({"effusion", "ascites", "pleural effusion", "pleural_effusion"})
MIN_TARGET_MM = 10.0
MAX_TARGETS_PER_ORGAN = 2
MAX_TARGETS_TOTAL = 5


@dataclass(frozen=True)
class LesionColumns:
    """Names of the lesion-table columns (defaults are the engine's own names)."""

    patient_id: str = "patient_id"
    reader: str = "reader"
    assessment_date: str = "assessment_date"
    lesion_id: str = "lesion_id"
    lesion_kind: str = "lesion_kind"
    organ: str = "organ"
    viable_diameter_mm: str = "viable_diameter_mm"
    total_diameter_mm: str = "total_diameter_mm"
    nontarget_status: str = "nontarget_status"
    new_lesion_size_mm: str = "new_lesion_size_mm"
    new_lesion_typical: str = "new_lesion_typical"
    effusion_cytology_positive: str = "effusion_cytology_positive"

    def __post_init__(self) -> None:
        empty = [f.name for f in fields(self) if not isinstance(getattr(self, f.name), str)]
        empty += [f.name for f in fields(self) if getattr(self, f.name) == ""]
        if empty:
            raise InputError(
                f"LesionColumns: {', '.join(empty)} must name a column of the lesion file "
                "(a non-empty text)"
            )

    def rename_map(self) -> dict[str, str]:
        """Map from the file's column names to the engine's names."""
        return {getattr(self, f.name): f.name for f in fields(self)}


@dataclass(frozen=True)
class ResponseRules:
    """Every configurable response rule (HCC_REFERENCE §1.8; [CONFIG] items).

    Parameters
    ----------
    criteria
        ``"mRECIST"`` (viable diameters, no 5 mm rule) or ``"RECIST1.1"`` (total diameters,
        PD also needs a >= 5 mm absolute increase over the nadir).
    confirm_days
        A CR/PR is confirmed by a later CR (or CR/PR for PR) at least this many days later.
    sd_min_days
        SD counts for BOR only when documented at least this many days after treatment start.
    max_nr_ne
        Largest number of NE assessments allowed between a response and its confirmation.
    accept_sd
        Whether one SD between a PR and its confirmation is allowed.
    denominator
        ORR/DCR denominator: all treated patients, or evaluable patients only.
    adjudication
        First step of the cascade used to settle two readers: consensus reading, third reader,
        or the more conservative of the two reads.
    """

    criteria: Criteria = "mRECIST"
    confirm_days: int = 28
    sd_min_days: int = 42
    max_nr_ne: int = 1
    accept_sd: bool = False
    denominator: Denominator = "all_treated"
    adjudication: Adjudication = "consensus"

    def __post_init__(self) -> None:
        problems = []
        if self.criteria not in ("mRECIST", "RECIST1.1"):
            problems.append(f"criteria={self.criteria!r}: use 'mRECIST' or 'RECIST1.1'")
        for name in ("confirm_days", "sd_min_days", "max_nr_ne"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{name}={value!r}: use a non-negative whole number")
        if self.denominator not in ("all_treated", "evaluable_only"):
            problems.append(
                f"denominator={self.denominator!r}: use 'all_treated' or 'evaluable_only'"
            )
        if self.adjudication not in ("consensus", "third_reader", "conservative"):
            problems.append(
                f"adjudication={self.adjudication!r}: use 'consensus', 'third_reader' "
                "or 'conservative'"
            )
        if problems:
            raise InputError("ResponseRules: " + "; ".join(problems))

    @property
    def version(self) -> str:
        """Rule-version label written next to every derived category."""
        return "mRECIST-2010" if self.criteria == "mRECIST" else "RECIST-1.1"


@dataclass(frozen=True)
class PreparedLesions:
    """A checked lesion table (engine column names) and the warnings found."""

    table: pd.DataFrame
    warnings: tuple[Problem, ...]


_REQUIRED = ("patient_id", "reader", "assessment_date", "lesion_id", "lesion_kind")
_NUMERIC = ("viable_diameter_mm", "total_diameter_mm", "new_lesion_size_mm")
_BOOL = ("new_lesion_typical", "effusion_cytology_positive")


def truth(values: pd.Series) -> np.ndarray:
    """A boolean array from a possibly nullable column (missing -> False)."""
    return np.asarray(values.astype("boolean").fillna(False).to_numpy(dtype=bool), dtype=bool)


def fmt_date(value: object) -> str:
    """A date-like value as ``YYYY-MM-DD`` (``NaT`` when missing), for messages."""
    text = str(value)
    return "NaT" if text in ("NaT", "nan", "None", "<NA>") else text[:10]


def _to_bool(series: pd.Series, name: str, errors: list[Problem]) -> pd.Series:
    """Parse True/False/yes/no/1/0 (missing -> False) and report anything else."""
    text = series.astype("string").str.strip().str.lower()
    truthy = text.isin(["true", "yes", "y", "1", "1.0"])
    falsy = text.isin(["false", "no", "n", "0", "0.0", ""]) | text.isna()
    for idx in series.index[~(truthy | falsy)]:
        errors.append(
            Problem(
                where=f"row {idx}",
                column=name,
                value=str(series[idx]),
                message="not a yes/no value; write True or False",
            )
        )
    return pd.Series(truthy.to_numpy(dtype=bool), index=series.index)


def _basic_frame(
    frame: pd.DataFrame, columns: LesionColumns, errors: list[Problem]
) -> pd.DataFrame:
    mapping = columns.rename_map()
    missing = [src for src, dst in mapping.items() if dst in _REQUIRED and src not in frame]
    if missing:
        raise CohortValidationError(
            "Lesion table is missing required columns",
            [
                Problem(
                    where="lesion table",
                    column=m,
                    message="column not found; add it or map it with LesionColumns",
                )
                for m in missing
            ],
        )
    out = frame.rename(columns=mapping)[
        [c for c in mapping.values() if c in frame.rename(columns=mapping)]
    ].copy()
    out["patient_id"] = out["patient_id"].astype(str)
    out["reader"] = out["reader"].astype(str)
    out["lesion_id"] = out["lesion_id"].astype(str)
    kind = out["lesion_kind"].astype(str).str.strip().str.lower()
    out["lesion_kind"] = kind.replace(KIND_ALIASES)
    dates = pd.to_datetime(out["assessment_date"], errors="coerce")
    for idx in out.index[dates.isna()]:
        errors.append(
            Problem(
                where=f"row {idx}",
                patient=str(out.at[idx, "patient_id"]),
                column="assessment_date",
                value=str(frame.loc[idx, columns.assessment_date]),
                message="not a date; write it as YYYY-MM-DD",
            )
        )
    out["assessment_date"] = dates
    for idx in out.index[~out["lesion_kind"].isin(KINDS)]:
        errors.append(
            Problem(
                where=f"row {idx}",
                patient=str(out.at[idx, "patient_id"]),
                column="lesion_kind",
                value=str(out.at[idx, "lesion_kind"]),
                message=f"unknown lesion kind; use one of {', '.join(KINDS)}",
            )
        )
    for name in _NUMERIC:
        if name not in out:
            out[name] = np.nan
        raw = out[name]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        for idx in out.index[bad | (num < 0)]:
            errors.append(
                Problem(
                    where=f"row {idx}",
                    patient=str(out.at[idx, "patient_id"]),
                    column=name,
                    value=str(raw[idx]),
                    message=(
                        f"lesion {out.at[idx, 'lesion_id']!s} on "
                        f"{fmt_date(out.at[idx, 'assessment_date'])}: diameter must be a "
                        "number >= 0 mm (0 = disappeared); correct the measurement"
                    ),
                )
            )
        out[name] = num.astype(float)
    for name in _BOOL:
        out[name] = (
            _to_bool(out[name], name, errors) if name in out else pd.Series(False, index=out.index)
        )
    if "organ" not in out:
        out["organ"] = "liver"
    out["organ"] = out["organ"].fillna("unknown").astype(str).str.strip().str.lower()
    if "nontarget_status" not in out:
        out["nontarget_status"] = pd.NA
    status = out["nontarget_status"].astype("string").str.strip().str.lower()
    bad_status = (out["lesion_kind"] == "non-target") & ~status.isin(NONTARGET_STATUSES)
    bad_status &= status.notna()
    for idx in out.index[bad_status]:
        errors.append(
            Problem(
                where=f"row {idx}",
                patient=str(out.at[idx, "patient_id"]),
                column="nontarget_status",
                value=str(status[idx]),
                message=f"use one of {', '.join(NONTARGET_STATUSES)} (empty = not assessed)",
            )
        )
    out["nontarget_status"] = status
    return out


def _locate_baseline(
    table: pd.DataFrame,
    treatment_start: Mapping[str, object] | None,
    errors: list[Problem],
    warns: list[Problem],
) -> pd.DataFrame:
    """Mark each reading's baseline scan; drop (with a warning) scans dated before it."""
    key = ["patient_id", "reader"]
    if treatment_start is None:
        baseline = table.groupby(key)["assessment_date"].transform("min")
    else:
        start = pd.to_datetime(table["patient_id"].map(dict(treatment_start)), errors="coerce")
        pre = table["assessment_date"].where(start.notna() & (table["assessment_date"] <= start))
        baseline = pre.groupby([table[k] for k in key]).transform("max")
        no_base = baseline.isna() & start.notna()
        for (pid, reader), grp in table[no_base].groupby(key):
            errors.append(
                Problem(
                    where="baseline",
                    patient=str(pid),
                    column="assessment_date",
                    value=fmt_date(grp["assessment_date"].min()),
                    message=(
                        f"reader {reader}: no assessment on or before treatment start "
                        f"{fmt_date(start[grp.index[0]])}; add the baseline scan"
                    ),
                )
            )
        # patients without a start date: baseline is their first scan
        baseline = baseline.fillna(table.groupby(key)["assessment_date"].transform("min"))
    table = table.assign(baseline_date=baseline)
    early = table["assessment_date"] < table["baseline_date"]
    for (pid, reader, date), _ in table[early].groupby([*key, "assessment_date"]):
        warns.append(
            Problem(
                where="baseline",
                patient=str(pid),
                column="assessment_date",
                value=fmt_date(date),
                message=(
                    f"reader {reader}: assessment before the baseline scan "
                    "(latest scan on or before treatment start); not used"
                ),
            )
        )
    return table[~early].copy()


def _check_structure(table: pd.DataFrame, errors: list[Problem], warns: list[Problem]) -> None:
    visit = ["patient_id", "reader", "assessment_date"]
    dup = table.duplicated([*visit, "lesion_id"], keep="first")
    for idx in table.index[dup]:
        errors.append(
            Problem(
                where=f"row {idx}",
                patient=str(table.at[idx, "patient_id"]),
                column="lesion_id",
                value=str(table.at[idx, "lesion_id"]),
                message=(
                    f"reader {table.at[idx, 'reader']!s} on "
                    f"{fmt_date(table.at[idx, 'assessment_date'])}: lesion id used twice in one "
                    "reading; give each lesion its own id (sum fragments into one row)"
                ),
            )
        )
    is_base = table["assessment_date"] == table["baseline_date"]
    base_t = table[is_base & (table["lesion_kind"] == "target")]
    small = base_t["viable_diameter_mm"] < MIN_TARGET_MM - 1e-9
    for idx in base_t.index[small]:
        warns.append(
            Problem(
                where="baseline target",
                patient=str(table.at[idx, "patient_id"]),
                column="viable_diameter_mm",
                value=str(table.at[idx, "viable_diameter_mm"]),
                message=(
                    f"reader {table.at[idx, 'reader']!s}, lesion {table.at[idx, 'lesion_id']!s} on "
                    f"{fmt_date(table.at[idx, 'assessment_date'])}: baseline target < 10 mm is "
                    "not measurable; follow it as a non-target lesion"
                ),
            )
        )
    per_organ = base_t.groupby(["patient_id", "reader", "organ"]).size()
    for key, n in per_organ[per_organ > MAX_TARGETS_PER_ORGAN].items():
        pid, reader, organ = cast(tuple[str, str, str], key)
        warns.append(
            Problem(
                where="baseline target",
                patient=str(pid),
                column="organ",
                value=str(organ),
                message=(
                    f"reader {reader}: {n} targets in one organ (at most "
                    f"{MAX_TARGETS_PER_ORGAN}); re-label the extra lesions as non-target"
                ),
            )
        )
    total = base_t.groupby(["patient_id", "reader"]).size()
    for key, n in total[total > MAX_TARGETS_TOTAL].items():
        pid, reader = cast(tuple[str, str], key)
        warns.append(
            Problem(
                where="baseline target",
                patient=str(pid),
                column="lesion_kind",
                value=str(n),
                message=(
                    f"reader {reader}: {n} targets in total (at most {MAX_TARGETS_TOTAL}); "
                    "re-label the extra lesions as non-target"
                ),
            )
        )
    targets = table[table["lesion_kind"] == "target"]
    base_ids = base_t[["patient_id", "reader", "lesion_id"]].drop_duplicates()
    late = targets.merge(base_ids, how="left", indicator=True)
    for row in late[late["_merge"] == "left_only"].itertuples():
        warns.append(
            Problem(
                where="follow-up target",
                patient=str(row.patient_id),
                column="lesion_id",
                value=str(row.lesion_id),
                message=(
                    f"reader {row.reader} on {fmt_date(row.assessment_date)}: target not "
                    "recorded at baseline; not used (record new lesions as kind 'new')"
                ),
            )
        )
    visits = table[~is_base][visit].drop_duplicates()
    expected = visits.merge(base_ids, on=["patient_id", "reader"])
    measured = targets[targets["viable_diameter_mm"].notna()][[*visit, "lesion_id"]]
    gaps = expected.merge(measured, how="left", indicator=True)
    for row in gaps[gaps["_merge"] == "left_only"].itertuples():
        warns.append(
            Problem(
                where="follow-up target",
                patient=str(row.patient_id),
                column="viable_diameter_mm",
                value=str(row.lesion_id),
                message=(
                    f"reader {row.reader} on {fmt_date(row.assessment_date)}: target lesion "
                    f"{row.lesion_id} not measured; the visit is NE unless PD is shown "
                    "(record 0 if it disappeared, 5 if too small to measure)"
                ),
            )
        )


def prepare_lesions(
    frame: pd.DataFrame,
    columns: LesionColumns | None = None,
    treatment_start: Mapping[str, object] | None = None,
) -> PreparedLesions:
    """Rename, type and check a lesion table.

    Parameters
    ----------
    frame
        One row per lesion per reading.
    columns
        Column mapping; defaults to the engine's names.
    treatment_start
        Optional ``patient_id -> date`` of treatment start. When given, baseline is the latest
        scan on or before it; otherwise baseline is each reading's first scan.

    Returns
    -------
    PreparedLesions
        The table with a ``baseline_date`` column and the warnings found.

    Raises
    ------
    CohortValidationError
        Listing every error found.
    """
    errors: list[Problem] = []
    warns: list[Problem] = []
    table = _basic_frame(frame, columns or LesionColumns(), errors)
    if any(p.column == "assessment_date" for p in errors):
        raise CohortValidationError("Lesion table has errors", errors)
    table = _locate_baseline(table, treatment_start, errors, warns)
    _check_structure(table, errors, warns)
    if errors:
        raise CohortValidationError("Lesion table has errors", errors)
    base_keys = table[
        (table["assessment_date"] == table["baseline_date"]) & (table["lesion_kind"] == "target")
    ][["patient_id", "reader", "lesion_id"]].drop_duplicates()
    is_target = table["lesion_kind"] == "target"
    known = (
        table[["patient_id", "reader", "lesion_id"]]
        .merge(base_keys.assign(_known=True), how="left")["_known"]
        .eq(True)
        .to_numpy(dtype=bool)
    )
    keep = ~is_target.to_numpy() | known
    ordered = table[keep].sort_values(["patient_id", "reader", "assessment_date", "lesion_id"])
    return PreparedLesions(table=ordered.reset_index(drop=True), warnings=tuple(warns))
