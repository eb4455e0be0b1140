"""Fisher's exact test for r x c tables: the network algorithm and R's Monte Carlo p-value.

The exact p-value is the total probability, under the multivariate hypergeometric law

.. math:: P(x) = \\frac{\\prod_i R_i! \\prod_j C_j!}{N! \\prod_{ij} x_{ij}!}

of the tables with the observed margins, of those whose probability is at most ``(1 + 1e-7)``
times that of the observed table (R ``fisher.test``'s ``relErr``).

:func:`network_p` follows the network algorithm of Mehta & Patel (1983) as R's FEXACT does.
Columns are filled one at a time; a *node* is the multiset of row totals still to fill (sorted,
since the completions of a node do not depend on the order of its rows), and a *path* into it
carries its past value ``-Σ log x_ij!`` over the filled columns. Paths into one node whose past
values agree to ``1e-9`` (on the log scale) are merged with a frequency, which is what keeps
the network small. At each stage bounds on the future value decide every path:

- its longest path (:func:`_future_upper`, the most probable completion) cannot reach the
  observed probability: all completions count, and their whole mass is added in closed form
  (``Σ_completions Π_j C_j! / Π x_ij! = N_rest! / Π_i R_i!``);
- its shortest path (:func:`_future_lower`, the least probable completion) is still more
  probable than the observed table: no completion counts, the path is dropped;
- otherwise the path is extended by every filling of the next column.

At the last column the completion is unique, so every decision is exact; the bounds only
govern the size of the network. The ``workspace`` bounds the paths held at once: it is checked
before each extension allocates, so time and memory stay bounded; past it the caller falls back
to :func:`simulated_p`.

References
----------
Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
contingency tables. J Am Stat Assoc 1983;78:427-34. Joe H. Extreme probabilities for
contingency tables under row and column independence with application to Fisher's exact test.
Commun Stat Theory Methods 1988;17:3677-85 (the shortest and longest path bounds).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special

REL_ERR = 1.0 + 1e-7
"""R: ``fisher.test``'s ``relErr``; tables with probability <= observed * relErr count."""
_MERGE = 1e9  # past values equal to 1e-9 on the log scale share one path (relative error 1e-9)


class WorkspaceExceeded(Exception):
    """The exact network would hold more paths than its workspace allows."""


def lfact(x: NDArray[np.int64] | NDArray[np.float64]) -> NDArray[np.float64]:
    """``log x!`` elementwise."""
    out: NDArray[np.float64] = special.gammaln(np.asarray(x, dtype=float) + 1.0)
    return out


