"""Tumour response: from lesion measurements by two readers to each patient's confirmed BOR.

Pipeline (HCC_REFERENCE §1): :func:`prepare_lesions` (mapping and checks) ->
:func:`timepoint_responses` (per-visit target / non-target / new-lesion / overall response,
mRECIST or RECIST 1.1) -> :func:`adjudicate` (two readers) -> :func:`best_overall_response`
(confirmation, BOR, dates, duration of response) -> :func:`response_counts` (ORR, DCR).
:func:`assess_response` runs the whole chain; :func:`graded_responses` accepts per-visit
responses when no measurements exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hccsurv.clinical.response.best_response import (
    BestResponses,
    ResponseCounts,
    best_overall_response,
    response_counts,
)
from hccsurv.clinical.response.lesions import (
    LesionColumns,
    PreparedLesions,
    ResponseRules,
    prepare_lesions,
)
from hccsurv.clinical.response.readers import (
    Adjudication,
    ReaderAgreement,
    ReaderRoles,
    adjudicate,
    adjudicated_best_response,
    reader_agreement,
)
from hccsurv.clinical.response.timepoint import (
    GradedColumns,
    TimepointResponses,
    graded_responses,
    timepoint_responses,
)
from hccsurv.core._result import Result
from hccsurv.errors import Problem

__all__ = [
    "Adjudication",
    "BestResponses",
    "GradedColumns",
    "LesionColumns",
    "PreparedLesions",
    "ReaderAgreement",
    "ReaderRoles",
    "ResponseAssessment",
    "ResponseCounts",
    "ResponseRules",
    "TimepointResponses",
    "adjudicate",
    "adjudicated_best_response",
    "assess_response",
    "best_overall_response",
    "graded_responses",
    "prepare_lesions",
    "reader_agreement",
    "response_counts",
    "timepoint_responses",
]


@dataclass(frozen=True)
class ResponseAssessment(Result):
    """Everything the response engine derives from one lesion (or graded) table.

    ``agreement`` is ``None`` when the two primary readers are not both present.
    """

    rules: ResponseRules
    timepoints: TimepointResponses
    adjudication: Adjudication
    best_by_reader: BestResponses
    best: BestResponses
    agreement: ReaderAgreement | None
    warnings: tuple[Problem, ...]

    def to_frame(self) -> pd.DataFrame:
        """The adjudicated per-patient BOR table (the analysis table)."""
        return self.best.to_frame()


def assess_response(
    timepoints_or_lesions: pd.DataFrame | TimepointResponses,
    rules: ResponseRules | None = None,
    columns: LesionColumns | None = None,
    roles: ReaderRoles | None = None,
    treatment_start: Mapping[str, object] | None = None,
    death_dates: Mapping[str, object] | None = None,
) -> ResponseAssessment:
    """Run the response engine end to end.

    Parameters
    ----------
    timepoints_or_lesions
        A raw lesion table or per-visit responses (e.g. from :func:`graded_responses`).
    rules, columns, roles
        Response rules, column mapping, reader labels.
    treatment_start, death_dates
        Optional ``patient_id -> date`` maps (baseline / SD reference; end of response).
    """
    rules = rules or ResponseRules()
    roles = roles or ReaderRoles()
    tp = (
        timepoints_or_lesions
        if isinstance(timepoints_or_lesions, TimepointResponses)
        else timepoint_responses(timepoints_or_lesions, rules, columns, treatment_start)
    )
    adjudication, by_reader, best = adjudicated_best_response(tp, rules, roles, death_dates)
    present = {reader for _, reader in tp.readings}
    agreement = (
        reader_agreement(tp, roles, rules, best_by_reader=by_reader)
        if set(roles.primary) <= present
        else None
    )
    return ResponseAssessment(
        rules=rules,
        timepoints=tp,
        adjudication=adjudication,
        best_by_reader=by_reader,
        best=best,
        agreement=agreement,
        warnings=tp.warnings,
    )
