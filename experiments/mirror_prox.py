"""Nash mirror prox (Nash-MP) on regularised preference games, in self-play.

With the operator pi -> P pi (each action's win rate against pi), reference mu, step eta and
regularisation beta, one iteration makes two exact mirror (entropy-prox) steps from pi_k:

    pi_{k+1/2} = argmax_pi  eta <pi, P pi_k>       - eta beta KL(pi || mu) - KL(pi || pi_k)
    pi_{k+1}   = argmax_pi  eta <pi, P pi_{k+1/2}> - eta beta KL(pi || mu) - KL(pi || pi_k)

both softmaxes: log pi <- (log pi_k + eta beta log mu + eta P pi_play) / (1 + eta beta) - const
[Tiapkin et al., arXiv 2505.19731, Nash-MP with exact steps].  Two preference queries (matrix-
vector products) per iteration; the numba kernel works in log-policies and records policies.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from experiments.run import FASTMATH, Run, validate_checkpoints


@njit(cache=True, inline="always")
def _prox(P, log_anchor, log_mu, play, eta, beta, out):
    """out = log softmax((log_anchor + eta beta log mu + eta P play) / (1 + eta beta))."""
    n = out.size
    top = -np.inf
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += P[i, j] * play[j]
        out[i] = (log_anchor[i] + eta * beta * log_mu[i] + eta * acc) / (1.0 + eta * beta)
        top = max(top, out[i])
    total = 0.0
    for i in range(n):
        total += np.exp(out[i] - top)
    shift = top + np.log(total)
    for i in range(n):
        out[i] -= shift


@njit(cache=True, fastmath=FASTMATH)
def _nash_mp(P, log_mu, eta, beta, checkpoints, width):
    n = log_mu.size
    K = checkpoints.size
    out = np.zeros((K, width))
    log_pi = log_mu.copy()
    half = np.empty(n)
    play = np.empty(n)
    diverged_at = -1
    j = 0
    for k in range(checkpoints[-1] + 1):
        if k == checkpoints[j]:
            for i in range(n):
                out[j, i] = np.exp(log_pi[i])
            j += 1
            if j == K:
                break
        for i in range(n):
            play[i] = np.exp(log_pi[i])
        _prox(P, log_pi, log_mu, play, eta, beta, half)
        for i in range(n):
            play[i] = np.exp(half[i])
        _prox(P, log_pi, log_mu, play, eta, beta, log_pi)
        if not np.isfinite(log_pi[0]):
            diverged_at = k + 1
            out[j:, :] = np.nan
            break
    return out, diverged_at


def nash_mirror_prox(games, eta: float, beta: float, horizon: int, *,
                     checkpoints: np.ndarray | None = None) -> Run:
    """Nash-MP from the reference policy on every game of a ``PreferenceGames``: iterates are
    the policies (games, K, width), zero-padded past each game's |A|."""
    c = (np.arange(horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    R = len(games.games)
    iterates = np.zeros((R, c.size, games.width))
    diverged_at = np.full(R, -1, dtype=np.int64)
    for r, g in enumerate(games.games):
        iterates[r], diverged_at[r] = _nash_mp(np.ascontiguousarray(g.P), np.log(g.mu),
                                               float(eta), float(beta), c, games.width)
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
