"""Where checks run: local threads (default), local processes, or a Dask cluster.

The unit of work is a :class:`Task` (claim id, seed, parameter overrides).  Claims, parameter
sweeps and seeds become lists of tasks; an executor runs them and returns verdicts in the order
of the tasks.  Every random number comes from a counter-based stream per (seed, run), so a task's
result does not depend on where or beside what it ran: the executors give bit-identical results.

* ``local``     — one task at a time in this process; each numba kernel splits its runs over
                  NUMBA_NUM_THREADS threads (prange).  Best for a handful of claims.  (Called
                  ``threads`` in round 1, a name that suggested tasks side by side; that name is
                  still accepted.)
* ``processes`` — a spawned process pool (fork is unsafe with numba's OpenMP layer), one numba
                  thread per worker: tasks run side by side.  Best for sweeps on one machine.
* ``dask``      — dask.distributed: a LocalCluster when no scheduler address is given, or the
                  cluster at ``scheduler`` (``tcp://host:8786``).  The workers need this package
                  installed; they import the claims themselves from the registry.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from rates.claim import Verdict

EXECUTORS = ("local", "processes", "dask")
ALIASES = {"threads": "local"}
"""Earlier names of executors, still accepted."""
MAX_SEED = 2**64 - 1


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
        """A task; ``seed`` must be an integer in [0, 2^64 - 1] (it keys 64-bit streams)."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not (
                0 <= int(seed) <= MAX_SEED):
            raise ValueError(f"seed must be an integer in [0, 2^64 - 1], got {seed!r}")
        return cls(claim_id, int(seed), tuple(sorted((overrides or {}).items())), control)


def run_task(task: Task, numba_threads: int | None = None) -> Verdict:
    """Run one task here (in whatever process or worker calls it)."""
    from rates import registry  # imported in the worker: claims are found by id, not shipped

    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    claim = registry.get(task.claim_id)
    return claim.check(seed=task.seed, overrides=dict(task.overrides), control=task.control)


def _pool_worker() -> None:
    """A process-pool worker: one numba thread, and Ctrl-C left to the parent.

    SIGINT reaches every process of the terminal's group; the parent stops the pool and keeps
    what finished, so a worker must not die half-way on its own (or print a traceback).
    """
    import signal

    import numba

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    numba.set_num_threads(1)


def _interruptibly(fn: Callable[..., Verdict], *args: Any) -> Verdict:
    """``fn(*args)`` in a worker thread, waited for here so that Ctrl-C is honoured at once.

    Python runs a signal handler only in the main thread, between bytecodes: while the main
    thread is inside a numba kernel (minutes, for a long horizon) a Ctrl-C waits for it to
    return.  The kernels release the GIL (``nogil=True``), so a worker thread can run them while
    the main thread waits in short, interruptible joins; on KeyboardInterrupt the worker is
    abandoned (a daemon thread, ended with the process) and the interrupt propagates.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as e:  # handed to the waiting thread, re-raised there
            box["error"] = e

    worker = threading.Thread(target=target, name="rates-task", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
    if "error" in box:
        raise box["error"]
    return box["value"]


CONNECT_TIMEOUT_S = 10
"""How long to try reaching a Dask scheduler given by address before giving up."""


class DaskUnavailable(OSError):
    """The Dask executor cannot run here: not installed, or its scheduler cannot be reached.

    An environment error, not a usage one (exit status 4 from the command)."""


def run_tasks(tasks: Sequence[Task], executor: str = "local", *, workers: int | None = None,
              scheduler: str | None = None,
              progress: Callable[[Task, Verdict], None] | None = None) -> list[Verdict]:
    """Run ``tasks`` on ``executor`` and return their verdicts in task order.

    ``progress(task, verdict)`` is called in this process as soon as each task finishes (in the
    order they finish), before the next result is awaited: the results cache stores each one
    there, so work that finished survives a task that raises, a crash or Ctrl-C.  When a task
    raises (or on KeyboardInterrupt) the tasks not yet started are cancelled, the running ones
    stopped, and the exception propagates.
    """
    executor = ALIASES.get(executor, executor)
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler is an address for the dask executor only")
    tasks = list(tasks)
    if not tasks:
        return []
    if executor == "local":
        done: list[Verdict] = []
        for t in tasks:
            done.append(_interruptibly(run_task, t))
            if progress:
                progress(t, done[-1])
        return done
    if executor == "processes":
        return _run_processes(tasks, workers, progress)
    return _run_dask(tasks, workers, scheduler, progress)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (a running task is abandoned)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:  # pragma: no cover - depends on the Python version
        terminate()
        return
    # before shutdown, which forgets them; SIGTERM, since the workers ignore SIGINT
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1.0)


def _run_processes(tasks, workers, progress) -> list[Verdict]:
    n = min(workers or os.cpu_count() or 1, len(tasks))
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_pool_worker)
    results: list[Verdict | None] = [None] * len(tasks)
    try:
        futures = {pool.submit(run_task, t): i for i, t in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if progress:
                progress(tasks[i], results[i])
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return [r for r in results if r is not None]


def _run_dask(tasks, workers, scheduler, progress) -> list[Verdict]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise DaskUnavailable("the dask executor needs dask.distributed: "
                              "pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as error:
            detail = " ".join(str(error).split()) or type(error).__name__
            raise DaskUnavailable(f"cannot reach the Dask scheduler at {scheduler}: "
                                  f"{detail}") from None
    futures = []
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
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
