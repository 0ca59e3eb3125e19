"""Preference games on the simplex: the game of Nash learning from human feedback.

A preference matrix P over |A| actions, P_ij = Pr(action i is preferred to j) = 1/2 + S_ij with S
antisymmetric, S_ij ~ U(-1/2, 1/2) for i < j (so P_ij + P_ji = 1, P_ii = 1/2).  Two policies
play the symmetric zero-sum game pi^T P pi'; the beta-regularised game subtracts
beta KL(pi || mu) from each player's payoff (mu the reference policy, here uniform):

    max_pi min_pi'  pi^T P pi' - beta KL(pi || mu) + beta KL(pi' || mu).

Its unique equilibrium is symmetric, the fixed point pi*_beta = softmax(log mu + P pi*_beta / beta)
(each policy the regularised best response to the other).  Known answers, computed here once per
game and cached:

* beta > 0: pi*_beta by ``REFERENCE_STEPS`` exact mirror-prox steps with step eta = 2 (the
  contraction of the regularised game; stopped early once the log-policy no longer changes by
  more than 1e-15), with its fixed-point residual as certificate;
* beta = 0: the Nash equilibrium by linear programming (scipy's HiGHS): max v s.t. S^T pi >= v,
  pi in the simplex (the value is 0 for an antisymmetric S).

Every generator validates its arguments: a ValueError names the argument and the accepted range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numba import njit
from scipy.optimize import linprog
from scipy.special import logsumexp

from problems.arguments import count, real

REFERENCE_STEPS = 300
REFERENCE_ETA = 2.0
SIZES = (10, 100, 1000)


@dataclass(frozen=True)
class PreferenceGame:
    """One game: P = 1/2 + S (|A| x |A|), the reference ``mu`` (uniform) and ``beta``."""

    P: np.ndarray
    beta: float
    seed: int
    mu: np.ndarray = field(repr=False)

    @property
    def actions(self) -> int:
        return self.P.shape[0]

    @property
    def S(self) -> np.ndarray:
        return self.P - 0.5

    @property
    def L(self) -> float:
        """Lipschitz constant of pi -> P pi from l1 to l_inf on the simplex: max |S_ij|."""
        return float(np.abs(self.S).max())

    def equilibrium(self) -> np.ndarray:
        """pi*_beta (cached per game)."""
        return _equilibrium(self)

    def residual(self, pi: np.ndarray) -> float:
        """How far ``pi`` is from equilibrium: for beta > 0 the distance to its own regularised
        best response in log-policy, max_i |log pi_i - log softmax(log mu + P pi / beta)_i|;
        for beta = 0 the exploitability max_i (P pi)_i - 1/2.  Both are 0 at pi*_beta."""
        if self.beta == 0:
            return float((self.P @ pi).max() - 0.5)
        z = np.log(self.mu) + self.P @ pi / self.beta
        return float(np.max(np.abs(np.log(pi) - (z - logsumexp(z)))))


@dataclass(frozen=True)
class PreferenceGames:
    """The games of one experiment: ``per_size`` matrices for each number of actions."""

    games: tuple[PreferenceGame, ...]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([g.actions for g in self.games])

    @property
    def width(self) -> int:
        """The largest |A|: policies of smaller games are padded with zeros to it."""
        return int(self.sizes.max())

    @property
    def x_star(self) -> np.ndarray:
        """pi*_beta of every game, zero-padded: (games, width)."""
        out = np.zeros((len(self.games), self.width))
        for r, g in enumerate(self.games):
            out[r, :g.actions] = g.equilibrium()
        return out


@njit(cache=True, fastmath={"reassoc", "contract"})
def _reference_steps(P, log_mu, eta, beta, steps):
    """Exact Nash-MP steps in log-policies from mu, stopped once log pi moves < 1e-15.

    Written here, apart from the method's kernel, so that the kernel is checked against
    independent code; a numba loop because BLAS threads thrash on a loaded machine (a 1000 x
    1000 product took 8 ms threaded against 0.3 ms on one thread)."""
    n = log_mu.size
    log_pi = log_mu.copy()
    half = np.empty(n)
    new = np.empty(n)
    play = np.empty(n)
    for _ in range(steps):
        for stage in range(2):
            src = log_pi if stage == 0 else half
            dst = half if stage == 0 else new
            for i in range(n):
                play[i] = np.exp(src[i])
            top = -np.inf
            for i in range(n):
                acc = 0.0
                for j in range(n):
                    acc += P[i, j] * play[j]
                dst[i] = (log_pi[i] + eta * beta * log_mu[i] + eta * acc) / (1.0 + eta * beta)
                top = max(top, dst[i])
            total = 0.0
            for i in range(n):
                total += np.exp(dst[i] - top)
            shift = top + np.log(total)
            for i in range(n):
                dst[i] -= shift
        moved = 0.0
        for i in range(n):
            moved = max(moved, abs(new[i] - log_pi[i]))
            log_pi[i] = new[i]
        if moved < 1e-15:
            break
    return log_pi


def _equilibrium(game: PreferenceGame) -> np.ndarray:
    return _cached_equilibrium(game.actions, game.seed, game.beta)


@lru_cache(maxsize=64)
def _cached_equilibrium(actions: int, seed: int, beta: float) -> np.ndarray:
    P = _matrix(actions, seed)
    if beta == 0:
        n = actions
        S = P - 0.5
        res = linprog(np.r_[np.zeros(n), -1.0], A_ub=np.hstack([-S.T, np.ones((n, 1))]),
                      b_ub=np.zeros(n), A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[1.0],
                      bounds=[(0, None)] * n + [(None, None)], method="highs")
        if not res.success:
            raise RuntimeError(f"the Nash LP failed: {res.message}")
        pi = np.maximum(res.x[:n], 0.0)
        pi /= pi.sum()
    else:
        log_mu = np.full(actions, -np.log(actions))
        pi = np.exp(_reference_steps(P, log_mu, REFERENCE_ETA, beta, REFERENCE_STEPS))
    pi.setflags(write=False)
    return pi


@lru_cache(maxsize=64)
def _matrix(actions: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, actions])
    upper = np.triu(rng.uniform(-0.5, 0.5, (actions, actions)), 1)
    P = 0.5 + upper - upper.T
    P.setflags(write=False)
    return P


def preference_game(actions: int = 10, beta: float = 0.1, seed: int = 0) -> PreferenceGame:
    """One game with ``actions`` >= 2 actions, regularisation ``beta`` >= 0, uniform mu."""
    actions = count("actions", actions, 2, 5000)
    beta = real("beta", beta, 0.0, 100.0)
    seed = count("seed", seed, 0)
    return PreferenceGame(P=_matrix(actions, seed), beta=beta, seed=seed,
                          mu=np.full(actions, 1.0 / actions))


def preference_games(beta: float = 0.1, per_size: int = 3, largest: int = 1000,
                     seed: int = 0) -> PreferenceGames:
    """``per_size`` games for each |A| in (10, 100, 1000) up to ``largest``; game j of size n
    has the seed ``seed * per_size + j`` (matrices differ across sizes by the size too)."""
    per_size = count("per_size", per_size, 1, 100)
    largest = count("largest", largest, SIZES[0], 5000)
    seed = count("seed", seed, 0)
    sizes = [n for n in SIZES if n <= largest]
    return PreferenceGames(tuple(preference_game(n, beta, seed * per_size + j)
                                 for n in sizes for j in range(per_size)))
