"""Time-point response: target, non-target, new-lesion and overall response at each visit.

For each patient, reader and post-baseline assessment (HCC_REFERENCE §1.2-§1.7):

- target sum ``S`` = sum of the baseline targets' diameters (viable part for mRECIST, whole
  lesion for RECIST 1.1), computed here from the per-lesion rows and rounded to integer tenths
  of a millimetre, so that the boundary comparisons below are exact integer comparisons;
- baseline sum ``B``; nadir ``N`` = smallest evaluable sum before this visit, baseline included;
- target response, in the order CR, PD, PR, SD:
  CR when every target is 0 mm (RECIST 1.1: lymph-node targets < 10 mm also count);
  PD when ``S >= 1.2 N`` (``5 S >= 6 N`` in tenths; RECIST 1.1 also ``S - N >= 5 mm``);
  PR when ``S <= 0.7 B`` (``10 S <= 7 B``); SD otherwise. A target not measured makes the
  visit NE unless the measured targets alone already meet PD;
- non-target response: PD (unequivocal progression; an effusion only with positive cytology),
  NE (a baseline non-target not assessed), IR/SD (enhancement persists), CR (all absent);
- new lesion: ``yes`` when a new lesion is >= 10 mm with the typical pattern, or an atypical one
  shows >= 10 mm of interval growth (then the PD is dated to the scan where it first appeared);
  ``equivocal`` while an atypical lesion is not confirmed; ``no`` otherwise;
- overall response from the mRECIST table (Lencioni & Llovet 2010; Choi et al. 2018, Table A.1)
  with the rows borrowed from RECIST 1.1 (Eisenhauer et al. 2009, Table 1) labelled
  ``RECIST1.1-borrowed``: no non-targets -> non-target CR; a target not assessed without PD -> NE;
  target CR with non-targets not assessed -> PR; no targets -> CR / NON-CR/NON-PD from the
  non-targets.

The computation is vectorised with pandas group operations (no loop over patients).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccsurv.clinical.response.lesions import (
    EFFUSION_ORGANS,
    LesionColumns,
    PreparedLesions,
    ResponseRules,
    fmt_date,
    prepare_lesions,
    truth,
)
from hccsurv.core._result import Result
from hccsurv.errors import CohortValidationError, Problem

BORROWED = "RECIST1.1-borrowed"
OVERALL_CODES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
_VISIT = ["patient_id", "reader", "assessment_date"]
_READING = ["patient_id", "reader"]
_FIELDS = (
    "patient_id",
    "reader",
    "assessment_date",
    "reference_date",
    "baseline_date",
    "baseline_sum_mm",
    "nadir_mm",
    "target_sum_mm",
    "pct_change_baseline",
    "pct_change_nadir",
    "target_response",
    "nontarget_response",
    "new_lesion",
    "new_lesion_backdated",
    "overall_response",
    "rule",
)


@dataclass(frozen=True)
class TimepointResponses(Result):
    """Per-visit responses, one row per patient, reader and post-baseline assessment.

    Dates are ISO strings; sums in mm (NaN where not applicable). ``rule`` names the rule version
    of the overall response (``mRECIST-2010``, ``RECIST-1.1``, ``RECIST1.1-borrowed`` or
    ``graded`` for responses read from a graded table). ``readings`` lists every (patient, reader)
    with a baseline, including those without any post-baseline assessment.
    """

    patient_id: tuple[str, ...]
    reader: tuple[str, ...]
    assessment_date: tuple[str, ...]
    reference_date: tuple[str, ...]
    baseline_date: tuple[str, ...]
    baseline_sum_mm: np.ndarray
    nadir_mm: np.ndarray
    target_sum_mm: np.ndarray
    pct_change_baseline: np.ndarray
    pct_change_nadir: np.ndarray
    target_response: tuple[str, ...]
    nontarget_response: tuple[str, ...]
    new_lesion: tuple[str, ...]
    new_lesion_backdated: np.ndarray
    overall_response: tuple[str, ...]
    rule: tuple[str, ...]
    readings: tuple[tuple[str, str], ...]
    criteria: str
    warnings: tuple[Problem, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per visit; columns as the fields above (without the lists)."""
        return pd.DataFrame({name: list(getattr(self, name)) for name in _FIELDS})


