"""Low-rank matrix sensing with factorised (Burer-Monteiro) parameterisations.

The unknown M* (n x n, rank r, singular values ``spectrum``) is observed through m Gaussian
measurements y_i = <A_i, M*>, A_i with i.i.d. N(0, 1) entries, and fitted by a factorisation
with k >= 1 columns (k > r over-parameterises):

* symmetric, M* = U diag(spectrum) U^T PSD, X in R^{n x k}:
      f(X) = 1/(4m) sum_i (<A_i, X X^T> - y_i)^2,     population  1/4 ||X X^T - M*||_F^2;
* asymmetric, M* = U diag(spectrum) V^T, F, G in R^{n x k}:
      f(F, G) = 1/(2m) sum_i (<A_i, F G^T> - y_i)^2,  population  1/2 ||F G^T - M*||_F^2.

Since E <A, D>^2 = ||D||_F^2 for every D, each population loss is the exact expectation (the
m -> infinity limit) of its sensing loss.  The factors 1/4 and 1/2 make both gradients the
familiar (X X^T - M*) X and ((F G^T - M*) G, (F G^T - M*)^T F): at F = G = X the asymmetric
gradient is the symmetric one, so a balanced asymmetric run on a PSD M* *is* a symmetric run.

The factor is flattened row-major into the 1-D x that the oracles use: X (n k entries), or
[vec F, vec G] (2 n k entries).  The small random initialisation of the papers,
X0 = alpha N(0, 1/n) (F0 likewise, G0 = imbalance * F0), is drawn per run from
numpy's generator seeded by (seed, run), so run j's start depends on nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int, vector

LOSSES = ("population", "sensing")


@dataclass(frozen=True)
class MatrixSensing:
    """A matrix sensing instance and its factorisation.

    ``x_star`` is one exact minimiser (the true factor padded with k - r zero columns; every
    rotation of it minimises too); ``alpha`` and ``imbalance`` define the initialisation.
    """

    n: int
    r: int
    k: int
    symmetric: bool
    loss: str
    spectrum: np.ndarray
    U: np.ndarray
    V: np.ndarray
    M_star: np.ndarray
    alpha: float
    imbalance: float
    sensing: np.ndarray | None
    y: np.ndarray | None
    seed: int

    @property
    def m(self) -> int:
        """The number of measurements (0 for the population loss)."""
        return 0 if self.sensing is None else self.sensing.shape[0]

    @property
    def d(self) -> int:
        """Length of the flattened factor(s)."""
        return self.n * self.k * (1 if self.symmetric else 2)

    @property
    def sigma_max(self) -> float:
        return float(self.spectrum[0])

    @property
    def sigma_min(self) -> float:
        """sigma_r(M*), the smallest non-zero singular value."""
        return float(self.spectrum[-1])

    @property
    def kappa(self) -> float:
        """Condition number sigma_1(M*)/sigma_r(M*)."""
        return self.sigma_max / self.sigma_min

    @property
    def x_star(self) -> np.ndarray:
        """A global minimiser: U sqrt(spectrum) (and V sqrt(spectrum)) padded with zeros.

        For k < r (under-parameterised) it is the best rank-k fit of the population loss, the
        top k singular pairs (Eckart-Young).
        """
        cols = min(self.r, self.k)
        F = np.zeros((self.n, self.k))
        F[:, :cols] = self.U[:, :cols] * np.sqrt(self.spectrum[:cols])
        if self.symmetric:
            return F.ravel()
        G = np.zeros((self.n, self.k))
        G[:, :cols] = self.V[:, :cols] * np.sqrt(self.spectrum[:cols])
        return np.concatenate([F.ravel(), G.ravel()])

    def factors(self, x: np.ndarray) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """x of shape (..., d) -> X of shape (..., n, k), or (F, G) for the asymmetric case."""
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != self.d:
            raise ValueError(f"x must have last dimension d = {self.d}, got shape {x.shape}")
        shape = x.shape[:-1] + (self.n, self.k)
        if self.symmetric:
            return x.reshape(shape)
        half = self.n * self.k
        return x[..., :half].reshape(shape), x[..., half:].reshape(shape)

    def product(self, x: np.ndarray) -> np.ndarray:
        """X X^T or F G^T, shape (..., n, n)."""
        if self.symmetric:
            X = self.factors(x)
            return X @ np.swapaxes(X, -1, -2)
        F, G = self.factors(x)
        return F @ np.swapaxes(G, -1, -2)

    def error(self, x: np.ndarray) -> np.ndarray:
        """||X X^T - M*||_F (or ||F G^T - M*||_F), shape (...)."""
        return np.linalg.norm(self.product(x) - self.M_star, axis=(-2, -1))

    def value(self, x: np.ndarray) -> np.ndarray:
        """The loss f at x (sensing or population, as the instance says); f* = 0."""
        D = self.product(x) - self.M_star
        scale = 0.25 if self.symmetric else 0.5
        if self.sensing is None:
            return scale * np.sum(D * D, axis=(-2, -1))
        res = D.reshape(D.shape[:-2] + (self.n * self.n,)) @ self.sensing.T
        return scale * np.mean(res * res, axis=-1)

    def initial_points(self, runs: int, seed: int | None = None) -> np.ndarray:
        """``runs`` random starts (runs, d): X0 = alpha N(0, 1/n), G0 = imbalance F0.

        Run j draws from numpy's generator seeded by (seed, 1, j), so it does not depend on
        how many runs are drawn; ``seed`` defaults to the instance's.
        """
        runs = positive_int("runs", runs)
        seed = self.seed if seed is None else positive_int("seed", seed, 0)
        out = np.empty((runs, self.d))
        for j in range(runs):
            rng = np.random.default_rng([seed, 1, j])
            F0 = self.alpha / np.sqrt(self.n) * rng.standard_normal((self.n, self.k))
            out[j] = F0.ravel() if self.symmetric else np.concatenate(
                [F0.ravel(), self.imbalance * F0.ravel()])
        return out

    def oracle(self) -> Oracle:
        if self.sensing is None:
            kind = (kinds.MATRIX_SENSING_SYMMETRIC_POPULATION if self.symmetric
                    else kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION)
            return Oracle(kind, self.M_star, np.zeros(1), np.array([float(self.k)]))
        kind = kinds.MATRIX_SENSING_SYMMETRIC if self.symmetric else kinds.MATRIX_SENSING_ASYMMETRIC
        return Oracle(kind, self.sensing, self.y, np.array([float(self.n), float(self.k)]))


def _orthonormal(rng: np.random.Generator, n: int, r: int) -> np.ndarray:
    q, upper = np.linalg.qr(rng.standard_normal((n, r)))
    return q * np.sign(np.diag(upper))  # Haar-distributed columns


def matrix_sensing(n: int = 20, r: int = 2, k: int = 4, *, spectrum: Sequence[float] | None = None,
                   kappa: float | None = None, symmetric: bool = True, loss: str = "population",
                   m: int | None = None, alpha: float = 0.1, imbalance: float = 1.0 / 3.0,
                   seed: int = 0) -> MatrixSensing:
    """A rank-r matrix sensing instance with a prescribed spectrum, factorised with k columns.

    ``spectrum`` gives the r non-zero singular values (any order; stored descending);
    otherwise they are log-spaced from 1 down to 1/``kappa`` (kappa = 2 by default, i.e.
    {1, 0.5} for r = 2).  ``loss="sensing"`` draws m Gaussian measurements (m = 10 n r by
    default); ``"population"`` is their exact expectation.  ``alpha`` scales the random
    initialisation and ``imbalance`` sets G0 = imbalance * F0 (asymmetric only; 1 is balanced).

    Many keyword parameters on purpose: each is one documented knob of the family (sizes, loss,
    symmetry, initialisation), validated here, and generators are called with keywords."""
    n = positive_int("n", n)
    r = positive_int("r", r)
    if r > n:
        raise ValueError(f"r (the rank) must be an integer in [1, n={n}], got {r}")
    k = positive_int("k", k)
    if not isinstance(symmetric, bool | np.bool_):
        raise ValueError(f"symmetric must be True or False, got {symmetric!r}")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    if spectrum is not None and kappa is not None:
        raise ValueError("give spectrum or kappa, not both")
    if spectrum is None:
        kappa = finite("kappa", 2.0 if kappa is None else kappa, 1.0)
        sig = np.geomspace(1.0, 1.0 / kappa, r)
    else:
        sig = vector("spectrum", spectrum, low=0.0, low_open=True)
        if sig.size != r:
            raise ValueError(f"spectrum must have r = {r} values, got {sig.size}")
        sig = np.sort(sig)[::-1]
    alpha = finite("alpha", alpha, 0.0, low_open=True)
    imbalance = finite("imbalance", imbalance, 0.0, low_open=True)
    seed = positive_int("seed", seed, 0)
    rng = np.random.default_rng([seed, 0])
    U = _orthonormal(rng, n, r)
    V = U if symmetric else _orthonormal(rng, n, r)
    M = (U * sig) @ V.T
    if symmetric:
        M = 0.5 * (M + M.T)  # exactly symmetric in floating point
    sensing = y = None
    if loss == "sensing":
        m = positive_int("m", 10 * n * r if m is None else m)
        sensing = rng.standard_normal((m, n * n))
        y = sensing @ M.ravel()
    elif m is not None:
        raise ValueError("m (the number of measurements) applies only to loss='sensing'")
    return MatrixSensing(n=n, r=r, k=k, symmetric=bool(symmetric), loss=loss, spectrum=sig,
                         U=U, V=V, M_star=M, alpha=alpha, imbalance=imbalance, sensing=sensing,
                         y=y, seed=seed)