def _future_upper(rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """Upper bound on ``max Σ -log x_ij!`` over tables with these margins (one per row of ``rows``).

    Weak Lagrangian duality over the integer box ``0 <= x_ij <= min(R_i, C_j)``: for any
    multipliers ``a_i``, ``b_j``, ``max F <= Σ a_i R_i + Σ b_j C_j + Σ_ij max_t (-(a_i + b_j) t -
    log t!)``; the inner maximum is at ``t = floor(exp(-(a_i + b_j)))`` clipped to the box. The
    multipliers make ``exp(-(a_i + b_j)) = R_i C_j / N``, close to the optimum.
    """
    n = cols.sum()
    rf = rows.astype(float)
    with np.errstate(divide="ignore"):
        a = np.where(rows > 0, -np.log(np.maximum(rf, 1.0)), 0.0)
    b = np.log(float(n)) - np.log(cols.astype(float))
    expo = np.exp(-(a[:, :, None] + b[None, None, :]))
    cap = np.minimum(rows[:, :, None], cols[None, None, :])
    t = np.clip(np.floor(expo), 0, cap)
    inner = -(a[:, :, None] + b[None, None, :]) * t - lfact(t)
    bound: NDArray[np.float64] = (a * rf).sum(axis=1) + float(b @ cols) + inner.sum(axis=(1, 2))
    return bound + 1e-9 * np.abs(bound) + 1e-9


def _future_lower(rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """Lower bound on ``min Σ -log x_ij!``: each column filled greedily into the largest rows.

    Dropping the row-sum equalities (keeping ``y_i <= R_i``) enlarges the set, and the greedy
    fill majorizes every other column, so it minimises the Schur-concave ``-Σ log y_i!``.
    """
    caps = -np.sort(-rows, axis=1)
    total = np.zeros(rows.shape[0])
    for c in cols:
        left = np.full(rows.shape[0], int(c), dtype=np.int64)
        for i in range(caps.shape[1]):
            y = np.minimum(left, caps[:, i])
            total -= lfact(y)
            left = left - y
    return total - 1e-9 * np.abs(total) - 1e-9


def _filling_counts(nodes: NDArray[np.int64], col: int) -> NDArray[np.float64]:
    """Number of vectors ``0 <= y <= node`` with ``Σ y = col``, per node (a capped convolution)."""
    ways = np.zeros((nodes.shape[0], col + 1))
    ways[:, 0] = 1.0
    s = np.arange(col + 1)
    for i in range(nodes.shape[1]):
        # ways'[s] = Σ_{y <= min(cap, s)} ways[s - y] = cum[s] - cum[s - cap - 1]
        cum = np.cumsum(ways, axis=1)
        gone = s[None, :] - nodes[:, i : i + 1] - 1
        drop = np.take_along_axis(cum, np.maximum(gone, 0), axis=1)
        ways = cum - np.where(gone >= 0, drop, 0.0)
    out: NDArray[np.float64] = ways[:, col]
    return out


def _fillings(nodes: NDArray[np.int64], col: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every way to fill a column of total ``col`` into each node: ``(parent node, y)``."""
    m, r = nodes.shape
    suffix = np.cumsum(nodes[:, ::-1], axis=1)[:, ::-1]  # suffix[:, i] = Σ_{k >= i} R_k
    parent = np.arange(m)
    left = np.full(m, col, dtype=np.int64)
    ys = np.zeros((m, 0), dtype=np.int64)
    for i in range(r - 1):
        lo = np.maximum(0, left - suffix[parent, i + 1])
        hi = np.minimum(left, nodes[parent, i])
        counts = np.maximum(hi - lo + 1, 0)
        idx = np.repeat(np.arange(parent.size), counts)
        offs = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        vals = lo[idx] + offs
        ys = np.column_stack([ys[idx], vals])
        parent, left = parent[idx], left[idx] - vals
    return parent, np.column_stack([ys, left])


def _group_rows(rows: NDArray[np.int64], top: int) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """Distinct rows of ``rows`` (entries ``0..top``) and the index of each row among them."""
    if rows.shape[1] * math.log2(top + 1) < 62:
        radix = (top + 1) ** np.arange(rows.shape[1], dtype=np.int64)
        _, first, inverse = np.unique(rows @ radix, return_index=True, return_inverse=True)
        return rows[first], inverse.ravel()
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    return distinct, inverse.ravel()


def _pair_tail_mass(
    ra: NDArray[np.int64],
    rb: NDArray[np.int64],
    s: NDArray[np.int64],
    thr: NDArray[np.float64],
    lf: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``Σ exp(g(y))`` over ``y`` with ``g(y) <= thr``, for the last two rows of two columns.

    Rows ``a``, ``b`` (totals ``ra``, ``rb``) take ``y`` and ``s - y`` of the first column and
    the rest of the second, ``g(y) = -log y! (ra - y)! (s - y)! (rb - s + y)!``: up to a constant
    the hypergeometric log-pmf, concave in ``y``. The tables more probable than ``thr`` are an
    interval around the mode, found by bisection on each side; the two tails outside it are
    summed outwards with the pmf ratio until the rest is below ``1e-17`` of the sum. Returned
    as ``(log Σ_all exp(g), share counted)`` so that no term overflows; ``lf`` is ``log k!``.
    """
    lo = np.maximum(0, s - rb)
    hi = np.minimum(s, ra)
    log_total = lf[ra + rb] - lf[s] - lf[ra + rb - s] - lf[ra] - lf[rb]
    mode = np.clip((s + 1) * (ra + 1) // (ra + rb + 2), lo, hi)

    def g(
        y: NDArray[np.int64], a: NDArray[np.int64], b: NDArray[np.int64], n: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        out: NDArray[np.float64] = -(lf[y] + lf[a - y] + lf[n - y] + lf[b - n + y])
        return out

    top_g = g(mode, ra, rb, s)
    least = np.minimum(g(lo, ra, rb, s), g(hi, ra, rb, s))  # concave: least probable at an end
    share = np.where(top_g <= thr, 1.0, 0.0)
    k = np.flatnonzero((top_g > thr) & (least <= thr))
    ka, kb, ks, kt, klo, khi = ra[k], rb[k], s[k], thr[k], lo[k], hi[k]
    a, top = klo.copy(), mode[k]  # first y with g > thr, on the rising side
    b, bottom = mode[k], khi.copy()  # last y with g > thr, on the falling side
    while (a < top).any() or (b < bottom).any():
        mid = (a + top) // 2
        up = g(mid, ka, kb, ks) > kt
        top, a = np.where(up, mid, top), np.where(up, a, mid + 1)
        mid = (b + bottom + 1) // 2
        up = g(mid, ka, kb, ks) > kt
        b, bottom = np.where(up, mid, b), np.where(up, bottom, mid - 1)
    mass = np.zeros(k.size)
    for start, step in ((a - 1, -1), (b + 1, 1)):
        # walk each tail outwards; the state arrays are compacted once half of them are done
        at = np.flatnonzero((start >= klo) & (start <= khi))
        y, ya, yb, yn, end = start[at], ka[at], kb[at], ks[at], (klo if step < 0 else khi)[at]
        term = np.exp(g(y, ya, yb, yn) - log_total[k][at])
        acc = np.zeros(at.size)
        live = np.ones(at.size, dtype=bool)
        while True:
            acc += term
            if step < 0:  # pmf(y - 1) / pmf(y) on the way down, pmf(y + 1) / pmf(y) up
                ratio = y * (yb - yn + y) / np.maximum((ya - y + 1) * (yn - y + 1), 1)
            else:
                ratio = (ya - y) * (yn - y) / np.maximum((y + 1) * (yb - yn + y + 1), 1)
            live &= (y != end) & (term > 1e-17 * acc)
            n_live = int(live.sum())
            if n_live == 0:
                mass[at] += acc
                break
            y = y + step
            term = np.where(live, term * ratio, 0.0)
            if 2 * n_live < live.size:
                done = ~live
                mass[at[done]] += acc[done]
                at, y, ya, yb, yn, end = at[live], y[live], ya[live], yb[live], yn[live], end[live]
                term, acc, live = term[live], acc[live], live[live]
    share[k] = mass
    return log_total, share


def _last_two_columns(
    nodes: NDArray[np.int64],
    node_of: NDArray[np.intp],
    past: NDArray[np.float64],
    freq: NDArray[np.float64],
    col: int,
    bound: float,
    const: float,
    workspace: int,
) -> float:
    """``Σ freq exp(const + past + future)`` over completions with ``past + future <= bound``.

    With two columns left a completion is the filling ``y`` of the first (the second takes the
    rest). The first ``r - 2`` cells are enumerated per node; the last two rows, the largest
    (nodes are sorted), are summed by :func:`_pair_tail_mass`.
    """
    r = nodes.shape[1]
    lf = lfact(np.arange(int(nodes[0].sum()) + 1))
    head = nodes[:, : r - 2]
    suffix = np.cumsum(nodes[:, ::-1], axis=1)[:, ::-1]
    parent = np.arange(nodes.shape[0])
    left = np.full(nodes.shape[0], col, dtype=np.int64)
    value = np.zeros(nodes.shape[0])
    for i in range(r - 2):
        lo = np.maximum(0, left - suffix[parent, i + 1])
        hi = np.minimum(left, head[parent, i])
        counts = np.maximum(hi - lo + 1, 0)
        if float(counts.sum()) > workspace:
            raise WorkspaceExceeded
        idx = np.repeat(np.arange(parent.size), counts)
        vals = (
            lo[idx] + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        parent, left = parent[idx], left[idx] - vals
        value = value[idx] - lf[vals] - lf[head[parent, i] - vals]
    per = np.bincount(parent, minlength=nodes.shape[0])
    if float(per[node_of].sum()) > workspace:
        raise WorkspaceExceeded
    starts = np.concatenate([[0], np.cumsum(per)])
    counts = per[node_of]
    entry = np.repeat(np.arange(past.size), counts)
    state = np.arange(entry.size) - np.repeat(np.cumsum(counts) - counts, counts)
    state += starts[node_of][entry]
    base = past[entry] + value[state]
    node = parent[state]
    log_total, share = _pair_tail_mass(
        nodes[node, r - 2], nodes[node, r - 1], left[state], bound - base, lf
    )
    return float((freq[entry] * np.exp(const + base + log_total) * share).sum())


def network_p(t: NDArray[np.int64], workspace: int) -> float:
    """Exact two-sided p of an r x c table with no empty margin (see the module notes).

    Raises :class:`WorkspaceExceeded` before an extension would hold more than ``workspace``
    paths (or fillings of a column).
    """
    if t.shape[0] > t.shape[1]:
        t = t.T
    rows0 = np.sort(t.sum(axis=1))
    cols = np.sort(t.sum(axis=0))[::-1]
    top = int(rows0.max())
    const = float(lfact(rows0).sum() + lfact(cols).sum() - lfact(np.array(cols.sum())))
    limit = float(lfact(t).sum()) - math.log(REL_ERR)  # a table counts when -Σ log x! <= -limit
    nodes = rows0[None, :]
    node_of = np.zeros(1, dtype=np.intp)
    past = np.zeros(1)
    freq = np.ones(1)
    total = 0.0
    k = cols.size
    for j in range(k):
        rest = cols[j:]
        if j == k - 1:  # one column left: its filling is the remaining row totals
            lp = past - lfact(nodes).sum(axis=1)[node_of]
            hit = lp <= -limit
            return min(1.0, total + float((freq[hit] * np.exp(const + lp[hit])).sum()))
        log_all = float(lfact(np.array(rest.sum())) - lfact(rest).sum()) - lfact(nodes).sum(axis=1)
        below = past + _future_upper(nodes, rest)[node_of] <= -limit
        total += float((freq[below] * np.exp(const + past[below] + log_all[node_of[below]])).sum())
        keep = ~below & (past + _future_lower(nodes, rest)[node_of] <= -limit)
        if not keep.any():
            break
        if j == k - 2:
            paths = (nodes, node_of[keep], past[keep], freq[keep])
            more = _last_two_columns(*paths, int(cols[j]), -limit, const, workspace)
            return min(1.0, total + more)
        used, node_of = np.unique(node_of[keep], return_inverse=True)
        nodes, past, freq = nodes[used], past[keep], freq[keep]
        nchild = _filling_counts(nodes, int(cols[j]))
        if float(nchild.sum()) > workspace or float(nchild[node_of].sum()) > workspace:
            raise WorkspaceExceeded
        parent, ys = _fillings(nodes, int(cols[j]))
        child_nodes, child_of = _group_rows(np.sort(nodes[parent] - ys, axis=1), top)
        child_lp = -lfact(ys).sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(np.bincount(parent, minlength=nodes.shape[0]))])
        per = (starts[1:] - starts[:-1])[node_of]
        entry = np.repeat(np.arange(past.size), per)
        child = (
            np.arange(entry.size) - np.repeat(np.cumsum(per) - per, per) + starts[node_of][entry]
        )
        new_node = child_of[child]
        new_past = past[entry] + child_lp[child]
        quant = np.round(new_past * _MERGE).astype(np.int64)
        order = np.lexsort((quant, new_node))
        new_node, new_past, quant = new_node[order], new_past[order], quant[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = (new_node[1:] != new_node[:-1]) | (quant[1:] != quant[:-1])
        at = np.flatnonzero(first)
        freq = np.add.reduceat(freq[entry][order], at)
        past, used_nodes = new_past[at], new_node[at]
        kept, node_of = np.unique(used_nodes, return_inverse=True)
        nodes = child_nodes[kept]
    return min(1.0, total)


def simulated_p(t: NDArray[np.int64], replicates: int, seed: int) -> float:
    """Monte Carlo p of an r x c table, as R ``fisher.test(x, simulate.p.value = TRUE, B)``.

    ``B`` tables are drawn uniformly from those with the observed margins under independence
    (R's ``r2dtable``: column by column, a multivariate hypergeometric draw from the row totals
    still to fill), and ``p = (1 + #{-Σ log x*! <= -Σ log x! / (1 + 64 eps)}) / (B + 1)``.
    The draws come from numpy's seeded generator, not R's, so the value equals R's in law only.
    """
    rng = np.random.default_rng(seed)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    stat = np.zeros(replicates)
    left = np.broadcast_to(rows, (replicates, rows.size)).copy()
    for c in cols[:-1]:
        y = np.stack([rng.multivariate_hypergeometric(r, int(c)) for r in left])
        stat -= lfact(y).sum(axis=1)
        left -= y
    stat -= lfact(left).sum(axis=1)
    observed = -float(lfact(t).sum()) / (1.0 + 64.0 * np.finfo(float).eps)
    return float((1 + int((stat <= observed).sum())) / (replicates + 1))
