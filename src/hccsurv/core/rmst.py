"""Restricted mean survival time (RMST) and its two-group comparison, survRM2 definitions.

With the Kaplan-Meier curve :math:`\\hat S` and a truncation time :math:`\\tau`,

.. math:: \\widehat{\\mathrm{RMST}}(\\tau) = \\int_0^{\\tau} \\hat S(u)\\,du, \\qquad
          \\widehat{\\mathrm{Var}} = \\sum_{t_i \\le \\tau} A_i^2 \\frac{d_i}{n_i (n_i - d_i)},
          \\quad A_i = \\int_{t_i}^{\\tau} \\hat S(u)\\,du,

where terms with :math:`n_i = d_i` are 0 (``survRM2::rmst1``). The CI is
:math:`\\hat\\mu \\pm z\\,\\mathrm{se}`. Two groups (the first in ``order`` is the reference,
group 1): the difference :math:`\\mu_2 - \\mu_1` on the plain scale with
:math:`\\mathrm{se} = (v_1 + v_2)^{1/2}`, and the ratio :math:`\\mu_2 / \\mu_1` on the log scale
with the delta-method :math:`\\mathrm{se} = (v_1/\\mu_1^2 + v_2/\\mu_2^2)^{1/2}`; two-sided Wald
p-values. As ``survRM2::rmst2``, :math:`\\tau` may not exceed the largest observed time of any
group (the curve is not defined beyond it).

Reference: Uno H et al. survRM2 1.0-4, ``rmst1``/``rmst2``; Royston P, Parmar MKB (2013)
*BMC Med Res Methodol* 13:152. The point estimate equals R's ``print(survfit, rmean = tau)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from hccsurv.core._result import Result, jsonable
from hccsurv.core.aggregate import TimeAggregates, aggregate
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.distributions import normal_two_sided_p, z_for_level
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Rmst", "RmstComparison", "rmst", "rmst_compare"]


@dataclass(frozen=True)
class Rmst(Result):
    """RMST up to ``tau`` with its standard error and CI."""

    tau: float
    estimate: float
    se: float
    lower: float
    upper: float
    n: int
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row: ``tau, estimate, se, lower, upper, n``."""
        import pandas as pd

        names = ("tau", "estimate", "se", "lower", "upper", "n")
        return pd.DataFrame({k: [getattr(self, k)] for k in names})


def _z(conf_level: float) -> float:
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level = {conf_level!r} must be strictly between 0 and 1")
    return z_for_level(conf_level)


def _check_tau(tau: float, tmax: float, where: str) -> None:
    if not np.isfinite(tau) or tau <= 0.0:
        raise InputError(f"tau = {tau!r} must be a positive finite time")
    if tau > tmax:
        raise InputError(
            f"tau = {tau!r} exceeds the largest observed time {tmax!r}{where}; as survRM2, "
            "tau must be <= the largest observed time of every group (choose a smaller tau)"
        )


def _rmst_cell(agg: TimeAggregates, tau: float, conf_level: float) -> Rmst:
    d = agg.n_event[:, 0]
    n = agg.n_risk[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n)
        var_terms = np.where(n - d == 0.0, 0.0, d / (n * (n - d)))
    keep = agg.time <= tau
    t = agg.time[keep]
    grid = np.concatenate(([0.0], t, [tau]))
    areas = np.diff(grid) * np.concatenate(([1.0], surv[keep]))
    estimate = float(areas.sum())
    tail = np.cumsum(areas[1:][::-1])[::-1]
    se = float(np.sqrt(np.sum(tail**2 * var_terms[keep])))
    z = _z(conf_level)
    return Rmst(
        tau=float(tau),
        estimate=estimate,
        se=se,
        lower=estimate - z * se,
        upper=estimate + z * se,
        n=int(agg.n_obs[0]),
        conf_level=conf_level,
    )


