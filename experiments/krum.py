"""SGD with n workers, f of them Byzantine, aggregated by the mean or by Krum.

    x_{t+1} = x_t - gamma_t Agg(V_1, ..., V_n)

with V_i = x_t - X_i (X_i ~ N(x*, sd^2 I), fresh per worker and step) for the n - f honest
workers and the attack law's vector for the f Byzantine ones, workers 0..f-1
(problems.byzantine).

Krum [Blanchard, El Mhamdi, Guerraoui & Stainer, arXiv 1703.02757, Section 4]: for each i the
score s(i) = sum of ||V_i - V_j||^2 over the n - f - 2 vectors V_j (j != i) nearest to V_i;
Krum returns the V_i of smallest score (ties: the smallest i).

Each run has its own counter-based stream (experiments.random); runs are split over threads.
A step costs the n(n - 1)/2 pairwise distances and n partial sorts, the hot loop of the claim.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from experiments.random import stream, ziggurat_normal
from experiments.run import FASTMATH, Run, diverging, log_checkpoints, validate_checkpoints
from experiments.schedules import step_size

MEAN, KRUM = 0, 1
COLLUDING = 1
"""problems.byzantine.ATTACKS.index('colluding'): the attack code the kernel receives."""
AGGREGATIONS = ("mean", "krum")


@njit(cache=True, fastmath=FASTMATH)
def krum_index(V, f, dist, row):
    """The index Krum selects among the rows of V (n, d) with f Byzantine; ``dist`` (n, n) and
    ``row`` (n - 1) are work buffers (a step allocates nothing)."""
    n, d = V.shape
    for i in range(n):
        for j in range(i + 1, n):
            s = 0.0
            for c in range(d):
                t = V[i, c] - V[j, c]
                s += t * t
            dist[i, j] = s
            dist[j, i] = s
    keep = n - f - 2
    best, best_score = 0, np.inf
    for i in range(n):
        m = 0  # the keep smallest distances so far, sorted (insertion; larger ones skipped)
        for j in range(n):
            if j == i:
                continue
            v = dist[i, j]
            if m == keep and v >= row[m - 1]:
                continue
            p = m if m < keep else keep - 1
            while p > 0 and row[p - 1] > v:
                row[p] = row[p - 1]
                p -= 1
            row[p] = v
            if m < keep:
                m += 1
        score = 0.0
        for j in range(keep):
            score += row[j]
        if score < best_score:
            best, best_score = i, score
    return best


@njit(cache=True, parallel=True)
def _byzantine_sgd(x_star, sd, n, f, attack, shift, aggregation, step_kind, step_params, x0,
                   checkpoints, seed, runs):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = x_star.size
    K = checkpoints.size
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    h = n - f
    for r in prange(runs):
        rng = stream(seed, r)
        x = x0[r].copy()
        V = np.empty((n, d))
        dist = np.zeros((n, n))
        row = np.empty(n - 1)
        agg = np.empty(d)
        k = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x
            k = 1
        for t in range(checkpoints[-1]):
            # the Byzantine workers are the first f: a rule that ignores the scores and keeps
            # the first vector (or breaks ties towards it) is then fooled, not lucky
            for i in range(f, n):
                for c in range(d):
                    V[i, c] = x[c] - (x_star[c] + sd * ziggurat_normal(rng))
            for c in range(d):
                total = 0.0
                for i in range(f, n):
                    total += V[i, c]
                if attack == COLLUDING:
                    b = total / h - shift
                else:  # omniscient: the mean of all n vectors becomes x - x* + shift
                    b = (n * (x[c] - x_star[c] + shift) - total) / f
                for i in range(f):
                    V[i, c] = b
            if aggregation == KRUM:
                sel = krum_index(V, f, dist, row)
                for c in range(d):
                    agg[c] = V[sel, c]
            else:
                for c in range(d):
                    s = 0.0
                    for i in range(n):
                        s += V[i, c]
                    agg[c] = s / n
            gamma = step_size(step_kind, step_params, t)
            sq = 0.0
            for c in range(d):
                x[c] -= gamma * agg[c]
                sq += x[c] * x[c]
            if diverging(sq):
                diverged_at[r] = t + 1
                break
            if k < K and t + 1 == checkpoints[k]:
                iterates[r, k, :] = x
                k += 1
    return iterates, diverged_at


def byzantine_sgd(problem, step, horizon: int, *, aggregation: str = "krum", runs: int = 1,
                  seed: int = 0, x0: np.ndarray | None = None,
                  checkpoints: np.ndarray | None = None) -> Run:
    """``runs`` runs of SGD on a :class:`problems.byzantine.ByzantineWorkers` problem with step
    schedule ``step``, from ``x0`` ((d,) or (runs, d); default 0)."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}, got "
                         f"{aggregation!r}")
    d = problem.d
    start = np.zeros((runs, d)) if x0 is None else np.broadcast_to(
        np.asarray(x0, dtype=float), (runs, d)).copy()
    c = log_checkpoints(horizon) if checkpoints is None else validate_checkpoints(checkpoints)
    kind, sched = step.kernel_args()
    iterates, diverged_at = _byzantine_sgd(
        np.asarray(problem.x_star, dtype=float), float(problem.sd), int(problem.n),
        int(problem.f), int(problem.attack_code), float(problem.shift),
        AGGREGATIONS.index(aggregation), kind, sched, start, c, np.uint64(seed), int(runs))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=seed)
