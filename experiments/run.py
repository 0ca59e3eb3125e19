"""What a Monte Carlo run of a method returns, and the checkpoints it records at.

A kernel records the iterate after k steps for every k in ``checkpoints`` (log-spaced by default,
so that a power law gets evenly weighted points on a log axis) for each of R runs.  A run whose
iterate leaves the finite range (||x||^2 > DIVERGENCE_LIMIT or NaN) stops at that step; its later
records are NaN and ``diverged_at`` says where it stopped, so no fit ever sees a non-finite value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

DIVERGENCE_LIMIT = 1e100

FASTMATH = {"reassoc", "contract"}
"""The fast-math flags the kernels may use: reassociation lets LLVM vectorise reductions (dot
products, the squared norm of the divergence check) and contraction fuses multiply-adds.  The
no-NaN / no-inf flags stay off, so the divergence check ``not (sq < limit)`` is never optimised
away.  Results stay deterministic (same code, same order) but differ from NumPy in the last bits."""


def log_checkpoints(horizon: int, per_decade: int = 10, start: int = 1) -> np.ndarray:
    """Distinct integers from ``start`` to ``horizon``, about ``per_decade`` per decade."""
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon!r}")
    if not 1 <= start <= horizon:
        raise ValueError(f"start must lie in [1, horizon={horizon}], got {start!r}")
    n = max(2, int(np.ceil(per_decade * np.log10(horizon / start))) + 1)
    return np.unique(np.round(np.geomspace(start, horizon, n)).astype(np.int64))


def validate_checkpoints(checkpoints: np.ndarray) -> np.ndarray:
    c = np.asarray(checkpoints, dtype=np.int64)
    if c.ndim != 1 or c.size == 0 or c[0] < 0 or np.any(np.diff(c) <= 0):
        raise ValueError("checkpoints must be a non-empty increasing sequence of step counts >= 0")
    return c


@njit(cache=True, inline="always")
def diverging(sq_norm):
    """True when a squared norm is non-finite or beyond DIVERGENCE_LIMIT."""
    return not (sq_norm < DIVERGENCE_LIMIT)


@dataclass(frozen=True)
class Run:
    """Iterates of R runs at K checkpoints: ``iterates`` has shape (R, K, d)."""

    checkpoints: np.ndarray
    iterates: np.ndarray
    diverged_at: np.ndarray
    seed: int

    @property
    def runs(self) -> int:
        return self.iterates.shape[0]

    @property
    def first_divergence(self) -> int | None:
        """The earliest step at which some run diverged, or None."""
        hit = self.diverged_at[self.diverged_at >= 0]
        return int(hit.min()) if hit.size else None

    def measure(self, quantity: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Apply ``quantity`` (x of shape (..., d) -> (...)) to every record: shape (R, K)."""
        return np.asarray(quantity(self.iterates))
