"""Seeded generator of the demo treatment and laboratory records (the template's HAIC-FP design).

:func:`simulate_safety` turns the demo cohort (``cohort.csv``) into a treatment file and a long
laboratory file in the formats of :mod:`hccsurv.data.treatment` and :mod:`hccsurv.data.labs`.
Generating model, per patient in file order (one ``numpy.random.default_rng(seed)`` stream):

* cycles from ``haic_start`` every 28-42 days (integer days; a delay of 14-28 more days with
  probability 0.1) while the cycle starts before progression, death and last contact, at most 8;
* doses of HAIC-FP (Park 2007; :mod:`hccsurv.clinical.dosing`) from the Mosteller BSA: 5-FU
  1500 mg/m² per cycle (500 × 3 days), cisplatin 60 mg/m², rounded to 0.1 mg; from cycle 2 a
  cycle is reduced to 80 % with probability 0.08;
* laboratory tests 1-7 days before the first cycle (the baseline) and on the 3 infusion days of
  each cycle: neutrophils and platelets (10^9/L), haemoglobin (g/dL), AST and ALT (U/L),
  bilirubin (mg/dL; in µmol/L for a third of patients, as a second laboratory reports it) and
  creatinine (mg/dL), with the reference ranges of a typical laboratory. Values drift with
  log-normal day-to-day noise around a patient level; with probability 0.015 per test and cycle
  the value falls (counts, haemoglobin) or rises (enzymes, bilirubin, creatinine) into the
  grade 3-4 range from day 2, and the cycle is then ``paused`` (probability 0.7) or
  ``stopped``.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from hccsurv.clinical.dosing import bsa_mosteller

__all__ = ["simulate_safety", "write_safety_data"]

_CUTOFF = pd.Timestamp("2024-12-31")
# test: (unit, LLN, ULN, typical level, toxic level range, decrease?)
_TESTS: dict[str, tuple[str, float, float, tuple[float, float], tuple[float, float], bool]] = {
    "neutrophils": ("10^9/L", 1.8, 7.5, (2.5, 5.0), (0.3, 0.95), True),
    "platelets": ("10^9/L", 150.0, 400.0, (90.0, 220.0), (18.0, 48.0), True),
    "hemoglobin": ("g/dL", 12.0, 16.0, (10.5, 14.0), (6.5, 7.9), True),
    "ast": ("U/L", 0.0, 40.0, (30.0, 70.0), (220.0, 400.0), False),
    "alt": ("U/L", 0.0, 40.0, (25.0, 60.0), (210.0, 380.0), False),
    "bilirubin": ("mg/dL", 0.2, 1.2, (0.5, 1.3), (3.8, 6.5), False),
    "creatinine": ("mg/dL", 0.6, 1.2, (0.6, 1.1), (3.7, 5.0), False),
}
_PLANNED = {"5-FU": 1500.0, "Cisplatin": 60.0}


def _date(x: object) -> pd.Timestamp | None:
    value = pd.to_datetime(pd.Series([x]), errors="coerce").iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value)


def _lab(
    labs: list[tuple[object, ...]],
    pid: str,
    si: bool,
    day: pd.Timestamp,
    test: str,
    value: float,
) -> None:
    unit, lln, uln = _TESTS[test][:3]
    if test == "bilirubin" and si:  # µmol/L, as a second laboratory reports it
        unit, value, lln, uln = "umol/L", value * 17.1, round(lln * 17.1, 2), round(uln * 17.1, 2)
    labs.append((pid, day.strftime("%Y-%m-%d"), test, round(value, 2), unit, lln, uln))


def simulate_safety(cohort: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo treatment and laboratory records of ``cohort`` (module docstring)."""
    rng = np.random.default_rng(seed)
    treatment: list[tuple[object, ...]] = []
    labs: list[tuple[object, ...]] = []
    bsa = np.asarray(bsa_mosteller(cohort["height_cm"], cohort["weight_kg"]), dtype=float)
    for (_, rec), area in zip(cohort.iterrows(), bsa, strict=True):
        pid, start = str(rec["patient_id"]), _date(rec["haic_start"])
        assert start is not None  # the demo cohort has every start date
        ends = [_date(rec[c]) for c in ("progression_date", "death_date", "last_contact_date")]
        end = min([e for e in ends if e is not None] + [_CUTOFF])
        starts = [start]
        while len(starts) < 8:
            gap = int(rng.integers(28, 43)) + (
                int(rng.integers(14, 29)) if rng.random() < 0.1 else 0
            )
            nxt = starts[-1] + pd.Timedelta(days=gap)
            if nxt >= end:
                break
            starts.append(nxt)
        si = rng.random() < 1 / 3
        level = {t: rng.uniform(*spec[3]) for t, spec in _TESTS.items()}
        lab = partial(_lab, labs, pid, si)

        for test, v in level.items():
            lab(start - pd.Timedelta(days=int(rng.integers(1, 8))), test, v)
        for k, day1 in enumerate(starts, start=1):
            toxic = {t for t in _TESTS if rng.random() < 0.015}
            for d in range(3):
                for test, (_, _, _, _, bad, _) in _TESTS.items():
                    v = level[test] * float(np.exp(rng.normal(0.0, 0.08)))
                    if test in toxic and d >= 1:
                        v = rng.uniform(*bad)
                    lab(day1 + pd.Timedelta(days=d), test, v)
            status = ("paused" if rng.random() < 0.7 else "stopped") if toxic else "given"
            reduced = k > 1 and rng.random() < 0.08
            for drug, per_m2 in _PLANNED.items():
                dose = round(per_m2 * area * (0.8 if reduced else 1.0), 1)
                treatment.append((pid, k, day1.strftime("%Y-%m-%d"), drug, dose, status))
    return (
        pd.DataFrame(
            treatment, columns=["patient_id", "cycle", "date", "drug", "dose_mg", "status"]
        ),
        pd.DataFrame(labs, columns=["patient_id", "date", "test", "value", "unit", "lln", "uln"]),
    )


def write_safety_data(cohort_csv: str | Path, seed: int, folder: str | Path) -> tuple[Path, Path]:
    """Write ``treatment.csv`` and ``labs.csv`` of the cohort file's patients into ``folder``
    (UTF-8, ``\\n`` line ends; the bytes depend only on the cohort and ``seed``)."""
    treatment, labs = simulate_safety(pd.read_csv(cohort_csv), seed)
    out = Path(folder)
    paths = (out / "treatment.csv", out / "labs.csv")
    for frame, path in zip((treatment, labs), paths, strict=True):
        path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return paths
