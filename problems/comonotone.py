"""Linear operators made of scaled 2-D rotations: negatively comonotone, monotone or cocoercive.

F is block diagonal with 2x2 blocks a_i Rot(theta_i) (a_i > 0, theta_i in [0, pi]).  On a block,
<F x, x> = a cos(theta) ||x||^2 and ||F x|| = a ||x||, so F is rho-comonotone,

    <F(x) - F(y), x - y> >= -rho ||F(x) - F(y)||^2   for all x, y,

exactly when cos(theta_i) >= -rho a_i for every block; the smallest such rho is
``comonotonicity`` = max_i (-cos(theta_i) / a_i), which is negative for a cocoercive F (rho = -beta
means beta-cocoercive).  L = max a_i is the Lipschitz constant and x* = 0 the unique zero.

* :func:`comonotone_rotation` -- the 2-D F = L Rot(theta), cos(theta) = -rho L: exactly
  rho-comonotone (rho L <= 1).
* :func:`rotation` -- a x Rot(theta) with a claimed rho, rejected when it is not rho-comonotone.
* :func:`comonotone_blocks` -- the d-dimensional block version, moduli log-spaced in [a_min, L],
  each block exactly rho-comonotone.
* :func:`proximal_point_worst_case` -- the member of the 2-D family on which proximal point does
  worst after a given number of steps N: it depends on N, and records it.
* :func:`rotation_fixed_point` -- F = I - Rot(phi), i.e. T = I - F = Rot(phi) nonexpansive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int


@dataclass(frozen=True)
class RotationBlocks:
    """F = blockdiag(a_i Rot(theta_i)).  ``horizon`` / ``gamma``: the N and step a worst-case
    member was built for (None for a fixed instance)."""

    moduli: np.ndarray
    angles: np.ndarray
    horizon: int | None = None
    gamma: float | None = None

    @property
    def d(self) -> int:
        return 2 * self.moduli.size

    @property
    def x_star(self) -> np.ndarray:
        return np.zeros(self.d)

    @property
    def L(self) -> float:
        return float(self.moduli.max())

    @property
    def comonotonicity(self) -> float:
        """The smallest rho with F rho-comonotone: max_i -cos(theta_i)/a_i."""
        return float(np.max(-np.cos(self.angles) / self.moduli))

    def matrix(self) -> np.ndarray:
        """F as a dense d x d matrix (for spectral checks)."""
        c = self.moduli * np.cos(self.angles)
        s = self.moduli * np.sin(self.angles)
        F = np.zeros((self.d, self.d))
        for i in range(self.moduli.size):
            F[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[c[i], -s[i]], [s[i], c[i]]]
        return F

    def operator(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        c = self.moduli * np.cos(self.angles)
        s = self.moduli * np.sin(self.angles)
        x1, x2 = x[..., 0::2], x[..., 1::2]
        out = np.empty(np.broadcast_shapes(x.shape, (self.d,)))
        out[..., 0::2] = c * x1 - s * x2
        out[..., 1::2] = s * x1 + c * x2
        return out

    def residual(self, x: np.ndarray) -> np.ndarray:
        """||F(x)||."""
        return np.linalg.norm(self.operator(x), axis=-1)

    def oracle(self) -> Oracle:
        A = np.stack([self.moduli * np.cos(self.angles), self.moduli * np.sin(self.angles)])
        return Oracle(kinds.ROTATION_BLOCKS, A, np.zeros(self.d), np.zeros(1))


def _rho(rho: float) -> float:
    return finite("rho", rho, 0.0)


def rotation(a: float, theta: float, rho: float = 0.0) -> RotationBlocks:
    """a Rot(theta), checked to be rho-comonotone: cos(theta) >= -rho a."""
    a = finite("a", a, 0.0, low_open=True)
    theta = finite("theta", theta, 0.0, math.pi)
    rho = _rho(rho)
    if math.cos(theta) < -rho * a - 1e-12:
        raise ValueError(f"theta = {theta:.6g} makes F = a Rot(theta) not rho-comonotone: it "
                         f"needs cos(theta) >= -rho a = {-rho * a:.6g}, i.e. theta <= "
                         f"{math.acos(max(-1.0, -rho * a)):.6g}")
    return RotationBlocks(np.array([a]), np.array([theta]))


def comonotone_rotation(rho: float, L: float = 1.0) -> RotationBlocks:
    """F = L Rot(theta) with cos(theta) = -rho L: exactly rho-comonotone and L-Lipschitz."""
    rho = _rho(rho)
    L = finite("L", L, 0.0, low_open=True)
    if rho * L > 1.0:
        raise ValueError(f"rho must satisfy rho L <= 1 (cos(theta) = -rho L), got rho = {rho:g}, "
                         f"L = {L:g}")
    return RotationBlocks(np.array([L]), np.array([math.acos(-rho * L)]))


def comonotone_blocks(rho: float, L: float = 1.0, a_min: float = 1e-3,
                      blocks: int = 60) -> RotationBlocks:
    """d = 2 blocks operator, moduli log-spaced in [a_min, L], cos(theta_i) = -rho a_i.

    Every block is exactly rho-comonotone, so F is; the spread of moduli makes ||F(x_N)||^2
    decay like 1/N for N between about 1/L^2 and 1/a_min^2 (in units of the step sizes), as
    the 1/lambda spectral density does for gradient descent.
    """
    rho = _rho(rho)
    L = finite("L", L, 0.0, low_open=True)
    a_min = finite("a_min", a_min, 0.0, L, low_open=True)
    blocks = positive_int("blocks", blocks)
    if rho * L > 1.0:
        raise ValueError(f"rho must satisfy rho L <= 1, got rho = {rho:g}, L = {L:g}")
    a = np.geomspace(a_min, L, blocks) if blocks > 1 else np.array([L])
    return RotationBlocks(a, np.arccos(-rho * a))


def proximal_point_worst_case(horizon: int, gamma: float, rho: float) -> RotationBlocks:
    """The rho-comonotone a Rot(theta) (cos(theta) = -rho a) maximising ||F(x_N)|| / ||x_0||
    after N = ``horizon`` proximal-point steps x <- (I + gamma F)^{-1} x.

    On a Rot(theta) one step multiplies ||x||^2 by 1/(1 + gamma a^2 (gamma - 2 rho)), so
    ||F(x_N)||^2 = a^2 (1 + c a^2)^{-N} ||x_0||^2, c = gamma (gamma - 2 rho).  For gamma > 2 rho
    the maximum over a is at c a^2 = 1/(N - 1), where N c ||F(x_N)||^2 = (1 - 1/N)^{N-1} ||x_0||^2
    (-> e^{-1}): the 1/N rate is attained, and the instance depends on N.  For gamma < 2 rho
    the worst member is a = 1/rho (F = -I/rho), on which the iteration diverges.  a <= 1/rho
    always (cos(theta) >= -1).
    """
    horizon = positive_int("horizon", horizon, 2)
    gamma = finite("gamma", gamma, 0.0, low_open=True)
    rho = _rho(rho)
    if gamma == rho:
        raise ValueError("gamma must differ from rho: at gamma = rho, I + gamma F is singular on "
                         "the worst member F = -I/rho")
    c = gamma * (gamma - 2.0 * rho)
    a_max = math.inf if rho == 0 else 1.0 / rho  # rho = 0 gives c = gamma^2 > 0
    a = min(math.sqrt(1.0 / ((horizon - 1) * c)), a_max) if c > 0 else a_max
    theta = math.acos(max(-1.0, -rho * a))
    return RotationBlocks(np.array([a]), np.array([theta]), horizon=horizon, gamma=gamma)


def rotation_fixed_point(phi: float) -> RotationBlocks:
    """F = I - Rot(phi): T = I - F = Rot(phi) is nonexpansive with the fixed point 0.

    F is 1/2-cocoercive (comonotonicity -1/2) and its Lipschitz constant is 2 sin(phi/2).
    """
    phi = finite("phi", phi, 0.0, math.pi, low_open=True)
    c, s = 1.0 - math.cos(phi), -math.sin(phi)
    return RotationBlocks(np.array([math.hypot(c, s)]), np.array([math.atan2(s, c)]))
