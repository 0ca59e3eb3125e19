"""Hypergradients of bilevel ridge regression: unrolled GD and reverse mode, CG, a penalty.

The problem (:mod:`problems.ridge_bilevel`): g(w, lambda) = ||Xw - y||^2/(2n) + (e^lambda/2)||w||^2,
grad_w g = H w - b with H = A + e^lambda I, and an outer loss F(w) on validation data.

* Inner GD, w_{t+1} = w_t - alpha (H w_t - b), from w_0 (default 0), for a number of steps or
  until ||grad g|| <= tol; the kernel keeps the inputs w_t of the last ``keep`` steps.
* Reverse mode through the last K steps [Shaban et al., arXiv 1810.10667]: with
  p_T = grad F(w_T) and p_t = (I - alpha H) p_{t+1},

      h_K = sum_{t = T-K}^{T-1} p_{t+1}^T dw_{t+1}/dlambda,
      dw_{t+1}/dlambda = -alpha e^lambda w_t - alpha'(lambda) (H w_t - b),

  recorded for every K in ``checkpoints``; alpha' = 0 for a fixed step, -e^lambda alpha^2 for
  alpha = 1/(lambda_max(A) + e^lambda) (the unrolled problem's step, which follows lambda).
  From w_t = w* for every t it is the Neumann series: h_K = -e^lambda alpha w*^T
  sum_{j<K} (I - alpha H)^j grad F(w*) [Lorraine et al., arXiv 1911.02590].
* The inexact implicit hypergradient [Salehi et al., arXiv 2308.10098]: GD to ||grad g|| <= eps,
  then conjugate gradients on H q = grad F(w) to ||H q - grad F(w)|| <= delta, h = -e^lambda w^T q.
* The unrolled problem [Franceschi et al., arXiv 1806.04910]: f_T(lambda) = F(w_T(lambda)),
  w_T after T steps of GD from 0; lambda_T its minimiser on an interval, where the reverse-mode
  derivative through all T steps changes sign (Brent's method on it).
* The penalty surrogate of F2SA [Kwon et al., arXiv 2301.10945]: with w_sigma = argmin F + sigma g
  and z = argmin g, grad F(w_sigma)_lambda + sigma (d_lambda g(w_sigma) - d_lambda g(z))
  = sigma e^lambda (||w_sigma||^2 - ||z||^2) / 2 (F does not depend on lambda).

Why numba for GD and reverse mode: 3000 inner steps per hypergradient and 2560 unrolled steps per
evaluation of a 1-D search (about 100 evaluations), each a d x d matvec with d = 20..30: numpy's
per-call overhead (a microsecond per operation) would be most of the time.  CG (at most a few d
iterations) and the penalty's exact solves (two dense d x d systems) are numpy: a handful of
calls, and ``numpy.linalg.solve`` is the exact solve the claims ask for.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import brentq

from experiments.run import FASTMATH, Run, diverging, validate_checkpoints


@njit(cache=True, fastmath=FASTMATH)
def _descend(H, b, w0, alpha, steps, tol, keep):
    """GD on 1/2 w^T H w - b^T w: (w, inputs of the last ``keep`` steps oldest first, steps taken,
    ||grad|| at w, diverged_at or -1).  Stops early when tol > 0 and ||H w - b|| <= tol."""
    d = w0.size
    w = w0.copy()
    g = np.empty(d)
    ring = np.empty((max(keep, 1), d))
    taken = 0
    diverged = -1
    gnorm = math.inf
    for t in range(steps + 1):
        sq = 0.0
        for i in range(d):
            s = -b[i]
            for j in range(d):
                s += H[i, j] * w[j]
            g[i] = s
            sq += s * s
        gnorm = math.sqrt(sq)
        if t == steps or (tol > 0.0 and gnorm <= tol):
            break
        if keep > 0:
            ring[t % keep, :] = w
        sq = 0.0
        for i in range(d):
            w[i] -= alpha * g[i]
            sq += w[i] * w[i]
        taken = t + 1
        if diverging(sq):
            diverged = t + 1
            break
    m = min(keep, taken)
    trajectory = np.empty((m, d))
    for j in range(m):
        trajectory[j, :] = ring[(taken - m + j) % keep]
    return w, trajectory, taken, gnorm, diverged


@njit(cache=True, fastmath=FASTMATH)
def _reverse(H, b, alpha, dalpha, reg, trajectory, grad_out, checkpoints):
    """Reverse mode through the last K steps of ``trajectory`` (inputs w_t, oldest first), from
    p = grad F(w_T): the truncated hypergradient h_K for each K in ``checkpoints``."""
    m, d = trajectory.shape
    out = np.full(checkpoints.size, np.nan)
    p = grad_out.copy()
    q = np.empty(d)
    h = 0.0
    c = 0
    if checkpoints[0] == 0:
        out[0] = 0.0
        c = 1
    for j in range(min(m, checkpoints[-1])):
        wp = 0.0
        gp = 0.0
        for i in range(d):
            s = -b[i]
            for k in range(d):
                s += H[i, k] * trajectory[m - 1 - j, k]
            wp += trajectory[m - 1 - j, i] * p[i]
            gp += s * p[i]
        h += -alpha * reg * wp - dalpha * gp
        for i in range(d):
            s = 0.0
            for k in range(d):
                s += H[i, k] * p[k]
            q[i] = p[i] - alpha * s
        p[:] = q
        if c < checkpoints.size and j + 1 == checkpoints[c]:
            out[c] = h
            c += 1
    return out


@njit(cache=True, fastmath=FASTMATH)
def _unrolled(A, b, A_val, b_val, c_val, lam, lmax, steps, with_slope):
    """f_T(lambda) = F(w_T) and (``with_slope``) its derivative by reverse mode through all T
    steps from 0, with the step alpha = 1/(lmax + e^lambda) that follows lambda.

    Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = b.size
    reg = math.exp(lam)
    alpha = 1.0 / (lmax + reg)
    H = A.copy()
    for i in range(d):
        H[i, i] += reg
    keep = steps if with_slope else 0
    w, trajectory, taken, gnorm, diverged = _descend(H, b, np.zeros(d), alpha, steps, 0.0, keep)
    grad = np.empty(d)
    value = c_val
    for i in range(d):
        s = -b_val[i]
        for k in range(d):
            s += A_val[i, k] * w[k]
        grad[i] = s
        value += 0.5 * w[i] * (s - b_val[i])
    if not with_slope:
        return value, np.nan
    h = _reverse(H, b, alpha, -reg * alpha * alpha, reg, trajectory, grad,
                 np.array([steps], dtype=np.int64))
    return value, h[0]


