"""The double well (kind 70): gradient against finite differences, the noise law, the Moreau
envelope against scipy, the constants, and argument validation."""

import math

import numpy as np
import pytest
from scipy import optimize

from experiments.methods import ProjectedSubgradient
from experiments.oracles import field, oracle_args, sample_field
from experiments.random import numpy_ziggurat_normal, stream
from problems.double_well import double_well


def test_gradient_matches_finite_differences():
    q = double_well(5)
    x = np.random.default_rng(0).uniform(-2, 2, 5)
    h = 1e-6
    fd = [(q.value(x + h * e) - q.value(x - h * e)) / (2 * h) for e in np.eye(5)]
    assert np.allclose(q.gradient(x), fd, rtol=1e-7, atol=1e-8)
    kind, A, b, p = oracle_args(q)
    out = np.empty(5)
    field(kind, A, b, p, x, out)
    assert np.allclose(out, fd, rtol=1e-7, atol=1e-8)
    assert q.value(q.x_star) == 0.0 and np.all(q.gradient(-q.x_star) == 0.0)


def test_weak_convexity_and_generalised_smoothness():
    """f'' = 3x^2 - 1 >= -1 = -rho, and |f''| <= 2 + 3 |f'| everywhere ((L0, L1) = (2, 3))."""
    x = np.linspace(-30, 30, 600001)
    h = 1e-4
    q = double_well(1)
    second = (q.gradient(x[:, None] + h) - q.gradient(x[:, None] - h))[:, 0] / (2 * h)
    assert second.min() >= -q.rho - 1e-6
    assert np.all(np.abs(second) <= 2 + 3 * np.abs(x**3 - x) + 1e-4 * (1 + x * x))


@pytest.mark.parametrize("sigma0, sigma1", [(1.0, 0.0), (1.0, 0.5), (0.0, 2.0)])
def test_samples_are_grad_plus_affine_noise(sigma0, sigma1):
    """Each sample is x^3 - x + (sigma0 + sigma1 |x^3 - x|) z with z the kernel's normals."""
    q = double_well(3, sigma0=sigma0, sigma1=sigma1)
    kind, A, b, p = oracle_args(q, True)
    x = np.array([2.0, -0.5, 1.0])
    rng = stream(7, 3)
    n = 2000
    draws = np.empty((n, 3))
    out = np.empty(3)
    for i in range(n):
        sample_field(kind, A, b, p, x, 0.0, rng, out)
        draws[i] = out
    g = x**3 - x
    z = numpy_ziggurat_normal(7, 3, 3 * n).reshape(n, 3)
    assert np.allclose(draws, g + (sigma0 + sigma1 * np.abs(g)) * z, rtol=1e-12, atol=1e-12)
    sd = draws.std(axis=0)
    assert np.allclose(sd, sigma0 + sigma1 * np.abs(g), rtol=0.1, atol=1e-12)


def _prox_scipy(x: float, lam: float, box) -> float:
    lo, hi = box if box is not None else (-50.0, 50.0)
    res = optimize.minimize_scalar(lambda y: (y * y - 1) ** 2 / 4 + (y - x) ** 2 / (2 * lam),
                                   bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-12})
    return float(res.x)


@pytest.mark.parametrize("lam", [0.5, 0.25, 0.9])
@pytest.mark.parametrize("box", [None, (-2.0, 2.0), (0.5, 1.5)])
def test_prox_and_envelope_gradient_match_scipy(lam, box):
    q = double_well(1, box=box)
    xs = np.array([-40.0, -3.0, -2.0, -1.2, -0.3, -1e-9, 0.0, 1e-7, 0.6, 1.0, 1.99, 2.5, 9.0])
    prox = q.prox(xs[:, None], lam)[:, 0]
    reference = np.array([_prox_scipy(x, lam, box) for x in xs])
    assert np.allclose(prox, reference, atol=1e-7)
    # the free cubic's root to rounding (brentq), before the clip
    free = double_well(1).prox(xs[:, None], lam)[:, 0]
    roots = [optimize.brentq(lambda y, x=x: y**3 + (1 / lam - 1) * y - x / lam, -100, 100,
                             xtol=1e-15) for x in xs]
    assert np.allclose(free, roots, rtol=1e-13, atol=1e-15)
    g = q.envelope_gradient(xs[:, None], lam)[:, 0]
    assert np.allclose(g, (xs - reference) / lam, atol=1e-6)


