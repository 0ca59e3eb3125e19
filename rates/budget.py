"""What a check will cost, estimated before it runs, and the budget a command holds it to.

A task's cost is ``(work, memory)``: *work* in run-steps x dimension (runs x iterations x the
size of an iterate: what a kernel's inner loop touches) and *memory* in bytes of the largest
arrays it holds at once.  :meth:`rates.claim.Claim.cost` returns it for resolved parameters; the
default, :func:`default_cost`, reads it off the parameter names every claim in the catalogue
uses (``runs``, ``horizon``, ``d``, ``n``, ...), and a claim whose cost those names do not tell
overrides the method.  The estimate is an order of magnitude, meant to stop a typo such as
``--set horizon=100000000`` from running for hours or ``--set n=1000000 --set d=10000`` from
ending in a 75 GiB ``MemoryError``; the whole default catalogue, controls included, is about
1.4e9 run-steps x dimension.

The command (``rates check``, ``sweep``, ``figures``, ``report``) adds up every task that is not
in the results cache, the claim and its control, and refuses above :data:`WORK_BUDGET` in total
or :data:`MEMORY_BUDGET` for one task unless ``--force`` is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

WORK_BUDGET = 5e10
"""Run-steps x dimension for one command, all its tasks together (a few minutes of kernels)."""
MEMORY_BUDGET = 4 * 2**30
"""Bytes for one task at a time (4 GiB)."""
MAX_TASKS = 100_000
"""The most tasks one command builds (a sweep's points x seeds), --force or not."""

RUNS = ("runs",)
"""Names (or ``*_runs`` suffixes) that count independent runs."""
STEPS = ("horizon", "max_iter", "steps", "iterations", "t_max", "n_max", "window")
"""Names that count iterations (the largest is taken: a window lies inside a horizon)."""
SIZES = ("d", "n", "m", "k", "r", "blocks", "batch", "max_batch")
"""Names of sizes: the iterate's dimension is ``d`` when a claim has it, else the largest."""

_FLOAT = 8


def _numbers(params: Mapping[str, Any], names: tuple[str, ...], suffix: bool = False
             ) -> list[float]:
    out = []
    for name, value in params.items():
        if name in names or (suffix and any(name.endswith("_" + n) for n in names)):
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                out.append(float(value))
    return out


def default_cost(params: Mapping[str, Any]) -> tuple[float, float]:
    """(run-steps x dimension, bytes) from the parameter names of the catalogue.

    runs = the largest ``runs``/``*_runs`` (1 if none), steps = the largest of :data:`STEPS`
    (1000 if none), dimension = ``d`` if given, else the largest of :data:`SIZES` (1 if none);
    memory = a data matrix of the two largest sizes plus three iterates and a 1000-point trace
    per run, in float64.
    """
    runs = max(_numbers(params, RUNS, suffix=True), default=1.0)
    steps = max(_numbers(params, STEPS), default=1000.0)
    sizes = sorted(_numbers(params, SIZES), reverse=True)
    d = params.get("d")
    dim = float(d) if isinstance(d, int) and not isinstance(d, bool) and d > 0 else (
        sizes[0] if sizes else 1.0)
    matrix = sizes[0] * sizes[1] if len(sizes) > 1 else (sizes[0] if sizes else 1.0)
    memory = _FLOAT * (matrix + runs * (3 * dim + 1000))
    return runs * steps * dim, memory


def describe_bytes(n: float) -> str:
    """A number of bytes in words: '1.2 GiB'."""
    if not math.isfinite(n):
        return "unbounded memory"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def budget_text() -> str:
    """The budget in words, for ``--help`` and the refusal."""
    return (f"{WORK_BUDGET:.0e} run-steps x dimension in total and "
            f"{describe_bytes(MEMORY_BUDGET)} per check")
