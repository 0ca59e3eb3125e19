"""Piecewise-constant schedules (step decay, momentum per stage)."""

import numpy as np
import pytest

from experiments import schedules


def test_piecewise_values_on_each_stage():
    s = schedules.piecewise([1.0, 0.5, 0.25], [3, 7])
    np.testing.assert_allclose(s(np.arange(10)), [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])
    assert schedules.piecewise([0.3], [])(np.array([0, 10**6])).tolist() == [0.3, 0.3]


def test_step_decay_halves_over_equal_stages():
    s = schedules.step_decay(2.0, 100, 4)
    values = s(np.arange(100))
    np.testing.assert_allclose(values[[0, 24, 25, 49, 50, 74, 75, 99]],
                               [2, 2, 1, 1, 0.5, 0.5, 0.25, 0.25])
    assert schedules.stage_boundaries(10, 3) == [3, 7]
    assert schedules.stage_boundaries(np.int64(8), 1) == []


@pytest.mark.parametrize("values, boundaries, name", [
    ([], [], "values"), ([1.0, -1.0], [2], "values"), ([1.0, 2.0], [], "boundaries"),
    ([1.0, 2.0, 3.0], [5, 5], "boundaries"), ([1.0, 2.0], [0], "boundaries"),
    ([1.0, 2.0], [2.5], "boundaries"), ([1.0, 2.0], [True], "boundaries")])
def test_piecewise_rejects_bad_stages(values, boundaries, name):
    with pytest.raises(ValueError, match=name):
        schedules.piecewise(values, boundaries)


@pytest.mark.parametrize("args, name", [
    ((1.0, 0, 1), "horizon"), ((1.0, 10, 11), "stages"), ((1.0, 10, 0), "stages"),
    ((0.0, 10, 2), "gamma0")])
def test_step_decay_rejects_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        schedules.step_decay(*args)
    with pytest.raises(ValueError, match="factor"):
        schedules.step_decay(1.0, 10, 2, factor=1.5)
