"""A claim's experiment as a specification: problem, method, quantity, window, bound, assertions.

A :class:`Spec` says *what* is measured and leaves *how* to the library:

* ``problem(params, seed)`` builds the synthetic problem (a generator of ``problems``);
* ``constants(problem, params)`` gives the numbers of the paper's :class:`~rates.bound.Bound`
  on that instance; the bound is the only place the law and the stated value come from;
* ``method(instance)`` returns a configured method of ``experiments.methods`` (hyper-parameters
  and schedules as plain data);
* ``quantity(instance, run)`` turns the recorded iterates into the measured values (runs, K);
* ``horizon``, ``window`` and ``x0`` are functions of the :class:`Instance` (or parameter names),
  so that they may follow the stated rate (e.g. "fit while the error falls from 1e-3 to 1e-10");
  ``horizon="window"`` runs to the end of the fit window;
* ``checks`` are typed extra assertions, each with its own tolerance and one-line reason.

With ``sweep`` the spec measures a rate *in a parameter*: the experiment runs once per value of
one parameter, each run is reduced to one number (iterations to a tolerance, a plateau, ...), and
the bound is a ``parameter`` law in that value.

Calling a spec with ``(params, seed)`` returns a :class:`~rates.claim.Measurement`, so a spec is
exactly what :class:`~rates.claim.Claim` accepts as its experiment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import sympy as sp

from rates.bound import Bound
from rates.claim import Check, Measurement
from rates.measure import bound_holds, fitted

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Instance:
    """One experiment's setting: parameters, seed, the problem, and the bound on it."""

    params: Params
    seed: int
    problem: Any
    bound: Bound

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    @property
    def stated(self) -> float:
        """The stated rate with this instance's constants (derived from the bound)."""
        return self.bound.rate()


class Runnable(Protocol):
    """A configured method of ``experiments.methods``."""

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Any: ...


@dataclass(frozen=True)
class Quantity:
    """What is measured on a run: ``of(instance, run)`` -> values of shape (runs, K)."""

    label: str
    of: Callable[[Instance, Any], np.ndarray]


def _sq_dist(inst: Instance, run: Any) -> np.ndarray:
    return np.sum((run.iterates - inst.problem.x_star) ** 2, axis=-1)


distance_squared = Quantity("||x_k - x*||^2", _sq_dist)
distance = Quantity("||x_k - x*||", lambda i, r: np.sqrt(_sq_dist(i, r)))
suboptimality = Quantity("f(x_k) - f*", lambda i, r: i.problem.suboptimality(r.iterates))
distance_over_k = Quantity(
    "||x_k - x*|| / k",
    lambda i, r: np.sqrt(_sq_dist(i, r)) / np.maximum(r.checkpoints, 1))
"""For iterations whose error is k rho^k (a double root of the characteristic polynomial, as in
heavy ball at its optimal tuning): dividing by k leaves a pure geometric sequence."""


# --- where to fit, how long to run, where to start ----------------------------------------------

def contraction_steps(rate: float, factor: float) -> int:
    """Steps for rate^k to fall to ``factor`` (a geometric law's natural horizon)."""
    if not 0 < rate < 1:
        raise ValueError(f"a contraction factor must lie in (0, 1), got {rate!r}")
    if not 0 < factor < 1:
        raise ValueError(f"factor must lie in (0, 1), got {factor!r}")
    return max(1, math.ceil(math.log(factor) / math.log(rate)))


def contraction_window(start: float, end: float) -> Callable[[Instance], tuple[float, float]]:
    """The window where the *stated* factor takes the error from ``start`` to ``end`` (relative).

    Following the stated rate, not the measured one, keeps the window the same for the claim and
    its control, so the control is measured where the claim is.
    """
    return lambda i: (contraction_steps(i.stated, start), contraction_steps(i.stated, end))


def gaussian_start(inst: Instance) -> np.ndarray:
    """One start per run, x0 = x* + N(0, I), drawn from the seed: shape (runs, d)."""
    x_star = inst.problem.x_star
    runs = int(inst["runs"]) if "runs" in inst.params else 1
    return x_star + np.random.default_rng(inst.seed).standard_normal((runs, x_star.size))


