"""Dense and block-diagonal quadratics (kind 71), the Haar rotation and the direct sum: gradient
against finite differences, the kernels' oracle against numpy, the (1,1)-norm, validation."""

import math

import numpy as np
import pytest

from experiments import schedules
from experiments.methods import Adam, GradientDescent
from experiments.oracles import field, oracle_args, sample_field
from experiments.random import stream
from problems.quadratic import (
    dense_quadratic,
    direct_sum,
    haar_rotation,
    quadratic,
    rotated_quadratic,
)


def test_haar_rotation_is_orthogonal_and_unbiased():
    q = haar_rotation(50, 3)
    assert np.allclose(q @ q.T, np.eye(50), atol=1e-12)
    assert np.array_equal(q, haar_rotation(50, 3)) and not np.allclose(q, haar_rotation(50, 4))
    # Haar: every entry has mean 0 and variance 1/d; the sign fix removes QR's bias to R_ii > 0
    entries = np.stack([haar_rotation(8, s) for s in range(400)])
    assert abs(entries.mean()) < 0.01
    assert np.allclose((entries**2).mean(axis=0), 1 / 8, atol=0.03)
    assert abs(entries[:, 0, 0].mean()) < 0.06


def test_rotated_quadratic_keeps_the_spectrum_and_its_gradient_matches_finite_differences():
    p, q = rotated_quadratic(6, L=1.0, mu=1e-2, seed=2)
    assert np.allclose(p.eigenvalues, quadratic(6, 1.0, 1e-2).eigenvalues)
    assert p.L == pytest.approx(1.0) and p.mu == pytest.approx(1e-2)
    x = np.random.default_rng(0).standard_normal(6)
    h = 1e-6
    fd = [(p.value(x + h * e) - p.value(x - h * e)) / (2 * h) for e in np.eye(6)]
    assert np.allclose(p.gradient(x), fd, rtol=1e-6, atol=1e-9)
    # the rotated start sees the same function: f_Q(Q x) = f(x)
    aligned = quadratic(6, 1.0, 1e-2)
    assert p.value(q @ x) == pytest.approx(float(aligned.value(x)), rel=1e-12)


def test_kernel_oracle_is_the_block_diagonal_gradient():
    a, _ = rotated_quadratic(5, seed=0)
    b, _ = rotated_quadratic(5, seed=1)
    s = direct_sum(a, b)
    assert s.block == 5 and s.oracle().A.shape == (10, 5)
    x = np.random.default_rng(1).standard_normal(10)
    for problem in (s, dense_quadratic(s.hessian), a):
        kind, A, B, P = oracle_args(problem, True)
        out, out2 = np.empty(problem.d), np.empty(problem.d)
        field(kind, A, B, P, x[:problem.d], out)
        sample_field(kind, A, B, P, x[:problem.d], 0.0, stream(0, 0), out2)
        expected = problem.hessian @ x[:problem.d]
        assert np.allclose(out, expected, rtol=1e-12, atol=1e-14)
        assert np.array_equal(out, out2)  # deterministic family: the sample is exact


def test_direct_sum_runs_each_part_as_on_its_own():
    """Adam (coordinate-wise) and GD on the direct sum equal separate runs of each part."""
    a, q = rotated_quadratic(8, seed=4)
    diag = quadratic(8, 1.0, 1e-2)
    s = direct_sum(diag, a)
    x0 = np.random.default_rng(2).standard_normal((3, 8))
    both = np.hstack([x0, x0 @ q.T])
    for method in (Adam(schedules.constant(1e-2)), GradientDescent(0.5)):
        joint = method.run(s, 200, runs=3, x0=both, checkpoints=np.array([200])).iterates
        first = method.run(dense_quadratic(np.diag(diag.eigenvalues)), 200, runs=3, x0=x0,
                           checkpoints=np.array([200])).iterates
        second = method.run(a, 200, runs=3, x0=x0 @ q.T, checkpoints=np.array([200])).iterates
        assert np.allclose(joint[..., :8], first, rtol=1e-9, atol=1e-300)
        assert np.allclose(joint[..., 8:], second, rtol=1e-9, atol=1e-14)


def test_one_one_norm():
    a, q = rotated_quadratic(30, L=1.0, mu=1e-3, seed=0)
    h = np.diag(quadratic(30, 1.0, 1e-3).eigenvalues)
    assert dense_quadratic(h).one_one_norm == pytest.approx(np.trace(h))
    assert a.one_one_norm == pytest.approx(float(np.sum(np.abs(q @ h @ q.T))))
    assert a.one_one_norm > 3 * np.trace(h)  # a rotation spreads the mass off the diagonal
    assert direct_sum(a, a).one_one_norm == pytest.approx(2 * a.one_one_norm)


def test_generators_validate_their_arguments():
    with pytest.raises(ValueError, match="square"):
        dense_quadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        dense_quadratic(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="positive definite"):
        dense_quadratic(np.array([[1.0, 0.0], [0.0, -1.0]]))
    with pytest.raises(ValueError, match="finite"):
        dense_quadratic(np.array([[math.nan, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="block must divide"):
        dense_quadratic(np.eye(4), block=3)
    with pytest.raises(ValueError, match="block diagonal"):
        dense_quadratic(np.eye(4) + 0.1 * np.ones((4, 4)), block=2)
    with pytest.raises(ValueError, match="block"):
        dense_quadratic(np.eye(4), block=True)
    with pytest.raises(ValueError, match="x_star"):
        dense_quadratic(np.eye(2), x_star=[0.0, math.inf])
    with pytest.raises(ValueError, match="d must be"):
        haar_rotation(0, 1)
    with pytest.raises(ValueError, match="seed"):
        haar_rotation(3, -1)
    with pytest.raises(ValueError, match="at least one"):
        direct_sum()
    assert haar_rotation(np.int64(3), np.int64(0)).shape == (3, 3)
