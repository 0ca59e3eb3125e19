"""Streaming least squares: fresh Gaussian pairs, f(w) - f* = 1/2 ||w - w*||^2."""

import numpy as np
import pytest

from experiments.oracles import field, sample_field
from experiments.random import stream
from problems.streaming import streaming_least_squares


def test_solution_and_field():
    q = streaming_least_squares(6, noise=0.5)
    np.testing.assert_allclose(q.x_star, np.eye(6)[0])
    w = np.linspace(-1, 1, 6)
    kind, A, b, p = q.oracle_data()
    out = np.empty(6)
    field(kind, A, b, p, w, out)
    h = 1e-6
    fd = [(q.suboptimality(w + h * e) - q.suboptimality(w - h * e)) / (2 * h) for e in np.eye(6)]
    np.testing.assert_allclose(out, fd, rtol=1e-6, atol=1e-8)
    assert q.f_star == pytest.approx(0.125)


def test_samples_mean_and_noise_at_the_solution():
    """E (<x,w> - y) x = w - w*, and at w* the sample is noise xi x: covariance noise^2 I."""
    q = streaming_least_squares(4, noise=0.5)
    kind, A, b, p = q.oracle_data()
    rng = stream(np.uint64(7), 2)
    n = 40000
    w = np.array([0.2, -0.5, 1.0, 0.0])
    g = np.empty((n, 4))
    out = np.empty(4)
    for i in range(n):
        sample_field(kind, A, b, p, w, 0.0, rng, out)
        g[i] = out
    se = g.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(g.mean(axis=0) - (w - q.x_star)) < 5 * se)
    for i in range(n):
        sample_field(kind, A, b, p, q.x_star, 0.0, rng, out)
        g[i] = out
    np.testing.assert_allclose(np.cov(g.T), 0.25 * np.eye(4), atol=5 * 0.25 * np.sqrt(2 / n))


@pytest.mark.parametrize("kwargs, name", [
    ({"d": 0}, "d"), ({"d": 2.0}, "d"), ({"noise": -0.1}, "noise"), ({"noise": np.nan}, "noise"),
    ({"d": 3, "w_star": [1.0, 2.0]}, "w_star")])
def test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        streaming_least_squares(**kwargs)
