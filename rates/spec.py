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
* ``checks`` are typed extra assertions, each with its own tolerance and one-line reason;
  one with ``evaluate_fit(seen, fit)`` (:class:`NoFasterThan`) judges the fit, after it.

With ``sweep`` the spec measures a rate *in a parameter*: the experiment runs once per value of
one parameter, each run is reduced to one number (iterations to a tolerance, a plateau, ...), and
the bound is a ``parameter`` law in that value.

Calling a spec with ``(params, seed)`` returns a :class:`~rates.claim.Measurement`, so a spec is
exactly what :class:`~rates.claim.Claim` accepts as its experiment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import sympy as sp
from scipy import stats

from rates.bound import Bound
from rates.claim import Check, Measurement, Trace
from rates.fit import MIN_RUNS
from rates.measure import bound_holds, fitted

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Instance:
    """One experiment's setting: parameters, seed, the problem, and the bound on it."""

    params: Params
    seed: int
    problem: Any
    bound: Bound | None
    """None for a :class:`Limit`, whose stated value is a target, not a rate."""

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
    per_run: np.ndarray | None = None
    """A :class:`Limit`'s one value per run (runs,), whose mean is the measured limit."""


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


@dataclass(frozen=True)
class NoFasterThan:
    """An upper-mode claim's cap: the fitted rate's CI is no faster than ``cap``.

    An O(.) claim accepts any rate at least as fast as stated, so a broken method or measurement
    that converges absurdly fast (a wrong schedule, an error that vanishes) would confirm it.
    ``cap`` is the fastest rate any method of the family could reach on the instance (a lower
    bound for the family, or the fastest term of the paper's own bound), with ``reason`` saying
    which: an exponent for a power law (larger is faster) or a factor for a geometric law
    (smaller is faster).  Judged on the CI like the main assertion: it fails unless the whole CI
    is at most as fast as the cap (a check has no undecided state).  It looks at the fit, so it
    runs after it; a measurement without a fit is left to the main assertion.
    """

    cap: float | str | Callable[[Instance], float]
    reason: str
    name: str = "no faster than the family can go"

    def evaluate_fit(self, seen: Observed, fit: Any) -> Check:
        cap = float(_value(self.cap, seen.instance))
        if fit is None:
            return Check(self.name, True, f"no fit to compare with the cap {cap:.4g}")
        geometric = fit.law == "geometric"
        fastest = fit.ci[0] if geometric else fit.ci[1]
        ok = bool(fastest >= cap if geometric else fastest <= cap)
        side = ">=" if geometric else "<="
        return Check(self.name, ok, f"CI [{fit.ci[0]:.4g}, {fit.ci[1]:.4g}], accepted {side} "
                                    f"{cap:.4g} ({self.reason})")


@dataclass(frozen=True)
class CalibratedCI:
    """The CI's width agrees with an independent standard error of the rate over runs.

    The standard error is the delete-one jackknife over runs, computed here with numpy (the
    rate refitted, in the fit's window and axes, to the statistic of all runs but one); the CI's
    half-width over z SE (z the normal quantile of the fit's level) must lie in [low, high].
    For a smooth statistic of many runs a valid interval has about z SE half-width, while one
    that resamples the wrong units (checkpoints instead of runs) or has the wrong level does
    not.  Below ``min_runs`` runs (where the fit itself uses the jackknife), or without a fit,
    it is left to the main assertion.
    """

    reason: str
    low: float = 0.8
    high: float = 1.25
    min_runs: int = 50
    name: str = "CI calibrated against the jackknife over runs"

    def evaluate_fit(self, seen: Observed, fit: Any) -> Check:
        from scipy import stats

        from rates.fit import STATISTICS

        runs = np.shape(seen.values)[0]
        if fit is None or runs < self.min_runs:
            return Check(self.name, True, f"not calibrated ({runs} runs, "
                                          f"{'a fit' if fit is not None else 'no fit'})")
        x = np.asarray(seen.x, dtype=float)
        inside = (x >= fit.window[0]) & (x <= fit.window[1])
        t = x[inside] if fit.law == "geometric" else np.log(x[inside])
        e = np.asarray(seen.values, dtype=float)[:, inside]
        keep = ~np.eye(runs, dtype=bool)
        reduce = STATISTICS[fit.statistic]
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(np.stack([reduce(e[keep[i]], 0) for i in range(runs)]))
        if not np.all(np.isfinite(logs)):
            return Check(self.name, False, "a leave-one-run-out statistic is not positive")
        slopes = np.polyfit(t, logs.T, 1)[0]
        rates = {"geometric": np.exp(slopes), "power_law": -slopes}.get(fit.law, slopes)
        se = float(np.sqrt((runs - 1) / runs * np.sum((rates - rates.mean()) ** 2)))
        half = (fit.ci[1] - fit.ci[0]) / 2
        z = float(stats.norm.ppf((1 + fit.level) / 2))
        ratio = half / (z * se) if se > 0 else math.inf
        ok = bool(self.low <= ratio <= self.high)
        return Check(self.name, ok, f"CI half-width {half:.3g} = {ratio:.3g} x {z:.3g} SE "
                                    f"(jackknife SE {se:.3g}, {runs} runs), accepted "
                                    f"[{self.low:g}, {self.high:g}]")


