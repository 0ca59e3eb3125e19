"""Distributed gradient descent with compressed worker messages, naive or with error feedback.

n workers each send C(message) to a server that averages them:

* naive:  x_{k+1} = x_k - gamma (1/n) sum_i C(grad f_i(x_k));
* EF14 (error feedback, Seide et al. 2014; the form of Stich, Cordonnier & Jaggi 2018,
  arXiv 1809.07599): p_i = e_i + gamma grad f_i(x_k), g_i = C(p_i), e_i <- p_i - g_i,
  x_{k+1} = x_k - (1/n) sum_i g_i.

Compressors: ``top1`` keeps the largest-magnitude coordinate (ties: the first) and zeroes the
rest, a contractive but biased map; ``identity`` sends the message unchanged.

Deterministic and tiny (a few workers in R^3, a few hundred steps): a NumPy loop takes
milliseconds, where a numba kernel would only add its compile time.
"""

from __future__ import annotations

import numpy as np

from experiments.run import DIVERGENCE_LIMIT, Run, validate_checkpoints

COMPRESSORS = ("top1", "identity")


def compress(name: str, messages: np.ndarray) -> np.ndarray:
    """Each row of ``messages`` (n, d) through compressor ``name``."""
    if name == "identity":
        return messages.copy()
    out = np.zeros_like(messages)
    rows = np.arange(messages.shape[0])
    keep = np.argmax(np.abs(messages), axis=1)
    out[rows, keep] = messages[rows, keep]
    return out


def compressed_gd(problem, step: float, horizon: int, *, compressor: str = "top1",
                  error_feedback: bool = False, x0: np.ndarray | None = None,
                  checkpoints: np.ndarray | None = None) -> Run:
    """One deterministic run from ``x0`` (default: the all-ones vector), recorded at
    ``checkpoints`` (default: every step)."""
    if compressor not in COMPRESSORS:
        raise ValueError(f"compressor must be one of {', '.join(COMPRESSORS)}, got "
                         f"{compressor!r}")
    d = problem.d
    x = np.ones(d) if x0 is None else np.array(x0, dtype=float).reshape(-1)
    if x.shape != (d,) or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a finite vector of shape ({d},), got shape {x.shape}")
    c = (np.arange(horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    iterates = np.full((1, c.size, d), np.nan)
    diverged_at = np.full(1, -1, dtype=np.int64)
    error = np.zeros((problem.workers, d))
    j = 0
    if c[0] == 0:
        iterates[0, 0] = x
        j = 1
    for k in range(int(c[-1])):
        grads = problem.worker_gradients(x)
        if error_feedback:
            messages = error + step * grads
            sent = compress(compressor, messages)
            error = messages - sent
            x = x - sent.mean(axis=0)
        else:
            x = x - step * compress(compressor, grads).mean(axis=0)
        if not float(x @ x) < DIVERGENCE_LIMIT:
            diverged_at[0] = k + 1
            break
        if j < c.size and k + 1 == c[j]:
            iterates[0, j] = x
            j += 1
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
