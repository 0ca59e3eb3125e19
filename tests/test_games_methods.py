"""The methods of the games-and-distributed claims validate their hyper-parameters before
anything runs (a ValueError naming the argument)."""

import numba
import numpy as np
import pytest

from experiments import schedules
from experiments.methods import ByzantineSGD, CompressedGD, FrankWolfe, NashMirrorProx
from problems.byzantine import byzantine_workers
from problems.compressed_workers import compressed_workers
from problems.preference_game import preference_games
from problems.simplex_log import portfolio


@pytest.mark.parametrize("make, name", [
    (lambda: CompressedGD(0.0), "step"), (lambda: CompressedGD(np.inf), "step"),
    (lambda: CompressedGD(True), "step"), (lambda: CompressedGD(0.1, "top2"), "compressor"),
    (lambda: FrankWolfe("yes"), "monotone"), (lambda: ByzantineSGD(-1.0), "step"),
    (lambda: ByzantineSGD(0.1, "median"), "aggregation"), (lambda: NashMirrorProx(0.0, 0.1), "eta"),
    (lambda: NashMirrorProx(2.0, -0.1), "beta"), (lambda: NashMirrorProx(2.0, True), "beta")])
def test_bad_hyper_parameters_are_refused(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_deterministic_methods_refuse_several_runs_and_foreign_starts():
    with pytest.raises(ValueError, match="runs"):
        CompressedGD(0.1).run(compressed_workers(), 10, runs=2)
    with pytest.raises(ValueError, match="runs"):
        FrankWolfe().run(portfolio(), 10, runs=3)
    with pytest.raises(ValueError, match="x0"):
        FrankWolfe().run(portfolio(), 10, x0=np.ones(50))  # not in the simplex
    games = preference_games(largest=10)
    with pytest.raises(ValueError, match="runs"):
        NashMirrorProx(2.0, 0.1).run(games, 10, runs=1)


def test_byzantine_sgd_is_reproducible_per_seed_and_thread_count():
    q = byzantine_workers(f=8, attack="colluding")
    a = ByzantineSGD(schedules.polynomial(0.5, 0.6, 1.0)).run(q, 200, runs=6, seed=4)
    b = ByzantineSGD(schedules.polynomial(0.5, 0.6, 1.0)).run(q, 200, runs=6, seed=4)
    c = ByzantineSGD(schedules.polynomial(0.5, 0.6, 1.0)).run(q, 200, runs=6, seed=5)
    assert np.array_equal(a.iterates, b.iterates) and not np.array_equal(a.iterates, c.iterates)
    assert len({r.tobytes() for r in a.iterates}) == 6  # independent streams per run
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = ByzantineSGD(schedules.polynomial(0.5, 0.6, 1.0)).run(q, 200, runs=6, seed=4)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(a.iterates, one.iterates)