def _iso(series: pd.Series) -> tuple[str, ...]:
    return tuple(pd.to_datetime(series).dt.strftime("%Y-%m-%d").tolist())


def _from_frame(
    frame: pd.DataFrame,
    patients: pd.DataFrame,
    criteria: str,
    warnings: tuple[Problem, ...],
) -> TimepointResponses:
    frame = frame.sort_values(_VISIT).reset_index(drop=True)
    floats = {
        name: frame[name].to_numpy(dtype=float)
        for name in (
            "baseline_sum_mm",
            "nadir_mm",
            "target_sum_mm",
            "pct_change_baseline",
            "pct_change_nadir",
        )
    }
    return TimepointResponses(
        patient_id=tuple(frame["patient_id"].astype(str)),
        reader=tuple(frame["reader"].astype(str)),
        assessment_date=_iso(frame["assessment_date"]),
        reference_date=_iso(frame["reference_date"]),
        baseline_date=_iso(frame["baseline_date"]),
        **floats,
        target_response=tuple(frame["target_response"].astype(str)),
        nontarget_response=tuple(frame["nontarget_response"].astype(str)),
        new_lesion=tuple(frame["new_lesion"].astype(str)),
        new_lesion_backdated=frame["new_lesion_backdated"].to_numpy(dtype=bool),
        overall_response=tuple(frame["overall_response"].astype(str)),
        rule=tuple(frame["rule"].astype(str)),
        readings=tuple(
            sorted(
                {
                    (str(p), str(r))
                    for p, r in zip(patients["patient_id"], patients["reader"], strict=False)
                }
            )
        ),
        criteria=criteria,
        warnings=warnings,
    )


def _target_part(table: pd.DataFrame, visits: pd.DataFrame, rules: ResponseRules) -> pd.DataFrame:
    value_col = "viable_diameter_mm" if rules.criteria == "mRECIST" else "total_diameter_mm"
    tgt = table[table["lesion_kind"] == "target"]
    is_base = tgt["assessment_date"] == tgt["baseline_date"]
    base = tgt[is_base][[*_READING, "lesion_id", "organ"]].drop_duplicates([*_READING, "lesion_id"])
    grid = visits.merge(base, on=_READING)
    meas = tgt[[*_VISIT, "lesion_id", value_col]].rename(columns={value_col: "d"})
    grid = grid.merge(meas, on=[*_VISIT, "lesion_id"], how="left")
    d = grid["d"].to_numpy(dtype=float)
    grid["missing"] = np.isnan(d)
    zero = np.rint(d * 10.0) == 0
    if rules.criteria == "RECIST1.1":
        node = grid["organ"].str.contains("lymph", regex=False).to_numpy()
        zero = zero | (node & (np.rint(d * 10.0) < 100))
    grid["zero"] = zero
    agg = grid.groupby(_VISIT).agg(
        s=("d", "sum"), n_missing=("missing", "sum"), all_zero=("zero", "all")
    )
    out = visits.merge(agg.reset_index(), on=_VISIT, how="left")
    out["has_targets"] = out["s"].notna()
    out["s"] = np.rint(out["s"].to_numpy(dtype=float) * 10.0)  # integer tenths of a mm
    out["evaluable"] = out["has_targets"] & (out["n_missing"] == 0)
    out = out.sort_values(_VISIT).reset_index(drop=True)
    s_eval = out["s"].where(out["evaluable"])
    keys = [out[k] for k in _READING]
    running = s_eval.groupby(keys).cummin().groupby(keys).ffill()
    nadir = running.groupby(keys).shift(1)
    base_sum = out["s"].where(out["is_baseline"]).groupby(keys).transform("max")
    s = out["s"].to_numpy(dtype=float)
    n = nadir.to_numpy(dtype=float)
    b = base_sum.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pd_hit = 5.0 * s >= 6.0 * n
        if rules.criteria == "RECIST1.1":
            pd_hit &= s - n >= 50.0
        pr_hit = 10.0 * s <= 7.0 * b
        out["pct_change_baseline"] = np.where(b > 0, 100.0 * (s - b) / b, np.nan)
        out["pct_change_nadir"] = np.where(n > 0, 100.0 * (s - n) / n, np.nan)
    evaluable = out["evaluable"].to_numpy(dtype=bool)
    all_zero = truth(out["all_zero"])
    out["target_response"] = np.select(
        [
            ~out["has_targets"].to_numpy(dtype=bool),
            evaluable & all_zero,
            pd_hit & ~np.isnan(n),
            ~evaluable,
            pr_hit,
        ],
        ["none", "CR", "PD", "NE", "PR"],
        default="SD",
    )
    out["target_sum_mm"] = np.where(evaluable, s / 10.0, np.nan)
    out["baseline_sum_mm"] = b / 10.0
    out["nadir_mm"] = n / 10.0
    return out


