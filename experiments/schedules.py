"""Step-size schedules as plain data: a kind tag and a parameter vector.

A :class:`Schedule` is what a user writes; ``kernel_args()`` is what a numba kernel receives, and
:func:`step_size` evaluates it inside the kernel.  k counts steps from 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

CONSTANT = 0
POLYNOMIAL = 1
SWITCHING = 2
COSINE = 3


@njit(cache=True, inline="always")
def step_size(kind, params, k):
    if kind == CONSTANT:
        return params[0]
    if kind == POLYNOMIAL:  # gamma0 * (k + b)^-a
        return params[0] * (k + params[2]) ** (-params[1])
    if kind == SWITCHING:  # gamma0 for k < k0, then (2k+1)/((k+1)^2 mu)
        if k < params[1]:
            return params[0]
        return (2.0 * k + 1.0) / ((k + 1.0) ** 2 * params[2])
    # COSINE: gamma0/2 (1 + cos(pi k / T))
    return 0.5 * params[0] * (1.0 + np.cos(np.pi * min(k, params[1]) / params[1]))


@dataclass(frozen=True)
class Schedule:
    """A step-size schedule.  Build one with the constructors below."""

    kind: int
    params: tuple[float, ...]
    text: str

    def kernel_args(self) -> tuple[int, np.ndarray]:
        return self.kind, np.asarray(self.params, dtype=np.float64)

    def __call__(self, k: np.ndarray | int) -> np.ndarray:
        """Evaluate in Python (for plots and tests)."""
        kind, params = self.kernel_args()
        return np.array([step_size(kind, params, int(i)) for i in np.atleast_1d(k)])

    def __str__(self) -> str:
        return self.text


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def constant(gamma: float) -> Schedule:
    return Schedule(CONSTANT, (_positive("gamma", gamma),), f"{gamma:.4g}")


def polynomial(gamma0: float, a: float, b: float = 1.0) -> Schedule:
    """gamma_k = gamma0 (k + b)^-a, with a >= 0 and b > 0."""
    if not 0 <= a <= 10:
        raise ValueError(f"a must lie in [0, 10], got {a!r}")
    return Schedule(POLYNOMIAL, (_positive("gamma0", gamma0), float(a), _positive("b", b)),
                    f"{gamma0:.4g}(k+{b:g})^-{a:g}")


def switching(gamma0: float, k0: int, mu: float) -> Schedule:
    """Constant gamma0 for k < k0, then (2k+1)/((k+1)^2 mu) [Gower et al. 2019, Thm 3.2]."""
    if k0 < 0:
        raise ValueError(f"k0 must be >= 0, got {k0!r}")
    return Schedule(SWITCHING, (_positive("gamma0", gamma0), float(k0), _positive("mu", mu)),
                    f"{gamma0:.4g} until k={k0}, then (2k+1)/((k+1)^2 mu)")


def cosine(gamma0: float, horizon: int) -> Schedule:
    return Schedule(COSINE, (_positive("gamma0", gamma0), _positive("horizon", horizon)),
                    f"cosine({gamma0:.4g}, T={horizon})")
