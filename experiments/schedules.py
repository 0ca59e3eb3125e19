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
PIECEWISE = 4


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
    if kind == PIECEWISE:  # params = [n, b_1 .. b_{n-1}, v_0 .. v_{n-1}]: v_s on [b_s, b_{s+1})
        n = int(params[0])
        s = 0
        while s < n - 1 and k >= params[1 + s]:
            s += 1
        return params[n + s]
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


def piecewise(values, boundaries) -> Schedule:
    """values[s] for boundaries[s - 1] <= k < boundaries[s] (a step-decay schedule, or a
    momentum retuned per stage): ``boundaries`` are the steps where a new stage starts, strictly
    increasing integers >= 1, one fewer than ``values``."""
    vals = [_positive(f"values[{i}]", v) for i, v in enumerate(values)]
    if not vals:
        raise ValueError("values must hold at least one stage value")
    bounds = list(boundaries)
    if len(bounds) != len(vals) - 1:
        raise ValueError(f"boundaries must hold len(values) - 1 = {len(vals) - 1} steps, "
                         f"got {len(bounds)}")
    for i, b in enumerate(bounds):
        if isinstance(b, bool) or int(b) != b or b < 1:
            raise ValueError(f"boundaries[{i}] must be an integer >= 1, got {b!r}")
    if any(b1 >= b2 for b1, b2 in zip(bounds[:-1], bounds[1:], strict=True)):
        raise ValueError(f"boundaries must be strictly increasing, got {bounds!r}")
    params = (float(len(vals)), *(float(b) for b in bounds), *vals)
    text = f"piecewise({len(vals)} stages: {vals[0]:.4g} .. {vals[-1]:.4g})"
    return Schedule(PIECEWISE, params, text)


def stage_boundaries(horizon: int, stages: int) -> list[int]:
    """Where ``stages`` stages of (nearly) equal length start in ``horizon`` steps."""
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if isinstance(stages, bool) or int(stages) != stages or not 1 <= stages <= horizon:
        raise ValueError(f"stages must be an integer in [1, horizon={horizon}], got {stages!r}")
    return [int(round(s * horizon / stages)) for s in range(1, int(stages))]


def step_decay(gamma0: float, horizon: int, stages: int, factor: float = 0.5) -> Schedule:
    """gamma0 factor^s in stage s of ``stages`` equal stages over ``horizon`` steps [Ge, Kakade,
    Kidambi, Netrapalli 2019, arXiv 1904.12838: log2 T stages, the step halved each stage]."""
    if not 0 < factor <= 1:
        raise ValueError(f"factor must lie in (0, 1], got {factor!r}")
    gamma0 = _positive("gamma0", gamma0)
    bounds = stage_boundaries(horizon, stages)
    return piecewise([gamma0 * factor**s for s in range(int(stages))], bounds)
