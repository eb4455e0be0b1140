"""Seeded generator of the demo lesion file (two readers plus a consensus reading).

:func:`simulate_lesions` turns the demo cohort (``cohort.csv``) into a long lesion table in the
format of :mod:`hccsurv.clinical.response.lesions` such that the consensus reading, graded by
the response engine with the default :class:`~hccsurv.clinical.response.ResponseRules`
(mRECIST, confirmation 28 days, SD minimum 42 days), gives exactly each patient's recorded
``best_response`` and its PD scan falls on ``progression_date``.

Generating model, per patient in file order (one ``numpy.random.default_rng(seed)`` stream):

* baseline scan 0-14 days before ``haic_start``; follow-up scans every 42-63 days (integer days)
  until the progression date (the PD scan is on it) and then until ``last_assessment_date`` (the
  last scan is on it). PD patients have no scan between baseline and the PD scan; responders need
  two scans >= 28 days apart before any PD, SD patients one scan >= 42 days after start;
* targets: the largest nodule (``tumor_size_mm``, viable diameter, capped at 150 mm) plus a
  second liver target when ``tumor_number`` > 1, and a lung target when
  ``extrahepatic_metastasis`` is Yes (at most 2 per organ); whole-lesion diameter = viable /
  U(0.65, 0.95); non-targets: portal vein thrombus when ``portal_vein_invasion`` is Yes, else a
  small liver nodule with probability 0.5;
* consensus trajectory of the viable sum as a ratio of baseline: PR 0.35-0.62 at the first two
  scans, later at most 1.04 x nadir; SD 0.78-1.08 and at most 1.04 x nadir; CR: a PR scan, then 0
  in every target with the non-targets absent; PD by target growth (1.4-1.8 x nadir, probability
  0.6), a new typical liver nodule of 12-30 mm (0.3) or non-target progression (0.1); scans after
  PD keep growing;
* readers R1 and R2 measure each lesion with Normal(0, 1 mm + 3 % of its size) error (plus an
  extra Normal(0, 8 mm) with probability 0.10); a reader sees a residual 3-6 mm of enhancement in
  a completely responding lesion with probability 0.10 (then at every CR scan); the consensus
  reading holds the true values.

Each patient's consensus reading is graded by the engine; a draw that does not give the recorded
best response is redrawn (at most 200 times). Patients whose dates cannot support the recorded best
response (for example SD without a scan >= 42 days after start) are listed in an
:class:`~hccsurv.errors.InputError` with the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.clinical.response import ResponseRules, best_overall_response, timepoint_responses
from hccsurv.errors import InputError

DEMO_LESION_SEED = 20240601
DEMO_DIR = Path(__file__).parent
READERS = ("R1", "R2", "consensus")
COLUMNS = (
    "patient_id",
    "reader",
    "assessment_date",
    "lesion_id",
    "lesion_kind",
    "organ",
    "viable_diameter_mm",
    "total_diameter_mm",
    "nontarget_status",
    "new_lesion_size_mm",
    "new_lesion_typical",
    "effusion_cytology_positive",
)
_RULES = ResponseRules()
_MAX_DRAWS = 200
_SD_MM = 1.0
_CV = 0.03
_EXTRA_SD_MM = 8.0
_P_EXTRA = 0.10
_P_RESIDUAL = 0.1


@dataclass(frozen=True)
class _Patient:
    pid: str
    start: pd.Timestamp
    bor: str
    pd_day: int | None
    last_day: int
    size_mm: float
    single: bool
    extrahepatic: bool
    pvt: bool


def _days(later: object, start: pd.Timestamp) -> int | None:
    text = str(later)
    if text in ("", "nan", "NaT", "None"):
        return None
    return int((pd.Timestamp(text) - start).days)


def _schedule(rng: np.random.Generator, first: int, limit: int) -> list[int]:
    """Scan days every 42-63 days from ``first`` while <= ``limit``."""
    days: list[int] = []
    day = first + int(rng.integers(42, 64))
    while day <= limit:
        days.append(day)
        day += int(rng.integers(42, 64))
    return days


def _slack(rng: np.random.Generator) -> int:
    """Days from the last pre-PD scan to the day before the PD scan (14-35)."""
    return int(rng.integers(14, 36))


def _scan_days(rng: np.random.Generator, p: _Patient) -> tuple[list[int], list[int]] | str:
    """Pre-PD scan days and PD/post-PD scan days, or the reason the record is infeasible."""
    end = p.pd_day - 1 if p.pd_day is not None else p.last_day
    post: list[int] = []
    if p.pd_day is not None:
        post = [p.pd_day, *_schedule(rng, p.pd_day, p.last_day - 21)]
        if p.last_day > post[-1]:
            post.append(p.last_day)
    if p.bor == "PD":
        return ([], post) if p.pd_day is not None else "PD without a progression_date"
    if p.bor == "NE":
        return ([], []) if p.pd_day is None and p.last_day <= 0 else "NE with a scan after start"
    pre = _schedule(rng, 0, end - 21 if p.pd_day is None else end)
    if p.pd_day is None and end > 0 and (not pre or end - pre[-1] >= 21):
        pre.append(end)
    elif p.pd_day is None and pre:
        pre[-1] = end
    if p.bor == "SD":
        if end < _RULES.sd_min_days:
            return f"SD but no scan possible >= {_RULES.sd_min_days} days after start"
        if not pre or pre[-1] < _RULES.sd_min_days:
            pre = [end if p.pd_day is None else max(_RULES.sd_min_days, end - _slack(rng))]
        return pre, post
    need = 3 if p.bor == "CR" else 2
    if len(pre) < need or pre[need - 1] - pre[need - 2] < _RULES.confirm_days:
        if end < 21 + _RULES.confirm_days:
            return f"{p.bor} but no two scans >= {_RULES.confirm_days} days apart before PD/end"
        last = end if p.pd_day is None else max(21 + _RULES.confirm_days, end - _slack(rng))
        pre = [max(21, last - _RULES.confirm_days - int(rng.integers(0, 15))), last]
        if p.bor == "CR":
            pre = [max(14, pre[0] - 21), *pre]
    return pre, post


def _ratios(rng: np.random.Generator, bor: str, n_pre: int) -> list[float]:
    """Consensus viable-sum ratios (to baseline) at the pre-PD scans."""
    out: list[float] = []
    nadir = 1.0
    for k in range(n_pre):
        if bor == "CR" and (k >= 1 or n_pre == 2):
            r = 0.0
        elif bor in ("PR", "CR") and k < 2:
            r = float(rng.uniform(0.35, 0.62))
        elif bor == "PR":
            r = float(rng.uniform(min(0.35, nadir), min(0.85, 1.04 * nadir)))
        else:
            r = float(rng.uniform(0.78, min(1.08, 1.04 * nadir)))
        out.append(r)
        nadir = min(nadir, r)
    return out


def _patient_rows(
    rng: np.random.Generator, p: _Patient, pre: list[int], post: list[int]
) -> list[dict[str, object]]:
    base_day = -int(rng.integers(0, 15))
    largest = float(np.clip(p.size_mm, 15.0, 150.0))
    base = [largest] if p.single else [largest, float(rng.uniform(15.0, max(16.0, 0.6 * largest)))]
    organs = ["liver"] * len(base)
    if p.extrahepatic:
        base.append(float(rng.uniform(12.0, 30.0)))
        organs.append("lung")
    n_targets = len(base)
    necro = rng.uniform(0.65, 0.95, size=n_targets)
    nontargets: list[str] = []
    if p.pvt:
        nontargets.append("portal vein")
    elif rng.random() < 0.5:
        nontargets.append("liver")
    ratios = _ratios(rng, p.bor, len(pre))
    nadir = min([1.0, *ratios])
    mechanism = rng.choice(["target", "new", "nontarget"], p=[0.6, 0.3, 0.1])
    if mechanism == "nontarget" and not nontargets:
        mechanism = "target"
    post_ratios: list[float] = []
    for k in range(len(post)):
        grow = float(rng.uniform(1.4, 1.8)) * (1.0 + 0.15 * k)
        if mechanism == "target":
            post_ratios.append(max(nadir, 0.1) * grow)
        else:
            post_ratios.append(nadir * float(rng.uniform(1.0, 1.1)))
    new_size = float(rng.uniform(12.0, 30.0))
    scans = [(base_day, 1.0, "pre"), *((d, r, "pre") for d, r in zip(pre, ratios, strict=True))]
    scans += [(d, r, "post") for d, r in zip(post, post_ratios, strict=True)]
    rows: list[dict[str, object]] = []
    jitter = rng.uniform(0.96, 1.04, size=(len(scans), n_targets))
    for reader in READERS:
        noise = rng.normal(0.0, 1.0, size=(len(scans), n_targets))
        noise += np.where(
            rng.random((len(scans), n_targets)) < _P_EXTRA,
            rng.normal(0.0, _EXTRA_SD_MM, size=(len(scans), n_targets)),
            0.0,
        )
        residual = rng.random(n_targets) < _P_RESIDUAL
        residual_mm = rng.integers(3, 7, size=n_targets)
        for s, (day, ratio, phase) in enumerate(scans):
            date = (p.start + pd.Timedelta(days=day)).date().isoformat()
            cr_scan = ratio == 0.0
            all_gone = p.bor == "CR" and cr_scan
            for t in range(n_targets):
                true_viable = 0.0 if cr_scan else base[t] * ratio * (jitter[s, t] if s else 1.0)
                if reader == "consensus" or s == 0:
                    viable = round(true_viable)
                elif cr_scan:
                    viable = int(residual_mm[t]) if residual[t] else 0
                else:
                    error = noise[s, t] * (_SD_MM + _CV * true_viable)
                    viable = max(1, round(true_viable + error))
                total = round(max(viable, base[t] / necro[t] * (0.8 + 0.2 * min(ratio, 1.5))))
                rows.append(
                    {
                        "patient_id": p.pid,
                        "reader": reader,
                        "assessment_date": date,
                        "lesion_id": f"T{t + 1}",
                        "lesion_kind": "target",
                        "organ": organs[t],
                        "viable_diameter_mm": viable,
                        "total_diameter_mm": total,
                    }
                )
            for j, organ in enumerate(nontargets):
                status = "absent" if all_gone else "present"
                if phase == "post" and mechanism == "nontarget":
                    status = "progression"
                rows.append(
                    {
                        "patient_id": p.pid,
                        "reader": reader,
                        "assessment_date": date,
                        "lesion_id": f"N{j + 1}",
                        "lesion_kind": "non-target",
                        "organ": organ,
                        "nontarget_status": status,
                    }
                )
            if phase == "post" and mechanism == "new":
                rows.append(
                    {
                        "patient_id": p.pid,
                        "reader": reader,
                        "assessment_date": date,
                        "lesion_id": "NEW1",
                        "lesion_kind": "new",
                        "organ": "liver",
                        "new_lesion_size_mm": round(new_size * (1.0 + 0.2 * (s - len(pre) - 1))),
                        "new_lesion_typical": True,
                    }
                )
    return rows


def _consensus_bor(
    drawn: dict[str, list[dict[str, object]]], patients: list[_Patient]
) -> dict[str, bool]:
    """Whether each drawn patient's consensus reading gives the recorded best response."""
    if not drawn:
        return {}
    frame = pd.DataFrame([row for rows in drawn.values() for row in rows])
    frame = frame[frame["reader"] == "consensus"]
    start = {p.pid: p.start for p in patients}
    tp = timepoint_responses(frame, _RULES, treatment_start=start)
    best = best_overall_response(tp, _RULES)
    recorded = {p.pid: p.bor for p in patients}
    return {pid: bor == recorded[pid] for pid, bor in zip(best.patient_id, best.bor, strict=True)}


