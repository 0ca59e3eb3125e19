"""Quadratics with gradient noise of covariance sigma^2 H / M."""

import numpy as np
import pytest

from experiments.oracles import field, sample_field
from experiments.random import stream
from problems.anisotropic import anisotropic_quadratic


def test_spectrum_and_constants():
    q = anisotropic_quadratic(50, kappa=1e3, sigma=2.0, batch=4)
    assert q.L == pytest.approx(1.0) and q.mu == pytest.approx(1e-3)
    assert np.allclose(np.diff(np.log(q.eigenvalues)), np.log(1e3) / 49)
    assert q.noise_scale == pytest.approx(1.0)
    np.testing.assert_allclose(np.diag(q.noise_covariance), q.eigenvalues)


def test_field_is_the_gradient():
    q = anisotropic_quadratic(8, kappa=10.0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8)
    kind, A, b, p = q.oracle_data()
    out = np.empty(8)
    field(kind, A, b, p, x, out)
    h = 1e-6
    fd = [(q.suboptimality(x + h * e) - q.suboptimality(x - h * e)) / (2 * h) for e in np.eye(8)]
    np.testing.assert_allclose(out, fd, rtol=1e-6, atol=1e-8)


def test_samples_have_mean_grad_and_covariance_proportional_to_h():
    q = anisotropic_quadratic(6, kappa=100.0, sigma=1.5, batch=2)
    x = np.linspace(-1, 1, 6)
    kind, A, b, p = q.oracle_data()
    rng = stream(np.uint64(3), 0)
    n = 40000
    g = np.empty((n, 6))
    out = np.empty(6)
    for i in range(n):
        sample_field(kind, A, b, p, x, 0.0, rng, out)
        g[i] = out
    noise = g - q.eigenvalues * (x - q.x_star)
    var = q.noise_scale**2 * q.eigenvalues
    # mean within 5 standard errors, variance within 5 SE of a normal variance (sqrt(2/n))
    assert np.all(np.abs(noise.mean(axis=0)) < 5 * np.sqrt(var / n))
    np.testing.assert_allclose(noise.var(axis=0), var, rtol=5 * np.sqrt(2 / n))
    off = np.corrcoef(noise.T)[np.triu_indices(6, 1)]
    assert np.all(np.abs(off) < 5 / np.sqrt(n))


def test_zero_sigma_is_exact():
    q = anisotropic_quadratic(5, sigma=0.0)
    kind, A, b, p = q.oracle_data()
    out, exact = np.empty(5), np.empty(5)
    x = np.ones(5)
    sample_field(kind, A, b, p, x, 0.0, stream(np.uint64(0), 0), out)
    field(kind, A, b, p, x, exact)
    np.testing.assert_allclose(out, exact)


@pytest.mark.parametrize("kwargs, name", [
    ({"d": 1}, "d"), ({"d": True}, "d"), ({"kappa": 1.0}, "kappa"), ({"kappa": np.inf}, "kappa"),
    ({"sigma": -1.0}, "sigma"), ({"batch": 0}, "batch"), ({"batch": 2.5}, "batch")])
def test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        anisotropic_quadratic(**kwargs)


def test_accepts_numpy_integers():
    assert anisotropic_quadratic(np.int32(7), batch=np.int64(3)).d == 7
