"""Greedy nearest-neighbour matching on a distance, as R ``MatchIt::matchit(method = "nearest")``.

Treated (non-reference) patients are taken one at a time in the order ``m_order``:
``"largest"`` (decreasing distance; MatchIt's default for a propensity score), ``"smallest"``,
``"data"`` (row order) or ``"random"`` (seeded ``numpy`` permutation; R's ``sample.int`` stream
cannot be reproduced, so this order has no R parity). Each takes the available control with the
smallest :math:`|d_i - d_j|` (the first in row order on an exact tie) among those

* not yet used (``replace=False``) - any control with ``replace=True``;
* in the same stratum of the ``exact`` variables;
* within the caliper :math:`|d_i - d_j| \\le c`, where with ``std_caliper=True``
  :math:`c = \\text{caliper} \\times \\mathrm{sd}(d)` over all patients (MatchIt
  ``std.caliper = TRUE``; ``sd`` with :math:`n - 1`).

For ``ratio = k > 1`` without replacement matching runs in ``k`` rounds, each giving every
treated patient (in the same order) one more control; with replacement each treated patient takes
its ``k`` nearest eligible controls at once (all of them, in row order, if there are at most
``k``). A treated patient with no eligible control stays unmatched.

Subclasses (matched sets; none with replacement) and weights follow MatchIt: the subclass of a
set is numbered by the rank of its treated patient's 1-based row number *as text* (R
``factor()`` of the character row numbers), matched treated patients have weight 1, a control has
:math:`\\sum 1/k_i` over the treated patients :math:`i` it serves (:math:`k_i` = their number of
controls), rescaled so that the control weights sum to the number of matched controls.

MatchIt 4.5.1 on Linux truncates ``|d_i - d_j|`` to an integer in its fast matcher
(``nn_matchC_vec.cpp``, issue #163, fixed in 4.5.4), which ignores calipers below 1 and prefers
the lower-distance neighbour; hccsurv implements the intended rule, which is what MatchIt's
general matcher (``nn_matchC.cpp``) and versions >= 4.5.4 compute (see ``validation/r/adjust.R``).

Reference: Ho D, Imai K, King G, Stuart E (2011) J Stat Softw 42(8); MatchIt 4.5.1
``matchit2nearest.R``, ``nn_matchC.cpp``, ``weights_matrixC.cpp``, ``mm2subclass``; Austin PC
(2011) Pharm Stat 10:150-161 (caliper of 0.2 SD of the logit of the propensity score).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hccsurv.core._result import Result
from hccsurv.errors import InputError

__all__ = ["M_ORDERS", "MatchingResult", "match_nearest"]

MOrder = Literal["largest", "smallest", "random", "data"]
M_ORDERS: tuple[str, ...] = ("largest", "smallest", "random", "data")
FRAME_COLUMNS = ("row", "treated", "distance", "matched", "subclass", "weight", "n_matches")


@dataclass(frozen=True)
class MatchingResult(Result):
    """Matched sets and matching weights (arrays aligned with the input rows).

    Attributes
    ----------
    match_matrix : int array (n_treated, ratio)
        Row positions (0-based) of each treated patient's controls, ``-1`` where none; treated
        patients in row order (MatchIt ``match.matrix``).
    treated_positions : row positions of the treated patients (the rows of ``match_matrix``).
    subclass : 1-based matched-set number per row, 0 outside any set or with replacement.
    weights : MatchIt matching weights (0 = unmatched).
    caliper_width : the caliper on the distance scale (``None`` without a caliper).
    """

    ratio: int
    replace: bool
    m_order: str
    caliper: float | None
    std_caliper: bool
    caliper_width: float | None
    exact: tuple[str, ...]
    seed: int | None
    distance: NDArray[np.float64] = field(repr=False)
    treated: NDArray[np.bool_] = field(repr=False)
    treated_positions: NDArray[np.intp] = field(repr=False)
    match_matrix: NDArray[np.intp] = field(repr=False)
    subclass: NDArray[np.intp] = field(repr=False)
    weights: NDArray[np.float64] = field(repr=False)
    rows: tuple[Any, ...] = field(repr=False)

    @property
    def matched(self) -> NDArray[np.bool_]:
        """True for patients in the matched sample (weight > 0)."""
        out: NDArray[np.bool_] = self.weights > 0
        return out

    @property
    def n_treated_matched(self) -> int:
        """Treated patients with at least one control."""
        return int((self.matched & self.treated).sum())

    @property
    def n_control_matched(self) -> int:
        """Distinct controls used."""
        return int((self.matched & ~self.treated).sum())

    @property
    def n_treated_unmatched(self) -> int:
        """Treated patients left without a control (patient flow)."""
        return int(self.treated.sum()) - self.n_treated_matched

    @property
    def n_control_unmatched(self) -> int:
        """Controls never used (patient flow)."""
        return int((~self.treated).sum()) - self.n_control_matched

    @property
    def cluster(self) -> NDArray[np.intp]:
        """Cluster of each row for robust variances: the subclass, or the row with replacement."""
        if self.replace:
            return np.arange(self.weights.size, dtype=np.intp)
        return self.subclass

    def to_frame(self) -> pd.DataFrame:
        """One row per patient: row, treated, distance, matched, subclass, weight, n_matches."""
        n_matches = np.zeros(self.weights.size, dtype=np.intp)
        n_matches[self.treated_positions] = (self.match_matrix >= 0).sum(axis=1)
        used = self.match_matrix[self.match_matrix >= 0]
        n_matches += np.bincount(used, minlength=self.weights.size)
        return pd.DataFrame(
            {
                "row": list(self.rows),
                "treated": self.treated,
                "distance": self.distance,
                "matched": self.matched,
                "subclass": self.subclass,
                "weight": self.weights,
                "n_matches": n_matches,
            },
            columns=list(FRAME_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """Options and patient counts (no patient identifiers)."""
        return {
            "method": "nearest",
            "ratio": self.ratio,
            "replace": self.replace,
            "m_order": self.m_order,
            "caliper": self.caliper,
            "std_caliper": self.std_caliper,
            "caliper_width": self.caliper_width,
            "exact": list(self.exact),
            "seed": self.seed,
            "n_treated": int(self.treated.sum()),
            "n_control": int((~self.treated).sum()),
            "n_treated_matched": self.n_treated_matched,
            "n_control_matched": self.n_control_matched,
            "n_treated_unmatched": self.n_treated_unmatched,
            "n_control_unmatched": self.n_control_unmatched,
            "n_subclasses": int(self.subclass.max()) if self.subclass.size else 0,
        }


def _treated_order(
    distance: NDArray[np.float64], m_order: str, seed: int | None
) -> NDArray[np.intp]:
    """Processing order among the treated (R ``order(d, decreasing=)``: stable on ties)."""
    if m_order == "largest":
        return np.argsort(-distance, kind="stable")
    if m_order == "smallest":
        return np.argsort(distance, kind="stable")
    if m_order == "random":
        if seed is None:
            raise InputError("m_order='random' needs a seed; give seed=<integer>")
        return np.random.default_rng(seed).permutation(distance.size).astype(np.intp)
    return np.arange(distance.size, dtype=np.intp)


def _greedy(
    distance: NDArray[np.float64],
    treated_pos: NDArray[np.intp],
    control_pos: NDArray[np.intp],
    strata: NDArray[np.intp],
    order: NDArray[np.intp],
    ratio: int,
    replace: bool,
    width: float,
) -> NDArray[np.intp]:
    """The match matrix (row positions, -1 = none) of ``treated_pos``."""
    n1 = treated_pos.size
    mm = np.full((n1, ratio), -1, dtype=np.intp)
    d0 = distance[control_pos]
    s0 = strata[control_pos]
    available = np.ones(control_pos.size, dtype=bool)
    rounds = 1 if replace else ratio
    # The treated patients must be served one at a time: each choice changes the controls that
    # remain for the next (greedy matching); the inner search over controls is vectorised.
    for r in range(rounds):
        for t in order:
            if not replace and not available.any():
                break
            i = treated_pos[t]
            gap = np.abs(d0 - distance[i])
            eligible = available & (s0 == strata[i]) & (gap <= width)
            if r > 0:
                eligible[np.isin(control_pos, mm[t, :r])] = False
            candidates = np.flatnonzero(eligible)
            if candidates.size == 0:
                continue
            if replace:
                if candidates.size > ratio:
                    candidates = candidates[np.argsort(gap[candidates], kind="stable")[:ratio]]
                mm[t, : candidates.size] = control_pos[candidates]
                continue
            j = candidates[int(np.argmin(gap[candidates]))]
            mm[t, r] = control_pos[j]
            available[j] = False
    return mm


def _subclasses(mm: NDArray[np.intp], treated_pos: NDArray[np.intp], n: int) -> NDArray[np.intp]:
    """MatchIt ``mm2subclass``: sets numbered by the text order of the treated row numbers."""
    subclass = np.zeros(n, dtype=np.intp)
    has = mm[:, 0] >= 0
    heads = treated_pos[has]
    text_rank = np.argsort(np.argsort(np.array([str(p + 1) for p in heads]), kind="stable"))
    number = text_rank.astype(np.intp) + 1
    subclass[heads] = number
    filled = mm[has]
    for col in range(filled.shape[1]):
        ok = filled[:, col] >= 0
        subclass[filled[ok, col]] = number[ok]
    return subclass


def _weights(mm: NDArray[np.intp], treated_pos: NDArray[np.intp], n: int) -> NDArray[np.float64]:
    """MatchIt ``weights_matrixC``: 1 per matched treated, sum of 1/k_i per control, rescaled."""
    k = (mm >= 0).sum(axis=1)
    w = np.zeros(n)
    ok = mm >= 0
    share = np.broadcast_to((1.0 / np.maximum(k, 1))[:, None], mm.shape)[ok]
    np.add.at(w, mm[ok], share)
    controls = w > 0
    total = w.sum()
    if total > 0:
        w = w * controls.sum() / total
    w[treated_pos[k > 0]] = 1.0
    return w


def match_nearest(
    distance: ArrayLike,
    treated: ArrayLike,
    *,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    std_caliper: bool = True,
    m_order: str = "largest",
    exact: pd.DataFrame | None = None,
    seed: int | None = None,
    rows: Sequence[Any] | None = None,
) -> MatchingResult:
    """Nearest-neighbour matching of treated to control patients on ``distance``.

    Parameters
    ----------
    distance : array-like
        Matching distance per patient, e.g. the logit of the propensity score
        (``PropensityModel.linear``, MatchIt ``link = "linear.logit"``).
    treated : array-like of bool
        True for the non-reference ("treated") group, which is matched to controls (ATT).
    ratio : int
        Controls per treated patient (1:k).
    replace : bool
        Allow a control to serve several treated patients.
    caliper : float, optional
        Maximum distance gap; in SD units of ``distance`` when ``std_caliper`` (MatchIt default).
    m_order : {"largest", "smallest", "random", "data"}
    exact : DataFrame, optional
        Columns (aligned with ``distance``) on which matched patients must agree.
    seed : int, optional
        Seed of the ``"random"`` order.
    rows : sequence, optional
        Row labels (patient identifiers) for ``to_frame``.

    Raises
    ------
    InputError
        Bad options or arrays, no exact stratum with both groups, or no treated patient with a
        control within the caliper.
    """
    d = np.asarray(distance, dtype=np.float64)
    t = np.asarray(treated, dtype=bool)
    if d.ndim != 1 or t.shape != d.shape:
        raise InputError(f"distance {d.shape} and treated {t.shape} must be 1-D of equal length")
    bad = np.flatnonzero(~np.isfinite(d))
    if bad.size:
        raise InputError(f"row {int(bad[0])}: distance {float(d[bad[0]])!r} is not finite")
    if m_order not in M_ORDERS:
        raise InputError(f"m_order={m_order!r} is not one of {M_ORDERS}")
    if int(ratio) != ratio or ratio < 1:
        raise InputError(f"ratio={ratio!r} must be a positive integer (1 = 1:1 matching)")
    if caliper is not None and not caliper > 0:
        raise InputError(f"caliper={caliper!r} must be positive (e.g. 0.2 SD of the logit)")
    if not t.any() or t.all():
        raise InputError("matching needs patients in both groups")
    labels = tuple(range(d.size)) if rows is None else tuple(rows)
    if len(labels) != d.size:
        raise InputError(f"rows has {len(labels)} labels for {d.size} patients")
    width = np.inf
    caliper_width: float | None = None
    if caliper is not None and np.unique(d).size > 1:
        width = float(caliper) * (float(np.std(d, ddof=1)) if std_caliper else 1.0)
        caliper_width = width
    exact_cols: tuple[str, ...] = ()
    strata = np.zeros(d.size, dtype=np.intp)
    if exact is not None and exact.shape[1] > 0:
        if len(exact) != d.size:
            raise InputError(f"exact has {len(exact)} rows for {d.size} patients")
        exact_cols = tuple(str(c) for c in exact.columns)
        if exact.isna().to_numpy().any():
            raise InputError(f"exact-matching columns {list(exact_cols)} have missing values")
        keys = exact.astype(str).agg(" | ".join, axis=1)
        strata = pd.factorize(keys)[0].astype(np.intp)
        common = np.intersect1d(strata[t], strata[~t])
        if common.size == 0:
            raise InputError(
                f"no stratum of the exact-matching columns {list(exact_cols)} has patients of "
                "both groups; no match is possible. Drop an exact-matching variable"
            )
    treated_pos = np.flatnonzero(t).astype(np.intp)
    control_pos = np.flatnonzero(~t).astype(np.intp)
    order = _treated_order(d[treated_pos], m_order, seed)
    mm = _greedy(d, treated_pos, control_pos, strata, order, int(ratio), replace, width)
    if not (mm >= 0).any():
        where = (
            ""
            if caliper_width is None
            else (
                f" within the caliper of {caliper:g} SD "
                f"(= {caliper_width:.4g} on the distance scale)"
            )
        )
        raise InputError(
            f"no treated patient has a control{where}"
            + (f" in the same {list(exact_cols)} stratum" if exact_cols else "")
            + "; widen the caliper, drop exact-matching variables or use weighting"
        )
    return MatchingResult(
        ratio=int(ratio),
        replace=bool(replace),
        m_order=m_order,
        caliper=None if caliper is None else float(caliper),
        std_caliper=bool(std_caliper),
        caliper_width=caliper_width,
        exact=exact_cols,
        seed=seed,
        distance=d,
        treated=t,
        treated_positions=treated_pos,
        match_matrix=mm,
        subclass=np.zeros(d.size, dtype=np.intp)
        if replace
        else _subclasses(mm, treated_pos, d.size),
        weights=_weights(mm, treated_pos, d.size),
        rows=labels,
    )