def _value(spec_value: Any, inst: Instance) -> Any:
    """A spec field is a constant, a parameter name, or a function of the instance."""
    if callable(spec_value):
        return spec_value(inst)
    if isinstance(spec_value, str):
        return inst[spec_value]
    return spec_value


# --- typed extra assertions ---------------------------------------------------------------------

@dataclass(frozen=True)
class Observed:
    """What an assertion may look at: the instance and the measured trace."""

    instance: Instance
    x: np.ndarray
    values: np.ndarray
    runs: Sequence[Any]


class Assertion(Protocol):
    name: str
    reason: str

    def evaluate(self, seen: Observed) -> Check: ...


@dataclass(frozen=True)
class BoundHolds:
    """The paper's bound with this instance's constants holds at every point from ``start``.

    The statistic compared is the mean over runs (the theorems bound expectations).
    """

    reason: str
    start: float | str | Callable[[Instance], float] = 0.0
    name: str = "bound with constants"

    def evaluate(self, seen: Observed) -> Check:
        start = float(_value(self.start, seen.instance))
        return bound_holds(seen.x, seen.values.mean(axis=0), seen.instance.bound,
                           where=seen.x >= start, name=self.name)


@dataclass(frozen=True)
class Within:
    """A named number computed from the run lies in [low, high]; the reason says why."""

    name: str
    of: Callable[[Observed], float]
    low: float
    high: float
    reason: str

    def evaluate(self, seen: Observed) -> Check:
        value = float(self.of(seen))
        ok = bool(np.isfinite(value) and self.low <= value <= self.high)
        return Check(self.name, ok, f"{value:.6g}, accepted [{self.low:g}, {self.high:g}]")


# --- sweeps: a rate in a parameter --------------------------------------------------------------

