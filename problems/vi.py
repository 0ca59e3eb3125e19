"""Monotone variational inequalities with a known solution: affine operators and finite sums.

* :func:`bilinear_game` -- min_x max_y x^T A y + a^T x - c^T y with chosen singular values of A.
  With z = (x, y) the operator is V(z) = M z + b, M = [[0, A], [-A^T, 0]] (skew: monotone, not
  strongly), and z* = -M^{-1} b is its unique zero when A is nonsingular.
* :func:`strongly_monotone_linear` -- V(z) = M z with M = mu I + S, S skew (block rotations of
  chosen strengths): mu-strongly monotone, Lipschitz with L = sqrt(mu^2 + max strength^2).
* :func:`affine_operator` -- any V(z) = M z + b, checked to be monotone when it claims to be.
* :func:`cocoercive_finite_sum` -- F = (1/n) sum_i F_i of n linear operators that are cocoercive
  "on average", for variance-reduced methods.

The stochastic oracle of an affine operator adds ``noise`` * N(0, I) to V(z) (an unbiased oracle
with variance noise^2 d); a finite sum's stochastic oracle is one uniformly drawn component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int

_TOL = 1e-10


def _sym_min_eig(M: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(0.5 * (M + M.T))[0])


@dataclass(frozen=True)
class AffineOperator:
    """V(z) = M z + b with its zero ``z_star`` and constants.

    ``L`` = ||M||_2 (Lipschitz constant), ``mu`` = lambda_min((M + M^T)/2) (strong monotonicity;
    0 for a skew M), ``noise`` the standard deviation of the stochastic oracle's additive noise.
    ``singular_values`` are those of the game matrix A for a bilinear game, else None.
    ``horizon`` / ``gamma``: the T and step a worst-case member was built for (else None).
    """

    M: np.ndarray
    b: np.ndarray
    z_star: np.ndarray
    L: float
    mu: float
    noise: float
    singular_values: np.ndarray | None = None
    horizon: int | None = None
    gamma: float | None = None

    @property
    def d(self) -> int:
        return self.b.size

    @property
    def x_star(self) -> np.ndarray:
        """The solution under the name the generic kernels use."""
        return self.z_star

    @property
    def skew(self) -> bool:
        return bool(np.allclose(self.M, -self.M.T, atol=_TOL * max(self.L, 1.0)))

    def operator(self, z: np.ndarray) -> np.ndarray:
        """V(z) for z of shape (..., d)."""
        return np.asarray(z) @ self.M.T + self.b

    def residual(self, z: np.ndarray) -> np.ndarray:
        """||V(z)||, the residual of the unconstrained problem."""
        return np.linalg.norm(self.operator(z), axis=-1)

    def restricted_merit(self, z_hat: np.ndarray, center: np.ndarray, radius: float
                         ) -> np.ndarray:
        """Err_R(z_hat) = max_{||z - center|| <= R} <V(z), z_hat - z>  (skew M only).

        For skew M, <V(z), z_hat - z> = <c, z> + <b, z_hat> with c = -(M z_hat + b) (the
        quadratic term z^T M z vanishes), so the maximum over the ball is attained at
        z = center + R c/||c||:  <c, center> + R ||c|| + <b, z_hat>.
        """
        if not self.skew:
            raise ValueError("restricted_merit has a closed form only for a skew M (a bilinear "
                             "game); this operator is not skew")
        radius = finite("radius", radius, 0.0)
        z_hat = np.asarray(z_hat, dtype=float)
        c = -self.operator(z_hat)
        return c @ np.asarray(center, float) + radius * np.linalg.norm(c, axis=-1) + z_hat @ self.b

    def oracle(self) -> Oracle:
        return Oracle(kinds.AFFINE_OPERATOR, self.M, self.b, np.array([self.noise]))


def _orthogonal(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))  # Haar-distributed


def affine_operator(M: np.ndarray, b: np.ndarray | None = None, noise: float = 0.0,
                    monotone: bool = True) -> AffineOperator:
    """V(z) = M z + b with M nonsingular.  ``monotone=True`` checks (M + M^T)/2 >= 0."""
    M = np.asarray(M, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
        raise ValueError(f"M must be a square matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError("M must be finite")
    d = M.shape[0]
    b = np.zeros(d) if b is None else np.asarray(b, dtype=float)
    if b.shape != (d,) or not np.all(np.isfinite(b)):
        raise ValueError(f"b must be a finite vector of shape ({d},), got shape {b.shape}")
    noise = finite("noise", noise, 0.0)
    L = float(np.linalg.norm(M, 2))
    mu = _sym_min_eig(M)
    if monotone and mu < -_TOL * max(L, 1.0):
        raise ValueError(f"M is not monotone: the smallest eigenvalue of (M + M^T)/2 is {mu:.3g} "
                         f"< 0; pass monotone=False for a non-monotone operator")
    if np.linalg.svd(M, compute_uv=False)[-1] <= _TOL * max(L, 1.0):
        raise ValueError("M must be nonsingular, so that the solution z* is unique")
    z_star = np.linalg.solve(M, -b)
    return AffineOperator(M=M, b=b, z_star=z_star, L=L, mu=max(mu, 0.0) if monotone else mu,
                          noise=noise)


def bilinear_game(singular_values: np.ndarray | list[float], seed: int = 0,
                  linear_terms: bool = True, noise: float = 0.0) -> AffineOperator:
    """min_x max_y x^T A y + a^T x - c^T y, A = U diag(s) V^T with Haar U, V (seeded).

    V(z) = (A y + a, -A^T x + c) = M z + b.  With ``linear_terms`` the solution z* is drawn
    N(0, I) and b = -M z*; without, b = 0 and z* = 0.  Every singular value must be positive
    (A nonsingular, z* unique).
    """
    s = np.asarray(singular_values, dtype=float)
    if s.ndim != 1 or s.size < 1:
        raise ValueError(f"singular_values must be a non-empty vector, got shape {s.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"singular_values must be positive and finite, got {s}")
    rng = np.random.default_rng(positive_int("seed", seed, 0))
    n = s.size
    A = _orthogonal(rng, n) @ np.diag(s) @ _orthogonal(rng, n).T
    M = np.block([[np.zeros((n, n)), A], [-A.T, np.zeros((n, n))]])
    z_star = rng.standard_normal(2 * n) if linear_terms else np.zeros(2 * n)
    b = -M @ z_star
    return AffineOperator(M=M, b=b, z_star=z_star, L=float(s.max()), mu=0.0,
                          noise=finite("noise", noise, 0.0), singular_values=np.sort(s)[::-1])


def bilinear_worst_case(horizon: int, gamma: float) -> AffineOperator:
    """min_x max_y sigma_T x y with sigma_T = 1/(gamma sqrt(T)), T = ``horizon``: 2-D, z* = 0.

    The last iterate of EG or OG with step gamma after T steps is worst on this member: each
    step multiplies ||z|| by about sqrt(1 - gamma^2 sigma^2), so ||F(z_T)|| = sigma_T ||z_T||
    is largest near gamma sigma = 1/sqrt(T), where it is ~ e^{-1/2} ||z_0|| / (gamma sqrt(T)).
    The instance depends on T, and records it.
    """
    horizon = positive_int("horizon", horizon)
    gamma = finite("gamma", gamma, 0.0, low_open=True)
    sigma = 1.0 / (gamma * np.sqrt(horizon))
    M = np.array([[0.0, sigma], [-sigma, 0.0]])
    return AffineOperator(M=M, b=np.zeros(2), z_star=np.zeros(2), L=float(sigma), mu=0.0,
                          noise=0.0, singular_values=np.array([sigma]), horizon=horizon,
                          gamma=gamma)


def strongly_monotone_linear(mu: float, strengths: np.ndarray | list[float],
                             noise: float = 1.0) -> AffineOperator:
    """V(z) = (mu I + S) z, S block-diagonal with 2x2 rotations [[0, -w], [w, 0]], w = strengths.

    mu-strongly monotone exactly (S is skew), Lipschitz with L = sqrt(mu^2 + max w^2);
    z* = 0; d = 2 len(strengths).  The stochastic oracle adds ``noise`` * N(0, I).
    """
    mu = finite("mu", mu, 0.0, low_open=True)
    w = np.asarray(strengths, dtype=float)
    if w.ndim != 1 or w.size < 1 or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"strengths must be a non-empty vector of finite values >= 0, got {w}")
    d = 2 * w.size
    S = np.zeros((d, d))
    for i, wi in enumerate(w):
        S[2 * i, 2 * i + 1] = -wi
        S[2 * i + 1, 2 * i] = wi
    M = mu * np.eye(d) + S
    return AffineOperator(M=M, b=np.zeros(d), z_star=np.zeros(d),
                          L=float(np.sqrt(mu**2 + w.max() ** 2)), mu=mu,
                          noise=finite("noise", noise, 0.0))


@dataclass(frozen=True)
class FiniteSumLinear:
    """F(x) = (1/n) sum_i (A_i x + b_i), each A_i symmetric positive semidefinite.

    ``L_mean`` is the "on average" cocoercivity constant: the smallest L with
    (1/n) sum_i ||F_i(x) - F_i(y)||^2 <= L <F(x) - F(y), x - y> for all x, y, i.e.
    lambda_max(Abar^{-1/2} (1/n sum A_i^2) Abar^{-1/2}).  ``L`` = lambda_max(Abar): F itself is
    1/L-cocoercive.  ``x_star`` is the zero of F.
    """

    A: np.ndarray   # (n, d, d)
    b: np.ndarray   # (n, d)
    A_mean: np.ndarray
    b_mean: np.ndarray
    x_star: np.ndarray
    L: float
    L_mean: float
    mu: float

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def d(self) -> int:
        return self.A.shape[1]

    def operator(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x) @ self.A_mean.T + self.b_mean

    def residual(self, x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(self.operator(x), axis=-1)

    def oracle(self) -> Oracle:
        A = np.concatenate([self.A_mean[None], self.A]).reshape(-1, self.d)
        b = np.concatenate([self.b_mean[None], self.b]).reshape(-1)
        return Oracle(kinds.FINITE_SUM_LINEAR, A, b, np.array([float(self.n)]))


def cocoercive_finite_sum(n: int, d: int = 5, mu: float = 1e-2, spread: float = 1.0,
                          offset: float = 1.0, seed: int = 0) -> FiniteSumLinear:
    """n symmetric PSD components A_i = U diag(lam * w_i) U^T whose mean is U diag(lam) U^T.

    lam is log-spaced in [mu, 1] and U a Haar rotation, both drawn from ``seed`` only, so the
    mean operator F is *the same for every n* (what changes with n is only the finite sum that
    represents it).  w_i = 1 + spread * (u_i - mean_i u_i) with u_i ~ U(-1, 1), so the weights
    average exactly to 1 (``spread`` <= 1 keeps every A_i PSD).  b_i = -A_i x* + offset * e_i with
    the e_i ~ N(0, I) centred to sum to 0: F(x*) = 0 while the components do not vanish at x*.
    """
    n = positive_int("n", n, 2)
    d = positive_int("d", d)
    mu = finite("mu", mu, 0.0, 1.0, low_open=True)
    spread = finite("spread", spread, 0.0, 1.0)
    offset = finite("offset", offset, 0.0)
    seed = positive_int("seed", seed, 0)
    base = np.random.default_rng(seed)
    U = _orthogonal(base, d)
    lam = np.geomspace(mu, 1.0, d) if d > 1 else np.array([1.0])
    x_star = base.standard_normal(d)
    rng = np.random.default_rng([seed, n])
    u = rng.uniform(-1.0, 1.0, (n, d))
    w = 1.0 + spread * (u - u.mean(axis=0))
    w = np.clip(w, 0.0, None)  # centring can push a weight below 0 by < spread/n: keep PSD
    w /= w.mean(axis=0)
    A = np.einsum("ij,nj,kj->nik", U, lam * w, U)
    e = rng.standard_normal((n, d))
    e -= e.mean(axis=0)
    b = -np.einsum("nij,j->ni", A, x_star) + offset * e
    A_mean = A.mean(axis=0)
    b_mean = b.mean(axis=0)
    half = U @ np.diag(lam**-0.5) @ U.T
    second = np.einsum("nij,njk->ik", A, A) / n
    L_mean = float(np.linalg.eigvalsh(half @ second @ half)[-1])
    return FiniteSumLinear(A=A, b=b, A_mean=A_mean, b_mean=b_mean, x_star=x_star,
                           L=float(np.linalg.eigvalsh(A_mean)[-1]), L_mean=L_mean,
                           mu=float(np.linalg.eigvalsh(A_mean)[0]))
