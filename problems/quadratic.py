"""Quadratics with a prescribed spectrum.

f(x) = 1/2 (x - x*)^T H (x - x*) + f*, with H = Q diag(lam) Q^T.  Gradient methods are
equivariant under the rotation Q (the iterates rotate with it), so the generator works in the
eigenbasis: H is diagonal and the experiment is exactly that of every rotated instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int, vector


@dataclass(frozen=True)
class Quadratic:
    """A quadratic in its eigenbasis: eigenvalues, minimiser ``x_star``, value ``f_star``."""

    eigenvalues: np.ndarray
    x_star: np.ndarray
    f_star: float

    @property
    def d(self) -> int:
        return self.eigenvalues.size

    @property
    def L(self) -> float:
        """Smoothness constant: the largest eigenvalue."""
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        """Strong-convexity constant: the smallest eigenvalue (0 means merely convex)."""
        return float(self.eigenvalues.min())

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d)."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e) + self.f_star

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f*, computed from x - x* so that it does not cancel catastrophically."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e)

    def oracle(self) -> Oracle:
        return Oracle(kinds.QUADRATIC_DIAGONAL, self.eigenvalues[None, :], self.x_star,
                      np.zeros(1))


def quadratic(d: int, L: float = 1.0, mu: float = 1e-2, spacing: str = "log",
              x_star: np.ndarray | None = None, f_star: float = 0.0) -> Quadratic:
    """A d-dimensional quadratic with eigenvalues spaced in [mu, L].

    ``spacing="log"`` gives a spectral density proportional to 1/lam (the density on which GD's
    O(1/k) bound is tight for convex f); ``"linear"`` spaces them evenly.  ``mu`` must be
    positive: a merely convex instance is a tiny ``mu``, whose sublinear regime lasts for
    k << 1/mu.
    """
    d = positive_int("d", d)
    L = finite("L", L, 0.0, low_open=True)
    mu = finite("mu", mu, 0.0, L, low_open=True)
    if spacing == "log":
        lam = np.geomspace(mu, L, d) if d > 1 else np.array([L])
    elif spacing == "linear":
        lam = np.linspace(mu, L, d) if d > 1 else np.array([L])
    else:
        raise ValueError(f"spacing must be 'log' or 'linear', got {spacing!r}")
    if x_star is None:
        xs = np.zeros(d)
    else:
        xs = vector("x_star", x_star, d)
    f_star = finite("f_star", f_star)
    return Quadratic(eigenvalues=lam, x_star=xs, f_star=f_star)


# --- the random-rotation option: a dense Hessian Q diag(lam) Q^T --------------------------------
# The eigenbasis suffices for methods that are rotation equivariant (GD, heavy ball, ...), but
# not for coordinate-wise ones (Adam, sign methods): those see the rotation, so the rotated
# instance is stored densely (kind QUADRATIC_DENSE).

@dataclass(frozen=True)
class DenseQuadratic:
    """f(x) = 1/2 (x - x*)^T H (x - x*) + f* with a dense symmetric positive definite H."""

    hessian: np.ndarray
    x_star: np.ndarray
    f_star: float = 0.0
    block: int = 0
    """H is block diagonal with blocks of this size (0: one dense block); the oracle stores only
    the blocks, so side-by-side problems cost the sum of their sizes squared, not the square of
    the sum."""

    @property
    def d(self) -> int:
        return self.x_star.size

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian)

    @property
    def L(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def mu(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def one_one_norm(self) -> float:
        """||H||_(1,1) = sum_ij |H_ij|: the l_inf-smoothness constant of Xie, Mohamadi & Li
        (arXiv 2410.08198), which a rotation changes and the spectrum does not."""
        return float(np.abs(self.hessian).sum())

    def value(self, x: np.ndarray) -> np.ndarray:
        return self.suboptimality(x) + self.f_star

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=float) - self.x_star) @ self.hessian  # H symmetric

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f* for x of shape (..., d), from x - x*."""
        e = np.asarray(x, dtype=float) - self.x_star
        return 0.5 * np.einsum("...i,ij,...j->...", e, self.hessian, e)

    def oracle(self) -> Oracle:
        m = self.block or self.d
        blocks = [self.hessian[k:k + m, k:k + m] for k in range(0, self.d, m)]
        return Oracle(kinds.QUADRATIC_DENSE, np.vstack(blocks), self.x_star, np.zeros(1))


