"""Test of proportional hazards, as R ``cox.zph(fit, transform = "km", terms = TRUE)``.

survival >= 3 computes a *score test* of adding the time-interaction :math:`x \\cdot g(t)` to the
fitted model. With :math:`g(t) = 1 - \\hat S(t^-)` (Kaplan-Meier of all subjects, unweighted, just
before :math:`t`), centred as :math:`\\tilde g = g - \\overline{g(t_i)}_{\\text{events}}`, and every
tie group's score and information contributions :math:`U_g, I_g` evaluated at the fitted
:math:`\\hat\\beta`:

.. math::

    u = \\begin{pmatrix} 0 \\\\ \\sum_g \\tilde g_g U_g \\end{pmatrix},\\qquad
    \\mathcal I = \\begin{pmatrix} \\sum_g I_g & \\sum_g \\tilde g_g I_g \\\\
    \\sum_g \\tilde g_g I_g & \\sum_g \\tilde g_g^2 I_g \\end{pmatrix}.

The test of a term with columns :math:`J` (several for a factor) is :math:`u_K' \\mathcal
I_{KK}^{-1} u_K` over :math:`K = (1..p, p + J)` on :math:`|J|` df; GLOBAL uses all
:math:`2p` rows on :math:`p` df. Reference: Grambsch & Therneau (1994), *Biometrika* 81:515;
R ``survival``
``cox.zph.R`` / ``zph1.c`` (algorithm, not code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from hccsurv.core._result import Result
from hccsurv.core.cox import CoxData
from hccsurv.core.distributions import chi2_sf
from hccsurv.errors import NotEstimableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ZphResult", "ZphRow", "cox_zph"]


@dataclass(frozen=True)
class ZphRow(Result):
    """One line of the ``cox.zph`` table (a term, or ``GLOBAL``)."""

    term: str
    chisq: float
    df: int
    p: float

    def to_frame(self) -> pd.DataFrame:
        """One row: term, chisq, df, p."""
        import pandas as pd

        return pd.DataFrame([{"term": self.term, "chisq": self.chisq, "df": self.df, "p": self.p}])


@dataclass(frozen=True)
class ZphResult(Result):
    """Per-term and global proportional-hazards score tests (``transform="km"``)."""

    rows: tuple[ZphRow, ...]
    transform: str

    @property
    def global_test(self) -> ZphRow:
        """The ``GLOBAL`` row."""
        return self.rows[-1]

    def to_frame(self) -> pd.DataFrame:
        """One row per term plus ``GLOBAL``: term, chisq, df, p."""
        import pandas as pd

        return pd.DataFrame(
            {
                "term": [r.term for r in self.rows],
                "chisq": [r.chisq for r in self.rows],
                "df": [r.df for r in self.rows],
                "p": [r.p for r in self.rows],
            }
        )


def _km_before(time: NDArray[np.float64], event: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unweighted Kaplan-Meier survival just before each subject's time, :math:`S(t_i^-)`."""
    uniq, inv = np.unique(time, return_inverse=True)
    inv = inv.reshape(-1)
    deaths = np.bincount(inv, event, minlength=uniq.shape[0])
    at_risk = np.cumsum(np.bincount(inv, minlength=uniq.shape[0])[::-1])[::-1].astype(np.float64)
    surv = np.cumprod(1.0 - deaths / at_risk)
    before = np.concatenate(([1.0], surv[:-1]))
    result: NDArray[np.float64] = before[inv]
    return result


def _row(term: str, u: NDArray[np.float64], imat: NDArray[np.float64], df: int) -> ZphRow:
    try:
        chisq = float(u @ linalg.solve(imat, u, assume_a="sym"))
    except (linalg.LinAlgError, ValueError) as exc:
        raise NotEstimableError(
            f"cox.zph: the information matrix of the test for {term!r} is singular ({exc}); "
            "the proportional-hazards test is not estimable from these data (R's cox.zph fails "
            "too)"
        ) from exc
    return ZphRow(term=term, chisq=chisq, df=df, p=chi2_sf(chisq, df))


def cox_zph(
    data: CoxData, coef: NDArray[np.float64], ties: str, terms: Sequence[tuple[str, Sequence[int]]]
) -> ZphResult:
    """Proportional-hazards score tests of a fitted Cox model, as R ``cox.zph``.

    Parameters
    ----------
    data : CoxData
        The model's data (from :func:`hccsurv.core.cox.prepare_cox_data`).
    coef : array
        Fitted coefficients.
    ties : {"efron", "breslow"}
        The ties method of the fit.
    terms : sequence of (name, column indices)
        How the columns of ``X`` group into terms (one entry per column for ``terms=FALSE``).

    Returns
    -------
    ZphResult
        One row per term and ``GLOBAL`` (chisq, df, p).

    Raises
    ------
    NotEstimableError
        All events at one time, or a singular information matrix (R's ``cox.zph`` errors).
    """
    rs = data.risk_sets(ties)
    p = data.x.shape[1]
    dead = data.event > 0
    times = np.unique(data.time[dead])
    if times.size < 2:
        raise NotEstimableError(
            f"cox.zph: all {int(dead.sum())} events are at one time "
            f"({', '.join(f'{t:g}' for t in times) or 'none'}); the test of proportional "
            "hazards compares residuals across event times and needs at least two (R's "
            "cox.zph fails too)"
        )
    g = 1.0 - _km_before(data.time, data.event)
    g = g - g[dead].mean()
    phi_rows = g[rs.order]
    phi = phi_rows[rs.group_start]
    u1, i12 = rs.time_weighted(coef, phi)
    _u0, i11 = rs.time_weighted(coef, np.ones_like(phi))
    _u2, i22 = rs.time_weighted(coef, phi * phi)
    u = np.concatenate((np.zeros(p), u1))
    full = np.block([[i11, i12], [i12.T, i22]])
    rows = []
    for name, cols in terms:
        idx = np.concatenate((np.arange(p), p + np.asarray(cols, dtype=np.intp)))
        rows.append(_row(name, u[idx], full[np.ix_(idx, idx)], len(cols)))
    rows.append(_row("GLOBAL", u, full, p))
    return ZphResult(rows=tuple(rows), transform="km")
