"""Difference in survival probability at a landmark time, :math:`S_2(t) - S_1(t)`.

Each :math:`\\hat S_g(t)` is the Kaplan-Meier estimate with Greenwood standard error on the
survival scale,

.. math:: \\mathrm{se}_g = \\hat S_g(t)
          \\Bigl\\{\\sum_{t_j \\le t} \\frac{d_j}{n_j (n_j - d_j)}\\Bigr\\}^{1/2}

(R ``summary(survfit(...), times = t)$std.err``). The difference is on the linear scale
(``scale = "linear"``): :math:`\\Delta = \\hat S_2 - \\hat S_1`,
:math:`\\mathrm{se} = (\\mathrm{se}_1^2 + \\mathrm{se}_2^2)^{1/2}`,
CI :math:`\\Delta \\pm z\\,\\mathrm{se}`, and a two-sided z-test.
Group 1 is the reference (first in ``order``).
Reference: Klein JP et al. (2007) *Stat Med* 26:4505-4519 (naive linear-scale test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.distributions import normal_two_sided_p, z_for_level
from hccsurv.core.km import kaplan_meier_groups
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LandmarkDifference", "landmark_difference"]


@dataclass(frozen=True)
class LandmarkDifference(Result):
    """:math:`S_2(t) - S_1(t)` with SE, CI and z-test; ``None`` where the SE is undefined."""

    labels: tuple[str, ...]
    time: float
    surv: NDArray[np.float64]
    std_err: NDArray[np.float64]
    difference: float
    se: float | None
    lower: float | None
    upper: float | None
    z: float | None
    p: float | None
    conf_level: float
    scale: str = "linear"

    def to_frame(self) -> pd.DataFrame:
        """One row: ``time, group1, group2, surv1, surv2, difference, se, lower, upper, z, p``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "time": [self.time],
                "group1": [self.labels[0]],
                "group2": [self.labels[1]],
                "surv1": [float(self.surv[0])],
                "surv2": [float(self.surv[1])],
                "difference": [self.difference],
                "se": [self.se],
                "lower": [self.lower],
                "upper": [self.upper],
                "z": [self.z],
                "p": [self.p],
            }
        )


def landmark_difference(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    t: float,
    *,
    order: Sequence[Any] | None = None,
    conf_level: float = 0.95,
) -> LandmarkDifference:
    """:math:`\\hat S_2(t) - \\hat S_1(t)` with Greenwood SE (linear scale), CI and z-test."""
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level = {conf_level!r} must be strictly between 0 and 1")
    fits = kaplan_meier_groups(time, event, group, order=order)
    if len(fits.labels) != 2:
        raise InputError(
            f"landmark_difference needs exactly two groups; got {len(fits.labels)}: {fits.labels!r}"
        )
    at = [fits.curves[label].survival_at([t]) for label in fits.labels]
    surv = np.array([a.surv[0] for a in at])
    se_g = np.array([a.std_err[0] for a in at])
    diff = float(surv[1] - surv[0])
    se = float(np.hypot(se_g[0], se_g[1]))
    if not np.isfinite(se) or se == 0.0:
        return LandmarkDifference(
            labels=fits.labels,
            time=float(t),
            surv=surv,
            std_err=se_g,
            difference=diff,
            se=None if not np.isfinite(se) else se,
            lower=None,
            upper=None,
            z=None,
            p=None,
            conf_level=conf_level,
        )
    zc = z_for_level(conf_level)
    z = diff / se
    return LandmarkDifference(
        labels=fits.labels,
        time=float(t),
        surv=surv,
        std_err=se_g,
        difference=diff,
        se=se,
        lower=diff - zc * se,
        upper=diff + zc * se,
        z=z,
        p=normal_two_sided_p(z),
        conf_level=conf_level,
    )
