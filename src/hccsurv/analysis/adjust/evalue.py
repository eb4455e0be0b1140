"""E-value of a hazard ratio: how strong unmeasured confounding would have to be to explain it away.

For a risk ratio :math:`RR` (taken as :math:`1/RR` when below 1),

.. math:: E = RR + \\sqrt{RR\\,(RR - 1)}

is the minimum strength of association, on the risk-ratio scale, that an unmeasured confounder
would need with both the group and the outcome to move the estimate to 1 (VanderWeele & Ding
2017). For the confidence interval the E-value is computed at the limit closest to 1, and is 1
when the interval contains 1.

A hazard ratio is first turned into a risk ratio:

* rare outcome (cumulative incidence below 15 % at the end of follow-up): :math:`RR \\approx HR`;
* common outcome: :math:`RR = (1 - 0.5^{\\sqrt{HR}}) / (1 - 0.5^{\\sqrt{1/HR}})`
  (VanderWeele 2020), as R ``EValue::evalues.HR(rare = FALSE)``.

``rare=None`` decides from the observed share of patients with the event (< 15 % -> rare).

References: VanderWeele TJ, Ding P (2017) Ann Intern Med 167:268-74; VanderWeele TJ (2020)
Biometrics 76:746-52 (the square-root transform of a hazard ratio).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from hccsurv.core._result import Result
from hccsurv.errors import InputError

__all__ = ["RARE_OUTCOME_THRESHOLD", "EValue", "evalue_hr", "evalue_rr", "hr_to_rr"]

RARE_OUTCOME_THRESHOLD = 0.15


@dataclass(frozen=True)
class EValue(Result):
    """E-values of a hazard ratio and of its confidence limit closest to 1."""

    hr: float
    hr_lower: float
    hr_upper: float
    rare_outcome: bool
    transform: str
    rr: float
    rr_limit: float
    evalue: float
    evalue_ci: float

    def to_frame(self) -> pd.DataFrame:
        """One row with every field."""
        return pd.DataFrame([self.to_dict()])


def hr_to_rr(hr: float, *, rare: bool) -> float:
    """The risk ratio implied by a hazard ratio (identity when rare, else the sqrt transform)."""
    if not hr > 0 or not math.isfinite(hr):
        raise InputError(f"hazard ratio {hr!r} must be a positive finite number")
    if rare:
        return float(hr)
    return float((1.0 - 0.5 ** math.sqrt(hr)) / (1.0 - 0.5 ** math.sqrt(1.0 / hr)))


def evalue_rr(rr: float) -> float:
    """:math:`E = RR^* + \\sqrt{RR^*(RR^* - 1)}` with :math:`RR^* = \\max(RR, 1/RR)`."""
    if not rr > 0 or not math.isfinite(rr):
        raise InputError(f"risk ratio {rr!r} must be a positive finite number")
    r = rr if rr >= 1.0 else 1.0 / rr
    return r + math.sqrt(r * (r - 1.0))


def evalue_hr(
    hr: float,
    lower: float,
    upper: float,
    *,
    rare: bool | None = None,
    event_share: float | None = None,
) -> EValue:
    """E-value of a hazard ratio and its CI (VanderWeele & Ding 2017).

    Parameters
    ----------
    hr, lower, upper : float
        Estimate and confidence limits.
    rare : bool, optional
        Outcome rare (HR approximates RR). ``None``: decided from ``event_share``.
    event_share : float, optional
        Share of patients with the event, used when ``rare`` is ``None``.

    Examples
    --------
    >>> round(evalue_hr(0.404, 0.197, 0.829, rare=False).evalue, 3)
    3.13
    """
    if not lower <= hr <= upper:
        raise InputError(f"the interval ({lower!r}, {upper!r}) does not contain the HR {hr!r}")
    if rare is None:
        if event_share is None:
            raise InputError("give rare=True/False or the observed event_share to decide")
        rare = event_share < RARE_OUTCOME_THRESHOLD
    rr = hr_to_rr(hr, rare=rare)
    limit = 1.0 if lower <= 1.0 <= upper else hr_to_rr(upper if hr < 1.0 else lower, rare=rare)
    return EValue(
        hr=float(hr),
        hr_lower=float(lower),
        hr_upper=float(upper),
        rare_outcome=bool(rare),
        transform="HR as RR (rare outcome)" if rare else "sqrt(HR) transform (common outcome)",
        rr=rr,
        rr_limit=limit,
        evalue=evalue_rr(rr),
        evalue_ci=evalue_rr(limit),
    )
