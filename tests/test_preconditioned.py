"""Quadratics with the polynomial preconditioner P1 = tr(A) I - A (Doikov & Rodomanov 2023)."""

import numpy as np
import pytest

from experiments.oracles import field
from problems.preconditioned import preconditioned_quadratic, separated_spectrum


def _fd_gradient(f, x, h=1e-6):
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_spectrum_of_p1_a_in_any_basis():
    """P1 A for a rotated dense A has the eigenvalues lam (tr A - lam) the family uses."""
    rng = np.random.default_rng(1)
    lam = separated_spectrum(20, lam_min=0.3)
    Q, _ = np.linalg.qr(rng.standard_normal((20, 20)))
    A = (Q * lam) @ Q.T
    P1 = np.trace(A) * np.eye(20) - A
    dense = np.sort(np.linalg.eigvals(P1 @ A).real)
    q = preconditioned_quadratic(lam)
    np.testing.assert_allclose(dense, np.sort(q.field_eigenvalues), rtol=1e-9)
    assert q.kappa == pytest.approx(dense[-1] / dense[0], rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_condition_number_bound_gamma_1(seed):
    """kappa(P1 A) <= (sum_{i>1} lam_i)/lam_min on random spectra, and P1 improves kappa(A)
    when the top eigenvalue is separated."""
    rng = np.random.default_rng(seed)
    lam = np.exp(rng.uniform(-4, 4, 30))
    q = preconditioned_quadratic(lam)
    assert q.kappa <= q.gamma_1 * (1 + 1e-12)
    sep = preconditioned_quadratic(separated_spectrum(60, lam_min=10.0 ** -rng.uniform(0, 2)))
    assert sep.kappa < sep.gamma_1 < sep.kappa_A
    ident = preconditioned_quadratic(lam, "identity")
    assert ident.kappa == pytest.approx(ident.kappa_A)


def test_oracle_is_the_preconditioned_gradient():
    """The oracle's field equals P1 times the finite-difference gradient of f."""
    rng = np.random.default_rng(2)
    lam = separated_spectrum(12, lam_min=0.5, top=(40.0, 20.0), bulk_max=5.0)
    q = preconditioned_quadratic(lam, x_star=rng.standard_normal(12))
    x = rng.standard_normal(12)
    kind, A, b, p = q.oracle().astuple()
    out = np.empty(12)
    field(kind, A, b, p, x, out)
    expected = q.preconditioner_matrix @ _fd_gradient(lambda z: float(q.suboptimality(z)), x)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_separated_spectrum_layout():
    lam = separated_spectrum(60, lam_min=0.01)
    assert lam.size == 60 and lam[:3].tolist() == [1000.0, 500.0, 200.0]
    assert lam.min() == pytest.approx(0.01) and lam[3:].max() == pytest.approx(5.0)
    assert separated_spectrum(np.int64(10)).size == 10  # NumPy integers are counts


@pytest.mark.parametrize("kwargs, name", [
    ({"eigenvalues": [1.0]}, "eigenvalues"), ({"eigenvalues": [1.0, -1.0]}, "eigenvalues"),
    ({"eigenvalues": [1.0, np.nan]}, "eigenvalues"),
    ({"eigenvalues": [1.0, 2.0], "preconditioner": "P2"}, "preconditioner"),
    ({"eigenvalues": [1.0, 2.0], "x_star": [0.0]}, "x_star")])
def test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        preconditioned_quadratic(**kwargs)


@pytest.mark.parametrize("kwargs, name", [
    ({"n": True}, "n"), ({"n": 4}, "n"), ({"n": 10.0}, "n"), ({"lam_min": 0.0}, "lam_min"),
    ({"lam_min": 6.0}, "lam_min"), ({"top": (3.0,)}, "top"), ({"bulk_max": -1.0}, "bulk_max")])
def test_spectrum_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        separated_spectrum(**kwargs)
