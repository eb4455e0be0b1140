"""Safety and treatment exposure per arm: the adverse-event table and the exposure summary.

Adverse events (:func:`adverse_event_table`) are the CTCAE grades of the on-treatment laboratory
values (:func:`hccsurv.data.labs.grade_labs`). Per term and arm: the patients of the safety
population (patients with at least one cycle in the treatment record) with any grade (>= 1) and
with grade >= 3, n (%), the patients by worst grade, and Fisher's exact test between arms
(R ``fisher.test`` on the 2 x k table of patients with / without the event; p = 1 when no
patient has it). A grade >= 3 value is *followed by a paused or stopped cycle* when the cycle in
progress on its date (the last cycle started on or before it) or the next cycle is recorded as
``paused`` or ``stopped``.

Exposure (:func:`exposure_summary`), per arm, from the treatment record:

- cycles per patient: median, IQR (R ``quantile`` type 7) and range; Wilcoxon rank-sum test
  (Kruskal-Wallis for more than two arms), as Table 1 tests skewed variables;
- time on treatment: Kaplan-Meier (R ``survfit``) of the time from the first to the last cycle
  start; the record is taken as complete, so every patient discontinues at the last cycle;
- relative dose intensity per drug: dose given / (planned mg/m² × BSA), per cycle and overall
  (sum given / sum planned over the patient's cycles), median (IQR) and the rank test;
- dose reductions (a cycle whose RDI of any drug is below ``reduction_below``, default 0.9) and
  delays (more than ``delay_after_days`` between cycle starts), patients n (%) with Fisher's test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hccsurv.clinical.ctcae import CTCAE_TABLES
from hccsurv.core._result import Result
from hccsurv.core.group_tests import TestResult, fisher_exact, kruskal_wallis, wilcoxon_rank_sum
from hccsurv.core.km import KaplanMeierGroups, kaplan_meier_groups
from hccsurv.errors import NotEstimableError

if TYPE_CHECKING:
    from hccsurv.analysis.study import Recorder
    from hccsurv.config import StudyConfig
    from hccsurv.data.cohort import Cohort
    from hccsurv.data.safety import SafetyRecords

Advance = Callable[[int], None]

__all__ = [
    "AdverseEventRow",
    "AdverseEventTable",
    "Distribution",
    "Exposure",
    "adverse_event_table",
    "analyze_adverse_events",
    "analyze_exposure",
    "cycle_table",
    "exposure_summary",
]


@dataclass(frozen=True)
class AdverseEventRow(Result):
    """One CTCAE term: patients per arm with any grade, with grade >= 3, by worst grade (1-4),
    with a grade >= 3 value followed by a paused or stopped cycle, and Fisher's p-values."""

    term: str
    any_grade: dict[str, int]
    grade3: dict[str, int]
    worst: dict[str, tuple[int, int, int, int]]
    grade3_then_paused: dict[str, int]
    p_any: float
    p_grade3: float

    def to_frame(self) -> pd.DataFrame:
        """One row per arm."""
        return pd.DataFrame(
            [
                {
                    "term": self.term,
                    "arm": arm,
                    "any_grade": n,
                    "grade3": self.grade3[arm],
                    **{f"worst_grade{g}": self.worst[arm][g - 1] for g in range(1, 5)},
                    "grade3_then_paused": self.grade3_then_paused[arm],
                    "p_any": self.p_any,
                    "p_grade3": self.p_grade3,
                }
                for arm, n in self.any_grade.items()
            ]
        )


