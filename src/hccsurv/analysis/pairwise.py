"""Pairwise comparisons of three or more groups, with adjusted p-values.

* :func:`pairwise_logrank` is R ``survminer::pairwise_survdiff``: for each pair of groups the
  rows of those two groups only, ``survdiff(Surv(time, event) ~ group [+ strata(s)], rho = rho)``
  on them, :math:`p = P(\\chi^2_1 > \\chi^2)`, then ``p.adjust`` over all pairs.
* :func:`pairwise_cox` fits one Cox model on every group (plus any covariates and strata) and
  compares each pair from it: :math:`\\log HR_{b:a} = \\hat\\beta_b - \\hat\\beta_a` with
  :math:`se^2 = V_{aa} + V_{bb} - 2V_{ab}` (:math:`\\hat\\beta = 0`, :math:`V = 0` for the
  reference), Wald :math:`z`, :math:`p = 2\\Phi(-|z|)`, then ``p.adjust``. This is the contrast
  ``multcomp::glht(fit, mcp(group = "Tukey"))`` computes, with ``test = adjusted("holm")``; all
  pairs share the model's baseline hazard and adjustment, unlike a model per pair.

Pairs are listed as R's ``pairwise.table`` visits its lower triangle: (1, 2), (1, 3) ...
(1, k), (2, 3) ... with groups in order (first = reference), the second group compared with the
first. Reference: survminer 0.4.9 ``pairwise_survdiff.R``; R ``pairwise.table``, ``p.adjust``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hccsurv.analysis.coxph import CoxModel, coxph
from hccsurv.core._result import Result, jsonable
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.distributions import chi2_sf, normal_two_sided_p, z_for_level
from hccsurv.core.logrank import logrank
from hccsurv.core.p_adjust import p_adjust
from hccsurv.errors import InputError

__all__ = ["PairwiseCox", "PairwiseLogRank", "pairwise_cox", "pairwise_logrank"]


def _pairs(k: int) -> list[tuple[int, int]]:
    """R ``pairwise.table`` order: column j = 1 .. k-1, row i = j+1 .. k."""
    return [(j, i) for j in range(k) for i in range(j + 1, k)]


@dataclass(frozen=True)
class PairwiseLogRank(Result):
    """Log-rank test of every pair of groups and the adjusted p-values (see module docstring)."""

    labels: tuple[str, ...]
    group1: tuple[str, ...]
    group2: tuple[str, ...]
    n1: tuple[int, ...]
    n2: tuple[int, ...]
    events1: tuple[int, ...]
    events2: tuple[int, ...]
    chisq: tuple[float, ...]
    p: tuple[float, ...]
    p_adjusted: tuple[float, ...]
    adjust: str
    rho: float
    stratified: bool

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: group1, group2, n1, n2, events1, events2, chisq, p, p_adjusted."""
        return pd.DataFrame(
            {
                "group1": list(self.group1),
                "group2": list(self.group2),
                "n1": list(self.n1),
                "n2": list(self.n2),
                "events1": list(self.events1),
                "events2": list(self.events2),
                "chisq": list(self.chisq),
                "p": list(self.p),
                "p_adjusted": list(self.p_adjusted),
            }
        )

    def matrix(self) -> pd.DataFrame:
        """Adjusted p-values as R prints them: rows groups 2..k, columns groups 1..k-1."""
        k = len(self.labels)
        table = pd.DataFrame(
            np.full((k - 1, k - 1), np.nan), index=self.labels[1:], columns=self.labels[:-1]
        )
        for g1, g2, p in zip(self.group1, self.group2, self.p_adjusted, strict=True):
            table.loc[g2, g1] = p
        return table


