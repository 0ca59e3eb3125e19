"""Methods for variational inequalities (find z* with V(z*) = 0), each written once.

Every method evaluates the operator at a "leading" point z_{t+1/2} and updates the base point
z_t with that value.  The kernels record the base point z_t at checkpoints and, computed in the
kernel, its ergodic average over the leading points,

    zbar_t = sum_{s<t} gamma_s z_{s+1/2} / sum_{s<t} gamma_s        (Hsieh et al. 2019, eq. (7)),

where gamma_s is the step of the update.  Oracle calls go through ``experiments.oracles``:
``field`` (exact V) or, with ``stochastic=True``, ``sample_field`` (V plus noise).

* extragradient (EG, and EG+ with two steps): z_{t+1/2} = z_t - g1_t V(z_t),
  z_{t+1} = z_t - g2_t V(z_{t+1/2})  [Korpelevich 1976; EG+: Diakonikolas et al. 2021]
* past extragradient (PEG, Popov 1980): z_{t+1/2} = z_t - g_t V(z_{t-1/2}),
  z_{t+1} = z_t - g_t V(z_{t+1/2}); one oracle call per step
* optimistic gradient (OG): y_{t+1} = y_t - (g_t + g_{t+1}) V(y_t) + g_t V(y_{t-1}); its y_t are
  exactly PEG's leading points (unconstrained), here as a recursion on them alone
* reflected gradient (RG, Malitsky 2015): z_{t+1/2} = 2 z_t - z_{t-1},
  z_{t+1} = z_t - g_t V(z_{t+1/2})
* simultaneous gradient descent-ascent (GDA): z_{t+1} = z_t - g_t V(z_t)
* accelerated optimistic gradient (AOG, Halpern-anchored optimism; inferred unconstrained form
  of Cai & Zheng 2023): z_{k+1/2} = z_k + (z_0 - z_k)/(k+2) - eta V(z_{k-1/2}),
  z_{k+1} = z_k + (z_0 - z_k)/(k+2) - eta V(z_{k+1/2})
* proximal point for a linear F: z <- (I + gamma F)^{-1} z, the resolvent precomputed in numpy.

One kernel, ``_vi``, runs the six methods other than proximal point: the loop (runs in
parallel, the counter-based streams, checkpoints, divergence, ergodic averaging) is written once
and the update rule is chosen by an integer method code, as the oracles choose the problem by its
integer kind (README, "Why oracles dispatch on an integer").  The alternative, passing the update
rule as a jitted function, specialises the kernel just as well but numba's on-disk cache misses
on function-typed arguments in every new process.  Measured with ``rates bench vi vi-peg vi-og
vi-rg vi-gda vi-aog`` against the six kernels this one replaced (2-core machine shared with other
jobs, load 2.5-5; minima over 3-5 repeats and a paired same-process comparison): the run time
per step and per Monte Carlo run-step did not change beyond the noise of that machine (the same
kernel's minimum varied up to 2x between runs; minima, old -> new: EG 2151 -> 2011 ns, PEG
951 -> 974, OG 951 -> 989, RG 971 -> 941, GDA 975 -> 1111 (not re-reached in 4 tries), AOG
1017 -> 984, on a 50 x 50 bilinear game); the results are bit-identical (same arithmetic, same
order, same draws).  Compiling costs differently: all six methods cold in one process 24 s ->
19 s, but one method alone cold about 15 s -> 18 s (it compiles all six branches; most of either
is the shared oracle dispatchers), and from the cache 0.2 s either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from experiments import schedules
from experiments.oracles import field, oracle_args, sample_field
from experiments.random import stream
from experiments.run import FASTMATH, Run, diverging, log_checkpoints, validate_checkpoints

EG, PEG, OG, RG, GDA = "eg", "peg", "og", "rg", "gda"
METHODS = (EG, PEG, OG, RG, GDA)
_EG, _PEG, _OG, _RG, _GDA, _AOG = range(6)
_CODES = {EG: _EG, PEG: _PEG, OG: _OG, RG: _RG, GDA: _GDA}
"""The kernel's method codes (an integer, so that one compiled kernel serves them all)."""


@dataclass(frozen=True)
class VIRun(Run):
    """A :class:`Run` with the ergodic averages: ``averages`` has shape (R, K, d) like
    ``iterates`` (at checkpoint 0 it holds z_0)."""

    averages: np.ndarray


@njit(cache=True, inline="always")
def _operator(kind, A, b, p, x, stochastic, rng, out):
    if stochastic:
        sample_field(kind, A, b, p, x, 0.0, rng, out)
    else:
        field(kind, A, b, p, x, out)


@njit(cache=True, inline="always")
def _update(z, avg, lead, g, gamma, wsum):
    """z -= gamma g; avg += (gamma / wsum) (lead - avg); return ||z||^2."""
    sq = 0.0
    w = gamma / wsum
    for j in range(z.size):
        z[j] -= gamma * g[j]
        avg[j] += w * (lead[j] - avg[j])
        sq += z[j] * z[j]
    return sq


