"""Quadratics with a prescribed spectrum and the polynomial preconditioner P1 = tr(A) I - A.

f(x) = 1/2 (x - x*)^T A (x - x*), A symmetric positive definite, is worked in A's eigenbasis
(gradient methods are equivariant under rotations).  Doikov & Rodomanov (Polynomial
Preconditioning for Gradient Methods, ICML 2023, arXiv 2301.13194) precondition with
P1 = tr(A) I - A, a polynomial in A, so P1 A has eigenvalues lam_i (tr A - lam_i) and the same
eigenvectors; a preconditioned gradient method x <- x - h P1 grad f(x) is the plain method on the
quadratic with that spectrum.  Their bound on the condition number of P1 A is

    kappa(P1 A) <= gamma_1 = (sum_{i >= 2} lam_i) / lam_min      (lam sorted decreasing),

which beats kappa(A) = lam_1 / lam_min when the top eigenvalue is separated from the rest.
(Proof for this instance: lam_i (T - lam_i) <= (T - lam_1)(T - lam_n) for every i, T = tr A,
and the smallest eigenvalue of P1 A is lam_n (T - lam_n).)

The oracle is the *preconditioned* gradient P1 grad f(x) = diag(lam (T - lam)) (x - x*): a
diagonal field that the diagonal quadratic's oracle serves; ``suboptimality`` is that of f.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.arguments import count, real, vector
from problems.protocol import Oracle

PRECONDITIONERS = ("P1", "identity")


@dataclass(frozen=True)
class PreconditionedQuadratic:
    """f in A's eigenbasis with a preconditioner P (``"P1"`` = tr(A) I - A, or the identity)."""

    eigenvalues: np.ndarray
    x_star: np.ndarray
    preconditioner: str

    @property
    def d(self) -> int:
        return self.eigenvalues.size

    @property
    def field_eigenvalues(self) -> np.ndarray:
        """The spectrum of P A (P A is diagonal in A's eigenbasis)."""
        lam = self.eigenvalues
        if self.preconditioner == "P1":
            return lam * (lam.sum() - lam)
        return lam.copy()

    @property
    def L(self) -> float:
        """lam_max(P A): the smoothness constant of the preconditioned method."""
        return float(self.field_eigenvalues.max())

    @property
    def mu(self) -> float:
        """lam_min(P A): the strong-convexity constant of the preconditioned method."""
        return float(self.field_eigenvalues.min())

    @property
    def kappa(self) -> float:
        """kappa(P A), the condition number the preconditioned method sees."""
        return self.L / self.mu

    @property
    def kappa_A(self) -> float:
        """kappa(A) = lam_max / lam_min, without preconditioning."""
        return float(self.eigenvalues.max() / self.eigenvalues.min())

    @property
    def gamma_1(self) -> float:
        """Doikov & Rodomanov's bound on kappa(P1 A): (sum of all but lam_max) / lam_min."""
        lam = self.eigenvalues
        return float((lam.sum() - lam.max()) / lam.min())

    @property
    def preconditioner_matrix(self) -> np.ndarray:
        """P in A's eigenbasis (diagonal): tr(A) I - A, or I."""
        lam = self.eigenvalues
        return np.diag(lam.sum() - lam) if self.preconditioner == "P1" else np.eye(lam.size)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d)."""
        return self.suboptimality(x)

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f* = 1/2 (x - x*)^T A (x - x*), computed from x - x*."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e)

    def oracle(self) -> Oracle:
        """The preconditioned gradient P grad f(x) = diag(spectrum of P A) (x - x*)."""
        return Oracle(kinds.QUADRATIC_DIAGONAL, self.field_eigenvalues[None, :].copy(),
                      self.x_star.copy(), np.zeros(1))


def preconditioned_quadratic(eigenvalues, preconditioner: str = "P1",
                             x_star=None) -> PreconditionedQuadratic:
    """f = 1/2 (x - x*)^T diag(eigenvalues) (x - x*) with preconditioner ``"P1"`` or ``"identity"``.

    ``eigenvalues``: at least 2 positive finite numbers; ``x_star`` defaults to zeros.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim != 1 or lam.size < 2 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("eigenvalues must be a vector of at least 2 positive finite numbers, "
                         f"got {np.asarray(eigenvalues)!r}")
    if preconditioner not in PRECONDITIONERS:
        raise ValueError(f"preconditioner must be one of {', '.join(PRECONDITIONERS)}, "
                         f"got {preconditioner!r}")
    xs = np.zeros(lam.size) if x_star is None else vector("x_star", x_star, lam.size)
    return PreconditionedQuadratic(eigenvalues=lam.copy(), x_star=xs,
                                   preconditioner=preconditioner)


def separated_spectrum(n: int = 60, lam_min: float = 1.0, top=(1000.0, 500.0, 200.0),
                       bulk_max: float = 5.0) -> np.ndarray:
    """A few large separated eigenvalues ``top`` over the bulk linspace(lam_min, bulk_max,
    n - len(top)) (where P1 helps: kappa(P1 A) ~ kappa(A) (1 - lam_1 / tr A))."""
    top = np.asarray(top, dtype=float)
    n = count("n", n, top.size + 2)
    bulk_max = real("bulk_max", bulk_max, 0.0, low_open=True)
    lam_min = real("lam_min", lam_min, 0.0, bulk_max, low_open=True)
    if top.ndim != 1 or not np.all(np.isfinite(top)) or np.any(top <= bulk_max):
        raise ValueError(f"top must be finite eigenvalues above bulk_max={bulk_max}, got {top!r}")
    return np.concatenate([top, np.linspace(lam_min, bulk_max, n - top.size)])