def pairwise_logrank(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    adjust: str = "holm",
    order: Sequence[Any] | None = None,
) -> PairwiseLogRank:
    """Log-rank (``rho = 0``) or Fleming-Harrington test of each pair, ``survminer`` style.

    Parameters
    ----------
    time, event : array-like
        Follow-up times and 0/1 event indicators.
    group : array-like
        Group of each row; ``order`` fixes the group order (default sorted, as R ``factor``).
    strata : array-like, optional
        Stratum of each row: each pair's test is stratified (``+ strata(s)``).
    rho : float
        Fleming-Harrington :math:`\\rho` (0 = log-rank).
    adjust : {"holm", "bonferroni", "BH", "none"}
        R ``p.adjust`` method over the :math:`k(k-1)/2` pairs.
    """
    data = check_survival(time, event)
    codes = check_groups(group, data.n, order)
    k = len(codes.labels)
    if k < 3:
        raise InputError(
            f"pairwise comparisons need three or more groups; got {list(codes.labels)}. "
            "With two groups use hccsurv.logrank"
        )
    strata_arr = None if strata is None else np.asarray(strata)
    if strata_arr is not None and strata_arr.shape[0] != data.n:
        raise InputError(
            f"strata has {strata_arr.shape[0]} values but time has {data.n}; one per row"
        )
    g1s, g2s, n1s, n2s, e1s, e2s, chis, ps = [], [], [], [], [], [], [], []
    for a, b in _pairs(k):
        rows = (codes.codes == a) | (codes.codes == b)
        res = logrank(
            data.time[rows],
            data.event[rows],
            codes.codes[rows],
            strata=None if strata_arr is None else strata_arr[rows],
            rho=rho,
            order=[a, b],
        )
        g1s.append(codes.labels[a])
        g2s.append(codes.labels[b])
        n1s.append(int(res.n[0]))
        n2s.append(int(res.n[1]))
        ev = data.event[rows]
        e1s.append(int(ev[codes.codes[rows] == a].sum()))
        e2s.append(int(ev[codes.codes[rows] == b].sum()))
        chis.append(res.chisq)
        # survminer takes df = number of groups - 1 = 1, even where R's survdiff has df 0
        ps.append(chi2_sf(res.chisq, 1))
    return PairwiseLogRank(
        labels=codes.labels,
        group1=tuple(g1s),
        group2=tuple(g2s),
        n1=tuple(n1s),
        n2=tuple(n2s),
        events1=tuple(e1s),
        events2=tuple(e2s),
        chisq=tuple(chis),
        p=tuple(ps),
        p_adjusted=tuple(float(v) for v in p_adjust(ps, adjust)),
        adjust=adjust,
        rho=float(rho),
        stratified=strata_arr is not None,
    )


PAIRWISE_COX_COLUMNS = (
    "group1",
    "group2",
    "coef",
    "se",
    "hr",
    "hr_lower",
    "hr_upper",
    "z",
    "p",
    "p_adjusted",
)


