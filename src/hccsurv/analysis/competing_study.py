"""Competing risks in the study: per endpoint with competing events (``Cohort.causes``).

For each such endpoint, on the patients with a usable ``<name>_time`` and ``<name>_cause``:

- cumulative incidence of every cause per group (Aalen-Johansen, R ``survfit`` multi-state
  variance and log limits) with Gray's test per cause (``cmprsk::cuminc``), the CIF at the
  study's landmarks and the median time to each cause where the CIF reaches 0.5;
- the Fine-Gray model of cause 1 (the endpoint's own event, ``cmprsk::crr``) built as the study
  builds its Cox models: each ``[cox]`` candidate alone, then those with term Wald
  p < ``[cox] threshold`` together;
- beside it, for every cause, the cause-specific Cox model (``coxph(Surv(time, cause == k) ~ .)``,
  ``[cox] ties``) with the covariates of the final Fine-Gray model (the selected candidates; the
  group alone when none is selected or the multivariable model cannot be fitted), so that the
  subdistribution and cause-specific hazard ratios of each covariate are read side by side, as
  Austin & Fine (Stat Med 2017) and Latouche et al. (J Clin Epidemiol 2013) recommend.

Every piece is recorded under ``<endpoint>.competing...``: a cause without events leaves its
Gray's test and its models "not estimable" with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hccsurv.analysis.competing import CauseSpecificCox, FineGrayModel, cause_specific_cox, finegray
from hccsurv.core._result import Result, jsonable
from hccsurv.core.competing import CompetingRisks, cumulative_incidence
from hccsurv.data.cohort import Cohort
from hccsurv.errors import NotEstimableError

if TYPE_CHECKING:  # the study module runs this one: its recorder is only a type here
    from hccsurv.analysis.study import Recorder

__all__ = ["CompetingAnalysis", "CompetingEndpoint", "FineGrayScreening", "competing_analysis"]


@dataclass(frozen=True)
class FineGrayScreening(Result):
    """Univariate Fine-Gray models of each candidate, the selection and the multivariable model."""

    cause: int
    threshold: float
    univariate: tuple[FineGrayModel, ...]
    not_estimable: dict[str, str]
    selected: tuple[str, ...]
    multivariable: FineGrayModel | None

    def to_dict(self) -> dict[str, Any]:
        """Each model's :meth:`FineGrayModel.to_dict`, keyed by candidate."""
        return {
            "cause": self.cause,
            "threshold": self.threshold,
            "univariate": {m.covariates[0]: m.to_dict() for m in self.univariate},
            "not_estimable": dict(self.not_estimable),
            "selected": list(self.selected),
            "multivariable": None if self.multivariable is None else self.multivariable.to_dict(),
        }


@dataclass(frozen=True)
class CompetingEndpoint(Result):
    """The competing-risks analysis of one endpoint (see the module docstring).

    ``causes`` are the cause labels in code order (cause 1 first); ``events`` the number of
    events of each; ``cause_specific`` one model per cause (``None``: not estimable);
    ``data`` the patients analysed (columns time, cause, group; for the number at risk under a
    figure, never written to results.json).
    """

    name: str
    label: str
    causes: tuple[str, ...]
    groups: tuple[str, ...]
    n: int
    events: tuple[int, ...]
    landmarks: tuple[float, ...]
    cif: CompetingRisks | None
    finegray: FineGrayScreening | None
    model_covariates: tuple[str, ...]
    cause_specific: tuple[CauseSpecificCox | None, ...]
    data: pd.DataFrame = field(repr=False, compare=False)

    def at_landmarks(self) -> pd.DataFrame:
        """CIF at the landmarks: group, cause, time, estimate, variance, std_err, lower, upper."""
        if self.cif is None or not self.landmarks:
            return pd.DataFrame()
        return self.cif.at(self.landmarks)

    def gray_p(self, cause: int) -> float | None:
        """Gray's test p-value of ``cause`` (``None`` when not estimable)."""
        if self.cif is None or self.cif.tests is None:
            return None
        p = self.cif.tests.test(cause).p_value
        return None if np.isnan(p) else float(p)

    def to_dict(self) -> dict[str, Any]:
        """Counts, the curves and tests, the CIF at landmarks, medians and every model."""
        return {
            "name": self.name,
            "label": self.label,
            "causes": list(self.causes),
            "groups": list(self.groups),
            "n": self.n,
            "events": list(self.events),
            "landmarks": list(self.landmarks),
            "cif": None if self.cif is None else self.cif.to_dict(),
            "cif_at_landmarks": jsonable(self.at_landmarks().to_dict(orient="records")),
            "medians": (
                [] if self.cif is None else jsonable(self.cif.medians().to_dict(orient="records"))
            ),
            "finegray": None if self.finegray is None else self.finegray.to_dict(),
            "model_covariates": list(self.model_covariates),
            "cause_specific": [None if m is None else m.to_dict() for m in self.cause_specific],
        }


