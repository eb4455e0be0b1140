"""Propensity-score weights: IPTW (ATE, ATT), stabilised and overlap weights; trimming; ESS.

With :math:`e_i` the propensity score and :math:`T_i` the group (1 = non-reference):

========================  =====================================  ==============================
weights                   treated (:math:`T = 1`)                control (:math:`T = 0`)
========================  =====================================  ==============================
``ipw``, ATE              :math:`1/e_i`                          :math:`1/(1 - e_i)`
``ipw``, ATT              :math:`1`                              :math:`e_i/(1 - e_i)`
``stabilized`` (ATE)      :math:`\\bar T / e_i`                  :math:`(1 - \\bar T)/(1 - e_i)`
``overlap`` (ATO)         :math:`1 - e_i`                        :math:`e_i`
========================  =====================================  ==============================

(:math:`\\bar T` = share of treated patients), the definitions of R ``WeightIt`` (``method =
"glm"``, ``stabilize = TRUE``, ``estimand = "ATO"``). Stabilised weights are defined for the ATE;
overlap weights target the overlap population whatever ``estimand`` says (Li, Morgan & Zaslavsky
2018).

``trim = q`` drops (weight 0) the patients whose score lies below the :math:`q` or above the
:math:`1 - q` quantile of all scores (R ``quantile`` type 7; Stürmer et al. 2010); it is done
before the weights are computed, so the marginal share :math:`\\bar T` of stabilised weights is
that of the patients kept. ``truncate = q`` caps the weights above their :math:`1 - q` quantile at
that quantile (WeightIt ``trim(at = 1 - q)``).

Effective sample size per group (Kish): :math:`\\mathrm{ESS} = (\\sum w)^2 / \\sum w^2`. When a
group's ESS falls below ``ess_warning`` times its size, a few patients carry much of the weight and
a :class:`~hccsurv.errors.StatisticalWarning` names the ESS.

References: Austin PC, Stuart EA (2015) Stat Med 34:3661-79; Xu S et al. (2010) Value Health
13:273-7 (stabilised weights); Li F, Morgan KL, Zaslavsky AM (2018) JASA 113:390-400; Stürmer T et
al. (2010) Am J Epidemiol 172:843-54 (trimming); Kish L (1965) *Survey Sampling*.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError, StatisticalWarning

__all__ = ["ESTIMANDS", "WEIGHT_TYPES", "WeightingResult", "effective_sample_size", "ps_weights"]

WeightType = Literal["ipw", "stabilized", "overlap"]
WEIGHT_TYPES: tuple[str, ...] = ("ipw", "stabilized", "overlap")
ESTIMANDS: tuple[str, ...] = ("ATE", "ATT")
FRAME_COLUMNS = ("row", "treated", "ps", "trimmed", "weight")


def effective_sample_size(weights: ArrayLike) -> float:
    """Kish's effective sample size :math:`(\\sum w)^2 / \\sum w^2` (0 when all weights are 0)."""
    w = np.asarray(weights, dtype=np.float64)
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


