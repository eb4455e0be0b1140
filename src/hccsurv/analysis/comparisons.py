"""The study's group comparisons beyond the main contrast: pairwise tests and subgroups.

* :func:`analyze_pairwise` (three or more groups): per endpoint, the log-rank test of every pair
  of groups (R ``survminer::pairwise_survdiff``) and the pairwise hazard ratios of one Cox model
  on all groups (``coxph(~ group + strata(...))``, Tukey contrasts as ``multcomp::glht``), both
  with ``[groups] pairwise_adjust`` (Holm by default, R ``p.adjust``) over the pairs; see
  :mod:`hccsurv.analysis.pairwise`. Stratified by ``[cox] strata`` when the log-rank of the
  endpoints is (``[cox] stratify_logrank``) and the Cox models are.
* :func:`analyze_subgroups` (two groups, ``[subgroups]``): per endpoint, the group hazard ratio
  within each level of the subgroup variables and the likelihood-ratio test of group x subgroup
  (R ``anova`` of nested ``coxph`` fits); see :mod:`hccsurv.analysis.subgroup`.

Each is one :class:`~hccsurv.analysis.study.StudyStep`; its result lands in results.json under
``pairwise`` / ``subgroups``, one record per endpoint in ``analyses``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from hccsurv.analysis.pairwise import PairwiseCox, PairwiseLogRank, pairwise_cox, pairwise_logrank
from hccsurv.analysis.subgroup import SubgroupAnalysis, subgroup_analysis
from hccsurv.config import StudyConfig
from hccsurv.core._result import Result, jsonable
from hccsurv.data.cohort import Cohort

if TYPE_CHECKING:  # study.py registers these steps: a run-time import would be circular
    from hccsurv.analysis.study import Recorder

__all__ = [
    "EndpointPairwise",
    "EndpointSubgroups",
    "PairwiseComparisons",
    "SubgroupResults",
    "analyze_pairwise",
    "analyze_subgroups",
    "strata_labels",
]


@dataclass(frozen=True)
class EndpointPairwise(Result):
    """The pairwise log-rank tests and Cox contrasts of one endpoint (``None``: not estimable,
    the reason in the study's ``analyses``)."""

    endpoint: str
    label: str
    logrank: PairwiseLogRank | None
    cox: PairwiseCox | None

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: the log-rank and the Cox columns side by side."""
        keys = ["group1", "group2"]
        lr = None if self.logrank is None else self.logrank.to_frame()
        cx = None if self.cox is None else self.cox.to_frame()
        if lr is not None and cx is not None:
            both = lr.merge(cx, on=keys, suffixes=("_logrank", "_cox"))
        else:
            both = lr if lr is not None else cx if cx is not None else pd.DataFrame(columns=keys)
        return both.assign(endpoint=self.endpoint)


@dataclass(frozen=True)
class PairwiseComparisons(Result):
    """Pairwise comparisons of three or more groups, per endpoint (see module docstring)."""

    groups: tuple[str, ...]
    display_names: dict[str, str]
    adjust: str
    strata: tuple[str, ...]
    stratified_logrank: bool
    endpoints: tuple[EndpointPairwise, ...]

    def to_frame(self) -> pd.DataFrame:
        """The pairs of every endpoint, one row each."""
        return pd.concat([e.to_frame() for e in self.endpoints], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """The groups, the adjustment and, per endpoint, the tests (the Cox model's pairs only)."""
        return {
            "groups": list(self.groups),
            "adjust": self.adjust,
            "strata": list(self.strata),
            "stratified_logrank": self.stratified_logrank,
            "endpoints": {
                e.endpoint: {
                    "label": e.label,
                    "logrank": None if e.logrank is None else e.logrank.to_dict(),
                    "cox": None
                    if e.cox is None
                    else jsonable(e.cox.to_frame().to_dict(orient="records")),
                }
                for e in self.endpoints
            },
        }


@dataclass(frozen=True)
class EndpointSubgroups(Result):
    """The subgroup analysis of one endpoint (``None``: not estimable)."""

    endpoint: str
    label: str
    analysis: SubgroupAnalysis | None

    def to_frame(self) -> pd.DataFrame:
        """The rows of :meth:`SubgroupAnalysis.to_frame` with the endpoint."""
        if self.analysis is None:
            return pd.DataFrame({"endpoint": []})
        return self.analysis.to_frame().assign(endpoint=self.endpoint)


@dataclass(frozen=True)
class SubgroupResults(Result):
    """The subgroup analyses of every endpoint (see module docstring)."""

    variables: tuple[str, ...]
    variable_labels: dict[str, str]
    display_names: dict[str, str]
    endpoints: tuple[EndpointSubgroups, ...]

    def to_frame(self) -> pd.DataFrame:
        """The rows of every endpoint."""
        return pd.concat([e.to_frame() for e in self.endpoints], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """The variables and, per endpoint, its analysis."""
        return {
            "variables": list(self.variables),
            "endpoints": {
                e.endpoint: None if e.analysis is None else e.analysis.to_dict()
                for e in self.endpoints
            },
        }


def _usable(cohort: Cohort, name: str) -> tuple[pd.DataFrame, str, str]:
    time_col, event_col = cohort.endpoints[name]
    frame = cohort.frame
    return (
        frame.loc[frame[time_col].notna() & frame[event_col].notna()],
        time_col,
        event_col,
    )


def analyze_pairwise(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Callable[[int], None]
) -> PairwiseComparisons | None:
    """Pairwise log-rank and Cox comparisons per endpoint (``None`` with fewer than 3 groups)."""
    if len(cohort.groups) < 3:
        return None
    adjust = config.groups.pairwise_adjust
    strata = tuple(config.cox.strata)
    stratify_logrank = bool(strata) and config.cox.stratify_logrank
    group = cohort.group_column
    out: list[EndpointPairwise] = []
    for name, ep in config.endpoints.items():
        data, time_col, event_col = _usable(cohort, name)
        labels = data[group].astype(str)

        def logrank(
            data: pd.DataFrame = data,
            labels: pd.Series = labels,
            time_col: str = time_col,
            event_col: str = event_col,
        ) -> PairwiseLogRank:
            return pairwise_logrank(
                data[time_col].to_numpy(dtype=float),
                data[event_col].to_numpy(dtype=float),
                labels.to_numpy(),
                strata=strata_labels(data, strata) if stratify_logrank else None,
                adjust=adjust,
                order=cohort.groups,
            )

        def cox(
            data: pd.DataFrame = data, time_col: str = time_col, event_col: str = event_col
        ) -> PairwiseCox:
            return pairwise_cox(
                data.assign(**{group: data[group].astype(str)}),
                time_col,
                event_col,
                group,
                strata=list(strata) or None,
                order=cohort.groups,
                adjust=adjust,
                ties=config.cox.ties,
            )

        options = {"adjust": adjust, "strata": list(strata)}
        out.append(
            EndpointPairwise(
                endpoint=name,
                label=ep.label,
                logrank=log.run(
                    f"{name}.pairwise.logrank",
                    f"{ep.label}: pairwise log-rank tests",
                    logrank,
                    n=len(data),
                    options={**options, "stratified": stratify_logrank},
                ),
                cox=log.run(
                    f"{name}.pairwise.cox",
                    f"{ep.label}: pairwise Cox hazard ratios",
                    cox,
                    n=len(data),
                    options={**options, "ties": config.cox.ties},
                ),
            )
        )
    advance(1)
    return PairwiseComparisons(
        groups=tuple(cohort.groups),
        display_names=dict(config.groups.display_names),
        adjust=adjust,
        strata=strata,
        stratified_logrank=stratify_logrank,
        endpoints=tuple(out),
    )


def strata_labels(data: pd.DataFrame, strata: Sequence[str]) -> Any:
    """One stratum label per row: the columns' values joined, as R's ``strata(a, b)``."""
    return data[list(strata)].astype(str).agg(", ".join, axis=1).to_numpy()


def analyze_subgroups(
    cohort: Cohort, config: StudyConfig, log: Recorder, advance: Callable[[int], None]
) -> SubgroupResults | None:
    """The group hazard ratio per subgroup level, per endpoint (``None`` without
    ``[subgroups]``)."""
    sub = config.subgroups
    if sub is None:
        return None
    out: list[EndpointSubgroups] = []
    for name, ep in config.endpoints.items():
        data, time_col, event_col = _usable(cohort, name)

        def run(
            data: pd.DataFrame = data, time_col: str = time_col, event_col: str = event_col
        ) -> SubgroupAnalysis:
            return subgroup_analysis(
                data,
                time_col,
                event_col,
                cohort.group_column,
                sub.variables,
                covariates=sub.covariates,
                strata=list(config.cox.strata) or None,
                reference=cohort.groups[0],
                ties=config.cox.ties,
            )

        result = log.run(
            f"{name}.subgroups",
            f"{ep.label}: subgroup analysis",
            run,
            n=len(data),
            options={
                "variables": list(sub.variables),
                "covariates": list(sub.covariates),
                "strata": list(config.cox.strata),
            },
        )
        out.append(EndpointSubgroups(endpoint=name, label=ep.label, analysis=result))
    advance(1)
    return SubgroupResults(
        variables=tuple(sub.variables),
        variable_labels=config.variable_labels,
        display_names=dict(config.groups.display_names),
        endpoints=tuple(out),
    )