@dataclass(frozen=True)
class PairwiseCox(Result):
    """Hazard ratios of every pair of groups from one Cox model (see module docstring)."""

    labels: tuple[str, ...]
    group1: tuple[str, ...]
    group2: tuple[str, ...]
    coef: tuple[float, ...]
    se: tuple[float, ...]
    z: tuple[float, ...]
    p: tuple[float, ...]
    p_adjusted: tuple[float, ...]
    conf_level: float
    adjust: str
    model: CoxModel

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: group2 versus group1 (HR > 1: group2 has the higher hazard)."""
        z = z_for_level(self.conf_level)
        coef, se = np.asarray(self.coef), np.asarray(self.se)
        return pd.DataFrame(
            {
                "group1": list(self.group1),
                "group2": list(self.group2),
                "coef": coef,
                "se": se,
                "hr": np.exp(coef),
                "hr_lower": np.exp(coef - z * se),
                "hr_upper": np.exp(coef + z * se),
                "z": list(self.z),
                "p": list(self.p),
                "p_adjusted": list(self.p_adjusted),
            },
            columns=list(PAIRWISE_COX_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """The pairs table, the adjustment and the underlying model."""
        return {
            "labels": list(self.labels),
            "adjust": self.adjust,
            "conf_level": self.conf_level,
            "pairs": jsonable(self.to_frame().to_dict(orient="records")),
            "model": self.model.to_dict(),
        }


def pairwise_cox(
    frame: pd.DataFrame,
    time_col: str,
    event_col: str,
    group: str,
    *,
    covariates: Sequence[str] = (),
    strata: str | Sequence[str] | None = None,
    order: Sequence[Any] | None = None,
    adjust: str = "holm",
    ties: str = "efron",
    conf_level: float = 0.95,
) -> PairwiseCox:
    """Every pairwise hazard ratio of ``group`` from ``coxph(~ group + covariates + strata)``.

    Parameters
    ----------
    frame : DataFrame
    time_col, event_col, group : str
        Outcome columns and the group column (numbers are taken as codes, not as a trend).
    covariates : sequence of str
        Adjustment variables of the model.
    strata : str or sequence of str, optional
        Stratification columns.
    order : sequence, optional
        The groups in order (first = reference of the model); default sorted, as R ``factor``.
    adjust : {"holm", "bonferroni", "BH", "none"}
        R ``p.adjust`` method over the pairs.
    ties, conf_level
        As :func:`~hccsurv.analysis.coxph.coxph`.
    """
    if group not in frame.columns:
        raise InputError(f"group column '{group}' is not in the data; got {list(frame.columns)}")
    if group in covariates:
        raise InputError(f"'{group}' is the group; do not list it among the covariates")
    present = frame[group].dropna()
    codes = check_groups(present.to_numpy(), len(present), order)
    k = len(codes.labels)
    if k < 3:
        raise InputError(
            f"pairwise comparisons need three or more groups in '{group}'; got "
            f"{list(codes.labels)}. With two groups use hccsurv.coxph"
        )
    local = frame.copy()
    labels = pd.Series(
        np.asarray(codes.labels, dtype=object)[codes.codes], index=present.index, dtype=object
    )
    local[group] = pd.Categorical(labels.reindex(frame.index), categories=list(codes.labels))
    model = coxph(
        local,
        time_col,
        event_col,
        [group, *covariates],
        reference={group: codes.labels[0]},
        strata=strata,
        ties=ties,
        conf_level=conf_level,
    )
    term = model.design.term(group)
    if len(term.levels) != k - 1:
        raise InputError(
            f"a group of '{group}' has no complete rows for the model; groups with data: "
            f"{[term.reference, *term.levels]}"
        )
    var = model.fit.var
    col = {term.reference: None, **dict(zip(term.levels, term.columns, strict=True))}
    g1s, g2s, coefs, ses, zs, ps = [], [], [], [], [], []
    for a, b in _pairs(k):
        # b > a >= 0: only a can be the reference (coefficient 0, no variance)
        ca, cb = col[codes.labels[a]], col[codes.labels[b]]
        assert cb is not None
        bb, v = float(model.fit.coef[cb]), float(var[cb, cb])
        ba = 0.0
        if ca is not None:
            ba = float(model.fit.coef[ca])
            v += float(var[ca, ca]) - 2.0 * float(var[ca, cb])
        se = math.sqrt(v)
        z = (bb - ba) / se
        g1s.append(codes.labels[a])
        g2s.append(codes.labels[b])
        coefs.append(bb - ba)
        ses.append(se)
        zs.append(z)
        ps.append(normal_two_sided_p(z))
    return PairwiseCox(
        labels=codes.labels,
        group1=tuple(g1s),
        group2=tuple(g2s),
        coef=tuple(coefs),
        se=tuple(ses),
        z=tuple(zs),
        p=tuple(ps),
        p_adjusted=tuple(float(v) for v in p_adjust(ps, adjust)),
        conf_level=conf_level,
        adjust=adjust,
        model=model,
    )
