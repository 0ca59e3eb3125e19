"""The sparse single-ReLU family and projected GD onto s-sparse vectors."""

import math

import numpy as np
import pytest

from experiments.methods import SparseProjectedGD
from experiments.projected_gd import project_sparse, projected_gd
from problems.relu import sparse_relu


def test_gradient_matches_finite_differences_of_the_loss():
    inst = sparse_relu(30, 3, 50, seed=2).instance(0)
    w = np.random.default_rng(0).standard_normal(30)
    h = 1e-6
    fd = [(inst.loss(w + h * e) - inst.loss(w - h * e)) / (2 * h) for e in np.eye(30)]
    np.testing.assert_allclose(inst.gradient(w), fd, rtol=1e-6, atol=1e-8)


def test_known_answer_and_the_gradient_at_zero():
    q = sparse_relu(40, 4, 25, seed=np.int64(3))
    inst = q.instance(1)
    assert np.count_nonzero(inst.w_star) == 4 and np.linalg.norm(inst.w_star) == pytest.approx(1)
    assert inst.loss(inst.w_star) == 0.0
    np.testing.assert_array_equal(inst.gradient(inst.w_star), 0.0)
    # sgn 0 = 0: at w = 0 the gradient is -(1/n) sum y_i x_i, not 0
    np.testing.assert_allclose(inst.gradient(np.zeros(40)), -inst.y @ inst.X / 25)
    np.testing.assert_array_equal(q.x_stars(2)[1], inst.w_star)
    assert not np.array_equal(q.instance(0).X, inst.X)  # runs are independent instances


@pytest.mark.parametrize("name, kw", [("d", {"d": 0}), ("s", {"s": 50}), ("n", {"n": True}),
                                      ("n", {"n": 2.5}), ("seed", {"seed": -1})])
def test_arguments_are_validated(name, kw):
    with pytest.raises(ValueError, match=name):
        sparse_relu(**{"d": 40, "s": 4, **kw})


def test_projection_keeps_the_largest_entries():
    w = np.array([0.1, -3.0, 2.0, 0.5, -2.5])
    np.testing.assert_array_equal(project_sparse(w, 2), [0, -3.0, 0, 0, -2.5])


def test_first_step_from_zero_is_the_projected_correlation():
    q = sparse_relu(50, 5, 40, seed=1)
    run = SparseProjectedGD(1.0, 5).run(q, 1, runs=2)
    for r in range(2):
        inst = q.instance(r)
        np.testing.assert_allclose(run.iterates[r, 1], project_sparse(inst.y @ inst.X / 40, 5),
                                   rtol=1e-12)


def test_divergence_is_reported_and_arguments_checked():
    q = sparse_relu(50, 5, 40, seed=1)
    run = projected_gd(q, 1e60, 5, 10, runs=1)
    assert run.first_divergence is not None and math.isnan(run.iterates[0, -1, 0])
    with pytest.raises(ValueError, match="sparsity"):
        SparseProjectedGD(1.0, 0)
    with pytest.raises(ValueError, match="x0"):
        projected_gd(q, 1.0, 5, 3, x0=np.zeros(3))