def iterations_to(tolerance: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per run: the first checkpoint at which values <= tolerance * values[:, 0] (inf if never)."""
    def reduce(x: np.ndarray, values: np.ndarray) -> np.ndarray:
        hit = values <= tolerance * values[:, :1]
        first = np.argmax(hit, axis=1)
        return np.where(hit.any(axis=1), x[first], np.inf)
    return reduce


@dataclass(frozen=True)
class Sweep:
    """Run the spec once per value of ``over`` and reduce each run's trace to one number."""

    over: str
    values: Sequence[float] | Callable[[Params], Sequence[float]]
    reduce: Callable[[np.ndarray, np.ndarray], np.ndarray]
    label: str = ""


# --- the specification --------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """The experiment of a claim, declared.  See the module docstring for each field."""

    problem: Callable[[Params, int], Any]
    method: Callable[[Instance], Runnable]
    quantity: Quantity
    bound: Bound
    constants: Callable[[Any, Params], Mapping[sp.Symbol, float]] = lambda q, p: {}
    horizon: int | str | Callable[[Instance], int] = "horizon"
    window: tuple[float, float] | Callable[[Instance], tuple[float, float]] | None = None
    runs: int | str = 1
    x0: Callable[[Instance], np.ndarray] | None = None
    checkpoints: str = "auto"
    statistic: str = "mean"
    checks: tuple[Assertion, ...] = ()
    sweep: Sweep | None = None
    xlabel: str = ""
    xscale: str = ""
    yscale: str = "log"
    extra: Callable[[Observed], dict[str, Any]] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.sweep is not None and self.bound.law != "parameter":
            raise ValueError("a sweep measures a rate in a parameter: its bound needs "
                             f"law='parameter', got {self.bound.law!r}")
        if self.sweep is None and self.bound.law == "parameter":
            raise ValueError("a bound with law='parameter' needs a sweep over that parameter")
        if self.checkpoints not in ("auto", "log", "linear"):
            raise ValueError(f"checkpoints must be 'auto', 'log' or 'linear', "
                             f"got {self.checkpoints!r}")

    @property
    def law(self) -> str:
        return self.bound.law

    def instance(self, params: Params, seed: int) -> Instance:
        problem = self.problem(params, seed)
        bound = Bound(self.bound.expr, self.bound.variable, self.bound.law,
                      {**self.bound.constants, **self.constants(problem, params)})
        return Instance(params=params, seed=seed, problem=problem, bound=bound)

    def _checkpoints(self, horizon: int) -> np.ndarray | None:
        kind = self.checkpoints
        if kind == "auto":
            kind = "linear" if self.law == "geometric" else "log"
        if kind == "log":
            return None  # the method's default: log-spaced from 1
        if horizon <= 2000:
            return np.arange(horizon + 1, dtype=np.int64)
        return np.unique(np.linspace(0, horizon, 1001).astype(np.int64))

    def _trace(self, inst: Instance) -> tuple[np.ndarray, np.ndarray, Any]:
        """Run the method on the instance: (checkpoints, values (runs, K), run)."""
        if self.horizon == "window":  # run to the end of the fit window
            horizon = math.ceil(_value(self.window, inst)[1])
        else:
            horizon = int(_value(self.horizon, inst))
        runs = int(_value(self.runs, inst))
        x0 = None if self.x0 is None else self.x0(inst)
        run = self.method(inst).run(inst.problem, horizon, runs=runs, seed=inst.seed, x0=x0,
                                    checkpoints=self._checkpoints(horizon))
        return np.asarray(run.checkpoints, dtype=float), self.quantity.of(inst, run), run

    def __call__(self, params: Params, seed: int) -> Measurement:
        if self.sweep is not None:
            return self._swept(params, seed)
        inst = self.instance(params, seed)
        x, values, run = self._trace(inst)
        diverged = run.first_divergence
        checks: list[Check] = []
        extra: dict[str, Any] = {}
        if diverged is None:
            seen = Observed(inst, x, values, (run,))
            checks = [a.evaluate(seen) for a in self.checks]
            extra = self.extra(seen) if self.extra else {}
        window = _value(self.window, inst) if self.window is not None else None
        geometric = self.law == "geometric"
        m = fitted(x, values, law=self.law, window=window, bound=inst.bound,
                   xlabel=self.xlabel or "iteration k", ylabel=self.quantity.label,
                   xscale=self.xscale or ("linear" if geometric else "log"), yscale=self.yscale,
                   diverged_at=diverged, statistic=self.statistic, seed=seed, checks=checks)
        m.extra.update(extra)
        return m

    def _swept(self, params: Params, seed: int) -> Measurement:
        sweep = self.sweep
        assert sweep is not None
        grid = sweep.values(params) if callable(sweep.values) else sweep.values
        per_value = []
        runs_seen = []
        base = None
        for value in grid:
            inst = self.instance({**params, sweep.over: value}, seed)
            base = base or inst
            x, values, run = self._trace(inst)
            if run.first_divergence is not None:
                m = fitted(np.asarray(grid, float), np.ones((1, len(grid))), law="parameter",
                           window=None, bound=None, xlabel=sweep.label or sweep.over,
                           ylabel=self.quantity.label, diverged_at=run.first_divergence)
                m.extra["diverged for"] = {sweep.over: value}
                return m
            per_value.append(sweep.reduce(x, values))
            runs_seen.append(run)
        h = np.asarray(grid, dtype=float)
        reduced = np.stack(per_value, axis=1)  # (runs, values)
        seen = Observed(base, h, reduced, tuple(runs_seen))
        checks = [a.evaluate(seen) for a in self.checks]
        m = fitted(h, reduced, law="parameter", window=_value(self.window, base)
                   if self.window is not None else None, bound=base.bound,
                   xlabel=sweep.label or sweep.over, ylabel=self.quantity.label,
                   xscale=self.xscale or "log", yscale=self.yscale, statistic=self.statistic,
                   seed=seed, checks=checks)
        if self.extra:
            m.extra.update(self.extra(seen))
        return m
