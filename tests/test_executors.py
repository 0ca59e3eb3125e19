"""Executors: the same tasks give bit-identical verdicts on threads, processes and Dask."""

import numpy as np
import pytest

from rates.cli import main
from rates.executors import Task, run_tasks

SMALL = {"horizon": 5000, "runs": 20, "window_start": 500}


def _tasks():
    return [Task.make("handbook-sgd-switching", seed, SMALL) for seed in (0, 1)] + [
        Task.make("handbook-gd-strongly-convex", 0, {"gamma_L": 0.5})]


def _same(a, b):
    ma, mb = a.outcome.measurement, b.outcome.measurement
    return (a.claim.id == b.claim.id and a.seed == b.seed and a.passed == b.passed
            and np.array_equal(ma.trace.values, mb.trace.values)
            and ma.measured == mb.measured and ma.ci == mb.ci
            and np.array_equal(a.control.measurement.trace.values,
                               b.control.measurement.trace.values))


@pytest.fixture(scope="module")
def on_threads():
    return run_tasks(_tasks(), "local")


@pytest.mark.slow
def test_processes_match_threads_bit_for_bit(on_threads):
    assert all(map(_same, on_threads, run_tasks(_tasks(), "processes", workers=2)))


@pytest.mark.slow
def test_a_real_dask_local_cluster_matches_threads_bit_for_bit(on_threads):
    pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")
    assert all(map(_same, on_threads, run_tasks(_tasks(), "dask", workers=2)))


def test_overrides_order_does_not_matter():
    a = Task.make("x", 0, {"a": 1, "b": 2})
    b = Task.make("x", 0, {"b": 2, "a": 1})
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "3"])
def test_a_task_needs_a_64_bit_seed(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\^64 - 1\]"):
        Task.make("x", seed)
    assert Task.make("x", 2**64 - 1).seed == 2**64 - 1
    assert Task.make("x", np.uint64(7)).seed == 7


def test_executor_errors():
    with pytest.raises(ValueError, match="executor must be one of"):
        run_tasks([], "gpu")
    with pytest.raises(ValueError, match="workers"):
        run_tasks([], "processes", workers=0)
    with pytest.raises(ValueError, match="dask executor only"):
        run_tasks([], "local", scheduler="tcp://localhost:8786")


@pytest.mark.slow
def test_sweep_command_runs_the_grid_times_the_seeds(tmp_path, capsys):
    import json

    path = tmp_path / "sweep.json"
    argv = ["sweep", "handbook-sgd-switching", "--grid", "noise=0.25,0.5", "--seeds", "0-1",
            "--set", "horizon=5000", "--set", "runs=20", "--set", "window_start=500",
            "--json", str(path)]
    assert main(argv) == 0
    records = json.loads(path.read_text())
    assert [(r["parameters"]["noise"], r["seed"]) for r in records] == [
        (0.25, 0), (0.25, 1), (0.5, 0), (0.5, 1)]
    assert all(r["verdict"] == "holds" for r in records)
    assert main(["sweep", "handbook-sgd-switching", "--seeds", "x"]) == 2


@pytest.mark.slow
def test_the_cache_serves_every_executor_the_same_verdicts(tmp_path, on_threads):
    from rates.cache import run_tasks_cached

    first, hits = run_tasks_cached(_tasks(), "processes", workers=2, cache_dir_=tmp_path)
    assert hits == 0 and all(map(_same, on_threads, first))
    again, hits = run_tasks_cached(list(reversed(_tasks())), "local", cache_dir_=tmp_path)
    assert hits == 3 and all(map(_same, on_threads, reversed(again)))
    fresh, hits = run_tasks_cached(_tasks(), "local", use_cache=False, cache_dir_=tmp_path)
    assert hits == 0 and all(map(_same, on_threads, fresh))