@dataclass(frozen=True)
class AdverseEventTable(Result):
    """Adverse events graded from the laboratory record, per term and arm."""

    version: str
    groups: tuple[str, ...]
    n: dict[str, int]
    rows: tuple[AdverseEventRow, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per term and arm, with the arm's denominator ``n``."""
        frame = pd.concat([r.to_frame() for r in self.rows], ignore_index=True)
        frame.insert(2, "n", frame["arm"].map(self.n))
        return frame


def _fisher(with_event: Sequence[int], n: Sequence[int]) -> float:
    table = np.array([with_event, np.subtract(n, with_event)])
    if not table[0].any() or not table[1].any():
        return 1.0  # R: fisher.test of a table with an empty row is 1
    return fisher_exact(table).p_value


def cycle_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per patient and cycle (``patient_id``, ``cycle``, ``date``, ``status``) from the
    treatment rows (one per drug): the cycle is ``stopped`` when any of its rows says so, else
    ``paused`` when any does, else ``given``."""
    rank = rows["status"].map({"given": 0, "paused": 1, "stopped": 2})
    per = rows.assign(rank=rank).groupby(["patient_id", "cycle"], as_index=False, sort=True)
    out = per.agg(date=("date", "first"), rank=("rank", "max"))
    out["status"] = out.pop("rank").map({0: "given", 1: "paused", 2: "stopped"})
    return out


def _followed_by_pause(events: pd.DataFrame, cycles: pd.DataFrame) -> set[tuple[str, str]]:
    """(patient, term) pairs with a grade >= 3 value in or just before a paused/stopped cycle."""
    pairs: set[tuple[str, str]] = set()
    by_patient = {str(p): part.sort_values("date") for p, part in cycles.groupby("patient_id")}
    for pid, date, term in zip(
        events["patient_id"].astype(str),
        pd.to_datetime(events["date"]).to_numpy(),
        events["term"].astype(str),
        strict=True,
    ):
        mine = by_patient.get(pid)
        if mine is None:
            continue
        started = int(np.searchsorted(pd.to_datetime(mine["date"]).to_numpy(), date, "right"))
        near = mine["status"].iloc[max(started - 1, 0) : started + 1]
        if near.isin(("paused", "stopped")).any():
            pairs.add((pid, term))
    return pairs


def adverse_event_table(
    graded: pd.DataFrame,
    arms: Mapping[str, str],
    groups: Sequence[str],
    cycles: pd.DataFrame,
    terms: Sequence[str],
    *,
    version: str = "5.0",
) -> AdverseEventTable:
    """The adverse-event table (module docstring) of ``graded`` lab rows.

    ``arms`` maps each patient of the safety population to its arm (one of ``groups``);
    ``cycles`` is the treatment record's rows (``patient_id``, ``cycle``, ``date``, ``status``);
    ``terms`` lists the CTCAE terms of the table, in order.

    Raises
    ------
    NotEstimableError
        An arm without patients in the safety population.
    """
    n = {g: sum(1 for a in arms.values() if a == g) for g in groups}
    empty = [g for g, k in n.items() if k == 0]
    if empty:
        raise NotEstimableError(f"no patient of arm(s) {empty} has a cycle in the treatment record")
    data = graded[graded["patient_id"].isin(set(arms)) & graded["grade"].notna()]
    worst = data.groupby(["term", "patient_id"])["grade"].max()
    paused = _followed_by_pause(data[data["grade"] >= 3], cycle_table(cycles))
    rows = []
    for term in terms:
        w = worst.loc[term] if term in worst.index.get_level_values(0) else pd.Series(dtype=float)
        arm_of = w.index.map(lambda p: arms[str(p)])
        counts = {
            g: tuple(int(((arm_of == g) & (w.to_numpy() == k)).sum()) for k in range(1, 5))
            for g in groups
        }
        any_grade = {g: sum(c) for g, c in counts.items()}
        grade3 = {g: c[2] + c[3] for g, c in counts.items()}
        held = {g: sum(1 for p, t in paused if t == term and arms[p] == g) for g in groups}
        rows.append(
            AdverseEventRow(
                term=term,
                any_grade=any_grade,
                grade3=grade3,
                worst={g: (c[0], c[1], c[2], c[3]) for g, c in counts.items()},
                grade3_then_paused=held,
                p_any=_fisher([any_grade[g] for g in groups], [n[g] for g in groups]),
                p_grade3=_fisher([grade3[g] for g in groups], [n[g] for g in groups]),
            )
        )
    return AdverseEventTable(version=version, groups=tuple(groups), n=n, rows=tuple(rows))


@dataclass(frozen=True)
class Distribution(Result):
    """Median, quartiles (R ``quantile`` type 7) and range of a variable in one arm."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None

    def to_frame(self) -> pd.DataFrame:
        """One row."""
        return pd.DataFrame([self.to_dict()])


def _distribution(x: np.ndarray) -> Distribution:
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Distribution(0, None, None, None, None, None)
    q1, med, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75]))
    return Distribution(int(x.size), med, q1, q3, float(x.min()), float(x.max()))


def _rank_test(samples: Sequence[np.ndarray]) -> TestResult | None:
    samples = [s[~np.isnan(s)] for s in samples]
    if any(s.size == 0 for s in samples) or np.unique(np.concatenate(samples)).size < 2:
        return None
    if len(samples) == 2:
        return wilcoxon_rank_sum(samples[0], samples[1])
    return kruskal_wallis(samples)


