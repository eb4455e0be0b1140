"""The Cox partial likelihood from per-(stratum, time) sums: what an engine returns per step.

An engine (DuckDB, several hospitals) that cannot hand over patient rows can still give, at a
``beta``, the sums over the rows of each distinct (stratum, time), split by event status:

.. math:: s_0 = \\sum w_i r_i,\\quad s_1 = \\sum w_i r_i x_i,\\quad
          s_2 = \\sum w_i r_i x_i x_i',\\qquad r_i = \\exp(x_i'\\beta),

plus the number of rows and their summed weight. These are additive, so several sites' tables
(or the rows of near-tied times merged by R's ``aeqSurv``) are combined by adding them. From the
group sums, the risk sets :math:`S_k(g) = \\sum_{t_i \\ge t_g} \\ldots` are reverse cumulative sums
within a stratum, and the deaths of the group give :math:`E_0, E_1, E_2`. With Efron's pairs
:math:`k = 0 .. d_g - 1`, :math:`q_k = k/d_g`, :math:`\\bar w_g = W_g/d_g` and
:math:`D_{gk} = S_0 - q_k E_0` (Breslow: one pair, :math:`q = 0`, weight :math:`W_g`):

.. math::

    \\ell = \\sum_{\\text{deaths}} w_i x_i'\\beta - \\sum_{g,k} \\bar w_g \\log D_{gk},\\qquad
    U = \\sum_{\\text{deaths}} w_i x_i - \\sum_{g,k} \\bar w_g \\frac{S_1 - q_k E_1}{D_{gk}},

    I = \\sum_{g,k} \\bar w_g \\Big(\\frac{S_2 - q_k E_2}{D_{gk}} - m_{gk} m_{gk}'\\Big),\\qquad
    m_{gk} = \\frac{S_1 - q_k E_1}{D_{gk}},

which is R's ``coxfit6.c`` computation (running sums of :math:`x x'`), regrouped per tie group
with the scalars of :class:`~hccsurv.core.cox_efron.GroupTerms` so that the work is per group, not
per death. Reference: Therneau & Grambsch (2000), ch. 3; R ``survival`` ``coxfit6.c``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hccsurv.core.cox_efron import Evaluation
from hccsurv.errors import InputError

_CHUNK = 1 << 20

__all__ = [
    "GroupSums",
    "SquareSums",
    "add_group_sums",
    "evaluate_group_sums",
    "robust_crossprod",
    "upper_pairs",
]


def upper_pairs(p: int) -> list[tuple[int, int]]:
    """The (i, j), i <= j, of a p x p upper triangle, row by row: the columns of ``s2``."""
    return [(i, j) for i in range(p) for j in range(i, p)]


def _symmetric(tri: NDArray[np.float64], p: int) -> NDArray[np.float64]:
    out = np.zeros((p, p))
    for col, (i, j) in enumerate(upper_pairs(p)):
        out[i, j] = out[j, i] = tri[col]
    return out


@dataclass(frozen=True)
class GroupSums:
    """Sums over the rows of each (stratum, time, event status) at one ``beta``.

    Row ``j`` is the rows with stratum key ``stratum[j]``, time ``time[j]`` and
    ``dead[j]`` (event or not); ``s0`` (m,), ``s1`` (m, p) and ``s2`` (m, p(p+1)/2: the upper
    triangle row by row, see :func:`upper_pairs`) are
    :math:`\\sum w r`, :math:`\\sum w r x` and :math:`\\sum w r x x'` with :math:`x` centred and
    :math:`r = \\exp(x'\\beta - \\text{shift})`; ``count`` and ``weight`` the rows and
    :math:`\\sum w`. Stratum keys are any hashable labels (strings after the engine's cast).
    """

    stratum: tuple[str, ...]
    time: NDArray[np.float64]
    dead: NDArray[np.bool_]
    s0: NDArray[np.float64]
    s1: NDArray[np.float64]
    s2: NDArray[np.float64]
    count: NDArray[np.int64]
    weight: NDArray[np.float64]
    shift: float


def add_group_sums(parts: Sequence[GroupSums]) -> GroupSums:
    """Stack the tables of several sites (same ``beta`` and shift); equal keys add later."""
    if not parts:
        raise InputError("no site sums to combine")
    if len({g.shift for g in parts}) != 1:
        raise InputError("the sites' sums were computed with different overflow shifts")
    return GroupSums(
        stratum=tuple(k for g in parts for k in g.stratum),
        time=np.concatenate([g.time for g in parts]),
        dead=np.concatenate([g.dead for g in parts]),
        s0=np.concatenate([g.s0 for g in parts]),
        s1=np.concatenate([g.s1 for g in parts]),
        s2=np.concatenate([g.s2 for g in parts]),
        count=np.concatenate([g.count for g in parts]),
        weight=np.concatenate([g.weight for g in parts]),
        shift=parts[0].shift,
    )


@dataclass(frozen=True)
class _Groups:
    """Distinct (stratum, merged time) groups, sorted by stratum and decreasing time."""

    index: NDArray[np.intp]
    """Group of each input row."""
    n_groups: int
    bounds: list[tuple[int, int]]
    """Group ranges of each stratum."""


def _groups(sums: GroupSums, merged_time: NDArray[np.float64]) -> _Groups:
    labels = sorted(set(sums.stratum))
    code = {k: i for i, k in enumerate(labels)}
    s = np.fromiter((code[k] for k in sums.stratum), dtype=np.intp, count=len(sums.stratum))
    uniq, tid = np.unique(merged_time, return_inverse=True)
    m = uniq.shape[0]
    # stratum ascending, time descending: key = s * m + (m - 1 - tid)
    key = s * m + (m - 1 - tid.reshape(-1))
    keys, index = np.unique(key, return_inverse=True)
    gs = keys // m
    new = np.ones(keys.shape[0], dtype=bool)
    new[1:] = gs[1:] != gs[:-1]
    b = np.append(np.flatnonzero(new), keys.shape[0])
    bounds = [(int(lo), int(hi)) for lo, hi in itertools.pairwise(b.tolist())]
    return _Groups(
        index=index.reshape(-1).astype(np.intp), n_groups=int(keys.shape[0]), bounds=bounds
    )


def _per_group(values: NDArray[np.float64], groups: _Groups) -> NDArray[np.float64]:
    out = np.zeros((groups.n_groups, *values.shape[1:]))
    np.add.at(out, groups.index, values)
    return out


def _revcum(a: NDArray[np.float64], groups: _Groups) -> NDArray[np.float64]:
    """Sum over the groups at or after each one (time <= t_g) in its stratum."""
    out = np.empty_like(a)
    for lo, hi in groups.bounds:
        out[lo:hi] = np.cumsum(a[lo:hi][::-1], axis=0)[::-1]
    return out


def _cum(a: NDArray[np.float64], groups: _Groups) -> NDArray[np.float64]:
    out = np.empty_like(a)
    for lo, hi in groups.bounds:
        np.cumsum(a[lo:hi], axis=0, out=out[lo:hi])
    return out


@dataclass(frozen=True)
class _Terms:
    """Per-event-group risk-set sums and Efron scalars (as :class:`.cox_efron.GroupTerms`)."""

    groups: _Groups
    eg: NDArray[np.intp]
    s1: NDArray[np.float64]
    e1: NDArray[np.float64]
    wsum: NDArray[np.float64]
    h1: NDArray[np.float64]
    hf: NDArray[np.float64]
    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    logsum: float
    pair_weight: float
    info: NDArray[np.float64]


def _terms(sums: GroupSums, merged_time: NDArray[np.float64], efron: bool) -> _Terms:
    groups = _groups(sums, merged_time)
    dead = sums.dead.astype(np.float64)
    s0 = _cum(_per_group(sums.s0, groups), groups)
    s1 = _cum(_per_group(sums.s1, groups), groups)
    s2g = _per_group(sums.s2, groups)
    e0 = _per_group(sums.s0 * dead, groups)
    e1 = _per_group(sums.s1 * dead[:, None], groups)
    e2 = _per_group(sums.s2 * dead[:, None], groups)
    d = np.rint(_per_group(sums.count * dead, groups)).astype(np.int64)
    wsum = _per_group(sums.weight * dead, groups)
    eg = np.flatnonzero(d > 0)
    counts = d[eg] if efron else np.ones(eg.shape[0], dtype=np.int64)
    per_pair = wsum[eg] / counts  # Breslow: one "pair" per group with the whole weight
    k = eg.shape[0]
    scalars = np.zeros((5, k))  # h1, hf, alpha, beta, gamma
    logsum = 0.0
    # Efron's pairs (one per death) in chunks of ~2^20, so that memory stays per group
    ends = np.cumsum(counts)
    marks = np.arange(_CHUNK, int(ends[-1]) if k else 0, _CHUNK)
    edges = np.unique(np.concatenate(([0], np.searchsorted(ends, marks, side="right"), [k])))
    for lo, hi in itertools.pairwise(edges.tolist()):
        c = counts[lo:hi]
        slot = np.repeat(np.arange(hi - lo), c)
        start = np.repeat(np.cumsum(c) - c, c)
        frac = (np.arange(slot.shape[0]) - start) / np.repeat(c, c)
        pw = per_pair[lo:hi][slot]
        denom = s0[eg[lo:hi]][slot] - frac * e0[eg[lo:hi]][slot]
        inv = pw / denom
        inv2 = inv / denom
        for row, v in enumerate((inv, frac * inv, inv2, frac * inv2, frac * frac * inv2)):
            scalars[row, lo:hi] = np.bincount(slot, v, minlength=hi - lo)
        logsum += float((pw * np.log(denom)).sum())
    h1, hf, alpha, beta_f, gamma = scalars
    s1e, e1e = s1[eg], e1[eg]
    q = (s1e * beta_f[:, None]).T @ e1e
    # sum_g h1_g S2(g) = sum_g' s2_g' * (sum of h1 over the groups whose risk set holds g'),
    # so the (groups x p x p) cumulative sums are never formed
    h1_all = np.zeros(groups.n_groups)
    h1_all[eg] = h1
    tri = _revcum(h1_all, groups) @ s2g - hf @ e2[eg]
    info = _symmetric(tri, s1.shape[1]) - (
        (s1e * alpha[:, None]).T @ s1e - q - q.T + (e1e * gamma[:, None]).T @ e1e
    )
    return _Terms(
        groups=groups,
        eg=eg,
        s1=s1e,
        e1=e1e,
        wsum=wsum[eg],
        h1=h1,
        hf=hf,
        alpha=alpha,
        beta=beta_f,
        gamma=gamma,
        logsum=logsum,
        pair_weight=float(wsum[eg].sum()),
        info=(info + info.T) / 2.0,
    )


def evaluate_group_sums(
    sums: GroupSums,
    merged_time: NDArray[np.float64],
    beta: NDArray[np.float64],
    dead_wx: NDArray[np.float64],
    *,
    efron: bool,
) -> Evaluation:
    """Log partial likelihood, score and information at ``beta`` from the per-group sums.

    ``merged_time`` is ``sums.time`` after R's ``aeqSurv`` merge (the rows of near-tied times
    form one group); ``dead_wx`` is :math:`\\sum_{\\text{deaths}} w_i x_i` (centred), which does
    not depend on ``beta``. The formulas are in the module docstring.
    """
    t = _terms(sums, merged_time, efron)
    loglik = float(beta @ dead_wx - t.logsum - sums.shift * t.pair_weight)
    score = dead_wx - (t.s1.T @ t.h1 - t.e1.T @ t.hf)
    return Evaluation(loglik=loglik, score=score, information=t.info)


@dataclass(frozen=True)
class SquareSums:
    """Sums of squared weights per row of a :class:`GroupSums` (same rows, same ``beta``).

    ``t0[j, k]`` :math:`= \\sum w^2 r^k`, ``t1[j, k]`` :math:`= \\sum w^2 r^k x` and
    ``t2[j, k]`` :math:`= \\sum w^2 r^k x x'` (upper triangles, as ``GroupSums.s2``) for
    :math:`k = 0, 1, 2`: what the robust variance needs of the rows, since within a (group,
    event status) block the score residual :math:`U_i = a_i x_i - b_i` has
    :math:`a_i = \\delta - r_i c` and :math:`b_i = \\delta \\bar m - r_i c_x`, with
    :math:`c, c_x, \\bar m` constant.
    """

    t0: NDArray[np.float64]
    t1: NDArray[np.float64]
    t2: NDArray[np.float64]


def robust_crossprod(
    sums: GroupSums, squares: SquareSums, merged_time: NDArray[np.float64], *, efron: bool
) -> NDArray[np.float64]:
    """:math:`\\sum_i w_i^2 U_i U_i'` of the score residuals (R ``residuals(fit, "score")``).

    With the per-row :math:`c_i` and :math:`c_{x,i}` of
    :meth:`hccsurv.core.cox_efron.RiskSets.score_residuals` (constant in a block of one group and
    one event status :math:`\\delta`), expanding :math:`(a x - b)(a x - b)'` gives per block
    :math:`\\delta T_{0xx} - 2\\delta c T_{1xx} + c^2 T_{2xx} - (P + P') + \\delta T_0
    \\bar m \\bar m' - \\delta T_1 (\\bar m c_x' + c_x \\bar m') + T_2 c_x c_x'` with
    :math:`P = \\delta T_{0x} \\bar m' - \\delta T_{1x} c_x' - \\delta c T_{1x} \\bar m' +
    c T_{2x} c_x'` (the :math:`T` of :class:`SquareSums`).
    """
    t = _terms(sums, merged_time, efron)
    g = t.groups
    n_g = g.n_groups
    p = t.s1.shape[1]

    def scatter(v: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.zeros((n_g, *v.shape[1:]))
        out[t.eg] = v
        return out

    a_all = _revcum(scatter(t.h1), g)
    hf = scatter(t.hf)
    a2_all = _revcum(scatter(t.s1 * t.alpha[:, None] - t.e1 * t.beta[:, None]), g)
    b2 = scatter(t.s1 * t.beta[:, None] - t.e1 * t.gamma[:, None])
    wsum = np.where(t.wsum > 0, t.wsum, 1.0)
    mbar_g = scatter((t.s1 * t.h1[:, None] - t.e1 * t.hf[:, None]) / wsum[:, None])
    idx = g.index
    delta = sums.dead.astype(np.float64)
    c = a_all[idx] - delta * hf[idx]
    cx = a2_all[idx] - delta[:, None] * b2[idx]
    mbar = mbar_g[idx] * delta[:, None]  # only deaths use it
    t0, t1, t2 = squares.t0, squares.t1, squares.t2
    dd = delta[:, None, None]
    cc = c[:, None, None]
    xx = _symmetric(delta @ t2[:, 0] - (2.0 * delta * c) @ t2[:, 1] + (c * c) @ t2[:, 2], p)
    pm = (
        dd * np.einsum("ji,jk->jik", t1[:, 0], mbar)
        - dd * np.einsum("ji,jk->jik", t1[:, 1], cx)
        - dd * cc * np.einsum("ji,jk->jik", t1[:, 1], mbar)
        + cc * np.einsum("ji,jk->jik", t1[:, 2], cx)
    )
    mc = np.einsum("ji,jk->jik", mbar, cx)
    bb = (
        (delta * t0[:, 0])[:, None, None] * np.einsum("ji,jk->jik", mbar, mbar)
        - (delta * t0[:, 1])[:, None, None] * (mc + mc.transpose(0, 2, 1))
        + t0[:, 2][:, None, None] * np.einsum("ji,jk->jik", cx, cx)
    )
    total = xx + (-pm - pm.transpose(0, 2, 1) + bb).sum(axis=0)
    out: NDArray[np.float64] = (total + total.T) / 2.0
    return out