def test_envelope_gradient_is_the_gradient_of_the_envelope():
    """grad phi_lam = (x - prox)/lam against finite differences of phi_lam computed by scipy."""
    box, lam, h = (-2.0, 2.0), 0.5, 1e-4

    def envelope(x: float) -> float:
        y = _prox_scipy(x, lam, box)
        return (y * y - 1) ** 2 / 4 + (y - x) ** 2 / (2 * lam)

    q = double_well(1, box=box)
    for x in (-2.0, -1.4, -0.2, 0.4, 1.0, 1.8, 3.0):
        fd = (envelope(x + h) - envelope(x - h)) / (2 * h)
        assert q.envelope_gradient(np.array([x]), lam)[0] == pytest.approx(fd, abs=1e-5)
    x = np.random.default_rng(1).uniform(-2, 2, (4, 7, 10))
    sq = double_well(10, box=box).envelope_gradient_sq(x)
    assert sq.shape == (4, 7)
    assert np.allclose(sq, np.sum(double_well(10, box=box).envelope_gradient(x) ** 2, -1))


def test_constants_of_the_box():
    q = double_well(10, sigma0=1.0, box=(-2.0, 2.0))
    assert q.max_slope() == pytest.approx(6.0)
    assert q.second_moment_bound() == pytest.approx(10 * (36 + 1))
    assert double_well(1, box=(-0.6, 0.6)).max_slope() == pytest.approx(2 / (3 * math.sqrt(3)))
    assert double_well(3).second_moment_bound() == math.inf


def test_projected_subgradient_equals_a_numpy_run():
    """x_{t+1} = clip(x_t - alpha (x^3 - x + z)) with the kernel's own normals."""
    q = double_well(4, box=(-2.0, 2.0))
    x0 = np.array([[1.9, -1.9, 0.1, -0.7], [0.0, 0.5, 2.0, -2.0]])
    run = ProjectedSubgradient(0.3, box=(-2.0, 2.0)).run(q, 50, runs=2, seed=5, x0=x0,
                                                         checkpoints=np.arange(51))
    for r in range(2):
        z = numpy_ziggurat_normal(5, r, 4 * 50).reshape(50, 4)
        x = x0[r].copy()
        for t in range(50):
            x = np.clip(x - 0.3 * (x**3 - x + z[t]), -2.0, 2.0)
            assert np.allclose(run.iterates[r, t + 1], x, rtol=1e-10, atol=1e-12)
    assert np.all(np.abs(run.iterates) <= 2.0)


def test_projected_subgradient_rejects_bad_arguments():
    q = double_well(2, box=(-2.0, 2.0))
    method = ProjectedSubgradient(0.1, box=(-2.0, 2.0))
    with pytest.raises(ValueError, match="x0 must lie in the box"):
        method.run(q, 10, x0=np.array([3.0, 0.0]))
    with pytest.raises(ValueError, match="x0 must lie in the box"):
        method.run(q, 10, x0=np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match="horizon"):
        method.run(q, 0)
    with pytest.raises(ValueError, match="runs"):
        method.run(q, 10, runs=True)
    with pytest.raises(ValueError, match="box"):
        ProjectedSubgradient(0.1, box=(1.0, -1.0))
    with pytest.raises(ValueError, match="step"):
        ProjectedSubgradient(-0.1).run(q, 10)


def test_generator_validates_its_arguments():
    assert double_well(np.int64(3)).d == 3
    for bad in (0, True, 2.5, "3"):
        with pytest.raises(ValueError, match="d must be an integer"):
            double_well(bad)
    for bad in (-1.0, math.nan, math.inf, True):
        with pytest.raises(ValueError, match="sigma0"):
            double_well(2, sigma0=bad)
        with pytest.raises(ValueError, match="sigma1"):
            double_well(2, sigma1=bad)
    for bad in ((1.0, -1.0), (0.0,), "box", (0.0, math.inf), (math.nan, 1.0)):
        with pytest.raises(ValueError, match="box"):
            double_well(2, box=bad)
    q = double_well(2)
    for bad in (0.0, 1.0, 1.5, -0.1, math.nan, True):
        with pytest.raises(ValueError, match="lam"):
            q.prox(np.zeros(2), bad)