@dataclass(frozen=True)
class Agrees:
    """Means over runs agree with independently computed values (a closed form, a quadrature).

    ``of(seen)`` gives per-run values, (runs,) or (runs, points) (default: a limit's per-run
    values, else the measured trace); ``target(seen)`` the values they should average to, one per
    column.  Each column's interval, mean +- t SE over runs at ``level``, must reach within
    ``absolute + relative |target|`` of its target.  This is a test of agreement that cannot
    flip with the number of runs: with more runs the interval shrinks onto the true mean, which
    lies within the tolerance when the model is right; with fewer it only widens.  The tolerance
    is the model's own error (a neglected term, a finite horizon), 0 for an exact identity; the
    level is higher than the verdict's 95%, since every column of every check is one more test.
    """

    name: str
    target: Callable[[Observed], Any]
    reason: str
    relative: float = 0.0
    absolute: float = 0.0
    of: Callable[[Observed], np.ndarray] | None = None
    level: float = 0.999

    def evaluate(self, seen: Observed) -> Check:
        if self.of is not None:
            values = self.of(seen)
        else:
            values = seen.per_run if seen.per_run is not None else seen.values
        values = np.asarray(values, dtype=float)
        values = values.reshape(values.shape[0], -1)
        runs = values.shape[0]
        target = np.broadcast_to(np.asarray(self.target(seen), dtype=float), values.shape[1:])
        if runs < 2:
            return Check(self.name, False, "agreement needs >= 2 runs for a standard error")
        if not np.all(np.isfinite(values)):
            return Check(self.name, False, "the values are not finite")
        mean = values.mean(axis=0)
        half = (stats.t.ppf(0.5 + self.level / 2, runs - 1) * values.std(axis=0, ddof=1)
                / math.sqrt(runs))
        tol = self.absolute + self.relative * np.abs(target)
        gap = np.maximum(np.abs(mean - target) - half - tol, 0.0)
        worst = int(np.argmax(np.abs(mean - target) - half - tol))
        return Check(self.name, bool(np.all(gap == 0.0)),
                     f"{mean[worst]:.5g} +- {half[worst]:.2g} ({self.level:.1%}, {runs} runs) "
                     f"against {target[worst]:.5g} +- {tol[worst]:.2g}"
                     + (f" (worst of {mean.size})" if mean.size > 1 else ""))


@dataclass(frozen=True)
class Feasible:
    """Every recorded iterate of every run lies in the box [low, high] (a projected method's
    feasible set: the theorem is about points of it; a NaN is not feasible)."""

    low: float | Callable[[Instance], float]
    high: float | Callable[[Instance], float]
    reason: str
    name: str = "iterates in the feasible set"

    def evaluate(self, seen: Observed) -> Check:
        low, high = float(_value(self.low, seen.instance)), float(_value(self.high, seen.instance))
        iterates = [np.asarray(r.iterates, dtype=float) for r in seen.runs]
        ok = all(bool(np.all((it >= low) & (it <= high))) for it in iterates)
        lo = min(float(np.nanmin(it)) for it in iterates)
        hi = max(float(np.nanmax(it)) for it in iterates)
        return Check(self.name, ok, f"iterates in [{lo:.4g}, {hi:.4g}], feasible "
                                    f"[{low:g}, {high:g}]")


@dataclass(frozen=True)
class IndependentRuns:
    """No two runs give the same values: runs are the CI's independent units, and two identical
    runs (a random stream shared between runs) make the interval too narrow or empty.  A run's
    values are its trace and, for a limit, its value (a projected final iterate alone may
    coincide: many runs end on the boundary)."""

    reason: str = "the CI treats runs as independent draws"
    name: str = "independent runs"

    def evaluate(self, seen: Observed) -> Check:
        runs = np.shape(seen.values)[0]
        rows = np.asarray(seen.values, dtype=float).reshape(runs, -1)
        if seen.per_run is not None:
            rows = np.column_stack([np.asarray(seen.per_run, dtype=float), rows])
        distinct = np.unique(rows, axis=0).shape[0]
        return Check(self.name, distinct == rows.shape[0],
                     f"{distinct} distinct of {rows.shape[0]} runs")


