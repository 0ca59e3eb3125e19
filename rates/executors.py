"""Where checks run: local threads (default), local processes, or a Dask cluster.

The unit of work is a :class:`Task` (claim id, seed, parameter overrides).  Claims, parameter
sweeps and seeds become lists of tasks; an executor runs them and returns verdicts in the order
of the tasks.  Every random number comes from a counter-based stream per (seed, run), so a task's
result does not depend on where or beside what it ran: the executors give bit-identical results.

* ``threads``   — one task at a time in this process; each numba kernel splits its runs over
                  NUMBA_NUM_THREADS threads (prange).  Best for a handful of claims.
* ``processes`` — a spawned process pool (fork is unsafe with numba's OpenMP layer), one numba
                  thread per worker: tasks run side by side.  Best for sweeps on one machine.
* ``dask``      — dask.distributed: a LocalCluster when no scheduler address is given, or the
                  cluster at ``scheduler`` (``tcp://host:8786``).  The workers need this package
                  installed; they import the claims themselves from the registry.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from rates.claim import Verdict

EXECUTORS = ("threads", "processes", "dask")


@dataclass(frozen=True)
class Task:
    """One check: a claim id, a seed, and parameter overrides (sorted, so order never matters)."""

    claim_id: str
    seed: int
    overrides: tuple[tuple[str, Any], ...] = ()
    control: bool = True

    @classmethod
    def make(cls, claim_id: str, seed: int = 0, overrides: Mapping[str, Any] | None = None,
             control: bool = True) -> Task:
        return cls(claim_id, int(seed), tuple(sorted((overrides or {}).items())), control)


def run_task(task: Task, numba_threads: int | None = None) -> Verdict:
    """Run one task here (in whatever process or worker calls it)."""
    from rates import registry  # imported in the worker: claims are found by id, not shipped

    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    claim = registry.get(task.claim_id)
    return claim.check(seed=task.seed, overrides=dict(task.overrides), control=task.control)


def _one_thread_worker() -> None:
    import numba

    numba.set_num_threads(1)


def run_tasks(tasks: Sequence[Task], executor: str = "threads", *, workers: int | None = None,
              scheduler: str | None = None,
              progress: Callable[[Task, Verdict], None] | None = None) -> list[Verdict]:
    """Run ``tasks`` on ``executor`` and return their verdicts in task order."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is an address for the dask executor only")
    tasks = list(tasks)
    done: list[Verdict] = []
    if executor == "threads":
        for t in tasks:
            done.append(run_task(t))
            if progress:
                progress(t, done[-1])
        return done
    if executor == "processes":
        n = workers or os.cpu_count() or 1
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(n, mp_context=context, initializer=_one_thread_worker) as pool:
            for t, v in zip(tasks, pool.map(run_task, tasks), strict=True):
                done.append(v)
                if progress:
                    progress(t, v)
        return done
    return _run_dask(tasks, workers, scheduler, progress)


def _run_dask(tasks, workers, scheduler, progress) -> list[Verdict]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise RuntimeError("the dask executor needs dask.distributed: "
                           "pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(run_task, tasks, numba_threads=1, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Verdict | None] = [None] * len(tasks)
        for future in as_completed(futures):
            i = index[future.key]
            results[i] = future.result()
            if progress:
                progress(tasks[i], results[i])
        return [r for r in results if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