def _nontarget_part(table: pd.DataFrame, visits: pd.DataFrame, warns: list[Problem]) -> pd.Series:
    nt = table[table["lesion_kind"] == "non-target"].copy()
    effusion = nt["organ"].isin(EFFUSION_ORGANS)
    uncounted = effusion & (nt["nontarget_status"] == "progression")
    uncounted &= ~nt["effusion_cytology_positive"]
    for row in nt[uncounted].itertuples():
        warns.append(
            Problem(
                where="non-target effusion",
                patient=str(row.patient_id),
                column="effusion_cytology_positive",
                value=str(row.lesion_id),
                message=(
                    f"reader {row.reader} on {fmt_date(row.assessment_date)}: "
                    "worsening effusion without positive cytology is not PD (mRECIST); "
                    "scored as present"
                ),
            )
        )
    nt.loc[uncounted, "nontarget_status"] = "present"
    is_base = nt["assessment_date"] == nt["baseline_date"]
    base = nt[is_base][[*_READING, "lesion_id"]].drop_duplicates()
    grid = visits.merge(base, on=_READING)
    grid = grid.merge(
        nt[[*_VISIT, "lesion_id", "nontarget_status"]], on=[*_VISIT, "lesion_id"], how="outer"
    )
    grid = grid[grid["is_baseline"].notna() | grid["nontarget_status"].notna()]
    status = grid["nontarget_status"]
    grid["prog"] = status == "progression"
    grid["present"] = status == "present"
    grid["na"] = status.isna()
    agg = grid.groupby(_VISIT).agg(
        prog=("prog", "any"), present=("present", "any"), na=("na", "any")
    )
    merged = visits.merge(agg.reset_index(), on=_VISIT, how="left")
    has = merged["prog"].notna().to_numpy()
    prog = truth(merged["prog"])
    present = truth(merged["present"])
    na = truth(merged["na"])
    return pd.Series(
        np.select([~has, prog, na, present], ["none", "PD", "NE", "IR/SD"], default="CR"),
        index=merged.index,
    )


