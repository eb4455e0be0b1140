"""Cox model building as in the study: univariate screening, then one multivariable model.

1. One univariate :func:`~hccsurv.analysis.coxph.coxph` per candidate, each on the rows complete
   in that candidate (and the outcome).
2. A candidate is selected when its *term-level* Wald p-value (multi-df for a factor; equal to
   the coefficient's Wald p for a one-df term) is below ``threshold``, or, with
   ``selection="all"``, always; a ``forced`` candidate (the treatment group, as a reviewer
   expects) is selected whatever its p, and comes first in the model.
3. One multivariable model on the selected candidates, complete cases over all of them; its n
   and dropped rows are recorded. With nothing selected there is no multivariable model and
   ``notes`` says so.

A model that cannot be estimated on the data (no events, as R's coxph gives NA coefficients; a
constant candidate) is left out with its reason in ``not_estimable`` (keyed by the candidate, or
``multivariable``); such a candidate is not selected. An infinite coefficient (a level without
events) is estimated, as in R, with its warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from hccsurv.analysis._isolate import attempt
from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.errors import InputError, NotEstimableError

__all__ = ["MODEL_BUILDING_COLUMNS", "ModelBuilding", "build_cox_models"]

MODEL_BUILDING_COLUMNS = (
    "variable",
    "level",
    "reference",
    "uni_hr",
    "uni_lower",
    "uni_upper",
    "uni_p",
    "uni_term_p",
    "uni_n",
    "uni_events",
    "selected",
    "multi_hr",
    "multi_lower",
    "multi_upper",
    "multi_p",
    "multi_term_p",
    "multi_n",
    "multi_events",
)


@dataclass(frozen=True)
class ModelBuilding(Result):
    """Univariate models, the selection and the multivariable model (``None`` if none selected)."""

    univariate: tuple[CoxModel, ...]
    selected: tuple[str, ...]
    selection_p: str
    threshold: float
    multivariable: CoxModel | None
    notes: tuple[str, ...]
    ties: str = "efron"
    not_estimable: dict[str, str] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()
    forced: tuple[str, ...] = ()
    selection: str = "screen"

    @property
    def rule(self) -> str:
        """The selection rule in words, for the methods text."""
        if self.selection == "all":
            text = "all candidate variables entered the multivariable model"
        else:
            text = (
                "variables with a univariate p (Wald test of the term) below "
                f"{self.threshold:g} entered the multivariable model"
            )
        if self.forced:
            text += f", and {', '.join(self.forced)} regardless of its p-value"
        return text

    def to_frame(self) -> pd.DataFrame:
        """One row per term level: univariate and multivariable HR, CI and p side by side."""
        rows: list[dict[str, Any]] = []
        multi = self.multivariable.to_frame() if self.multivariable is not None else None
        for model in self.univariate:
            var = model.covariates[0]
            uni = model.to_frame()
            term_p = model.term_test(var).p
            for rec in uni.to_dict(orient="records"):
                row: dict[str, Any] = {
                    "variable": var,
                    "level": rec["level"],
                    "reference": rec["reference"],
                    "uni_hr": rec["hr"],
                    "uni_lower": rec["hr_lower"],
                    "uni_upper": rec["hr_upper"],
                    "uni_p": rec["p"],
                    "uni_term_p": term_p,
                    "uni_n": model.n,
                    "uni_events": model.n_events,
                    "selected": var in self.selected,
                    "multi_hr": math.nan,
                    "multi_lower": math.nan,
                    "multi_upper": math.nan,
                    "multi_p": math.nan,
                    "multi_term_p": math.nan,
                    "multi_n": None,
                    "multi_events": None,
                }
                if multi is not None and self.multivariable is not None and var in self.selected:
                    hit = multi[
                        (multi["variable"] == var) & _same_level(multi["level"], rec["level"])
                    ]
                    if len(hit):
                        m = hit.iloc[0]
                        row.update(
                            multi_hr=m["hr"],
                            multi_lower=m["hr_lower"],
                            multi_upper=m["hr_upper"],
                            multi_p=m["p"],
                            multi_term_p=self.multivariable.term_test(var).p,
                            multi_n=self.multivariable.n,
                            multi_events=self.multivariable.n_events,
                        )
                rows.append(row)
        return pd.DataFrame(rows, columns=list(MODEL_BUILDING_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """Univariate and multivariable models, selection rule and notes."""
        return {
            "univariate": [m.to_dict() for m in self.univariate],
            "selected": list(self.selected),
            "selection_p": self.selection_p,
            "threshold": self.threshold,
            "selection": self.selection,
            "forced": list(self.forced),
            "multivariable": None if self.multivariable is None else self.multivariable.to_dict(),
            "notes": list(self.notes),
            "table": jsonable(self.to_frame().to_dict(orient="records")),
        }


def _same_level(col: pd.Series, level: object) -> pd.Series:
    if level is None:
        return col.isna()
    return col == level


def build_cox_models(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    candidates: Sequence[str],
    *,
    reference: Mapping[str, object] | None = None,
    threshold: float = 0.1,
    forced: Sequence[str] = (),
    selection: str = "screen",
    strata: str | Sequence[str] | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> ModelBuilding:
    """Univariate Cox screening at ``threshold`` (term Wald p), then a multivariable model.

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col : str
    candidates : sequence of str
        Candidate variables, in display order.
    reference : mapping, optional
        Reference level per factor.
    threshold : float
        A candidate enters the multivariable model when its univariate term Wald p < threshold.
    forced : sequence of str
        Candidates in the multivariable model whatever their univariate p (first, in this order).
    selection : {"screen", "all"}
        Screen at ``threshold``, or take every candidate.
    strata, ties, conf_level
        Passed to every :func:`~hccsurv.analysis.coxph.coxph` call.
    """
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"threshold={threshold!r} must be in (0, 1], e.g. 0.1 or 0.05")
    if len(candidates) == 0:
        raise InputError("no candidate variables were given")
    if selection not in ("screen", "all"):
        raise InputError(f"selection={selection!r}: use 'screen' (at threshold) or 'all'")
    outside = [f for f in forced if f not in candidates]
    if outside:
        raise InputError(f"forced {outside} are not candidates; list them in candidates too")
    refs = dict(reference or {})
    events = pd.to_numeric(frame[event_col], errors="coerce")
    options: dict[str, Any] = {"strata": strata, "ties": ties, "conf_level": conf_level}
    univariate = []
    not_estimable: dict[str, str] = {}
    for var in candidates:
        ref = {var: refs[var]} if var in refs else None
        tried = attempt(partial(_fit, frame, time_col, event_col, events, [var], ref, options))
        if tried.value is None:
            not_estimable[var] = str(tried.reason)
        else:
            univariate.append(tried.value)
    passed = [
        m.covariates[0]
        for m in univariate
        if selection == "all" or m.term_test(m.covariates[0]).p < threshold
    ]
    selected = tuple(dict.fromkeys([*forced, *passed]))
    notes: list[str] = []
    multivariable = None
    if selected:
        sel_refs = {k: v for k, v in refs.items() if k in selected}
        tried = attempt(
            lambda: _fit(
                frame, time_col, event_col, events, list(selected), sel_refs or None, options
            )
        )
        multivariable = tried.value
        if multivariable is None:
            not_estimable["multivariable"] = str(tried.reason)
            notes.append(f"the multivariable model could not be estimated: {tried.reason}")
        else:
            notes.append(
                f"multivariable model on {len(selected)} selected variable(s): "
                f"n = {multivariable.n} ({multivariable.n_events} events), "
                f"{multivariable.n_dropped} row(s) dropped for missing values"
            )
    else:
        notes.append(
            f"no candidate had a univariate term Wald p < {threshold} and none was forced; "
            "no multivariable model was fitted"
        )
    return ModelBuilding(
        univariate=tuple(univariate),
        selected=selected,
        selection_p="term-level Wald p (multi-df for factors) of the univariate model",
        threshold=threshold,
        multivariable=multivariable,
        notes=tuple(notes),
        ties=ties,
        not_estimable=not_estimable,
        candidates=tuple(candidates),
        forced=tuple(forced),
        selection=selection,
    )


def _fit(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    events: pd.Series,
    covariates: list[str],
    reference: Mapping[str, object] | None,
    options: Mapping[str, Any],
) -> CoxModel:
    """One Cox model; no events among its complete cases is R's model of NA coefficients."""
    complete = frame[covariates].notna().all(axis=1) & frame[time_col].notna()
    if not (events[complete] > 0).any():
        raise NotEstimableError(
            f"no events among the {int(complete.sum())} patients with complete data: a Cox "
            "model needs at least one (R's coxph gives NA coefficients)"
        )
    return coxph(frame, time_col, event_col, covariates, reference=reference, **options)