def haar_rotation(d: int, seed: int) -> np.ndarray:
    """A Haar-distributed orthogonal d x d matrix: QR of a Gaussian matrix with the signs of
    R's diagonal moved into Q (Mezzadri 2007, arXiv math-ph/0609050)."""
    d = positive_int("d", d)
    rng = np.random.default_rng(positive_int("seed", seed, 0))
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def dense_quadratic(hessian: np.ndarray, x_star: np.ndarray | None = None,
                    f_star: float = 0.0, block: int = 0) -> DenseQuadratic:
    """A quadratic with the given Hessian (symmetric positive definite, checked); ``block`` = m
    declares it block diagonal with blocks of size m (m divides d; entries off the blocks must be
    0), 0 for dense."""
    h = np.asarray(hessian, dtype=float)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.size == 0:
        raise ValueError(f"hessian must be a square matrix, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("hessian must hold finite values")
    if not np.allclose(h, h.T, rtol=0, atol=1e-12 * max(1.0, np.abs(h).max())):
        raise ValueError("hessian must be symmetric")
    h = 0.5 * (h + h.T)
    if np.linalg.eigvalsh(h)[0] <= 0:
        raise ValueError("hessian must be positive definite")
    d = h.shape[0]
    xs = np.zeros(d) if x_star is None else vector("x_star", x_star, d)
    m = positive_int("block", block, 0) or d
    if d % m:
        raise ValueError(f"block must divide d = {d}, got {block!r}")
    inside = np.kron(np.eye(d // m, dtype=bool), np.ones((m, m), dtype=bool))
    if np.any(h[~inside] != 0):
        raise ValueError(f"hessian must be block diagonal with blocks of size block={block}")
    return DenseQuadratic(hessian=np.ascontiguousarray(h), x_star=xs,
                          f_star=finite("f_star", f_star), block=0 if m == d else m)


def rotated_quadratic(d: int, L: float = 1.0, mu: float = 1e-2, spacing: str = "log",
                      seed: int = 0) -> tuple[DenseQuadratic, np.ndarray]:
    """The spectrum of :func:`quadratic` rotated by a Haar Q: H = Q diag(lam) Q^T, x* = 0.

    Returns (the problem, Q); Q x0 is the start that corresponds to x0 of the aligned problem.
    """
    lam = quadratic(d, L=L, mu=mu, spacing=spacing).eigenvalues
    q = haar_rotation(d, seed)
    return dense_quadratic((q * lam) @ q.T), q


def direct_sum(*parts: DenseQuadratic | Quadratic) -> DenseQuadratic:
    """f(x_1, ..., x_m) = sum_i f_i(x_i): the block-diagonal quadratic of the parts.

    A coordinate-wise method (Adam) or a linear one (GD) run on it runs each part exactly as on
    its own (the gradient of block i depends on x_i only), so one run compares instances side by
    side from corresponding starts."""
    if not parts:
        raise ValueError("direct_sum needs at least one quadratic")
    blocks = [p.hessian if isinstance(p, DenseQuadratic) else np.diag(p.eigenvalues)
              for p in parts]
    sizes = {b.shape[0] for b in blocks}
    d = sum(b.shape[0] for b in blocks)
    h = np.zeros((d, d))
    at = 0
    for b in blocks:
        n = b.shape[0]
        h[at:at + n, at:at + n] = b
        at += n
    same = len(sizes) == 1 and len(parts) > 1  # equal parts: store only their blocks
    return dense_quadratic(h, np.concatenate([p.x_star for p in parts]),
                           sum(p.f_star for p in parts), block=sizes.pop() if same else 0)
