"""Competing-risks regression on a data frame: Fine-Gray and cause-specific Cox models.

``finegray(frame, "time", "status", ["age", "arm"], cause=1)`` builds the design as
:func:`hccsurv.coxph` does (treatment contrasts, reference level first, complete cases) and fits
the subdistribution hazard model of :func:`hccsurv.core.fine_gray.fine_gray_fit` (``crr`` by
default, or ``coxph`` on ``survival::finegray`` data). ``cause_specific_cox`` fits, for one
cause, an ordinary Cox model in which the other causes are censored (R
``coxph(Surv(time, status == cause) ~ ...)``); guidelines ask for both side by side: the
subdistribution HR describes the cumulative incidence, the cause-specific HR the event rate among
those still free of any event.

``status`` holds ``censored`` (0) for censoring and 1..k for the causes; a row whose status is
missing is left out as an incomplete case (listed in ``dropped``); any other non-integer code is
an error naming the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hccsurv.analysis.coxph import CoxModel, TermTest, coxph
from hccsurv.analysis.design import Design, build_design
from hccsurv.core._result import Result, jsonable
from hccsurv.core.distributions import chi2_sf
from hccsurv.core.fine_gray import FineGrayFit, fine_gray_fit
from hccsurv.errors import InputError

__all__ = ["CauseSpecificCox", "FineGrayModel", "cause_specific_cox", "finegray"]

FINE_GRAY_COLUMNS = (
    "variable",
    "level",
    "reference",
    "coef",
    "se",
    "model_se",
    "hr",
    "hr_lower",
    "hr_upper",
    "z",
    "p",
)


@dataclass(frozen=True)
class FineGrayModel(Result):
    """A Fine-Gray model on a data frame (see :func:`finegray`)."""

    time_col: str
    status_col: str
    covariates: tuple[str, ...]
    cause: int
    censored: int
    method: str
    n: int
    n_events: int
    n_competing: int
    n_censored: int
    n_dropped: int
    dropped: tuple[Any, ...]
    term_tests: tuple[TermTest, ...]
    fit: FineGrayFit = field(repr=False)
    design: Design = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient with the columns of ``FINE_GRAY_COLUMNS``."""
        f = self.fit
        estimates = {
            "coef": f.coef,
            "se": f.se,
            "model_se": f.model_se,
            "hr": f.hr,
            "hr_lower": f.hr_lower,
            "hr_upper": f.hr_upper,
            "z": f.z,
            "p": f.p,
        }
        return self.design.coefficient_frame(estimates, FINE_GRAY_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """Coefficients (SE, HR, CI, p), the pseudo likelihood-ratio test and the counts."""
        f = self.fit
        return {
            "time_col": self.time_col,
            "status_col": self.status_col,
            "covariates": list(self.covariates),
            "cause": self.cause,
            "censored": self.censored,
            "method": self.method,
            "ties": f.ties,
            "conf_level": f.conf_level,
            "coefficients": jsonable(self.to_frame().to_dict(orient="records")),
            "term_tests": [t.to_dict() for t in self.term_tests],
            "lr_test": f.lr_test.to_dict(),
            "loglik_null": jsonable(f.loglik_null),
            "loglik": jsonable(f.loglik),
            "iterations": f.iterations,
            "converged": f.converged,
            "n": self.n,
            "n_events": self.n_events,
            "n_competing": self.n_competing,
            "n_censored": self.n_censored,
            "n_dropped": self.n_dropped,
            "dropped": jsonable(list(self.dropped)),
            "warnings": list(f.warnings),
        }


@dataclass(frozen=True)
class CauseSpecificCox(Result):
    """The Cox model of one cause with the other causes censored (``model``)."""

    cause: int
    censored: int
    n_competing: int
    model: CoxModel = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The model's coefficient table (:data:`hccsurv.analysis.coxph.COEFFICIENT_COLUMNS`)
        with a leading ``cause`` column."""
        frame = self.model.to_frame()
        frame.insert(0, "cause", self.cause)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The cause, the competing-event count and every field of the Cox model."""
        return {
            "cause": self.cause,
            "censored": self.censored,
            "n_competing": self.n_competing,
            **self.model.to_dict(),
        }


def _status_codes(frame: pd.DataFrame, status_col: str, censored: int) -> pd.Series:
    """``status_col`` as integer codes (NaN kept: the design drops those rows)."""
    if status_col not in frame.columns:
        raise InputError(f"column '{status_col}' is not in the data; available: {list(frame)}")
    raw = frame[status_col]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    bad |= values.notna() & (values != values.round())
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        label, value = raw.index.tolist()[pos], raw.tolist()[pos]
        raise InputError(
            f"patient {label!r}: column '{status_col}' = {value!r} is not an integer status "
            f"code; use {censored} for censored and 1..k for the causes"
        )
    return values


def _prepare(
    frame: pd.DataFrame,
    time_col: str,
    status_col: str,
    covariates: Sequence[str],
    cause: int,
    censored: int,
    reference: Mapping[str, object] | None,
) -> tuple[Design, NDArray[np.float64], NDArray[np.int64]]:
    if cause == censored:
        raise InputError(f"cause {cause} is the censoring code; choose a cause code")
    codes = _status_codes(frame, status_col, censored)
    design = build_design(frame, covariates, reference=reference, required=[time_col, status_col])
    keep = ~frame[[*covariates, time_col, status_col]].isna().any(axis=1).to_numpy()
    raw_time = frame.loc[keep, time_col]
    time = pd.to_numeric(raw_time, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(time) | (time < 0))
    if bad.size:
        pos = int(bad[0])
        raise InputError(
            f"patient {raw_time.index.tolist()[pos]!r}: column '{time_col}' = "
            f"{raw_time.tolist()[pos]!r} is not a follow-up time >= 0; fix or drop the row"
        )
    status = codes[keep].to_numpy(dtype=np.float64).astype(np.int64)
    if not (status == cause).any():
        raise InputError(
            f"no row has '{status_col}' = {cause} among the {int(keep.sum())} complete rows; "
            f"the codes present are {sorted(set(status.tolist()))}"
        )
    return design, time, status


def _term_tests(design: Design, fit: FineGrayFit) -> tuple[TermTest, ...]:
    """Wald test per variable with the reported variance (multi-df for a factor)."""
    out = []
    for term in design.terms:
        idx = np.asarray(term.columns, dtype=np.intp)
        b = fit.coef[idx]
        chisq = float(b @ np.linalg.solve(fit.var[np.ix_(idx, idx)], b))
        out.append(TermTest(term.variable, int(idx.size), chisq, chi2_sf(chisq, idx.size)))
    return tuple(out)


def finegray(
    frame: pd.DataFrame,
    time_col: str,
    status_col: str,
    covariates: Sequence[str],
    cause: int = 1,
    *,
    censored: int = 0,
    reference: Mapping[str, object] | None = None,
    method: str = "crr",
    conf_level: float = 0.95,
) -> FineGrayModel:
    """Fine-Gray subdistribution hazard model of ``cause`` (R ``cmprsk::crr``).

    Parameters
    ----------
    frame : DataFrame
    time_col, status_col : str
        Follow-up time; status code (``censored`` = 0, causes 1..k).
    covariates : sequence of str
        Model variables; strings and categoricals become treatment-coded factors.
    cause : int
        The event of interest; every other non-censoring code is a competing event.
    reference : mapping, optional
        Reference level per factor (default: first category, else sorted first level).
    method : {"crr", "finegray"}
        ``crr`` (default: the Fine & Gray estimator and variance) or ``coxph`` on
        ``survival::finegray`` data (Efron ties, robust se) — see
        :mod:`hccsurv.core.fine_gray`.
    conf_level : float
        Level of the subdistribution hazard-ratio intervals.
    """
    design, time, status = _prepare(
        frame, time_col, status_col, covariates, cause, censored, reference
    )
    fit = fine_gray_fit(
        time,
        status,
        design.matrix,
        cause=cause,
        censored=censored,
        method=method,
        conf_level=conf_level,
        names=design.column_names,
    )
    return FineGrayModel(
        time_col=time_col,
        status_col=status_col,
        covariates=tuple(covariates),
        cause=int(cause),
        censored=int(censored),
        method=method,
        n=fit.n,
        n_events=fit.n_events,
        n_competing=fit.n_competing,
        n_censored=fit.n_censored,
        n_dropped=len(design.dropped),
        dropped=tuple(d.label for d in design.dropped),
        term_tests=_term_tests(design, fit),
        fit=fit,
        design=design,
    )


def cause_specific_cox(
    frame: pd.DataFrame,
    time_col: str,
    status_col: str,
    covariates: Sequence[str],
    cause: int = 1,
    *,
    censored: int = 0,
    reference: Mapping[str, object] | None = None,
    strata: str | Sequence[str] | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> CauseSpecificCox:
    """Cause-specific Cox model of ``cause``: :func:`hccsurv.coxph` with the event indicator
    ``status == cause`` (other causes censored), as R ``coxph(Surv(time, status == cause) ~ .)``.
    """
    _prepare(frame, time_col, status_col, covariates, cause, censored, reference)  # validates
    indicator = "__event_of_cause__"
    while indicator in frame.columns:
        indicator += "_"
    codes = _status_codes(frame, status_col, censored)
    data = frame.assign(**{indicator: (codes == cause).astype(np.float64).where(codes.notna())})
    model = coxph(
        data,
        time_col,
        indicator,
        covariates,
        reference=reference,
        strata=strata,
        ties=ties,
        conf_level=conf_level,
    )
    strata_cols = [] if strata is None else [strata] if isinstance(strata, str) else list(strata)
    used = ~data[[*covariates, time_col, indicator, *strata_cols]].isna().any(axis=1).to_numpy()
    status = codes[used].to_numpy()
    return CauseSpecificCox(
        cause=int(cause),
        censored=int(censored),
        n_competing=int(((status != cause) & (status != censored)).sum()),
        model=replace(model, event_col=f"{status_col} == {cause}"),
    )