@dataclass(frozen=True)
class RateWithin:
    """Another arm of the claim measures a rate whose CI lies in [low, high].

    A claim often states two laws at once (the accelerated method's and the plain one's, a bias
    term's and a variance term's): the main assertion judges one, and each other arm is an
    ``experiment`` (a :class:`Spec`, or any ``(params, seed) -> Measurement``) run with this
    instance's parameters, updated by ``overrides``, on the same seed.  It passes when the arm's
    CI lies inside [low, high] (the same rule as a verdict) and its own checks pass; a diverged
    or refused arm fails.
    """

    name: str
    experiment: Callable[[Params, int], Measurement]
    low: float
    high: float
    reason: str
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def evaluate(self, seen: Observed) -> Check:
        inst = seen.instance
        m = _arm_measurement(self.experiment, {**inst.params, **self.overrides}, inst.seed)
        accepted = f"accepted [{self.low:g}, {self.high:g}]"
        if m.diverged_at is not None:
            return Check(self.name, False, f"diverged at step {m.diverged_at}")
        ci = m.ci
        if m.measured is None or ci is None:
            return Check(self.name, False, f"nothing was measured: {m.refused or 'no fit'}")
        failed = [f"{c.name}: {c.detail}" for c in m.checks if not c.passed]
        ok = bool(self.low <= ci[0] and ci[1] <= self.high and not failed)
        detail = f"{m.measured:.4g}, CI [{ci[0]:.4g}, {ci[1]:.4g}], {accepted}"
        return Check(self.name, ok, "; ".join([detail, *failed]))


_ARMS: dict[tuple, tuple[Any, Measurement]] = {}
_ARMS_KEPT = 16


def _arm_measurement(experiment: Callable[[Params, int], Measurement], params: Params,
                     seed: int) -> Measurement:
    """An arm's measurement, computed once per (experiment, parameters, seed) in a process.

    A claim's control reruns the claim's checks; an arm whose overrides cover the control's
    (e.g. the plain method's arm when the control removes the acceleration) gets the same
    parameters there and is not run twice.  Experiments are deterministic in (params, seed),
    so reusing the measurement changes no verdict.  Unhashable parameters are not memoised.
    """
    try:
        key = (id(experiment), tuple(sorted(params.items())), int(seed))
        hash(key)
    except TypeError:
        return experiment(params, seed)
    hit = _ARMS.get(key)
    if hit is not None and hit[0] is experiment:
        return hit[1]
    m = experiment(params, seed)
    if len(_ARMS) >= _ARMS_KEPT:
        _ARMS.pop(next(iter(_ARMS)))
    _ARMS[key] = (experiment, m)  # the experiment is kept, so its id cannot be reused
    return m


@dataclass(frozen=True)
class MatchesExpectation:
    """The mean over runs agrees with an exact expectation at every point, within ``z`` SE.

    ``exact(seen)`` is E[value] at each point of ``seen.x``, computed independently of the
    method's kernel (a moment recursion, a closed form).  The SE at a point is the runs' standard
    deviation over sqrt(runs); where the runs agree to rounding (noise-free) the deviation is
    judged relative to the value instead, at ``rtol``.  It pins the measured trace to the method
    of the theorem: a kernel that runs another method moves the mean by many SE.
    """

    name: str
    exact: Callable[[Observed], np.ndarray]
    reason: str
    z: float = 5.0
    rtol: float = 1e-9

    def evaluate(self, seen: Observed) -> Check:
        values = np.atleast_2d(seen.values)
        runs = values.shape[0]
        exact = np.asarray(self.exact(seen), dtype=float)
        if exact.shape != (values.shape[1],):
            raise ValueError(f"exact must have one value per point ({values.shape[1]}), got "
                             f"shape {exact.shape}")
        mean = values.mean(axis=0)
        se = values.std(axis=0, ddof=1) / np.sqrt(runs) if runs >= 2 else np.zeros_like(mean)
        scale = np.maximum(se, self.rtol * np.abs(exact))
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = np.abs(mean - exact) / scale
        if not np.all(np.isfinite(dev)):
            return Check(self.name, False, "the mean or the exact expectation is not finite")
        worst = int(np.argmax(dev))
        unit = "SE" if se[worst] >= self.rtol * abs(exact[worst]) else f"x {self.rtol:g} relative"
        return Check(self.name, bool(dev[worst] <= self.z),
                     f"max |mean - exact| = {dev[worst]:.3g} {unit} (at {seen.x[worst]:g}: mean "
                     f"{mean[worst]:.6g}, exact {exact[worst]:.6g}; accepted <= {self.z:g})")