def _one(value: float, at: int, diverged: int, seed: int) -> Run:
    """A run that records one number (a hypergradient, a minimiser) at one checkpoint."""
    return Run(checkpoints=np.array([at], dtype=np.int64),
               iterates=np.full((1, 1, 1), value if diverged < 0 else np.nan),
               diverged_at=np.array([diverged], dtype=np.int64), seed=seed)


def _start(problem, w0: np.ndarray | None) -> np.ndarray:
    if w0 is None:
        return np.zeros(problem.d)
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.shape != (problem.d,) or not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be a finite array of shape ({problem.d},), got {w0!r}")
    return w0


def truncated_backprop(problem, step: float, inner_steps: int, checkpoints: np.ndarray, *,
                       w0: np.ndarray | None = None, seed: int = 0) -> Run:
    """``inner_steps`` of GD with ``step``, then reverse mode through the last K of them for each
    K in ``checkpoints`` (at most ``inner_steps``): a Run whose iterates (1, K, 1) are h_K."""
    c = validate_checkpoints(checkpoints)
    if c[-1] > inner_steps:
        raise ValueError(f"truncation K = {c[-1]} exceeds the {inner_steps} inner steps")
    H, b, reg = problem.hessian(), problem.b, math.exp(problem.log_reg)
    w, trajectory, _, _, diverged = _descend(H, b, _start(problem, w0), float(step),
                                             int(inner_steps), 0.0, int(c[-1]))
    if diverged >= 0:
        return Run(c, np.full((1, c.size, 1), np.nan), np.array([diverged]), seed)
    h = _reverse(H, b, float(step), 0.0, reg, trajectory, problem.outer_gradient(w), c)
    return Run(c, h.reshape(1, c.size, 1), np.array([-1]), seed)


def reverse_from(problem, step: float, w: np.ndarray, checkpoints: np.ndarray) -> np.ndarray:
    """Reverse mode through K steps that all sat at ``w`` (e.g. w*): h_K for each checkpoint."""
    c = validate_checkpoints(checkpoints)
    trajectory = np.repeat(np.asarray(w, dtype=np.float64)[None, :], max(int(c[-1]), 1), axis=0)
    return _reverse(problem.hessian(), problem.b, float(step), 0.0, math.exp(problem.log_reg),
                    trajectory, problem.outer_gradient(w), c)


