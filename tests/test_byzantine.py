"""Byzantine workers: the attack laws do what they say, the resilience condition, and argument
validation (a ValueError naming the argument)."""

import numpy as np
import pytest

from problems.byzantine import DEFAULT_SHIFT, byzantine_workers


def test_the_omniscient_attack_sets_the_mean():
    q = byzantine_workers(n=20, f=3, attack="omniscient")
    rng = np.random.default_rng(0)
    x = rng.standard_normal(10)
    honest = x - (q.x_star + rng.standard_normal((17, 10)))
    b = q.byzantine_vector(x, honest)
    mean = (honest.sum(axis=0) + 3 * b) / 20
    assert np.allclose(mean, x - q.x_star + DEFAULT_SHIFT["omniscient"])


def test_the_colluding_attack_is_the_honest_mean_shifted():
    q = byzantine_workers(f=8, attack="colluding")
    honest = np.random.default_rng(1).standard_normal((12, 10))
    assert np.allclose(q.byzantine_vector(np.zeros(10), honest), honest.mean(axis=0) - 5.0)


def test_the_honest_gradient_is_that_of_the_base_quadratic():
    q = byzantine_workers()
    x = np.linspace(-1, 2, 10)
    h = 1e-6
    fd = [(q.suboptimality(x + h * e) - q.suboptimality(x - h * e)) / (2 * h)
          for e in np.eye(10)]
    assert np.allclose(fd, x - q.x_star, atol=1e-8)  # = E[x - X]


def test_resilience_condition():
    assert byzantine_workers(f=8).krum_resilient
    assert not byzantine_workers(f=9).krum_resilient


@pytest.mark.parametrize("kwargs, name", [
    ({"n": 1}, "n"), ({"n": True}, "n"), ({"f": 0}, "f"), ({"f": 20}, "f"), ({"f": 2.5}, "f"),
    ({"attack": "sign-flip"}, "attack"), ({"d": 0}, "d"), ({"sd": 0.0}, "sd"),
    ({"sd": np.inf}, "sd"), ({"shift": -1.0}, "shift"), ({"shift": np.nan}, "shift"),
    ({"x_star": np.inf}, "x_star")])
def test_bad_arguments_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        byzantine_workers(**kwargs)


def test_numpy_integers_are_accepted():
    q = byzantine_workers(n=np.int64(20), f=np.int32(8))
    assert (q.n, q.f) == (20, 8)