@dataclass(frozen=True)
class WeightingResult(Result):
    """Propensity-score weights per patient (aligned with the input rows).

    ``estimand`` is what the weights target: ``"ATE"``, ``"ATT"`` or ``"ATO"`` (overlap).
    ``weights`` are 0 for trimmed patients.
    """

    weight_type: str
    estimand: str
    trim: float
    truncate: float | None
    ps: NDArray[np.float64] = field(repr=False)
    treated: NDArray[np.bool_] = field(repr=False)
    trimmed: NDArray[np.bool_] = field(repr=False)
    weights: NDArray[np.float64] = field(repr=False)
    rows: tuple[Any, ...] = field(repr=False)
    ess_treated: float
    ess_control: float
    warnings: tuple[str, ...]

    @property
    def n_trimmed(self) -> int:
        """Patients excluded by PS trimming (patient flow)."""
        return int(self.trimmed.sum())

    @property
    def cluster(self) -> NDArray[np.intp]:
        """Cluster of each row for robust variances: the patient (R ``robust = TRUE``)."""
        return np.arange(self.weights.size, dtype=np.intp)

    def summary_frame(self) -> pd.DataFrame:
        """Per group: n, n_trimmed, sum, min, max of the weights and the ESS."""
        rows = []
        for name, mask, ess in (
            ("treated", self.treated, self.ess_treated),
            ("control", ~self.treated, self.ess_control),
        ):
            w = self.weights[mask & ~self.trimmed]
            rows.append(
                {
                    "group": name,
                    "n": int(mask.sum()),
                    "n_trimmed": int((mask & self.trimmed).sum()),
                    "sum_weights": float(w.sum()) if w.size else 0.0,
                    "min_weight": float(w.min()) if w.size else float("nan"),
                    "max_weight": float(w.max()) if w.size else float("nan"),
                    "ess": ess,
                }
            )
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per patient: row, treated, ps, trimmed, weight."""
        return pd.DataFrame(
            {
                "row": list(self.rows),
                "treated": self.treated,
                "ps": self.ps,
                "trimmed": self.trimmed,
                "weight": self.weights,
            },
            columns=list(FRAME_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """Options, the per-group summary and warnings (no patient identifiers)."""
        from hccsurv.core._result import jsonable

        return {
            "weight_type": self.weight_type,
            "estimand": self.estimand,
            "trim": self.trim,
            "truncate": self.truncate,
            "n_trimmed": self.n_trimmed,
            "ess_treated": self.ess_treated,
            "ess_control": self.ess_control,
            "groups": jsonable(self.summary_frame().to_dict(orient="records")),
            "warnings": list(self.warnings),
        }


def ps_weights(
    ps: ArrayLike,
    treated: ArrayLike,
    *,
    estimand: str = "ATE",
    weight_type: str = "ipw",
    trim: float = 0.0,
    truncate: float | None = None,
    ess_warning: float = 0.5,
    rows: Sequence[Any] | None = None,
) -> WeightingResult:
    """Propensity-score weights (see the module notes for the formulas).

    Parameters
    ----------
    ps : array-like
        Propensity scores in (0, 1).
    treated : array-like of bool
        True for the non-reference group.
    estimand : {"ATE", "ATT"}
        Target of ``ipw`` weights (stabilised weights need ``"ATE"``; overlap ignores it).
    weight_type : {"ipw", "stabilized", "overlap"}
    trim : float in [0, 0.5)
        Quantile of the score below which (and above ``1 - trim``) patients are dropped.
    truncate : float in (0, 0.5), optional
        Cap the weights at their ``1 - truncate`` quantile.
    ess_warning : float
        Warn when a group's ESS is below this fraction of its size.
    rows : sequence, optional
        Row labels for ``to_frame``.

    Raises
    ------
    InputError
        Scores outside (0, 1), unknown options, or a group emptied by trimming.
    """
    e = np.asarray(ps, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    if e.ndim != 1 or t.shape != e.shape:
        raise InputError(f"ps {e.shape} and treated {t.shape} must be 1-D of equal length")
    bad = np.flatnonzero(~((e > 0) & (e < 1)))
    if bad.size:
        raise InputError(
            f"row {int(bad[0])}: propensity score {float(e[bad[0]])!r} is not strictly "
            "between 0 and 1"
        )
    if weight_type not in WEIGHT_TYPES:
        raise InputError(f"weight_type={weight_type!r} is not one of {WEIGHT_TYPES}")
    if estimand not in ESTIMANDS:
        raise InputError(f"estimand={estimand!r} is not one of {ESTIMANDS}")
    if weight_type == "stabilized" and estimand != "ATE":
        raise InputError(
            "stabilised weights are defined for the ATE; use estimand='ATE' or weight_type='ipw' "
            "(ATT weights already give the treated group weight 1)"
        )
    if not 0.0 <= trim < 0.5:
        raise InputError(f"trim={trim!r} must be in [0, 0.5) (e.g. 0.01 for 1st/99th percentile)")
    if truncate is not None and not 0.0 < truncate < 0.5:
        raise InputError(f"truncate={truncate!r} must be in (0, 0.5) (e.g. 0.01 caps at the 99th)")
    labels = tuple(range(e.size)) if rows is None else tuple(rows)
    trimmed = np.zeros(e.size, dtype=bool)
    if trim > 0:
        lo, hi = np.quantile(e, [trim, 1.0 - trim])
        trimmed = (e < lo) | (e > hi)
    kept = ~trimmed
    if not (kept & t).any() or not (kept & ~t).any():
        raise InputError(f"trimming at {trim:g} leaves a group without patients; lower it")
    if weight_type == "overlap":
        target = "ATO"
        w = np.where(t, 1.0 - e, e)
    elif estimand == "ATT":
        target = "ATT"
        w = np.where(t, 1.0, e / (1.0 - e))
    else:
        target = "ATE"
        w = np.where(t, 1.0 / e, 1.0 / (1.0 - e))
        if weight_type == "stabilized":
            share = float(t[kept].mean())
            w = w * np.where(t, share, 1.0 - share)
    w = np.where(kept, w, 0.0)
    if truncate is not None:
        cap = float(np.quantile(w[kept], 1.0 - truncate))
        w = np.minimum(w, cap)
    ess1 = effective_sample_size(w[t & kept])
    ess0 = effective_sample_size(w[~t & kept])
    notes = []
    for name, ess, mask in (("non-reference", ess1, t & kept), ("reference", ess0, ~t & kept)):
        n = int(mask.sum())
        if ess < ess_warning * n:
            notes.append(
                f"extreme weights: the effective sample size of the {name} group is {ess:.1f} of "
                f"{n} patients (max weight {w[mask].max():.3g}); "
                "consider overlap weights, trimming or truncation"
            )
    for note in notes:
        warnings.warn(note, StatisticalWarning, stacklevel=2)
    return WeightingResult(
        weight_type=weight_type,
        estimand=target,
        trim=float(trim),
        truncate=None if truncate is None else float(truncate),
        ps=e,
        treated=t,
        trimmed=trimmed,
        weights=w,
        rows=labels,
        ess_treated=ess1,
        ess_control=ess0,
        warnings=tuple(notes),
    )
