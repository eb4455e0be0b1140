"""Nelson-Aalen cumulative hazard as R's ``survfit`` reports it (``fit$cumhaz``, ``fit$std.chaz``).

.. math:: \\hat\\Lambda(t) = \\sum_{t_j \\le t} \\frac{d_j}{n_j}, \\qquad
          \\widehat{\\mathrm{se}}\\{\\hat\\Lambda(t)\\} =
          \\Bigl(\\sum_{t_j \\le t} \\frac{d_j}{n_j^2}\\Bigr)^{1/2},

the default of ``survfit`` (``ctype = 1``: ties counted as :math:`d_j / n_j`, not the
Fleming-Harrington correction). Weighted counts for case weights (R agrees for integer weights).
Reference: survival 3.5-3, ``survfitKM.R`` / ``survfitkm.c``; Aalen (1978).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.core.aggregate import TimeAggregates, aggregate
from hccsurv.core.checks import check_survival
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NelsonAalen", "nelson_aalen", "nelson_aalen_from_aggregates"]


@dataclass(frozen=True)
class NelsonAalen(Result):
    """Cumulative hazard at each distinct time (R ``fit$cumhaz`` and ``fit$std.chaz``)."""

    time: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_event: NDArray[np.float64]
    cumhaz: NDArray[np.float64]
    std_err: NDArray[np.float64]

    def to_frame(self) -> pd.DataFrame:
        """Columns ``time, n_risk, n_event, cumhaz, std_err``."""
        import pandas as pd

        names = ("time", "n_risk", "n_event", "cumhaz", "std_err")
        return pd.DataFrame({k: getattr(self, k) for k in names})


def nelson_aalen_from_aggregates(agg: TimeAggregates) -> NelsonAalen:
    """Nelson-Aalen estimate from one cell of :class:`~hccsurv.core.aggregate.TimeAggregates`."""
    if agg.n_cells != 1:
        raise InputError(f"expected aggregates of one cell, got {agg.n_cells}; use agg.cell(c)")
    d = agg.n_event[:, 0]
    n = agg.n_risk[:, 0]
    return NelsonAalen(
        time=agg.time,
        n_risk=n,
        n_event=d,
        cumhaz=np.cumsum(d / n),
        std_err=np.sqrt(np.cumsum(d / (n * n))),
    )


def nelson_aalen(
    time: ArrayLike, event: ArrayLike, *, weights: ArrayLike | None = None
) -> NelsonAalen:
    """Nelson-Aalen cumulative hazard, as R ``survfit(Surv(time, event) ~ 1)$cumhaz``."""
    return nelson_aalen_from_aggregates(aggregate(check_survival(time, event, weights)))
