"""Preference games: the preference matrix's structure, the payoff's gradient against finite
differences, the games of an experiment, and argument validation."""

import numpy as np
import pytest

from problems.preference_game import SIZES, preference_game, preference_games


def test_preferences_are_complementary():
    g = preference_game(50, seed=1)
    assert np.allclose(g.P + g.P.T, 1.0) and np.all(np.diag(g.P) == 0.5)
    assert 0 <= g.P.min() and g.P.max() <= 1 and g.L <= 0.5


def test_the_payoff_gradient_is_the_win_rate_vector():
    g = preference_game(10, seed=0)
    rng = np.random.default_rng(0)
    pi, other = rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))
    h = 1e-6
    fd = [((pi + h * e) @ g.P @ other - (pi - h * e) @ g.P @ other) / (2 * h)
          for e in np.eye(10)]
    assert np.allclose(fd, g.P @ other, atol=1e-9)


def test_the_games_of_an_experiment():
    games = preference_games(0.1, per_size=2, largest=100, seed=5)
    assert games.sizes.tolist() == [10, 10, 100, 100] and games.width == 100
    assert not np.array_equal(games.games[0].P, games.games[1].P)
    star = games.x_star
    assert star.shape == (4, 100) and np.allclose(star.sum(axis=1), 1.0)
    assert np.all(star[0, 10:] == 0)
    assert preference_games().sizes.tolist() == [n for n in SIZES for _ in range(3)]


@pytest.mark.parametrize("call, name", [
    (lambda: preference_game(1), "actions"), (lambda: preference_game(True), "actions"),
    (lambda: preference_game(10, -0.1), "beta"), (lambda: preference_game(10, np.nan), "beta"),
    (lambda: preference_game(10, np.inf), "beta"), (lambda: preference_game(10, 0.1, -1), "seed"),
    (lambda: preference_games(per_size=0), "per_size"),
    (lambda: preference_games(largest=5), "largest")])
def test_bad_arguments_are_refused(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_numpy_integers_are_accepted():
    assert preference_game(np.int64(10), np.float64(0.1), np.int32(2)).actions == 10