def _patient(rec: Any) -> _Patient:
    start = pd.Timestamp(str(rec.haic_start))
    return _Patient(
        pid=str(rec.patient_id),
        start=start,
        bor=str(rec.best_response),
        pd_day=_days(rec.progression_date, start),
        last_day=_days(rec.last_assessment_date, start) or 0,
        size_mm=float(rec.tumor_size_mm),
        single=int(rec.tumor_number) == 1,
        extrahepatic=str(rec.extrahepatic_metastasis) == "Yes",
        pvt=str(rec.portal_vein_invasion) == "Yes",
    )


def simulate_lesions(cohort: pd.DataFrame, seed: int = DEMO_LESION_SEED) -> pd.DataFrame:
    """Lesion table for the demo cohort: R1, R2 and consensus readings of every scan.

    Parameters
    ----------
    cohort
        The demo cohort (columns of docs/DESIGN.md): ``patient_id``, ``haic_start``,
        ``progression_date``, ``death_date``, ``last_assessment_date``, ``best_response``,
        ``tumor_size_mm``, ``tumor_number``, ``portal_vein_invasion``, ``extrahepatic_metastasis``.
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives the same table.

    Raises
    ------
    InputError
        Listing every patient whose dates cannot give the recorded best response.
    """
    rng = np.random.default_rng(seed)
    patients = [_patient(rec) for rec in cohort.itertuples(index=False)]
    accepted: dict[str, list[dict[str, object]]] = {}
    problems: list[str] = []
    pending = patients
    for _ in range(_MAX_DRAWS):
        drawn: dict[str, list[dict[str, object]]] = {}
        for p in pending:
            days = _scan_days(rng, p)
            if isinstance(days, str):
                problems.append(
                    f"{p.pid}: best_response {p.bor}, progression day {p.pd_day}, last "
                    f"assessment day {p.last_day}: {days}"
                )
            else:
                drawn[p.pid] = _patient_rows(rng, p, *days)
        graded = _consensus_bor(drawn, patients)
        accepted.update({pid: rows for pid, rows in drawn.items() if graded[pid]})
        pending = [p for p in pending if p.pid in drawn and not graded[p.pid]]
        if not pending:
            break
    problems += [f"{p.pid}: no draw reproduced best_response {p.bor}" for p in pending]
    if problems:
        raise InputError(
            f"{len(problems)} cohort record(s) cannot be reproduced by a lesion file:\n  "
            + "\n  ".join(problems)
            + "\nFix the cohort so that PD has a progression_date, SD a last assessment >= "
            f"{_RULES.sd_min_days} days after start, CR/PR two scans >= {_RULES.confirm_days} "
            "days apart before progression."
        )
    rows = [row for p in patients for row in accepted[p.pid]]
    table = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    table["new_lesion_typical"] = table["new_lesion_typical"].eq(True)
    table["effusion_cytology_positive"] = False
    for col in ("viable_diameter_mm", "total_diameter_mm", "new_lesion_size_mm"):
        table[col] = table[col].astype("Int64")
    return table.sort_values(["patient_id", "reader", "assessment_date", "lesion_id"]).reset_index(
        drop=True
    )


def write_demo_lesions(
    cohort_path: Path, out_path: Path, seed: int = DEMO_LESION_SEED
) -> pd.DataFrame:
    """Write ``simulate_lesions(read_csv(cohort_path), seed)`` as CSV (LF line ends, UTF-8).

    The shipped ``lesions.csv`` is ``write_demo_lesions(DEMO_DIR / "cohort.csv",
    DEMO_DIR / "lesions.csv")``; the same inputs give byte-identical output.
    """
    table = simulate_lesions(pd.read_csv(cohort_path), seed)
    out_path.write_text(lesions_csv(table), encoding="utf-8")
    return table


def lesions_csv(table: pd.DataFrame) -> str:
    """The CSV text of a simulated lesion table (empty cells for missing values)."""
    return str(table.to_csv(index=False, lineterminator="\n"))