@dataclass(frozen=True)
class ExposureRow(Result):
    """One exposure variable per arm, with its test between arms (``None``: not testable);
    ``ratio``: a relative dose intensity (shown with two decimals); ``per_cycle``: the values
    are cycles, not patients (no test: a patient's cycles are not independent)."""

    name: str
    by_arm: dict[str, Distribution]
    test: TestResult | None
    ratio: bool = False
    per_cycle: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per arm."""
        rows = [{"variable": self.name, "arm": a, **d.to_dict()} for a, d in self.by_arm.items()]
        return pd.DataFrame(rows).assign(p=np.nan if self.test is None else self.test.p_value)


@dataclass(frozen=True)
class CountRow(Result):
    """Patients per arm with at least one such cycle, n of N, with Fisher's p."""

    name: str
    count: dict[str, int]
    n: dict[str, int]
    p: float

    def to_frame(self) -> pd.DataFrame:
        """One row per arm."""
        return pd.DataFrame(
            [
                {"variable": self.name, "arm": a, "count": k, "n": self.n[a], "p": self.p}
                for a, k in self.count.items()
            ]
        )


@dataclass(frozen=True)
class Exposure(Result):
    """Treatment exposure per arm (module docstring)."""

    groups: tuple[str, ...]
    distributions: tuple[ExposureRow, ...]
    counts: tuple[CountRow, ...]
    time_on_treatment: KaplanMeierGroups
    time_unit: str
    reduction_below: float
    delay_after_days: float

    def to_frame(self) -> pd.DataFrame:
        """The distributions and counts, one row per variable and arm."""
        parts = [r.to_frame() for r in (*self.distributions, *self.counts)]
        return pd.concat(parts, ignore_index=True)


def exposure_summary(
    cycles: pd.DataFrame,
    arms: Mapping[str, str],
    groups: Sequence[str],
    planned_mg_m2: Mapping[str, float],
    bsa: Mapping[str, float],
    *,
    days_per_unit: float = 1.0,
    time_unit: str = "days",
    reduction_below: float = 0.9,
    delay_after_days: float = 42.0,
) -> Exposure:
    """Exposure of the patients in ``arms`` from ``cycles`` (one row per patient, cycle and
    drug: ``patient_id``, ``cycle``, ``date``, ``drug``, ``dose``, ``status``).

    ``planned_mg_m2`` is the protocol's dose per cycle of each drug in mg/m²; ``bsa`` each
    patient's body surface area in m² (a patient without one has no RDI).

    Raises
    ------
    NotEstimableError
        An arm without a patient in the treatment record.
    """
    data = cycles[cycles["patient_id"].isin(set(arms))].copy()
    data["arm"] = data["patient_id"].map(dict(arms))
    present = set(data["arm"])
    if any(g not in present for g in groups):
        missing = [g for g in groups if g not in present]
        raise NotEstimableError(
            f"no patient of arm(s) {missing} has a cycle in the treatment record"
        )
    per_cycle = cycle_table(data).set_index(["patient_id", "cycle"])
    per_cycle["arm"] = per_cycle.index.get_level_values(0).map(dict(arms))
    patients = per_cycle.groupby(level=0).agg(
        cycles=("date", "size"), first=("date", "min"), last=("date", "max"), arm=("arm", "first")
    )
    arm_of = patients["arm"]

    def by_arm(values: pd.Series, name: str) -> ExposureRow:
        samples = [values[values.index.map(arm_of.get) == g].to_numpy(float) for g in groups]
        dists = {g: _distribution(s) for g, s in zip(groups, samples, strict=True)}
        return ExposureRow(name, dists, _rank_test(samples))

    planned = data["drug"].map(dict(planned_mg_m2)) * data["patient_id"].map(dict(bsa))
    data["rdi"] = data["dose"] / planned
    rows = [by_arm(patients["cycles"].astype(float), "Cycles per patient")]
    for drug in planned_mg_m2:
        mine = data[data["drug"] == drug]
        sums = mine.assign(planned=planned[mine.index]).groupby("patient_id")[["dose", "planned"]]
        total = sums.sum(min_count=1)
        overall = by_arm(total["dose"] / total["planned"], f"Relative dose intensity, {drug}")
        rows.append(dataclasses.replace(overall, ratio=True))
        cycle_rdi = mine.set_index("patient_id")["rdi"]
        per = {
            g: _distribution(cycle_rdi[cycle_rdi.index.map(arm_of.get) == g].to_numpy(float))
            for g in groups
        }
        rows.append(
            ExposureRow(f"Relative dose intensity per cycle, {drug}", per, None, True, True)
        )
    n = {g: int((arm_of == g).sum()) for g in groups}
    reduced = data[data["rdi"] < reduction_below]["patient_id"].unique()
    gaps = per_cycle["date"].groupby(level=0).diff().dt.days
    delayed = gaps[gaps > delay_after_days].index.get_level_values(0).unique()
    held = per_cycle[per_cycle["status"] != "given"].index.get_level_values(0).unique()
    counts = []
    for name, who in (
        (f"Dose reduction (RDI < {reduction_below:g} in a cycle)", reduced),
        (f"Delay (> {delay_after_days:g} days between cycles)", delayed),
        ("Cycle paused or stopped", held),
    ):
        k = {g: int((arm_of[arm_of.index.isin(set(who))] == g).sum()) for g in groups}
        p = _fisher([k[g] for g in groups], [n[g] for g in groups])
        counts.append(CountRow(name, k, n, p))
    duration = (patients["last"] - patients["first"]).dt.days.to_numpy(float) / days_per_unit
    km = kaplan_meier_groups(
        duration, np.ones(duration.size), patients["arm"].to_numpy(), order=list(groups)
    )
    return Exposure(
        groups=tuple(groups),
        distributions=tuple(rows),
        counts=tuple(counts),
        time_on_treatment=km,
        time_unit=time_unit,
        reduction_below=reduction_below,
        delay_after_days=delay_after_days,
    )


