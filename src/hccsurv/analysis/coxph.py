"""Cox regression on a data frame: ``hccsurv.coxph``, the frame-level twin of R ``coxph``.

``coxph(frame, "os_time", "os_event", ["age", "etiology"], reference={"etiology": "HBV"})`` builds
the design (treatment contrasts, complete cases), fits the model with
:func:`hccsurv.core.cox.cox_fit` and adds what ``summary(coxph)`` reports: the three global
tests, Harrell's concordance with its standard error, per-term Wald tests (multi-df for factors,
:math:`\\chi^2 = \\hat\\beta_J' V_{JJ}^{-1} \\hat\\beta_J`), plus ``zph()`` (R ``cox.zph``) and
``predict_survival()`` (R ``survfit(fit, newdata=)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg

from hccsurv.analysis.design import Design, build_design
from hccsurv.core._result import Result, jsonable
from hccsurv.core.concordance import concordance as harrell_c
from hccsurv.core.cox import CoxData, CoxFit, GlobalTest, cox_fit, prepare_cox_data
from hccsurv.core.cox_predict import PredictedSurvival, predict_cox_survival
from hccsurv.core.distributions import chi2_sf
from hccsurv.core.zph import ZphResult, cox_zph
from hccsurv.errors import InputError

__all__ = ["COEFFICIENT_COLUMNS", "CoxModel", "TermTest", "coxph"]

COEFFICIENT_COLUMNS = (
    "variable",
    "level",
    "reference",
    "coef",
    "se",
    "robust_se",
    "hr",
    "hr_lower",
    "hr_upper",
    "z",
    "p",
)


@dataclass(frozen=True)
class TermTest(Result):
    """Wald test that all coefficients of one variable are zero."""

    variable: str
    df: int
    chisq: float
    p: float

    def to_frame(self) -> pd.DataFrame:
        """One row: variable, df, chisq, p."""
        return pd.DataFrame(
            [{"variable": self.variable, "df": self.df, "chisq": self.chisq, "p": self.p}]
        )


@dataclass(frozen=True)
class CoxModel(Result):
    """A fitted Cox model on a data frame (see :func:`coxph`)."""

    time_col: str
    event_col: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    n: int
    n_events: int
    n_dropped: int
    dropped: tuple[Any, ...]
    term_tests: tuple[TermTest, ...]
    lr_test: GlobalTest
    wald_test: GlobalTest
    score_test: GlobalTest
    concordance: float
    concordance_se: float
    loglik_null: float
    loglik: float
    iterations: int
    converged: bool
    ties: str
    robust: bool
    conf_level: float
    warnings: tuple[str, ...]
    fit: CoxFit = field(repr=False)
    design: Design = field(repr=False)
    data: CoxData = field(repr=False)
    strata_codes: tuple[str, ...] = field(repr=False)
    start_col: str | None = None
    """Start-time column of counting-process rows ``(start, stop]``, or None."""
    concordance_skipped: bool = False

    @property
    def variance(self) -> str:
        """``"robust"`` (sandwich) or ``"model"`` (inverse information): the one z, p and CI use."""
        return "robust" if self.robust else "model"

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient with the columns of ``COEFFICIENT_COLUMNS``."""
        f = self.fit
        estimates = {
            "coef": f.coef,
            "se": f.se,
            "robust_se": f.robust_se,
            "hr": f.hr,
            "hr_lower": f.hr_lower,
            "hr_upper": f.hr_upper,
            "z": f.z,
            "p": f.p,
        }
        return self.design.coefficient_frame(estimates, COEFFICIENT_COLUMNS)

    def term_test(self, variable: str) -> TermTest:
        """The Wald test of ``variable``."""
        for t in self.term_tests:
            if t.variable == variable:
                return t
        raise InputError(f"'{variable}' is not a term of this model")

    def to_dict(self) -> dict[str, Any]:
        """Coefficients (with SEs, p-values and CIs), term and global tests, fit summary."""
        coefs = self.to_frame().to_dict(orient="records")
        return {
            "start_col": self.start_col,
            "time_col": self.time_col,
            "event_col": self.event_col,
            "covariates": list(self.covariates),
            "strata": list(self.strata),
            "coefficients": jsonable(coefs),
            "term_tests": [t.to_dict() for t in self.term_tests],
            "lr_test": self.lr_test.to_dict(),
            "wald_test": self.wald_test.to_dict(),
            "score_test": self.score_test.to_dict(),
            "concordance": jsonable(self.concordance),
            "concordance_se": jsonable(self.concordance_se),
            "concordance_skipped": self.concordance_skipped,
            "loglik_null": jsonable(self.loglik_null),
            "loglik": jsonable(self.loglik),
            "n": self.n,
            "n_events": self.n_events,
            "n_dropped": self.n_dropped,
            "dropped": jsonable(list(self.dropped)),
            "iterations": self.iterations,
            "converged": self.converged,
            "ties": self.ties,
            "robust": self.robust,
            "variance": self.variance,
            "conf_level": self.conf_level,
            "warnings": list(self.warnings),
        }

    def zph(self) -> ZphResult:
        """Proportional-hazards tests per variable and GLOBAL, R ``cox.zph(fit)`` (km transform)."""
        self._right_censored_only("zph()")
        terms = [(t.variable, list(t.columns)) for t in self.design.terms]
        return cox_zph(self.data, self.fit.coef, self.ties, terms)

    def predict_survival(self, profile: Mapping[str, object]) -> PredictedSurvival:
        """Survival curve of a covariate profile (R ``survfit(fit, newdata=)``).

        ``profile`` maps each covariate to a value (factor levels by name) and, for a stratified
        model, each strata column to the stratum of the curve.
        """
        self._right_censored_only("predict_survival()")
        x0 = self.design.row_for(profile)
        code = 0
        if self.strata:
            missing = [c for c in self.strata if c not in profile]
            if missing:
                raise InputError(f"the profile needs the stratum column(s) {missing}")
            label = _stratum_label([profile[c] for c in self.strata])
            if label not in self.strata_codes:
                raise InputError(
                    f"stratum {label!r} is not in the model; use one of {list(self.strata_codes)}"
                )
            code = self.strata_codes.index(label)
        return predict_cox_survival(
            self.data,
            self.fit.coef,
            self.fit.var,
            self.ties,
            x0,
            stratum=code,
            conf_level=self.conf_level,
        )

    def _right_censored_only(self, what: str) -> None:
        if self.start_col is not None:
            raise InputError(
                f"{what} is implemented for right-censored data only; this model has "
                f"counting-process rows (start_col={self.start_col!r}). Fit it without "
                "start_col (one row per patient) to use it"
            )


