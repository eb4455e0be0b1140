"""Multivariable Cox model building with forced covariates, and the nested-model LR test.

:func:`select_multivariable` screens each candidate with a univariate Cox model (term-level Wald
p: :math:`\\hat\\beta_J' V_{JJ}^{-1} \\hat\\beta_J`, multi-df for a factor) and fits one
multivariable model on

* ``rule = "p<0.1"`` (or ``"p<=0.05"`` ...): the candidates below the threshold, plus
* every ``forced`` covariate, whatever its p (the treatment group, as a reviewer expects: it can
  never silently drop out), or
* ``rule = "all"``: every candidate (and the forced ones).

The result records the rule in words (:attr:`MultivariableSelection.rule_text`) for the methods.

:func:`lr_test` is R ``anova(fit0, fit1)`` for nested Cox models fitted on the same rows:
:math:`\\chi^2 = 2(\\ell_1 - \\ell_0)` on the difference in the number of coefficients.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.distributions import chi2_sf
from hccsurv.errors import InputError

__all__ = ["LikelihoodRatioTest", "MultivariableSelection", "lr_test", "select_multivariable"]

_RULE = re.compile(r"^\s*p\s*(<=?)\s*([0-9]*\.?[0-9]+(?:[eE]-?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class MultivariableSelection(Result):
    """Univariate screening, forced covariates and the multivariable model."""

    univariate: tuple[CoxModel, ...]
    univariate_p: tuple[float, ...]
    forced: tuple[str, ...]
    selected: tuple[str, ...]
    rule: str
    rule_text: str
    multivariable: CoxModel | None

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: univariate term p, forced, screened in, in the final model."""
        return pd.DataFrame(
            {
                "variable": [m.covariates[0] for m in self.univariate],
                "uni_term_p": list(self.univariate_p),
                "forced": [m.covariates[0] in self.forced for m in self.univariate],
                "selected": [m.covariates[0] in self.selected for m in self.univariate],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The rule, the screening table and the multivariable model."""
        return {
            "rule": self.rule,
            "rule_text": self.rule_text,
            "forced": list(self.forced),
            "selected": list(self.selected),
            "screening": jsonable(self.to_frame().to_dict(orient="records")),
            "univariate": [m.to_dict() for m in self.univariate],
            "multivariable": None if self.multivariable is None else self.multivariable.to_dict(),
        }


def _passes(rule: str) -> tuple[str, float | None, bool]:
    """(normalised rule, threshold, inclusive); threshold None for "all"."""
    if rule.strip().lower() == "all":
        return "all", None, False
    m = _RULE.match(rule)
    if m is None:
        raise InputError(f"rule={rule!r} is not understood; use 'all' or e.g. 'p<0.1', 'p<=0.05'")
    threshold = float(m.group(2))
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"the threshold in rule={rule!r} must be in (0, 1]")
    return f"p{m.group(1)}{m.group(2)}", threshold, m.group(1) == "<="


def select_multivariable(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    candidates: Sequence[str],
    *,
    forced: Sequence[str] = (),
    rule: str = "p<0.1",
    reference: Mapping[str, object] | None = None,
    strata: str | Sequence[str] | None = None,
    ties: str = "efron",
    conf_level: float = 0.95,
) -> MultivariableSelection:
    """Screen ``candidates`` by ``rule``, force ``forced`` in, fit the multivariable model.

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col : str
    candidates : sequence of str
        Screened variables in display order (a forced variable may be among them).
    forced : sequence of str
        Variables always in the multivariable model, first, in this order.
    rule : str
        ``"p<X"`` / ``"p<=X"`` on the univariate term Wald p, or ``"all"``.
    reference, strata, ties, conf_level
        As :func:`~hccsurv.analysis.coxph.coxph` (each model gets the references of its terms).
    """
    norm_rule, threshold, inclusive = _passes(rule)
    screened = list(dict.fromkeys([*forced, *candidates]))
    if not screened:
        raise InputError("no candidate or forced variables were given")
    if len(set(forced)) != len(forced):
        raise InputError(f"forced {list(forced)} lists a variable twice")
    refs = dict(reference or {})
    unknown = [k for k in refs if k not in screened]
    if unknown:
        raise InputError(f"reference levels given for {unknown}, which are not model variables")
    univariate, ps = [], []
    for var in screened:
        model = coxph(
            frame,
            time_col,
            event_col,
            [var],
            reference={var: refs[var]} if var in refs else None,
            strata=strata,
            ties=ties,
            conf_level=conf_level,
        )
        univariate.append(model)
        ps.append(model.term_test(var).p)
    chosen = []
    for var, p in zip(screened, ps, strict=True):
        passes = threshold is None or (p <= threshold if inclusive else p < threshold)
        if var in forced or passes:
            chosen.append(var)
    forced_text = f"; forced into the model: {', '.join(forced)}" if forced else ""
    if threshold is None:
        text = "all candidates entered the multivariable model" + forced_text
    else:
        text = (
            f"candidates with a univariate term Wald p {norm_rule[1:]} entered the "
            f"multivariable model{forced_text}"
        )
    multi = None
    if chosen:
        multi = coxph(
            frame,
            time_col,
            event_col,
            chosen,
            reference={k: v for k, v in refs.items() if k in chosen} or None,
            strata=strata,
            ties=ties,
            conf_level=conf_level,
        )
    return MultivariableSelection(
        univariate=tuple(univariate),
        univariate_p=tuple(ps),
        forced=tuple(forced),
        selected=tuple(chosen),
        rule=norm_rule,
        rule_text=text,
        multivariable=multi,
    )


@dataclass(frozen=True)
class LikelihoodRatioTest(Result):
    """R ``anova(fit0, fit1)`` of two nested Cox models."""

    loglik0: float
    loglik1: float
    chisq: float
    df: int
    p: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        """One row: loglik0, loglik1, chisq, df, p, n."""
        return pd.DataFrame([self.to_dict()])


def lr_test(reduced: CoxModel, full: CoxModel) -> LikelihoodRatioTest:
    """Likelihood-ratio test of ``reduced`` within ``full`` (same rows, nested covariates)."""
    if reduced.n != full.n or reduced.n_events != full.n_events:
        raise InputError(
            f"the models use different rows (n = {reduced.n} and {full.n}); fit both on the "
            "rows complete in every variable of the larger model (R's anova refuses this too)"
        )
    extra = [c for c in reduced.covariates if c not in full.covariates]
    if extra or reduced.strata != full.strata:
        raise InputError(
            f"the models are not nested: {extra or 'the strata differ'}; every term of the "
            "reduced model must be in the full one, with the same strata"
        )
    df = len(full.fit.coef) - len(reduced.fit.coef)
    if df < 1:
        raise InputError("the full model has no more coefficients than the reduced one")
    chisq = 2.0 * (full.loglik - reduced.loglik)
    return LikelihoodRatioTest(
        loglik0=reduced.loglik,
        loglik1=full.loglik,
        chisq=chisq,
        df=df,
        p=chi2_sf(max(chisq, 0.0), df),
        n=full.n,
    )
