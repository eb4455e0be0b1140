"""Two readers: agreement and adjudication of per-visit responses.

Agreement (HCC_REFERENCE §1.8; Choi et al., Acad Radiol 2018): percent agreement, Cohen's kappa
and weighted kappa of the two primary readers on the ordinal scale CR < PR < SD < PD, per visit
(visits both readers graded) and per patient (confirmed BOR). NON-CR/NON-PD is scored as SD;
pairs where either call is NE are left out and counted in ``n_excluded``.

Adjudication, a cascade whose first step is ``ResponseRules.adjudication``:

1. ``consensus``: a patient with a consensus reading is analysed on that reading;
2. ``third_reader``: at a visit where the primary readers disagree, the third reader's call;
3. ``conservative``: otherwise the less favourable call (CR < PR < SD < NON-CR/NON-PD < NE < PD).

Visits where both primary readers agree take the agreed call; visits read by one primary
reader only take that call. Each adjudicated visit records its ``source``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from hccsurv.clinical.response.best_response import BestResponses, best_overall_response
from hccsurv.clinical.response.lesions import ResponseRules
from hccsurv.clinical.response.timepoint import TimepointResponses, _from_frame
from hccsurv.core._result import Result
from hccsurv.core.agreement import Agreement, Weights, cohen_kappa
from hccsurv.errors import InputError

SCALE = ("CR", "PR", "SD", "PD")
ADJUDICATED = "adjudicated"
_CONSERVATIVE = {"CR": 0, "PR": 1, "SD": 2, "NON-CR/NON-PD": 3, "NE": 4, "PD": 5}
_VISIT = ["patient_id", "assessment_date"]


@dataclass(frozen=True)
class ReaderRoles:
    """Reader labels as written in the lesion table's ``reader`` column."""

    primary: tuple[str, str] = ("R1", "R2")
    third: str = "R3"
    consensus: str = "consensus"