def rmst(time: ArrayLike, event: ArrayLike, tau: float, *, conf_level: float = 0.95) -> Rmst:
    """RMST up to ``tau`` (``survRM2::rmst1``; point estimate = R ``print(fit, rmean = tau)``)."""
    data = check_survival(time, event)
    _check_tau(float(tau), float(data.time.max()), "")
    return _rmst_cell(aggregate(data), float(tau), conf_level)


@dataclass(frozen=True)
class RmstComparison(Result):
    """Two-group RMST comparison: difference (group 2 - group 1) and ratio (group 2 / group 1)."""

    labels: tuple[str, ...]
    tau: float
    groups: dict[str, Rmst]
    difference: float
    difference_se: float
    difference_lower: float
    difference_upper: float
    difference_p: float
    ratio: float
    ratio_log_se: float
    ratio_lower: float
    ratio_upper: float
    ratio_p: float
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Every field; ``groups`` as a dict of RMST dicts."""
        out = {k: jsonable(getattr(self, k)) for k in self.__dataclass_fields__}
        out["labels"] = list(self.labels)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Rows ``rmst`` per group, ``difference`` and ``ratio``.

        Columns ``quantity, group, estimate, se, lower, upper, p`` (``se`` of the ratio is on the
        log scale).
        """
        import pandas as pd

        rows: list[dict[str, Any]] = [
            {
                "quantity": "rmst",
                "group": label,
                "estimate": r.estimate,
                "se": r.se,
                "lower": r.lower,
                "upper": r.upper,
                "p": None,
            }
            for label, r in self.groups.items()
        ]
        contrast = f"{self.labels[1]} vs {self.labels[0]}"
        rows.append(
            {
                "quantity": "difference",
                "group": contrast,
                "estimate": self.difference,
                "se": self.difference_se,
                "lower": self.difference_lower,
                "upper": self.difference_upper,
                "p": self.difference_p,
            }
        )
        rows.append(
            {
                "quantity": "ratio",
                "group": contrast,
                "estimate": self.ratio,
                "se": self.ratio_log_se,
                "lower": self.ratio_lower,
                "upper": self.ratio_upper,
                "p": self.ratio_p,
            }
        )
        return pd.DataFrame(rows)


def rmst_compare(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    tau: float,
    *,
    order: Sequence[Any] | None = None,
    conf_level: float = 0.95,
) -> RmstComparison:
    """Compare RMST between two groups (``survRM2::rmst2`` unadjusted definitions)."""
    data = check_survival(time, event)
    codes = check_groups(group, data.n, order)
    if len(codes.labels) != 2:
        raise InputError(
            f"rmst_compare needs exactly two groups; got {len(codes.labels)}: {codes.labels!r}"
        )
    tau = float(tau)
    for c, label in enumerate(codes.labels):
        _check_tau(tau, float(data.time[codes.codes == c].max()), f" in group {label!r}")
    agg = aggregate(data, codes.codes, 2)
    r1, r2 = (_rmst_cell(agg.cell(c), tau, conf_level) for c in range(2))
    z = _z(conf_level)
    diff = r2.estimate - r1.estimate
    dse = float(np.hypot(r1.se, r2.se))
    log_ratio = float(np.log(r2.estimate / r1.estimate))
    lse = float(np.sqrt((r1.se / r1.estimate) ** 2 + (r2.se / r2.estimate) ** 2))
    return RmstComparison(
        labels=codes.labels,
        tau=tau,
        groups={codes.labels[0]: r1, codes.labels[1]: r2},
        difference=diff,
        difference_se=dse,
        difference_lower=diff - z * dse,
        difference_upper=diff + z * dse,
        difference_p=normal_two_sided_p(diff / dse),
        ratio=float(np.exp(log_ratio)),
        ratio_log_se=lse,
        ratio_lower=float(np.exp(log_ratio - z * lse)),
        ratio_upper=float(np.exp(log_ratio + z * lse)),
        ratio_p=normal_two_sided_p(log_ratio / lse),
        conf_level=conf_level,
    )