@njit(cache=True, nogil=True, parallel=True, fastmath=FASTMATH)
def _vi(method, kind, A, b, p, z0, z_half, k1, p1, k2, p2, stochastic, checkpoints, seed, runs):
    """Every method of this module but proximal point, chosen by its ``method`` code.

    The loop (runs, streams, checkpoints, divergence, averaging) is written once; each branch is
    one method's update, with the arithmetic (and the order of random draws) it always had.  The
    branch does not change inside a run, so the CPU predicts it and LLVM keeps each branch's
    loops over j vectorised.  V is evaluated at one call site per step (EG: two, PEG and AOG one
    more before the loop): ``_operator`` is inlined and every inlined site is compiled anew, so
    few sites keep this kernel's compile time near that of one of the six it replaced.
    ``z_half`` is PEG's z_{-1/2} (AOG: z_0); ``k2, p2`` is EG's update step.
    """
    d = z0.size
    K = checkpoints.size
    iterates = np.full((runs, K, d), np.nan)
    averages = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        rng = stream(seed, r)
        z = z0.copy()
        avg = z0.copy()
        prev = z0.copy()        # RG: z_{t-1}
        lead = np.empty(d)
        g = np.empty(d)
        g_past = np.empty(d)    # OG: V(y_{t-1})
        if method == _PEG or method == _AOG:
            _operator(kind, A, b, p, z_half, stochastic, rng, g)  # V(z_{-1/2}); AOG: V(z_0)
        wsum = 0.0
        gamma_past = 0.0  # OG: with V(y_{-1}) := V(y_0) the first step is y_1 = y_0 - g_1 V(y_0)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = z
            averages[r, 0, :] = avg
            c = 1
        for t in range(checkpoints[-1]):
            gamma = schedules.step_size(k1, p1, t)
            # the leading point; then V there, in g, from the one call site below
            if method == _EG:
                _operator(kind, A, b, p, z, stochastic, rng, g)
                for j in range(d):
                    lead[j] = z[j] - gamma * g[j]
            elif method == _PEG:
                for j in range(d):
                    lead[j] = z[j] - gamma * g[j]
            elif method == _RG:
                for j in range(d):
                    lead[j] = 2.0 * z[j] - prev[j]
                    prev[j] = z[j]
            elif method == _AOG:  # z becomes the anchor z_k + (z_0 - z_k)/(k+2), updated there
                for j in range(d):
                    z[j] += (z0[j] - z[j]) / (t + 2.0)
                    lead[j] = z[j] - gamma * g[j]
            else:  # GDA, OG: V at z itself
                for j in range(d):
                    lead[j] = z[j]
            _operator(kind, A, b, p, lead, stochastic, rng, g)
            if method == _OG:  # a recursion on the leading points y_t alone: its own update
                gamma_next = schedules.step_size(k1, p1, t + 1)
                if t == 0:
                    g_past[:] = g
                wsum += gamma
                w = gamma / wsum
                sq = 0.0
                for j in range(d):
                    avg[j] += w * (z[j] - avg[j])  # y_t is the leading point: average it first
                    z[j] += -(gamma_past + gamma_next) * g[j] + gamma_past * g_past[j]
                    g_past[j] = g[j]
                    sq += z[j] * z[j]
                gamma_past = gamma_next
            else:
                if method == _EG:
                    gamma = schedules.step_size(k2, p2, t)  # the update step
                wsum += gamma
                sq = _update(z, avg, lead, g, gamma, wsum)
            if diverging(sq):
                diverged_at[r] = t + 1
                break
            if t + 1 == checkpoints[c]:
                iterates[r, c, :] = z
                averages[r, c, :] = avg
                c += 1
    return iterates, averages, diverged_at


@njit(cache=True)
def _affine_iteration(P, q, z0, checkpoints):
    """z <- P z + q (one run: the iteration is deterministic)."""
    d = z0.size
    K = checkpoints.size
    iterates = np.full((1, K, d), np.nan)
    diverged_at = np.full(1, -1, dtype=np.int64)
    z = z0.copy()
    nxt = np.empty(d)
    c = 0
    if checkpoints[0] == 0:
        iterates[0, 0, :] = z
        c = 1
    for t in range(checkpoints[-1]):
        sq = 0.0
        for i in range(d):
            s = q[i]
            for j in range(d):
                s += P[i, j] * z[j]
            nxt[i] = s
            sq += s * s
        z[:] = nxt
        if diverging(sq):
            diverged_at[0] = t + 1
            break
        if t + 1 == checkpoints[c]:
            iterates[0, c, :] = z
            c += 1
    return iterates, diverged_at


# --- Python wrappers: validate, then call the kernel -------------------------------------------