def rate_with(spec: Callable[[], Spec],
              overrides: Mapping[str, Any] | Callable[[Instance], Mapping[str, Any]]
              ) -> Callable[[Observed], float]:
    """For a :class:`Within`: the rate the same spec measures with some parameters changed.

    E.g. the other method a theorem covers, on the same instance and seed.  ``spec`` is called
    when the assertion is evaluated (so a module may name its own spec), and is run without its
    checks; ``overrides`` may be a function of the instance.  The result is NaN when that run
    diverges or its fit is refused, which fails.
    """
    def of(seen: Observed) -> float:
        plain = replace(spec(), checks=(), extra=None)
        changed = overrides(seen.instance) if callable(overrides) else overrides
        m = plain({**seen.instance.params, **changed}, seen.instance.seed)
        return float("nan") if m.measured is None else float(m.measured)
    return of

@dataclass(frozen=True)
class Provided:
    """An assertion that holds only where its derivation does, e.g. a constant derived for the
    population loss: ``assertion`` is evaluated where ``condition(instance)`` is true, and
    elsewhere the check passes with ``otherwise`` (why it does not apply) as its detail."""

    condition: Callable[[Instance], bool]
    assertion: Assertion
    otherwise: str

    @property
    def name(self) -> str:
        return self.assertion.name

    @property
    def reason(self) -> str:
        return self.assertion.reason

    def evaluate(self, seen: Observed) -> Check:
        if self.condition(seen.instance):
            return self.assertion.evaluate(seen)
        return Check(self.name, True, f"not applicable: {self.otherwise}")


# --- sweeps: a rate in a parameter --------------------------------------------------------------