def conjugate_gradient(H: np.ndarray, rhs: np.ndarray, tol: float,
                       max_iter: int) -> tuple[np.ndarray, int, float]:
    """CG on H q = rhs from q = 0 until ||H q - rhs|| <= tol: (q, iterations, residual norm)."""
    q = np.zeros_like(rhs)
    r = rhs.copy()
    p = r.copy()
    rr = float(r @ r)
    it = 0
    while math.sqrt(rr) > tol and it < max_iter:
        Hp = H @ p
        a = rr / float(p @ Hp)
        q += a * p
        r -= a * Hp
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
        it += 1
    return q, it, math.sqrt(rr)


def inexact_hypergradient(problem, eps: float, delta: float, step: float, max_steps: int, *,
                          w0: np.ndarray | None = None, seed: int = 0) -> Run:
    """GD with ``step`` to ||grad g|| <= eps, CG to residual <= delta, h = -e^lambda w^T q: a Run
    recording h (1, 1, 1) at the number of GD steps taken."""
    H, b, reg = problem.hessian(), problem.b, math.exp(problem.log_reg)
    w, _, taken, _, diverged = _descend(H, b, _start(problem, w0), float(step), int(max_steps),
                                        float(eps), 0)
    if diverged >= 0:
        return _one(math.nan, taken, diverged, seed)
    q, _, _ = conjugate_gradient(H, problem.outer_gradient(w), float(delta), 10 * problem.d)
    return _one(-reg * float(w @ q), taken, -1, seed)


def penalty_surrogate(problem, sigma: float, inner_tol: float, max_steps: int,
                      seed: int = 0) -> Run:
    """sigma e^lambda (||w_sigma||^2 - ||z||^2)/2: exact solves (inner_tol = 0, numpy) or GD from 0
    at step 1/L to ||grad|| <= inner_tol (of g for z, of g + F/sigma for w_sigma)."""
    reg = math.exp(problem.log_reg)
    H, b = problem.hessian(), problem.b
    H_pen, b_pen = H + problem.A_val / sigma, b + problem.b_val / sigma  # grad of g + F/sigma
    if inner_tol == 0.0:
        z, w, taken, diverged = np.linalg.solve(H, b), np.linalg.solve(H_pen, b_pen), 0, -1
    else:
        zero = np.zeros(problem.d)
        z, _, t1, _, d1 = _descend(H, b, zero, 1.0 / np.linalg.eigvalsh(H)[-1], max_steps,
                                   inner_tol, 0)
        w, _, t2, _, d2 = _descend(H_pen, b_pen, zero, 1.0 / np.linalg.eigvalsh(H_pen)[-1],
                                   max_steps, inner_tol, 0)
        taken, diverged = max(t1, t2), max(d1, d2)
    # (w - z).(w + z): no cancellation between two nearly equal squared norms
    return _one(0.5 * sigma * reg * float((w - z) @ (w + z)), taken, diverged, seed)


def unrolled_objective(problem, lam: float, steps: int,
                       slope: bool = True) -> tuple[float, float]:
    """(f_T(lambda), f_T'(lambda)) of T = ``steps`` unrolled GD steps from 0 at 1/L(lambda)
    (the derivative NaN unless ``slope``)."""
    lmax = float(np.linalg.eigvalsh(problem.A)[-1])
    c_val = 0.5 * float(problem.y_val @ problem.y_val) / problem.n_val
    value, grad = _unrolled(problem.A, problem.b, problem.A_val, problem.b_val, c_val,
                            float(lam), lmax, int(steps), bool(slope))
    return float(value), float(grad)


def unrolled_argmin(problem, steps: int, low: float, high: float, grid: int = 25) -> float:
    """lambda_T = argmin of f_T on [low, high]: the best of ``grid`` points, refined by Brent's
    method on the reverse-mode derivative in the cell around it (an end when f_T is monotone
    there)."""
    lams = np.linspace(low, high, grid)
    values = [unrolled_objective(problem, lam, steps, slope=False)[0] for lam in lams]
    j = int(np.argmin(values))

    def slope(lam: float) -> float:
        return unrolled_objective(problem, lam, steps)[1]

    left, right = lams[max(j - 1, 0)], lams[min(j + 1, grid - 1)]
    s_left, s_right = slope(left), slope(right)
    if s_left < 0 < s_right:  # an interior minimum in the cell
        mid = lams[j]
        s_mid = slope(mid)
        a, b = (left, mid) if s_mid > 0 else (mid, right)
        if s_mid == 0.0:
            return float(mid)
        return float(brentq(slope, a, b, xtol=1e-13, rtol=1e-15))
    return float(lams[j])
