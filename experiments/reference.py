"""Plain NumPy implementations of the kernels: test oracles and the benchmark's baseline.

Written the textbook way, one step at a time, with none of the kernels' rearrangements, so that
agreement to rounding error means a kernel computes what its docstring says.  They draw the same
counter-based random numbers as the numba kernels (experiments.random's NumPy twins, or the
oracle's own samples recorded by :func:`gradients_at_zero`).  Most come in two forms: a per-step
loop over one run, and a loop over steps vectorised across runs (the best one can do in NumPy for
Monte Carlo).  Those that take their random numbers as an argument (Adam's samples, the bilevel
oracle's normals) are test oracles when fed the kernel's numbers, and fair timing baselines when
fed NumPy's own.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from experiments.oracles import minibatch_field, oracle_args
from experiments.random import (
    numpy_normal,
    numpy_randint,
    numpy_uniform,
    numpy_ziggurat_normal,
    stream,
)


def sgd_least_squares_loop(A: np.ndarray, b: np.ndarray, x0: np.ndarray, gamma: float,
                           steps: int, seed: int, run: int = 0) -> np.ndarray:
    """SGD with a constant step on (1/n) sum_i 1/2 (a_i.x - b_i)^2, one run, step by step."""
    idx = numpy_randint(seed, run, steps, A.shape[0])
    x = x0.copy()
    for i in idx:
        x -= gamma * (A[i] @ x - b[i]) * A[i]
    return x


def sgd_least_squares_runs(A: np.ndarray, b: np.ndarray, x0: np.ndarray, gamma: float,
                           steps: int, seed: int, runs: int) -> np.ndarray:
    """The same for ``runs`` runs at once: one vectorised update per step.  Shape (runs, d)."""
    idx = np.stack([numpy_randint(seed, r, steps, A.shape[0]) for r in range(runs)], axis=1)
    X = np.tile(x0, (runs, 1))
    for k in range(steps):
        rows = A[idx[k]]
        X -= (gamma * (np.einsum("rd,rd->r", rows, X) - b[idx[k]]))[:, None] * rows
    return X


def adam(grad: Callable[[np.ndarray, int], np.ndarray], x0: np.ndarray, steps: int,
         gammas: np.ndarray, *, beta1: float, beta2: float, eps: float,
         bias_correction: bool = True, eps_inside: bool = False, amsgrad: bool = False,
         box: tuple[float, float] | None = None) -> np.ndarray:
    """Adam / AMSGrad [Kingma & Ba 2015; Reddi et al. 2018]: the iterates x_0, ..., x_steps.

    ``grad(x, t)`` is the gradient sample at x at the 1-based step t; ``gammas[t-1]`` the step.

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    x = np.array(x0, dtype=np.float64)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    vmax = np.zeros_like(x)
    out = [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if amsgrad:
            vmax = np.maximum(vmax, v)
        vv = vmax if amsgrad else v
        if bias_correction:
            mhat, vhat = m / (1 - beta1**t), vv / (1 - beta2**t)
        else:
            mhat, vhat = m, vv
        denom = np.sqrt(vhat + eps) if eps_inside else np.sqrt(vhat) + eps
        x = x - gammas[t - 1] * np.divide(mhat, denom, out=np.zeros_like(x), where=denom > 0)
        if box is not None:
            x = np.clip(x, box[0], box[1])
        out.append(x.copy())
    return np.array(out)


@njit(cache=True)
def _record(kind, A, b, p, d, steps, batch, seed, run):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    rng = stream(seed, run)
    x = np.zeros(d)
    scratch = np.empty(d)
    out = np.empty((steps, d))
    for k in range(steps):
        minibatch_field(kind, A, b, p, x, k + 1, batch, rng, out[k], scratch)
    return out


def gradients_at_zero(problem, steps: int, *, batch: int = 1, seed: int = 0,
                      run: int = 0) -> np.ndarray:
    """The oracle's samples at x = 0 for steps 1..steps, from the stream of (seed, run).

    A kernel run draws exactly these numbers in this order, so for a problem whose sample is
    affine in x with the identity as slope (the stochastic quadratics: g(x) = x - Xbar) the
    sample at x is x + G[t-1]; for the online linear problems it is G[t-1] itself.
    """
    kind, A, b, p = oracle_args(problem, "minibatch")
    return _record(kind, A, b, p, problem.x_star.size, int(steps), int(batch), np.uint64(seed),
                   int(run))


def adam_runs(G: np.ndarray, x0: float, gammas: np.ndarray, *, beta1: float, beta2: float,
              eps: float, bias_correction: bool = True) -> np.ndarray:
    """Scalar Adam on ``runs`` runs at once, one vectorised update per step: x_steps, shape (runs,).

    ``G`` (steps, runs) holds each run's gradient samples at x = 0, so that the sample at x is
    x + G[t-1] (a stochastic quadratic, see :func:`gradients_at_zero`); ``gammas[t-1]`` is the
    step at the 1-based step t.  Eps outside the root, as :func:`adam`.
    """
    steps, runs = G.shape
    x = np.full(runs, float(x0))
    m = np.zeros(runs)
    v = np.zeros(runs)
    for t in range(1, steps + 1):
        g = x + G[t - 1]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if bias_correction:
            mhat, vhat = m / (1 - beta1**t), v / (1 - beta2**t)
        else:
            mhat, vhat = m, v
        x = x - gammas[t - 1] * mhat / (np.sqrt(vhat) + eps)
    return x


def sop_normal_samples(mean: float, sd: float, steps: int, seed: int, runs: int) -> np.ndarray:
    """The samples at 0, g(0) = -X, of the normal stochastic quadratic (batch 1), shape (steps,
    runs): the numbers the Adam kernel draws (Box-Muller, ``experiments.random.normal``)."""
    return -np.stack([mean + sd * numpy_normal(seed, r, steps) for r in range(runs)], axis=1)


# --- variational inequalities: extragradient on an affine operator V(z) = M z + b --------------

def _additive_noise(noise: float, d: int, calls: int, seed: int, run: int) -> np.ndarray:
    """The noise the stochastic affine oracle adds on each of ``calls`` calls: (calls, d).

    Per call, one Box-Muller pair (u1, u2) per two coordinates: radius * cos for the first,
    radius * sin for the second (dropped for an odd last coordinate), as the kernel draws them.
    """
    pairs = (d + 1) // 2
    u = numpy_uniform(seed, run, calls * pairs * 2).reshape(calls, pairs, 2)
    radius = noise * np.sqrt(-2.0 * np.log(1.0 - u[..., 0]))
    angle = 2.0 * np.pi * u[..., 1]
    both = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)
    return both.reshape(calls, 2 * pairs)[:, :d]