def _common(problem, horizon, runs, seed, z0, checkpoints):
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if isinstance(runs, bool) or int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    d = problem.x_star.size
    z0 = np.zeros(d) if z0 is None else np.asarray(z0, dtype=np.float64)
    if z0.shape != (d,) or not np.all(np.isfinite(z0)):
        raise ValueError(f"z0 must be a finite vector of shape ({d},), got shape {z0.shape}")
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    return z0, c


def _schedule(name: str, s) -> schedules.Schedule:
    if isinstance(s, schedules.Schedule):
        return s
    if isinstance(s, bool) or not isinstance(s, int | float | np.floating):
        raise ValueError(f"{name} must be a positive number or a Schedule, got {s!r}")
    return schedules.constant(float(s))  # raises ValueError naming gamma for s <= 0


def operator_method(problem, gamma, horizon: int, *, gamma_update=None, runs: int = 1,
                    seed: int = 0, stochastic: bool = False, z0: np.ndarray | None = None,
                    checkpoints: np.ndarray | None = None, method: str = EG,
                    z_half: np.ndarray | None = None) -> VIRun:
    """Run ``method`` (one of eg, peg, og, rg, gda) for ``horizon`` steps, ``runs`` times.

    (Round 1 called this ``extragradient(method=...)``, a name for one of the five methods it
    runs.)  The public forms are the classes of experiments.methods.

    ``gamma`` is a number (constant step) or a :class:`~experiments.schedules.Schedule`.  For EG,
    ``gamma`` is the extrapolation step and ``gamma_update`` (default: the same) the update
    step: EG+ is EG with gamma_update < gamma.  PEG starts its past leading point at ``z_half``
    (default z0).  Returns iterates and ergodic averages of the leading points at checkpoints.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if gamma_update is not None and method != EG:
        raise ValueError("gamma_update (a separate update step) applies to method='eg' only")
    z0, c = _common(problem, horizon, runs, seed, z0, checkpoints)
    s1 = _schedule("gamma", gamma)
    k1, p1 = s1.kernel_args()
    kind, A, b, p = oracle_args(problem, stochastic)
    k2, p2 = k1, p1
    zh = z0
    if method == EG and gamma_update is not None:
        k2, p2 = _schedule("gamma_update", gamma_update).kernel_args()
    if method == PEG and z_half is not None:
        zh = np.asarray(z_half, dtype=np.float64)
        if zh.shape != z0.shape:
            raise ValueError(f"z_half must have shape {z0.shape}, got {zh.shape}")
    out = _vi(_CODES[method], kind, A, b, p, z0, zh, k1, p1, k2, p2, bool(stochastic), c,
              np.uint64(seed), int(runs))
    iterates, averages, diverged_at = out
    return VIRun(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed),
                 averages=averages)


def accelerated_optimistic(problem, eta, horizon: int, *, runs: int = 1, seed: int = 0,
                           stochastic: bool = False, z0: np.ndarray | None = None,
                           checkpoints: np.ndarray | None = None) -> VIRun:
    """Accelerated optimistic gradient (Halpern-anchored OG) with step ``eta``."""
    z0, c = _common(problem, horizon, runs, seed, z0, checkpoints)
    k1, p1 = _schedule("eta", eta).kernel_args()
    kind, A, b, p = oracle_args(problem, stochastic)
    iterates, averages, diverged_at = _vi(_AOG, kind, A, b, p, z0, z0, k1, p1, k1, p1,
                                          bool(stochastic), c, np.uint64(seed), int(runs))
    return VIRun(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed),
                 averages=averages)


def proximal_point(problem, gamma: float, horizon: int, *, z0: np.ndarray | None = None,
                   checkpoints: np.ndarray | None = None) -> Run:
    """z <- (I + gamma F)^{-1} z for a linear (affine) F with ``problem.matrix()`` or ``.M``.

    The resolvent of F(z) = M z + b is z -> (I + gamma M)^{-1} (z - gamma b): an affine map,
    computed once in numpy.  A singular I + gamma M raises ValueError.
    """
    gamma = _schedule("gamma", gamma).params[0]
    z0, c = _common(problem, horizon, 1, 0, z0, checkpoints)
    M = problem.matrix() if hasattr(problem, "matrix") else problem.M
    bias = np.zeros(M.shape[0]) if hasattr(problem, "matrix") else problem.b
    lhs = np.eye(M.shape[0]) + gamma * M
    scale = 1.0 + gamma * np.linalg.norm(M, 2)
    if np.linalg.svd(lhs, compute_uv=False)[-1] <= 1e-12 * scale:
        raise ValueError(f"gamma = {gamma:g} makes I + gamma F singular: no resolvent")
    P = np.linalg.inv(lhs)
    iterates, diverged_at = _affine_iteration(P, -gamma * P @ bias, z0, c)
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
