"""Plain NumPy implementations of the kernels: test oracles and the benchmark's baseline.

Written the textbook way, one step at a time, with none of the kernels' rearrangements, so that
agreement to rounding error means a kernel computes what its docstring says.  They draw the same
counter-based random numbers as the numba kernels (experiments.random's NumPy twins, or the
oracle's own samples recorded by :func:`gradients_at_zero`).  The SGD reference comes in two
forms: a per-step loop over one run, and a loop over steps vectorised across runs (the best one
can do in NumPy for Monte Carlo).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from experiments.oracles import minibatch_field, oracle_args
from experiments.random import numpy_randint, stream


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
    """
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
