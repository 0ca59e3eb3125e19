"""Stochastic quadratics computed by n workers, f of them Byzantine, with an attack law.

The base problem is a stochastic quadratic f(x) = E 1/2 ||x - X||^2 with X ~ N(x*, sd^2 I)
(problems.stochastic, law ``normal``): an honest worker sends g_i = x - X_i, an unbiased
gradient with noise N(0, sd^2 I).  The f Byzantine workers send vectors chosen by an attack law
that sees everything (the honest vectors of the step, x and x*):

* ``omniscient``: all f send the same b, chosen so that the *mean* of the n vectors is
  x - x* + shift 1, the gradient of 1/2 ||x - (x* - shift 1)||^2: averaging then steers SGD to
  the wrong point x* - shift 1, at squared distance shift^2 d from x* (after the omniscient
  attacker of Blanchard et al., arXiv 1703.02757, Section 5; the exact law is *inferred*);
* ``colluding``: all f send the honest mean minus shift 1: identical vectors, each other's
  nearest neighbours, close to the honest cloud.

Known answer: x* of the base problem (a resilient aggregation rule converges to it).
Every generator validates its arguments: a ValueError names the argument and the accepted range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems.arguments import count, real
from problems.stochastic import StochasticQuadratic, stochastic_quadratic

ATTACKS = ("omniscient", "colluding")
DEFAULT_SHIFT = {"omniscient": 1.0, "colluding": 5.0}
"""The attacks' offsets: the wrong point x* - 1, the colluders' honest mean - 5 1."""


@dataclass(frozen=True)
class ByzantineWorkers:
    """n workers on ``base``, ``f`` of them Byzantine with law ``attack`` (the kernels put
    them first)."""

    base: StochasticQuadratic
    n: int
    f: int
    attack: str
    shift: float

    @property
    def x_star(self) -> np.ndarray:
        return self.base.x_star

    @property
    def d(self) -> int:
        return self.base.d

    @property
    def sd(self) -> float:
        return math.sqrt(self.base.variance)

    @property
    def attack_code(self) -> int:
        return ATTACKS.index(self.attack)

    @property
    def krum_resilient(self) -> bool:
        """n > 2f + 2: the condition of Krum's resilience [Blanchard et al., Proposition 1]."""
        return self.n > 2 * self.f + 2

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        return self.base.suboptimality(x)

    def byzantine_vector(self, x: np.ndarray, honest: np.ndarray) -> np.ndarray:
        """The vector every Byzantine worker sends, given the honest ones (n - f, d)."""
        x = np.asarray(x, dtype=float)
        if self.attack == "colluding":
            return honest.mean(axis=0) - self.shift
        target = x - self.x_star + self.shift  # the mean the attackers impose
        return (self.n * target - honest.sum(axis=0)) / self.f


def byzantine_workers(n: int = 20, f: int = 1, attack: str = "omniscient", d: int = 10,
                      sd: float = 1.0, shift: float | None = None, x_star: float = 1.0
                      ) -> ByzantineWorkers:
    """``n`` workers (``f`` Byzantine, 1 <= f < n) on 1/2 E||x - X||^2, X ~ N(x_star 1, sd^2 I)
    in R^d; ``shift`` sets the attack's offset (the wrong point, or the colluders' offset;
    default ``DEFAULT_SHIFT``)."""
    n = count("n", n, 2, 10**4)
    f = count("f", f, 1, n - 1)
    if attack not in ATTACKS:
        raise ValueError(f"attack must be one of {', '.join(ATTACKS)}, got {attack!r}")
    base = stochastic_quadratic("normal", count("d", d, 1, 10**5),
                                mean=real("x_star", x_star), sd=real("sd", sd, 0.0, math.inf,
                                                                    low_open=True))
    shift = DEFAULT_SHIFT[attack] if shift is None else real("shift", shift, 0.0, math.inf)
    return ByzantineWorkers(base=base, n=n, f=f, attack=attack, shift=shift)