@dataclass(frozen=True)
class CompetingAnalysis(Result):
    """Every endpoint with competing events, in config order; the study's time unit and the
    labels of the covariates, for the views."""

    endpoints: tuple[CompetingEndpoint, ...]
    time_unit: str
    variable_labels: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The time unit and ``{"endpoints": {name: CompetingEndpoint.to_dict()}}``."""
        return {
            "time_unit": self.time_unit,
            "endpoints": {e.name: e.to_dict() for e in self.endpoints},
        }


def _no_events(label: str, cause: str) -> NotEstimableError:
    return NotEstimableError(f"{label}: no events of cause '{cause}' among the patients analysed")


def _cif(
    time: np.ndarray, codes: np.ndarray, group: np.ndarray, label: str, k: int
) -> CompetingRisks:
    if not (codes > 0).any():
        raise NotEstimableError(
            f"{label}: no events of any cause among the {codes.size} patients analysed"
        )
    return cumulative_incidence(time, codes.astype(np.int64), group, causes=range(1, k + 1))


def _gray(cif: CompetingRisks, code: int, label: str, cause: str) -> float:
    if cif.tests is None:
        raise NotEstimableError(f"{label}: Gray's test needs at least two groups with patients")
    p = cif.tests.test(code).p_value
    if np.isnan(p):
        raise _no_events(label, cause)
    return float(p)


def competing_endpoint(
    cohort: Cohort,
    name: str,
    label: str,
    *,
    landmarks: tuple[float, ...],
    candidates: tuple[str, ...],
    references: dict[str, object],
    threshold: float,
    ties: str,
    log: Recorder,
) -> CompetingEndpoint:
    """The competing-risks analysis of endpoint ``name``, each piece run through ``log``."""
    time_col, _ = cohort.endpoints[name]
    cause_col = f"{name}_cause"
    causes = cohort.causes[name]
    frame = cohort.frame
    data = frame.loc[frame[time_col].notna() & frame[cause_col].notna()]
    n = len(data)
    codes = data[cause_col].to_numpy(dtype=float)
    events = tuple(int((codes == k).sum()) for k in range(1, len(causes) + 1))
    group = data[cohort.group_column].astype(str).to_numpy()
    key = f"{name}.competing"
    cif = log.run(
        f"{key}.cif",
        f"{label}: cumulative incidence of each cause",
        partial(_cif, data[time_col].to_numpy(dtype=float), codes, group, label, len(causes)),
        n=n,
        options={"method": "survfit", "conf_type": "log", "causes": list(causes)},
    )
    if cif is not None:
        for code, cause in enumerate(causes, start=1):
            log.run(
                f"{key}.gray.{code}",
                f"{label}: Gray's test of {cause}",
                partial(_gray, cif, code, label, cause),
                n=n,
                options={"rho": 0, "cause": cause},
            )
    screening = _screen(data, name, label, causes, candidates, references, threshold, events, log)
    final = screening.selected if screening.multivariable is not None else (cohort.group_column,)
    cause_specific = []
    for code, cause in enumerate(causes, start=1):
        cause_specific.append(
            log.run(
                f"{key}.cause_specific.{code}",
                f"{label}: cause-specific Cox model of {cause}",
                partial(
                    _cs,
                    data,
                    time_col,
                    cause_col,
                    final,
                    code,
                    references,
                    ties,
                    label,
                    cause,
                    events[code - 1],
                ),
                n=n,
                options={"ties": ties, "covariates": list(final), "cause": cause},
            )
        )
    return CompetingEndpoint(
        name=name,
        label=label,
        causes=causes,
        groups=tuple(cohort.groups),
        n=n,
        events=events,
        landmarks=landmarks,
        cif=cif,
        finegray=screening,
        model_covariates=final,
        cause_specific=tuple(cause_specific),
        data=pd.DataFrame({"time": data[time_col], "cause": codes, "group": group}),
    )


def _cs(
    data: pd.DataFrame,
    time_col: str,
    cause_col: str,
    covariates: tuple[str, ...],
    code: int,
    references: dict[str, object],
    ties: str,
    label: str,
    cause: str,
    events: int,
) -> CauseSpecificCox:
    if events == 0:
        raise _no_events(label, cause)
    refs = {k: v for k, v in references.items() if k in covariates}
    return cause_specific_cox(
        data, time_col, cause_col, list(covariates), cause=code, reference=refs or None, ties=ties
    )


def _fg(
    data: pd.DataFrame,
    time_col: str,
    cause_col: str,
    covariates: tuple[str, ...],
    references: dict[str, object],
    label: str,
    cause: str,
    events: int,
) -> FineGrayModel:
    if events == 0:
        raise _no_events(label, cause)
    refs = {k: v for k, v in references.items() if k in covariates}
    return finegray(data, time_col, cause_col, list(covariates), cause=1, reference=refs or None)


def _screen(
    data: pd.DataFrame,
    name: str,
    label: str,
    causes: tuple[str, ...],
    candidates: tuple[str, ...],
    references: dict[str, object],
    threshold: float,
    events: tuple[int, ...],
    log: Recorder,
) -> FineGrayScreening:
    """Univariate Fine-Gray models of cause 1, then the candidates with p < threshold."""
    time_col, cause_col = f"{name}_time", f"{name}_cause"
    key = f"{name}.competing.finegray"
    options = {"cause": causes[0], "threshold": threshold, "method": "crr"}
    univariate: list[FineGrayModel] = []
    not_estimable: dict[str, str] = {}
    for var in candidates:
        model = log.run(
            f"{key}.univariate.{var}",
            f"{label}: univariate Fine-Gray model of {var}",
            partial(
                _fg, data, time_col, cause_col, (var,), references, label, causes[0], events[0]
            ),
            n=len(data),
            options={**options, "reference": references.get(var)},
        )
        if model is None:
            not_estimable[var] = str(log.records[-1].reason)
        else:
            univariate.append(model)
    selected = tuple(
        m.covariates[0]
        for m in univariate
        if next(t.p for t in m.term_tests if t.variable == m.covariates[0]) < threshold
    )
    multivariable = None
    if selected:
        multivariable = log.run(
            f"{key}.multivariable",
            f"{label}: multivariable Fine-Gray model",
            partial(
                _fg, data, time_col, cause_col, selected, references, label, causes[0], events[0]
            ),
            n=len(data),
            options={**options, "covariates": list(selected)},
        )
    return FineGrayScreening(
        cause=1,
        threshold=threshold,
        univariate=tuple(univariate),
        not_estimable=not_estimable,
        selected=selected,
        multivariable=multivariable,
    )


def competing_analysis(
    cohort: Cohort,
    labels: dict[str, str],
    *,
    variable_labels: dict[str, str],
    landmarks: tuple[float, ...],
    candidates: tuple[str, ...],
    references: dict[str, object],
    threshold: float,
    ties: str,
    log: Recorder,
) -> CompetingAnalysis | None:
    """Every endpoint of ``cohort.causes`` (``None`` when there is none); ``labels`` are the
    endpoints' labels, ``variable_labels`` the covariates'."""
    if not cohort.causes:
        return None
    return CompetingAnalysis(
        tuple(
            competing_endpoint(
                cohort,
                name,
                labels[name],
                landmarks=landmarks,
                candidates=candidates,
                references=references,
                threshold=threshold,
                ties=ties,
                log=log,
            )
            for name in cohort.causes
        ),
        time_unit=cohort.time_unit,
        variable_labels=dict(variable_labels),
    )