def _new_part(
    table: pd.DataFrame, visits: pd.DataFrame, warns: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    new = table[table["lesion_kind"] == "new"].copy()
    effusion = new["organ"].isin(EFFUSION_ORGANS)
    for row in new[effusion & ~new["effusion_cytology_positive"]].itertuples():
        warns.append(
            Problem(
                where="new effusion",
                patient=str(row.patient_id),
                column="effusion_cytology_positive",
                value=str(row.lesion_id),
                message=(
                    f"reader {row.reader} on {fmt_date(row.assessment_date)}: new "
                    "effusion without positive cytology is not a new lesion (mRECIST); not PD"
                ),
            )
        )
    new = new[~effusion | new["effusion_cytology_positive"]]
    new = new.sort_values([*_READING, "lesion_id", "assessment_date"])
    lesion = [new[k] for k in [*_READING, "lesion_id"]]
    size = new["new_lesion_size_mm"]
    first_size = size.groupby(lesion).transform("first")
    first_date = new["assessment_date"].groupby(lesion).transform("min")
    size10 = np.rint(size.to_numpy(dtype=float) * 10.0)
    growth10 = size10 - np.rint(first_size.to_numpy(dtype=float) * 10.0)
    typical = new["new_lesion_typical"].to_numpy(dtype=bool)
    effusion_ok = new["organ"].isin(EFFUSION_ORGANS).to_numpy()
    hit = effusion_ok | (typical & (size10 >= 100)) | (growth10 >= 100)
    new["hit"] = hit
    confirmed = new.groupby([*_READING, "lesion_id"])["hit"].transform("any")
    confirm_date = new["assessment_date"].where(new["hit"]).groupby(lesion).transform("min")
    new["first_date"] = first_date
    new["confirmed"] = confirmed
    new["backdated"] = confirmed & (confirm_date > first_date)
    lesions = new.drop_duplicates([*_READING, "lesion_id"])
    conf = lesions[lesions["confirmed"]]
    first_conf = conf.groupby(_READING).agg(
        first_new=("first_date", "min"), backdated=("backdated", "any")
    )
    merged = visits.merge(first_conf.reset_index(), on=_READING, how="left")
    yes = (merged["assessment_date"] >= merged["first_new"]).to_numpy(dtype=bool)
    backdated = yes & truth(merged["backdated"])
    seen = new[~new["confirmed"]][_VISIT].drop_duplicates().assign(_eq=True)
    eq = truth(visits.merge(seen, on=_VISIT, how="left")["_eq"])
    status = np.select([yes, eq], ["yes", "equivocal"], default="no")
    return pd.Series(status, index=merged.index), pd.Series(backdated, index=merged.index)


def _overall(frame: pd.DataFrame, version: str) -> tuple[np.ndarray, np.ndarray]:
    t = frame["target_response"].to_numpy(dtype=str)
    nt = frame["nontarget_response"].to_numpy(dtype=str)
    new = frame["new_lesion"].to_numpy(dtype=str)
    nt_eff = np.where(nt == "none", "CR", nt)
    any_pd = (t == "PD") | (nt == "PD") | (new == "yes")
    conditions = [
        any_pd,
        t == "NE",
        (t == "none") & (nt == "none"),
        (t == "none") & (nt_eff == "NE"),
        (t == "none") & (nt_eff == "CR"),
        t == "none",
        (t == "CR") & (nt_eff == "CR"),
        (t == "CR") & (nt_eff == "IR/SD"),
        t == "CR",
        t == "PR",
    ]
    overall = np.select(
        conditions,
        ["PD", "NE", "NE", "NE", "CR", "NON-CR/NON-PD", "CR", "PR", "PR", "PR"],
        default="SD",
    )
    borrowed = np.select(
        conditions,
        [
            False,
            True,
            True,
            True,
            True,
            True,
            nt == "none",
            False,
            True,
            nt_eff == "NE",
        ],
        default=nt_eff == "NE",
    )
    return overall, np.where(borrowed, BORROWED, version)


def timepoint_responses(
    lesions: pd.DataFrame | PreparedLesions,
    rules: ResponseRules | None = None,
    columns: LesionColumns | None = None,
    treatment_start: Mapping[str, object] | None = None,
) -> TimepointResponses:
    """Grade every post-baseline assessment of every reader.

    Parameters
    ----------
    lesions
        The raw lesion table (checked with :func:`prepare_lesions`) or an already prepared one.
    rules
        Response rules (criteria); defaults to mRECIST.
    columns
        Column mapping of a raw table.
    treatment_start
        Optional ``patient_id -> date``; sets the baseline scan and the SD reference date
        (otherwise the baseline scan date is the reference).

    Returns
    -------
    TimepointResponses
    """
    rules = rules or ResponseRules()
    prepared = (
        lesions
        if isinstance(lesions, PreparedLesions)
        else prepare_lesions(lesions, columns, treatment_start)
    )
    table = prepared.table
    warns = list(prepared.warnings)
    visits = table[[*_VISIT, "baseline_date"]].drop_duplicates(_VISIT)
    visits = visits.sort_values(_VISIT).reset_index(drop=True)
    visits["is_baseline"] = visits["assessment_date"] == visits["baseline_date"]
    out = _target_part(table, visits, rules)
    out["nontarget_response"] = _nontarget_part(table, visits, warns).to_numpy()
    status, backdated = _new_part(table, visits, warns)
    out["new_lesion"] = status.to_numpy()
    out["new_lesion_backdated"] = backdated.to_numpy()
    out["overall_response"], out["rule"] = _overall(out, rules.version)
    start = (
        pd.to_datetime(out["patient_id"].map(dict(treatment_start)), errors="coerce")
        if treatment_start is not None
        else pd.Series(pd.NaT, index=out.index)
    )
    out["reference_date"] = start.fillna(out["baseline_date"])
    post = out[~out["is_baseline"]]
    return _from_frame(post, visits, rules.criteria, tuple(warns))


@dataclass(frozen=True)
class GradedColumns:
    """Column names of an already graded per-visit table."""

    patient_id: str = "patient_id"
    reader: str = "reader"
    assessment_date: str = "assessment_date"
    response: str = "response"


def graded_responses(
    frame: pd.DataFrame,
    baseline_dates: Mapping[str, object],
    columns: GradedColumns | None = None,
    treatment_start: Mapping[str, object] | None = None,
) -> TimepointResponses:
    """Wrap already graded per-visit responses (no lesion measurements available).

    Parameters
    ----------
    frame
        One row per patient, reader and assessment with a response in CR, PR, SD,
        NON-CR/NON-PD, PD, NE.
    baseline_dates
        ``patient_id -> baseline scan date``; every treated patient must be listed (patients
        with no graded visit get BOR NE for every reader).
    columns
        Column mapping.
    treatment_start
        Optional ``patient_id -> date`` for the SD reference (default: the baseline date).

    Raises
    ------
    CohortValidationError
        Unknown response codes, unparseable dates, a visit on or before baseline, duplicates.
    """
    cols = columns or GradedColumns()
    data = pd.DataFrame(
        {
            "patient_id": frame[cols.patient_id].astype(str),
            "reader": frame[cols.reader].astype(str),
            "assessment_date": pd.to_datetime(frame[cols.assessment_date], errors="coerce"),
            "overall_response": frame[cols.response].astype(str).str.strip().str.upper(),
        }
    )
    base = {str(k): v for k, v in baseline_dates.items()}
    data["baseline_date"] = pd.to_datetime(data["patient_id"].map(base), errors="coerce")
    problems: list[Problem] = []
    raw_dates = frame[cols.assessment_date].astype(str).to_numpy()
    no_date = data["assessment_date"].isna()
    no_base = ~no_date & data["baseline_date"].isna()
    checks = [
        (
            ~data["overall_response"].isin(OVERALL_CODES),
            cols.response,
            data["overall_response"].to_numpy(),
            f"unknown response; use one of {', '.join(OVERALL_CODES)}",
        ),
        (no_date, cols.assessment_date, raw_dates, "not a date; write it as YYYY-MM-DD"),
        (
            no_base,
            cols.patient_id,
            data["patient_id"].to_numpy(),
            "no baseline date for this patient; add it to baseline_dates",
        ),
        (
            ~no_date & ~no_base & (data["assessment_date"] <= data["baseline_date"]),
            cols.assessment_date,
            raw_dates,
            "graded visit on or before the baseline scan; remove it or correct the date",
        ),
    ]
    for mask, column, values, message in checks:
        for pos in np.flatnonzero(mask.to_numpy(dtype=bool)).tolist():
            problems.append(
                Problem(
                    where=f"row {data.index[pos]}",
                    patient=str(data["patient_id"].iloc[pos]),
                    column=column,
                    value=str(values[pos]),
                    message=message,
                )
            )
    dup = data.duplicated(_VISIT)
    for idx in data.index[dup]:
        problems.append(
            Problem(
                where=f"row {idx}",
                patient=str(data.at[idx, "patient_id"]),
                column=cols.assessment_date,
                value=str(data.at[idx, "assessment_date"]),
                message="two responses for one reader and date; keep one",
            )
        )
    if problems:
        raise CohortValidationError("Graded response table has errors", problems)
    start = (
        pd.to_datetime(data["patient_id"].map(dict(treatment_start)), errors="coerce")
        if treatment_start is not None
        else pd.Series(pd.NaT, index=data.index)
    )
    data["reference_date"] = start.fillna(data["baseline_date"])
    for name in (
        "baseline_sum_mm",
        "nadir_mm",
        "target_sum_mm",
        "pct_change_baseline",
        "pct_change_nadir",
    ):
        data[name] = np.nan
    data["target_response"] = ""
    data["nontarget_response"] = ""
    data["new_lesion"] = ""
    data["new_lesion_backdated"] = False
    data["rule"] = "graded"
    readers = sorted(data["reader"].unique())
    without = [p for p in base if p not in set(data["patient_id"])]
    patients = pd.concat(
        [
            data[["patient_id", "reader"]].drop_duplicates(),
            pd.DataFrame([(p, r) for p in without for r in readers], columns=_READING),
        ],
        ignore_index=True,
    )
    return _from_frame(data, patients, "graded", ())
