"""Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996).

Censoring is treated as the event: :math:`\\hat G(t)` is the Kaplan-Meier estimate of
``Surv(time, 1 - event)`` and the median follow-up is its median, with the confidence interval of
R's ``quantile.survfit`` (``conf.type = "log"`` by default), exactly as
``survfit(Surv(time, 1 - status) ~ 1)`` prints it. Deaths count as censored observations of the
follow-up time, so the estimate is not pulled down by early deaths as the median of all times is.

Reference: Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time.
*Control Clin Trials* 1996;17:343-346.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from hccsurv.core._result import Result, jsonable
from hccsurv.core.aggregate import aggregate
from hccsurv.core.checks import check_groups, check_survival
from hccsurv.core.km import KaplanMeier, kaplan_meier_from_aggregates

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FollowUp", "FollowUpGroups", "median_followup", "median_followup_groups"]

METHOD = "reverse Kaplan-Meier (Schemper & Smith)"


@dataclass(frozen=True)
class FollowUp(Result):
    """Median follow-up with CI; ``None`` when the reverse KM never reaches 0.5."""

    median: float | None
    lower: float | None
    upper: float | None
    n: int
    conf_type: str
    conf_level: float
    method: str = METHOD

    def to_frame(self) -> pd.DataFrame:
        """One row: ``median, lower, upper, n``."""
        import pandas as pd

        return pd.DataFrame(
            {"median": [self.median], "lower": [self.lower], "upper": [self.upper], "n": [self.n]}
        )


def _from_curve(km: KaplanMeier) -> FollowUp:
    return FollowUp(
        median=km.median,
        lower=km.median_lower,
        upper=km.median_upper,
        n=km.n,
        conf_type=km.conf_type,
        conf_level=km.conf_level,
    )


def median_followup(
    time: ArrayLike, event: ArrayLike, *, conf_type: str = "log", conf_level: float = 0.95
) -> FollowUp:
    """Median follow-up, as R ``quantile(survfit(Surv(time, 1 - status) ~ 1), 0.5)``."""
    data = check_survival(time, event)
    reverse = check_survival(data.time, 1.0 - data.event)
    km = kaplan_meier_from_aggregates(
        aggregate(reverse), conf_type=conf_type, conf_level=conf_level
    )
    return _from_curve(km)


@dataclass(frozen=True)
class FollowUpGroups(Result):
    """Median follow-up per group."""

    labels: tuple[str, ...]
    estimates: dict[str, FollowUp]

    def to_dict(self) -> dict[str, Any]:
        """Labels and each group's estimate."""
        return {"labels": list(self.labels), "estimates": jsonable(self.estimates)}

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``group, median, lower, upper, n``."""
        import pandas as pd

        frames = []
        for label in self.labels:
            f = self.estimates[label].to_frame()
            f.insert(0, "group", label)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def median_followup_groups(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    order: Sequence[Any] | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
) -> FollowUpGroups:
    """Median follow-up of each group, as R ``survfit(Surv(time, 1 - status) ~ group)``."""
    data = check_survival(time, event)
    codes = check_groups(group, data.n, order)
    reverse = check_survival(data.time, 1.0 - data.event)
    agg = aggregate(reverse, codes.codes, len(codes.labels))
    estimates = {
        label: _from_curve(
            kaplan_meier_from_aggregates(agg.cell(c), conf_type=conf_type, conf_level=conf_level)
        )
        for c, label in enumerate(codes.labels)
    }
    return FollowUpGroups(labels=codes.labels, estimates=estimates)
