"""A proportion with its exact (Clopper-Pearson) confidence interval, as R ``binom.test``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hccsurv.core._result import Result
from hccsurv.core.distributions import beta_quantile
from hccsurv.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Proportion(Result):
    """``x`` of ``n`` with its Clopper-Pearson interval.

    ``estimate`` is ``None`` when ``n = 0`` (no denominator), and so are the limits.
    """

    x: int
    n: int
    estimate: float | None
    conf_low: float | None
    conf_high: float | None
    conf_level: float
    method: str = "Clopper-Pearson"

    def to_frame(self) -> pd.DataFrame:
        """One row: x, n, estimate, conf_low, conf_high, conf_level, method."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


def clopper_pearson(x: int, n: int, *, conf_level: float = 0.95) -> Proportion:
    """Exact binomial confidence interval, as R ``binom.test(x, n, conf.level = )$conf.int``.

    With ``α = (1 - conf_level) / 2``: lower ``= Beta⁻¹(α; x, n - x + 1)`` (0 when ``x = 0``),
    upper ``= Beta⁻¹(1 - α; x + 1, n - x)`` (1 when ``x = n``).

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 1934;26:404-13.
    """
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level is {conf_level!r}; pass a number between 0 and 1")
    if int(x) != x or int(n) != n or x < 0 or n < 0 or x > n:
        raise InputError(f"x = {x!r}, n = {n!r}; need integers with 0 <= x <= n")
    x, n = int(x), int(n)
    if n == 0:
        return Proportion(x, n, None, None, None, conf_level)
    alpha = (1.0 - conf_level) / 2.0
    low = 0.0 if x == 0 else beta_quantile(alpha, x, n - x + 1)
    high = 1.0 if x == n else beta_quantile(1.0 - alpha, x + 1, n - x)
    return Proportion(x, n, x / n, low, high, conf_level)