def extragradient_loop(M: np.ndarray, b: np.ndarray, z0: np.ndarray, gamma: float, steps: int,
                       *, gamma_update: float | None = None, noise: float = 0.0, seed: int = 0,
                       run: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Extragradient [Korpelevich 1976] with constant steps on V(z) = M z + b, one run.

    z_{t+1/2} = z_t - gamma V(z_t),  z_{t+1} = z_t - gamma_update V(z_{t+1/2}), each V plus
    ``noise`` N(0, I) (the stochastic oracle).  Returns z_steps and the ergodic average of the
    leading points, sum_t gamma_update z_{t+1/2} / sum_t gamma_update.

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    g2 = gamma if gamma_update is None else gamma_update
    xi = _additive_noise(noise, b.size, 2 * steps, seed, run) if noise else None
    z = np.array(z0, dtype=np.float64)
    lead_sum = np.zeros_like(z)
    for t in range(steps):
        v = M @ z + b
        if xi is not None:
            v += xi[2 * t]
        lead = z - gamma * v
        v = M @ lead + b
        if xi is not None:
            v += xi[2 * t + 1]
        z = z - g2 * v
        lead_sum += lead
    return z, lead_sum / steps  # constant steps: the weighted average is the plain mean


def extragradient_runs(M: np.ndarray, b: np.ndarray, z0: np.ndarray, gamma: float, steps: int,
                       runs: int, *, gamma_update: float | None = None, noise: float = 0.0,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The same for ``runs`` runs at once (runs r = 0..runs-1 of ``seed``): shapes (runs, d).

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    g2 = gamma if gamma_update is None else gamma_update
    d = b.size
    xi = (np.stack([_additive_noise(noise, d, 2 * steps, seed, r) for r in range(runs)], axis=1)
          if noise else None)  # (2 steps, runs, d)
    Z = np.tile(np.asarray(z0, dtype=np.float64), (runs, 1))
    lead_sum = np.zeros_like(Z)
    for t in range(steps):
        V = Z @ M.T + b
        if xi is not None:
            V += xi[2 * t]
        lead = Z - gamma * V
        V = lead @ M.T + b
        if xi is not None:
            V += xi[2 * t + 1]
        Z = Z - g2 * V
        lead_sum += lead
    return Z, lead_sum / steps


# --- inexact bilevel SGD on the bilevel ridge problem (problems.bilevel) ------------------------

def bilevel_normals(d: int, steps: int, seed: int, runs: int) -> np.ndarray:
    """The standard normals the bilevel oracle draws, shape (steps, runs, d, 2): per step and
    coordinate j, the signal's then the noise's (``experiments.random.ziggurat_normal``)."""
    return np.stack([numpy_ziggurat_normal(seed, r, steps * d * 2).reshape(steps, d, 2)
                     for r in range(runs)], axis=1)


def inexact_bilevel_sgd_runs(signal_var: np.ndarray, noise_var: np.ndarray, theta0: np.ndarray,
                             alphas: np.ndarray, accuracies: np.ndarray, normals: np.ndarray
                             ) -> np.ndarray:
    """Inexact bilevel SGD on the bilevel ridge, every run at once: theta_steps, (runs, d).

    Step k (from 0): x = sqrt(s) N, y = x + sqrt(v) N', w = 1/(1 + e^theta), the inexact
    lower-level solution x_tilde = (1 - eps_k) w y, the hypergradient sample
    g = -(1 - w) x_tilde (x_tilde - x), theta -= alpha_k g.  ``normals`` (steps, runs, d, 2) are
    (N, N') per step, run and coordinate: :func:`bilevel_normals` for the kernel's, or any
    standard normals for timing.  Also the per-step loop of one run (runs = 1).
    """
    steps, runs = normals.shape[:2]
    theta = np.tile(np.asarray(theta0, dtype=np.float64), (runs, 1))
    rs, rv = np.sqrt(signal_var), np.sqrt(noise_var)
    for k in range(steps):
        x = rs * normals[k, :, :, 0]
        y = x + rv * normals[k, :, :, 1]
        w = 1.0 / (1.0 + np.exp(theta))
        xt = (1.0 - accuracies[k]) * w * y
        theta = theta - alphas[k] * (-(1.0 - w) * xt * (xt - x))
    return theta