@dataclass(frozen=True)
class ReaderAgreement(Result):
    """Agreement of the two primary readers, per visit and on BOR."""

    readers: tuple[str, str]
    weights: str
    visit_kappa: Agreement
    visit_weighted: Agreement
    bor_kappa: Agreement
    bor_weighted: Agreement
    visit_n_excluded: int
    bor_n_excluded: int

    def to_frame(self) -> pd.DataFrame:
        """Rows: (visit | bor) x (unweighted | weighted); the columns of ``Agreement``."""
        parts = []
        for level, stat in (
            ("visit", self.visit_kappa),
            ("visit", self.visit_weighted),
            ("bor", self.bor_kappa),
            ("bor", self.bor_weighted),
        ):
            frame = stat.to_frame()
            frame.insert(0, "level", level)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Adjudication(Result):
    """Adjudicated per-visit responses (reader ``"adjudicated"``) and where each came from."""

    timepoints: TimepointResponses
    source: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The adjudicated time-point table with a ``source`` column."""
        frame = self.timepoints.to_frame()
        frame["source"] = list(self.source)
        return frame


def _on_scale(values: pd.Series) -> pd.Series:
    return values.replace({"NON-CR/NON-PD": "SD"})


def _pair_agreement(
    a: pd.Series, b: pd.Series, weights: Weights, conf_level: float
) -> tuple[Agreement, Agreement, int]:
    a, b = _on_scale(a), _on_scale(b)
    keep = a.isin(SCALE) & b.isin(SCALE)
    if not keep.any():
        raise InputError("the two readers share no call on the CR/PR/SD/PD scale; check labels")
    ra, rb = a[keep].tolist(), b[keep].tolist()
    plain = cohen_kappa(ra, rb, SCALE, "none", conf_level)
    weighted = cohen_kappa(ra, rb, SCALE, weights, conf_level)
    return plain, weighted, int((~keep).sum())


def reader_agreement(
    timepoints: TimepointResponses,
    roles: ReaderRoles | None = None,
    rules: ResponseRules | None = None,
    weights: Weights = "linear",
    conf_level: float = 0.95,
    best_by_reader: BestResponses | None = None,
) -> ReaderAgreement:
    """Percent agreement, kappa and weighted kappa of the primary readers.

    Parameters
    ----------
    timepoints
        Per-visit responses holding both primary readers.
    roles
        Reader labels.
    rules
        Confirmation rules for the BOR comparison.
    weights
        ``"linear"`` or ``"quadratic"`` for the weighted kappa.
    conf_level
        Level of the intervals.
    best_by_reader
        Each reader's BOR from ``best_overall_response(timepoints, rules)`` when already
        derived (computed here otherwise).
    """
    roles = roles or ReaderRoles()
    r1, r2 = roles.primary
    tp = timepoints.to_frame()
    wide = tp.pivot_table(
        index=_VISIT, columns="reader", values="overall_response", aggfunc="first"
    )
    missing = [r for r in (r1, r2) if r not in wide.columns]
    if missing:
        raise InputError(
            f"reader(s) {missing} not found (readers present: {sorted(wide.columns)}); "
            "set ReaderRoles.primary"
        )
    both = wide[[r1, r2]].dropna()
    v_plain, v_weighted, v_excl = _pair_agreement(both[r1], both[r2], weights, conf_level)
    if best_by_reader is None:
        best_by_reader = best_overall_response(timepoints, rules)
    bor = best_by_reader.to_frame()
    bwide = bor.pivot_table(index="patient_id", columns="reader", values="bor", aggfunc="first")
    bboth = bwide[[r1, r2]].dropna()
    b_plain, b_weighted, b_excl = _pair_agreement(bboth[r1], bboth[r2], weights, conf_level)
    return ReaderAgreement(
        readers=(r1, r2),
        weights=weights,
        visit_kappa=v_plain,
        visit_weighted=v_weighted,
        bor_kappa=b_plain,
        bor_weighted=b_weighted,
        visit_n_excluded=v_excl,
        bor_n_excluded=b_excl,
    )


def adjudicate(
    timepoints: TimepointResponses,
    rules: ResponseRules | None = None,
    roles: ReaderRoles | None = None,
) -> Adjudication:
    """Settle the readers' per-visit calls into one reading (see the module docstring)."""
    rules = rules or ResponseRules()
    roles = roles or ReaderRoles()
    r1, r2 = roles.primary
    tp = timepoints.to_frame()
    readings = pd.DataFrame(list(timepoints.readings), columns=["patient_id", "reader"])
    use_consensus = rules.adjudication == "consensus"
    use_third = rules.adjudication in ("consensus", "third_reader")
    with_consensus = set(readings.loc[readings["reader"] == roles.consensus, "patient_id"])
    if not use_consensus:
        with_consensus = set()
    cons = tp[(tp["reader"] == roles.consensus) & tp["patient_id"].isin(with_consensus)]
    cons = cons.assign(source="consensus")
    rest = tp[~tp["patient_id"].isin(with_consensus)]
    wide = rest.pivot_table(
        index=_VISIT, columns="reader", values="overall_response", aggfunc="first"
    )
    for name in (r1, r2, roles.third):
        if name not in wide.columns:
            wide[name] = np.nan
    a, b, c = wide[r1], wide[r2], wide[roles.third]
    rank_a = a.map(_CONSERVATIVE)
    rank_b = b.map(_CONSERVATIVE)
    worse = np.where(rank_b.fillna(-1) > rank_a.fillna(-1), r2, r1)
    conditions = [
        a.notna() & b.notna() & (a == b),
        a.notna() & b.isna(),
        a.isna() & b.notna(),
        (a != b) & c.notna() & use_third,
        a.notna() | b.notna(),
    ]
    chosen = np.select(conditions, [r1, r1, r2, roles.third, worse], default="")
    source = np.select(
        conditions,
        ["agreement", "single reader", "single reader", "third reader", "conservative"],
        default="",
    )
    pick = pd.DataFrame(
        {"reader": chosen.astype(str), "source": source.astype(str)}, index=wide.index
    ).reset_index()
    pick = pick[pick["reader"] != ""]
    picked = (
        rest.merge(pick, on=[*_VISIT, "reader"]) if len(pick) else rest.iloc[:0].assign(source="")
    )
    combined = pd.concat([cons, picked], ignore_index=True)
    combined["assessment_date"] = pd.to_datetime(combined["assessment_date"])
    combined = combined.sort_values(_VISIT).reset_index(drop=True)
    src = tuple(combined["source"].astype(str))
    combined["reader"] = ADJUDICATED
    for col in ("reference_date", "baseline_date"):
        combined[col] = pd.to_datetime(combined[col])
    patients = pd.DataFrame(
        {"patient_id": sorted(set(readings["patient_id"])), "reader": ADJUDICATED}
    )
    adjudicated = _from_frame(combined, patients, timepoints.criteria, timepoints.warnings)
    return Adjudication(timepoints=adjudicated, source=src)


def adjudicated_best_response(
    timepoints: TimepointResponses,
    rules: ResponseRules | None = None,
    roles: ReaderRoles | None = None,
    death_dates: Mapping[str, object] | None = None,
) -> tuple[Adjudication, BestResponses, BestResponses]:
    """Adjudicate, then derive BOR per reader and for the adjudicated reading.

    ``death_dates`` (``patient_id -> date``) end the adjudicated duration of response when death
    comes before progression.

    Returns
    -------
    tuple
        ``(adjudication, best_by_reader, best)``; ``best.reader_calls`` lists every reader's
        confirmed BOR for the patient.
    """
    rules = rules or ResponseRules()
    adjudication = adjudicate(timepoints, rules, roles)
    by_reader = best_overall_response(timepoints, rules)
    best = best_overall_response(adjudication.timepoints, rules, death_dates)
    frame = by_reader.to_frame()
    calls = (frame["reader"] + "=" + frame["bor"]).groupby(frame["patient_id"]).agg("; ".join)
    best = best.with_reader_calls(tuple(calls.reindex(list(best.patient_id)).fillna("")))
    return adjudication, by_reader, replace(best, rules=rules)
