"""The workers' quadratics: gradients against finite differences, the default instance, and
argument validation (a ValueError naming the argument)."""

import numpy as np
import pytest

from problems.compressed_workers import compressed_workers


def test_gradients_match_finite_differences():
    q = compressed_workers()
    x = np.array([0.3, -1.2, 0.7])
    h = 1e-6
    for i in range(q.workers):
        fi = lambda y, i=i: (q.A[i] @ y) ** 2 + 0.5 * q.mu * y @ y  # noqa: E731
        fd = np.array([(fi(x + h * e) - fi(x - h * e)) / (2 * h) for e in np.eye(3)])
        assert np.allclose(q.worker_gradients(x)[i], fd, atol=1e-7)
    fd = np.array([(q.value(x + h * e) - q.value(x - h * e)) / (2 * h) for e in np.eye(3)])
    assert np.allclose(q.gradient(x), fd, atol=1e-7)
    assert np.allclose(q.hessian() @ x, q.gradient(x))


def test_default_instance_is_the_cyclic_example():
    q = compressed_workers()
    assert np.array_equal(q.A, [[-3, 2, 2], [2, -3, 2], [2, 2, -3]])
    assert q.mu == 0.5 and q.value(q.x_star) == 0.0
    assert np.linalg.eigvalsh(q.hessian())[0] > 0  # strongly convex: x* = 0 is the minimiser


@pytest.mark.parametrize("kwargs, name", [
    ({"mu": 0.0}, "mu"), ({"mu": -1.0}, "mu"), ({"mu": np.inf}, "mu"), ({"mu": np.nan}, "mu"),
    ({"mu": True}, "mu"), ({"rows": [1.0, 2.0]}, "rows"), ({"rows": [[np.nan, 1.0]]}, "rows"),
    ({"rows": [["a"]]}, "rows"), ({"rows": np.zeros((0, 3))}, "rows")])
def test_bad_arguments_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        compressed_workers(**kwargs)


def test_numpy_scalars_are_accepted():
    assert compressed_workers(mu=np.float32(0.25)).mu == 0.25
    assert compressed_workers(rows=np.eye(2, dtype=np.int64)).d == 2