def _stratum_label(values: Sequence[object]) -> str:
    return " | ".join(str(v) for v in values)


def _term_tests(design: Design, fit: CoxFit) -> tuple[TermTest, ...]:
    out = []
    for term in design.terms:
        idx = np.asarray(term.columns, dtype=np.intp)
        b = fit.coef[idx]
        v = fit.var[np.ix_(idx, idx)]
        chisq = float(b @ linalg.solve(v, b, assume_a="sym"))
        p = chi2_sf(chisq, idx.size) if math.isfinite(chisq) else math.nan
        out.append(TermTest(variable=term.variable, df=int(idx.size), chisq=chisq, p=p))
    return tuple(out)


def coxph(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    *,
    reference: Mapping[str, object] | None = None,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    robust: bool | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
    start_col: str | None = None,
    concordance: bool = True,
) -> CoxModel:
    """Fit ``coxph(Surv(time, event) ~ covariates + strata(...), weights=, cluster=)`` on a frame.

    With ``start_col`` it is R's counting-process ``coxph(Surv(start, stop, event) ~ ...)``:
    ``time_col`` is then the stop time and a row is at risk in ``(start, stop]`` (delayed entry,
    time-varying covariates from :func:`hccsurv.tmerge`); give ``cluster`` the patient id so
    that the variance is robust to a patient's several rows, as R's ``cluster = id``. Harrell's
    concordance is not computed for such rows (NaN).

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col : str
        Follow-up time and event indicator (1/True = event) columns.
    covariates : sequence of str
        Model variables; strings and categoricals become treatment-coded factors.
    reference : mapping, optional
        Reference level per factor (default: first category, else sorted first level).
    strata : str or sequence of str, optional
        Column(s) defining strata (separate baseline hazards).
    weights, cluster : str, optional
        Case-weight column; cluster column (implies the robust variance, as R).
    robust : bool, optional
        Robust sandwich variance; z, p and the CI then use the robust se (as R). ``None`` (the
        default) follows R's ``coxph``: robust when there is a cluster or a weight is not an
        integer (IPTW weights, say), model-based otherwise; ``variance`` in the result says
        which, and a warning says why when non-integer weights chose it.
    ties : {"efron", "breslow"}
    conf_level : float
        Level of the hazard-ratio intervals.
    start_col : str, optional
        Start-time column (R ``Surv(start, stop, event)``); start < stop on every row.
    concordance : bool
        Compute Harrell's C and its se (R's ``summary(fit)$concordance``); ``False`` skips it
        (``concordance`` and ``concordance_se`` are then NaN and ``concordance_skipped`` True).

    Returns
    -------
    CoxModel
        Complete cases over every column the model uses; ``dropped`` lists the other row labels.
    """
    strata_cols: tuple[str, ...] = (
        () if strata is None else (strata,) if isinstance(strata, str) else tuple(strata)
    )
    required = [time_col, event_col, *strata_cols]
    if start_col is not None:
        required.append(start_col)
    if weights is not None:
        required.append(weights)
    if cluster is not None:
        required.append(cluster)
    design = build_design(frame, covariates, reference=reference, required=required)
    keep_mask = ~frame[[*covariates, *required]].isna().any(axis=1).to_numpy()
    used = frame.loc[keep_mask]
    time = used[time_col].to_numpy(dtype=np.float64)
    event = used[event_col].to_numpy(dtype=np.float64)
    strata_labels: tuple[str, ...] = ()
    strata_arr = None
    if strata_cols:
        labels = np.asarray(
            [_stratum_label(row) for row in used[list(strata_cols)].itertuples(index=False)],
            dtype=object,
        )
        strata_labels = tuple(sorted(set(labels.tolist())))
        strata_arr = np.asarray([strata_labels.index(v) for v in labels.tolist()], dtype=np.intp)
    w = None if weights is None else used[weights].to_numpy(dtype=np.float64)
    cl = None if cluster is None else used[cluster].to_numpy()
    notes: tuple[str, ...] = ()
    if robust is None:
        fractional = w is not None and bool((w != np.floor(w)).any())
        robust = cluster is not None or fractional
        if fractional and cluster is None:
            notes = (
                f"non-integer case weights ({weights!r}): robust (sandwich) variance, as R's "
                "coxph; pass robust=False for the model-based one",
            )
    entry = None if start_col is None else used[start_col].to_numpy(dtype=np.float64)
    fit = cox_fit(
        time,
        event,
        design.matrix,
        strata=strata_arr,
        weights=w,
        cluster=cl,
        robust=robust,
        ties=ties,
        conf_level=conf_level,
        names=design.column_names,
        entry=entry,
    )
    data = prepare_cox_data(
        time,
        event,
        design.matrix,
        strata=strata_arr,
        weights=w,
        names=design.column_names,
        entry=entry,
    )
    c_value = c_se = math.nan
    # R's concordance for (start, stop] rows is not implemented: counting-process fits skip it
    if concordance and entry is None:
        conc = harrell_c(
            data.time,
            event,
            fit.linear_predictor,
            strata=strata_arr,
            weights=w,
            cluster=cl,
            reverse=True,
        )
        c_value, c_se = conc.value, conc.se
    return CoxModel(
        time_col=time_col,
        event_col=event_col,
        covariates=tuple(covariates),
        strata=strata_cols,
        n=fit.n,
        n_events=fit.n_events,
        n_dropped=len(design.dropped),
        dropped=tuple(d.label for d in design.dropped),
        term_tests=_term_tests(design, fit),
        lr_test=fit.lr_test,
        wald_test=fit.wald_test,
        score_test=fit.score_test,
        concordance=c_value,
        concordance_se=c_se,
        loglik_null=fit.loglik_null,
        loglik=fit.loglik,
        iterations=fit.iterations,
        converged=fit.converged,
        ties=fit.ties,
        robust=fit.robust,
        conf_level=conf_level,
        warnings=fit.warnings + notes,
        fit=fit,
        design=design,
        data=data,
        strata_codes=strata_labels,
        concordance_skipped=not concordance or entry is not None,
        start_col=start_col,
    )