def iterations_to(tolerance: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per run: the first checkpoint at which values <= tolerance * values[:, 0] (inf if never)."""
    def reduce(x: np.ndarray, values: np.ndarray) -> np.ndarray:
        hit = values <= tolerance * values[:, :1]
        first = np.argmax(hit, axis=1)
        return np.where(hit.any(axis=1), x[first], np.inf)
    return reduce


def plateau(after: float = 0.5) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per run: the mean of the values at the checkpoints k >= ``after`` times the last one.

    The level a run has settled at (a noise floor), once its transient has died out; with
    linear checkpoints it is a time average over the later part of the run.
    """
    if not 0 <= after < 1:
        raise ValueError(f"after must lie in [0, 1), got {after!r}")

    def reduce(x: np.ndarray, values: np.ndarray) -> np.ndarray:
        late = x >= after * x[-1]
        return values[:, late].mean(axis=1)
    return reduce


def dense_then_even(horizon: int, head: int = 1000, tail: int = 1000) -> np.ndarray:
    """Checkpoints 0, 1, ..., head (every step: a transient), then ``tail`` evenly spaced steps
    to ``horizon`` (every step when horizon <= head + tail): for :func:`time_average`."""
    horizon, head, tail = int(horizon), int(head), int(tail)
    if horizon < 1 or head < 1 or tail < 1:
        raise ValueError(f"horizon, head and tail must be >= 1, got {horizon}, {head}, {tail}")
    if horizon <= head + tail:
        return np.arange(horizon + 1, dtype=np.int64)
    rest = np.linspace(head, horizon, tail + 1).round().astype(np.int64)
    return np.unique(np.concatenate([np.arange(head + 1, dtype=np.int64), rest]))


def time_average(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per run: the mean of the values over every step t = x[0], ..., x[-1], by the trapezoid
    rule over the checkpoints (exact where they are consecutive steps).

    The quantity of nonconvex guarantees, E ||grad||^2 at an iterate drawn uniformly from the
    run = the time average of its expectation.  Weights: half the gaps to the neighbours, plus
    1/2 at both ends, so that they sum to the number of steps x[-1] - x[0] + 1."""
    x = np.asarray(x, dtype=float)
    if x.size < 2 or np.any(np.diff(x) <= 0):
        raise ValueError("time_average needs at least 2 increasing checkpoints")
    w = np.empty_like(x)
    w[1:-1] = 0.5 * (x[2:] - x[:-2])
    w[0] = 0.5 * (x[1] - x[0]) + 0.5
    w[-1] = 0.5 * (x[-1] - x[-2]) + 0.5
    return np.asarray(values, dtype=float) @ (w / w.sum())


@dataclass(frozen=True)
class Sweep:
    """Run the spec once per value of ``over`` and reduce each run's trace to one number.

    ``at`` gives the abscissa of each value when the law is in a quantity the parameter sets
    rather than in the parameter itself (iterations against the strong-growth constant rho(B) of
    a batch size B, or against the condition number of a preconditioned problem): it maps the
    instance of each value to that quantity.  By default the abscissa is the value.
    """

    over: str
    values: Sequence[float] | Callable[[Params], Sequence[float]]
    reduce: Callable[[np.ndarray, np.ndarray], np.ndarray]
    label: str = ""
    resolved: float = 0.0
    """Refuse the fit unless the mean over runs at every value is at least this many standard
    errors from 0: a power law through values indistinguishable from 0 fits the noise (e.g. an
    offset that vanishes).  0 fits whatever was measured."""

    at: Callable[[Instance], float] | None = None


def _refuse_unresolved(m: Measurement, h: np.ndarray, reduced: np.ndarray, sweep: Sweep) -> None:
    """Drop the fit when some value's mean over runs is within ``sweep.resolved`` SE of 0."""
    runs = reduced.shape[0]
    if runs < 2:
        m.fit, m.refused = None, "resolving the values from 0 needs >= 2 runs"
        return
    mean = reduced.mean(axis=0)
    se = reduced.std(axis=0, ddof=1) / math.sqrt(runs)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, mean / se, np.where(mean == 0, 0.0, np.inf))
    weak = ~(np.abs(z) >= sweep.resolved)
    m.extra.update({"mean": mean.tolist(), "se": se.tolist()})
    if weak.any():
        j = int(np.argmax(weak))
        m.fit = None
        m.refused = (f"the mean at {sweep.over} = {h[j]:.4g} is {z[j]:+.1f} SE from 0 (resolved "
                     f"needs {sweep.resolved:g}): indistinguishable from 0, no power law to fit")



@dataclass(frozen=True)
class Family:
    """A worst-case family: the instance changes with the horizon N.

    For each N of ``horizons`` (a sequence, a parameter name or a function of the instance)
    ``member(instance, N)`` builds the problem on which the method runs exactly N steps; the
    value measured at N is the quantity after the last step, so the trace's x axis is N and each
    point is a different problem (a lower-bound construction: the member worst for N steps).
    The same N are where an exact worst case over the class (a performance-estimation program)
    is compared with the measured values.
    """

    horizons: Sequence[int] | str | Callable[[Instance], Sequence[int]]
    member: Callable[[Instance, int], Any]
    label: str = "horizon N (each point: the member of the family for N steps)"
def hitting_time(level: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per run: the iteration at which values first fall to ``level`` (an absolute level), inf
    if never, 0 if they start there.

    Log-interpolated between the checkpoints around the crossing, which is exact for a
    geometric decay and keeps hitting times of different runs apart (no ties at integers).
    """
    if not (math.isfinite(level) and level > 0):
        raise ValueError(f"level must be a positive finite number, got {level!r}")

    def reduce(x: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape[0], np.inf)
        for j, v in enumerate(values):
            below = np.flatnonzero(v <= level)
            if not below.size:
                continue
            b = below[0]
            if b == 0:
                out[j] = x[0]
                continue
            ea, eb = v[b - 1], v[b]
            frac = np.log(ea / level) / np.log(ea / eb) if eb > 0 else 1.0
            out[j] = x[b - 1] + (x[b] - x[b - 1]) * frac
        return out
    return reduce


def rate_between(high: float, low: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per run: the contraction per step -ln(rho) of a least-squares line through log values at
    the checkpoints with low <= values <= high (NaN with fewer than 3 such points).

    A window in *levels* of the measured quantity rather than in iterations: where a linear
    rate depends on a parameter, fixed levels compare the parameter's values at the same
    accuracy (a run that ends before ``low`` is fitted down to where it ends).
    """
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low!r}, high={high!r}")

    def reduce(x: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape[0], np.nan)
        for j, v in enumerate(values):
            keep = (v >= low) & (v <= high)
            if np.count_nonzero(keep) >= 3:
                out[j] = -_line_slope(x[keep], np.log(v[keep]))
        return out
    return reduce


def _line_slope(x: np.ndarray, y: np.ndarray) -> float:
    xm = x - x.mean()
    return float(np.sum(xm * (y - y.mean())) / np.sum(xm * xm))


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
    checkpoints: str | Callable[[Instance], np.ndarray] = "auto"
    statistic: str = "mean"
    checks: tuple[Assertion, ...] = ()
    sweep: Sweep | None = None
    xlabel: str = ""
    xscale: str = ""
    yscale: str = "log"
    extra: Callable[[Observed], dict[str, Any]] | None = field(default=None)
    family: Family | None = None

    def __post_init__(self) -> None:
        if self.sweep is not None and self.bound.law != "parameter":
            raise ValueError("a sweep measures a rate in a parameter: its bound needs "
                             f"law='parameter', got {self.bound.law!r}")
        if self.family is not None and (self.sweep is not None or self.bound.law != "power_law"):
            raise ValueError("a family measures a power law in its horizons N, without a sweep")
        if self.sweep is None and self.bound.law == "parameter":
            raise ValueError("a bound with law='parameter' needs a sweep over that parameter")
        if not callable(self.checkpoints) and self.checkpoints not in ("auto", "log", "linear"):
            raise ValueError(f"checkpoints must be 'auto', 'log', 'linear' or a function of "
                             f"the instance, got {self.checkpoints!r}")

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
        checkpoints = (np.asarray(self.checkpoints(inst), dtype=np.int64)
                       if callable(self.checkpoints) else self._checkpoints(horizon))
        run = self.method(inst).run(inst.problem, horizon, runs=runs, seed=inst.seed, x0=x0,
                                    checkpoints=checkpoints)
        return np.asarray(run.checkpoints, dtype=float), self.quantity.of(inst, run), run

    def __call__(self, params: Params, seed: int) -> Measurement:
        if self.sweep is not None:
            return self._swept(params, seed)
        if self.family is not None:
            return self._over_family(params, seed)
        inst = self.instance(params, seed)
        x, values, run = self._trace(inst)
        diverged = run.first_divergence
        checks: list[Check] = []
        extra: dict[str, Any] = {}
        if diverged is None:
            seen = Observed(inst, x, values, (run,))
            checks = [a.evaluate(seen) for a in self.checks if not hasattr(a, "evaluate_fit")]
            extra = self.extra(seen) if self.extra else {}
        window = _value(self.window, inst) if self.window is not None else None
        geometric = self.law == "geometric"
        m = fitted(x, values, law=self.law, window=window, bound=inst.bound,
                   xlabel=self.xlabel or "iteration k", ylabel=self.quantity.label,
                   xscale=self.xscale or ("linear" if geometric else "log"), yscale=self.yscale,
                   diverged_at=diverged, statistic=self.statistic, seed=seed, checks=checks)
        if diverged is None:  # assertions on the fit itself (e.g. NoFasterThan)
            m.checks += [a.evaluate_fit(seen, m.fit) for a in self.checks
                         if hasattr(a, "evaluate_fit")]
        m.extra.update(extra)
        return m

    def _swept(self, params: Params, seed: int) -> Measurement:
        sweep = self.sweep
        assert sweep is not None
        grid = sweep.values(params) if callable(sweep.values) else sweep.values
        per_value = []
        runs_seen = []
        abscissa = []
        base = None
        for value in grid:
            inst = self.instance({**params, sweep.over: value}, seed)
            base = base or inst
            abscissa.append(float(sweep.at(inst)) if sweep.at is not None else float(value))
            x, values, run = self._trace(inst)
            if run.first_divergence is not None:
                m = fitted(np.asarray(grid, float), np.ones((1, len(grid))), law="parameter",
                           window=None, bound=inst.bound, xlabel=sweep.label or sweep.over,
                           ylabel=self.quantity.label, diverged_at=run.first_divergence)
                m.extra["diverged for"] = {sweep.over: value}
                return m
            per_value.append(sweep.reduce(x, values))
            runs_seen.append(run)
        h = np.asarray(abscissa, dtype=float)
        reduced = np.stack(per_value, axis=1)  # (runs, values)
        seen = Observed(base, h, reduced, tuple(runs_seen))
        checks = [a.evaluate(seen) for a in self.checks if not hasattr(a, "evaluate_fit")]
        m = fitted(h, reduced, law="parameter", window=_value(self.window, base)
                   if self.window is not None else None, bound=base.bound,
                   xlabel=sweep.label or sweep.over, ylabel=self.quantity.label,
                   xscale=self.xscale or "log", yscale=self.yscale, statistic=self.statistic,
                   seed=seed, checks=checks)
        m.checks += [a.evaluate_fit(seen, m.fit) for a in self.checks if hasattr(a, "evaluate_fit")]
        if self.extra:
            m.extra.update(self.extra(seen))
        if sweep.resolved > 0:
            _refuse_unresolved(m, h, reduced, sweep)
        return m

    def _over_family(self, params: Params, seed: int) -> Measurement:
        fam = self.family
        assert fam is not None
        base = self.instance(params, seed)
        ns = np.asarray(_value(fam.horizons, base), dtype=np.int64)
        if ns.ndim != 1 or ns.size < 3 or np.any(ns < 1) or np.any(np.diff(ns) <= 0):
            raise ValueError(f"a family needs at least 3 increasing horizons >= 1, got {ns}")
        runs = int(_value(self.runs, base))
        per_n, runs_seen = [], []
        for n in ns:
            member = Instance(params=params, seed=seed, problem=fam.member(base, int(n)),
                              bound=base.bound)
            x0 = None if self.x0 is None else self.x0(member)
            run = self.method(member).run(member.problem, int(n), runs=runs, seed=seed, x0=x0,
                                          checkpoints=np.array([int(n)]))
            if run.first_divergence is not None:  # the members so far, NaN from this one
                values = np.full((runs, ns.size), np.nan)
                for j, v in enumerate(per_n):
                    values[:, j] = v
                m = fitted(ns.astype(float), values, law=self.law, window=None, bound=None,
                           xlabel=fam.label, ylabel=self.quantity.label,
                           diverged_at=run.first_divergence)
                m.extra["diverged for"] = {"N": int(n)}
                return m
            per_n.append(self.quantity.of(member, run)[:, -1])
            runs_seen.append(run)
        x = ns.astype(float)
        values = np.stack(per_n, axis=1)  # (runs, horizons)
        seen = Observed(base, x, values, tuple(runs_seen))
        checks = [a.evaluate(seen) for a in self.checks]
        window = _value(self.window, base) if self.window is not None else (x[0], x[-1])
        m = fitted(x, values, law=self.law, window=window, bound=base.bound, xlabel=fam.label,
                   ylabel=self.quantity.label, xscale=self.xscale or "log", yscale=self.yscale,
                   statistic=self.statistic, seed=seed, checks=checks)
        m.extra["N"] = ns.tolist()
        if self.extra:
            m.extra.update(self.extra(seen))
        return m


# --- limits: one value per run, its mean and SE over runs ---------------------------------------

@dataclass(frozen=True)
class Limit:
    """The experiment of a limit claim ("x_n converges to a value", "the offset is not 0").

    Each run is reduced to one number, ``value.of(instance, run)`` -> (runs,) (a final iterate, a
    time average over a late window, ...); the measured limit is their mean, its SE the runs'
    standard deviation over sqrt(runs), and the stated value is ``target``: a number, a
    parameter name or a function of the :class:`Instance` (e.g. a fixed point computed
    independently of the method).  The claim's tolerance is in the value's units, so that more
    runs only narrow the interval: they never flip a true claim.  ``trace`` (values (runs, K) at
    the checkpoints) is what the figure shows; the other fields are as in :class:`Spec`.  A claim
    on a Limit declares ``law="limit"``.
    """

    problem: Callable[[Params, int], Any]
    method: Callable[[Instance], Runnable]
    value: Quantity
    target: float | str | Callable[[Instance], float]
    horizon: int | str | Callable[[Instance], int] = "horizon"
    runs: int | str = "runs"
    x0: Callable[[Instance], np.ndarray] | None = None
    trace: Quantity | None = None
    checks: tuple[Assertion, ...] = ()
    xlabel: str = "iteration k"
    extra: Callable[[Observed], dict[str, Any]] | None = field(default=None)

    law = "limit"

    def instance(self, params: Params, seed: int) -> Instance:
        return Instance(params=params, seed=seed, problem=self.problem(params, seed), bound=None)

    def __call__(self, params: Params, seed: int) -> Measurement:
        inst = self.instance(params, seed)
        horizon = int(_value(self.horizon, inst))
        runs = int(_value(self.runs, inst))
        x0 = None if self.x0 is None else self.x0(inst)
        run = self.method(inst).run(inst.problem, horizon, runs=runs, seed=seed, x0=x0)
        x = np.asarray(run.checkpoints, dtype=float)
        shown = self.trace.of(inst, run) if self.trace is not None else run.iterates[:, :, 0]
        trace = Trace(x=x, values=np.atleast_2d(shown), xlabel=self.xlabel,
                      ylabel=self.trace.label if self.trace is not None else self.value.label,
                      xscale="log", yscale="linear")
        target = float(_value(self.target, inst))
        m = Measurement(trace=trace, target=target, runs=runs,
                        diverged_at=run.first_divergence)
        if m.diverged_at is not None:
            return m
        per_run = np.asarray(self.value.of(inst, run), dtype=float).reshape(runs)
        if not np.all(np.isfinite(per_run)):
            m.refused = f"{int((~np.isfinite(per_run)).sum())} of {runs} runs have no value"
            return m
        if 1 < runs < MIN_RUNS:
            m.refused, m.too_few_runs = (f"{runs} runs are too few for a standard error: use "
                                         f"runs >= {MIN_RUNS}"), True
            return m
        m.value = float(per_run.mean())
        m.se = float(per_run.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0
        seen = Observed(inst, x, np.atleast_2d(shown), (run,), per_run=per_run)
        m.checks = [a.evaluate(seen) for a in self.checks]
        if self.extra:
            m.extra.update(self.extra(seen))
        return m


# --- the worst-case leg: measured values at chosen horizons -------------------------------------

def values_at(spec: Spec, params: Params, seed: int, horizons: Sequence[int]) -> dict[int, float]:
    """The spec's measured value (mean over runs) after exactly N steps, for each N given.

    This is what an exact worst case over the class (a performance-estimation program, at small
    N) is compared with: measured <= worst case <= the paper's bound.  For a family each N runs
    its own member; otherwise one run records the quantity at the horizons as checkpoints.
    """
    ns = sorted({int(n) for n in horizons})
    if not ns or ns[0] < 1:
        raise ValueError(f"horizons must be integers >= 1, got {list(horizons)!r}")
    if spec.family is not None:
        fam = replace(spec.family, horizons=ns)
        if len(ns) < 3:  # a family needs 3 horizons to fit; pad and keep the asked ones
            fam = replace(fam, horizons=sorted(set(ns) | {ns[-1] + 1, ns[-1] + 2}))
        m = replace(spec, family=fam, checks=(), extra=None)(params, seed)
        if m.diverged_at is not None:
            return {n: math.inf for n in ns}
        got = dict(zip(m.trace.x.astype(int).tolist(), m.trace.values.mean(axis=0).tolist(),
                       strict=True))
        return {n: got[n] for n in ns}
    inst = spec.instance(params, seed)
    runs = int(_value(spec.runs, inst))
    x0 = None if spec.x0 is None else spec.x0(inst)
    run = spec.method(inst).run(inst.problem, ns[-1], runs=runs, seed=seed, x0=x0,
                                checkpoints=np.asarray(ns, dtype=np.int64))
    values = spec.quantity.of(inst, run).mean(axis=0)
    return {n: float(v) for n, v in zip(ns, values, strict=True)}


# --- the worst-case leg: measured <= exact worst case over the class <= the paper's bound -------

@dataclass(frozen=True)
class WorstCaseLeg:
    """At a few horizons N: the value measured on the instance after N steps is at most the
    exact worst case over the method's function class (a performance-estimation program, solved
    by PEPit in :mod:`rates.worst_case`), which is at most the paper's bound with its constants.

    ``spec()`` returns the claim's own spec (called when evaluated, so a module may name the spec
    it is part of); ``measure`` maps a measured value to the worst case's measure (e.g. squares a
    norm); ``worst(instance, N)`` and ``bound(instance, N)`` give the two other curves.  Without
    PEPit installed the leg fails and says how to install it: a claim never silently drops it.

    ``overrides`` (parameter values, or a function of the instance returning them) runs the leg
    at other parameters than the claim's instance, on the same seed: a sweep's one value (a
    fixed kappa), or the step a theorem covers where the claim's own step is outside it.  The
    instance handed to ``worst`` and ``bound`` is then the spec's instance at those parameters.
    """

    horizons: Sequence[int]
    spec: Callable[[], Spec]
    worst: Callable[[Instance, int], Any]
    bound: Callable[[Instance, int], float] | None
    reason: str
    measure: Callable[[float], float] = float
    name: str = "worst-case leg: measured <= PEP worst case <= bound"
    overrides: Mapping[str, Any] | Callable[[Instance], Mapping[str, Any]] = field(
        default_factory=dict)

    def evaluate(self, seen: Observed) -> Check:
        from rates import worst_case

        if not worst_case.available():
            # an optional extra: without it the leg is skipped and says so, as the suite's
            # cross-checks skip without torch (the claim is judged on its main assertion)
            return Check(self.name, True, "not run: PEPit is not installed "
                         "(pip install -e '.[pep]')", skipped=True)
        inst = seen.instance
        spec = self.spec()
        extra = self.overrides(inst) if callable(self.overrides) else self.overrides
        if extra:
            inst = spec.instance({**inst.params, **extra}, inst.seed)
        got = values_at(spec, inst.params, inst.seed, self.horizons)
        measured = {n: self.measure(v) for n, v in got.items()}
        try:  # parameters outside what the program accepts, or a failed solve: the leg fails
            worst = {n: self.worst(inst, n) for n in self.horizons}
        except (ValueError, RuntimeError) as exc:
            return Check(self.name, False, f"no worst case at these parameters: {exc}")
        bound = None if self.bound is None else {n: self.bound(inst, n) for n in self.horizons}
        check = worst_case.worst_case_leg(self.name, self.horizons, measured, worst, bound)
        return check