def _safety_population(cohort: Cohort) -> tuple[SafetyRecords, dict[str, str]]:
    """The safety records and the arm of each analysed patient with a cycle."""
    records = cohort.safety
    if records is None:  # the steps run only with [safety], which load_cohort reads
        raise NotEstimableError("the config has no [safety] section")
    frame = cohort.frame
    arm = dict(
        zip(
            frame[cohort.id_column].astype(str), frame[cohort.group_column].astype(str), strict=True
        )
    )
    treated = set(records.treatment["patient_id"])
    return records, {p: a for p, a in arm.items() if p in treated}


def analyze_adverse_events(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> AdverseEventTable | None:
    """The adverse-event table (``None`` without a ``[safety]`` laboratory file)."""
    del advance
    safety = config.safety
    if safety is None or safety.lab_file is None:
        return None
    version = safety.ctcae_version

    def run() -> AdverseEventTable:
        records, arms = _safety_population(cohort)
        assert records.labs is not None  # read_safety grades the lab file named in the config
        terms = list(dict.fromkeys(r.term for r in CTCAE_TABLES[version]))
        return adverse_event_table(
            records.labs, arms, cohort.groups, records.treatment, terms, version=version
        )

    return log.run(
        "adverse_events",
        f"Adverse events graded by CTCAE v{version} from laboratory values",
        run,
        n=None if cohort.safety is None else cohort.safety.treatment["patient_id"].nunique(),
        options={"ctcae_version": version, "baseline_window_days": safety.baseline_window_days},
    )


def analyze_exposure(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Advance
) -> Exposure | None:
    """The treatment exposure (``None`` without ``[safety]``)."""
    del advance
    safety = config.safety
    if safety is None:
        return None

    def run() -> Exposure:
        records, arms = _safety_population(cohort)
        frame = cohort.frame
        bsa = (
            dict(zip(frame[cohort.id_column].astype(str), frame["bsa_m2"], strict=True))
            if "bsa_m2" in frame
            else {}
        )
        return exposure_summary(
            records.treatment,
            arms,
            cohort.groups,
            safety.planned_mg_m2,
            bsa,
            days_per_unit=config.days_per_unit,
            time_unit=cohort.time_unit,
            reduction_below=safety.reduction_below,
            delay_after_days=safety.delay_after_days,
        )

    return log.run(
        "exposure",
        "Treatment exposure: cycles, time on treatment, relative dose intensity",
        run,
        n=None if cohort.safety is None else cohort.safety.treatment["patient_id"].nunique(),
        options=safety.model_dump(include={"planned_mg_m2", "reduction_below", "delay_after_days"}),
    )
