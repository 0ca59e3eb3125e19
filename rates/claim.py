"""Claims, what an experiment measures, and the verdict on it.

A :class:`Claim` ties a paper's statement to an experiment and an assertion.  Running it
(:meth:`Claim.check`) runs the experiment with the given parameters, judges the measurement
against the stated rate (derived from the paper's bound), then runs the negative control and
judges it by *the same* accepted interval: a check whose control passes cannot fail, and the
verdict says so.

Every verdict decides on the confidence interval, not the point estimate: a claim *holds* when
its CI lies inside the accepted interval, *fails* when the CI lies outside it, and is *undecided*
when the CI straddles a boundary (or there were too few runs for an interval).  The control must
*fail*, decisively.

Assertion modes:

* ``tight``     the fitted rate equals the stated one within tolerance (worst-case families only);
* ``upper``     an O(.) bound: the run is at least as fast as stated (rate >= stated - tol for a
                power law, rho <= stated + tol for a geometric factor);
* ``lower``     no faster than stated;
* ``limit``     converges to a value: the CI (value +- t SE) lies in [stated - below, stated +
                above]; with ``Tolerance(outside=True)`` the opposite, the CI avoids that
                interval ("does *not* converge there"; ``below = inf`` makes it one-sided);
* ``parameter`` the rate with respect to a parameter equals the stated one within tolerance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_limits

from rates.bound import Bound
from rates.fit import LEVEL as fit_level
from rates.fit import Fit
from rates.params import Parameter


class Mode(str, Enum):
    TIGHT = "tight"
    UPPER = "upper"
    LOWER = "lower"
    LIMIT = "limit"
    PARAMETER = "parameter"


@dataclass(frozen=True)
class Paper:
    authors: str
    title: str
    year: int
    arxiv: str | None
    theorem: str
    venue: str = ""

    @property
    def url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    def cite(self) -> str:
        where = f"arXiv {self.arxiv}" if self.arxiv else self.venue
        return f"{self.authors}, {self.title} ({self.year}), {where}, {self.theorem}"


@dataclass(frozen=True)
class Tolerance:
    """Accepted deviation below and above the stated value, and the one-line reason for it.

    For ``limit`` claims both sides are in the measured value's units around the stated value,
    and ``outside=True`` accepts the complement (the CI must avoid [stated - below, stated +
    above]: "does not converge there").
    ``relative=True`` makes the sides fractions of the stated rate: of p for a power law or a
    parameter law, of the contraction per step -ln(rho) for a geometric law (so that a tolerance
    means the same at every condition number).
    """

    below: float
    above: float
    reason: str
    outside: bool = False
    relative: bool = False
    se_units: bool = False
    """Legacy: a limit tolerance in standard errors (sample-size dependent; being retired)."""

    def __post_init__(self) -> None:
        if self.below < 0 or self.above < 0:
            raise ValueError("tolerance sides must be >= 0")
        if self.outside and math.isinf(self.below) and math.isinf(self.above):
            raise ValueError("an outside tolerance needs a finite side")
        if not self.reason.strip():
            raise ValueError("a tolerance needs its one-line reason")
        if self.relative and self.outside:
            raise ValueError("a relative tolerance is for rates, an outside one for limits")


@dataclass(frozen=True)
class Check:
    """An extra assertion of a claim (e.g. the bound with its constants holds everywhere)."""

    name: str
    passed: bool
    detail: str
    skipped: bool = False
    """Not evaluated here (an optional tool is missing): never fails the claim, and says why."""


@dataclass
class Trace:
    """What a figure shows: values (runs, points) against x, and the stated bound if evaluable."""

    x: np.ndarray
    values: np.ndarray
    xlabel: str
    ylabel: str
    xscale: str = "log"
    yscale: str = "log"
    bound: np.ndarray | None = None


@dataclass
class Measurement:
    """The result of one experiment.

    Exactly one of ``fit`` (rate modes) or ``value`` with ``se`` (limit mode) carries the
    measured value, unless the run diverged (then neither: a diverged run is never fitted) or the
    fit refused the data (``refused`` says why, e.g. non-positive errors).
    ``bound`` is the paper's bound with this instance's constants; ``target`` replaces it for
    ``limit`` claims, whose stated value is a number (e.g. an offset of 0).
    """

    trace: Trace
    bound: Bound | None = None
    fit: Fit | None = None
    value: float | None = None
    se: float | None = None
    target: float | None = None
    diverged_at: int | None = None
    refused: str | None = None
    too_few_runs: bool = False
    runs: int | None = None
    level: float = field(default_factory=lambda: fit_level.get())
    """The confidence level of a limit's interval (a fit carries its own)."""
    checks: list[Check] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> float | None:
        return self.fit.rate if self.fit is not None else self.value

    @property
    def ci(self) -> tuple[float, float] | None:
        """The fit's CI, or value +- q SE for a limit (q of Student's t on runs - 1 degrees of
        freedom when ``runs`` is known, else the normal 1.96)."""
        if self.fit is not None:
            return self.fit.ci
        if self.value is not None and self.se is not None:
            tail = (1 + self.level) / 2
            q = float(stats.t.ppf(tail, self.runs - 1) if self.runs and self.runs > 1
                      else stats.norm.ppf(tail))
            return (self.value - q * self.se, self.value + q * self.se)
        return None

    def stated(self) -> float:
        if self.target is not None:
            return float(self.target)
        if self.bound is None:
            raise ValueError("a measurement needs a bound or a target to state a value")
        return self.bound.rate()


HOLDS, FAILS, UNDECIDED = "holds", "fails", "undecided"


@dataclass
class Outcome:
    """A measurement judged against an accepted interval: ``verdict`` is holds, fails or
    undecided, and ``reasons`` say why it is not "holds"."""

    measurement: Measurement
    accepted: tuple[float, float]
    verdict: str
    reasons: list[str]

    @property
    def passed(self) -> bool:
        return self.verdict == HOLDS


@dataclass(frozen=True)
class Control:
    """The negative control: parameter overrides under which the same assertion must fail."""

    overrides: Mapping[str, Any]
    description: str


@dataclass
class Verdict:
    claim: Claim
    params: dict[str, Any]
    seed: int
    stated: float
    outcome: Outcome
    control: Outcome | None
    seconds: float
    more_controls: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """The claim holds: its CI lies inside the accepted interval and every check passes."""
        return self.outcome.verdict == HOLDS

    @property
    def control_failed(self) -> bool:
        """Every control fails decisively (its CI outside the accepted interval), as it must."""
        return self.control is not None and all(
            c.verdict == FAILS for c in (self.control, *self.more_controls))

    @property
    def ok(self) -> bool:
        return self.passed and self.control_failed

    @property
    def status(self) -> str:
        """holds (claim holds, control fails), fails (claim fails or control holds), or
        undecided (nothing failed, but a CI straddles a boundary or there were too few runs)."""
        if self.ok:
            return HOLDS
        controls = () if self.control is None else (self.control, *self.more_controls)
        if self.outcome.verdict == FAILS or any(c.verdict == HOLDS for c in controls):
            return FAILS
        return UNDECIDED

    @property
    def measured(self) -> float | None:
        return self.outcome.measurement.measured

    @property
    def ci(self) -> tuple[float, float] | None:
        return self.outcome.measurement.ci


Experiment = Callable[[Mapping[str, Any], int], Measurement]


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A paper's claim as an experiment with an assertion and a negative control.

    ``experiment`` is a :class:`rates.spec.Spec` (the usual, declarative form: the law and the
    formula then come from its bound, and a ``law`` that contradicts the bound is an error at
    import) or a free-form function ``(params, seed) -> Measurement`` for the unusual claim.
    """

    id: str
    title: str
    paper: Paper
    statement: str
    mode: Mode
    tolerance: Tolerance
    parameters: tuple[Parameter, ...]
    experiment: Experiment
    control: Control
    law: str = ""
    math: str = ""
    lesson: str = ""
    free_form: str = ""
    """Why the experiment is a free-form function rather than a Spec (required for one)."""
    more_controls: tuple[Control, ...] = ()
    """Further controls that must fail the same assertion, e.g. one that is too fast, so that
    both sides of a tight tolerance are exercised."""
    cost_model: Callable[[Mapping[str, Any]], tuple[float, float]] | None = None
    """``params -> (run-steps x dimension, bytes)`` of one experiment, when the parameter names
    do not tell it (see :meth:`cost`)."""

    def __post_init__(self) -> None:
        bound = getattr(self.experiment, "bound", None)
        if isinstance(bound, Bound):  # a specification: the bound says the law and the formula
            if self.law and self.law != bound.law:
                raise ValueError(f"claim {self.id}: law {self.law!r} contradicts its bound, whose "
                                 f"law is {bound.law!r}")
            object.__setattr__(self, "law", bound.law)
            if not self.math:
                object.__setattr__(self, "math", bound.latex())
            if (self.mode == Mode.PARAMETER) != (bound.law == "parameter"):
                raise ValueError(f"claim {self.id}: mode {self.mode.value} does not fit a "
                                 f"{bound.law} bound (parameter mode <-> parameter law)")
            bound.rate_expr()  # the stated rate must be derivable from the bound, at import
        if self.law not in ("power_law", "geometric", "parameter", "limit"):
            raise ValueError(f"claim {self.id}: law must be power_law, geometric, parameter or "
                             f"limit, got {self.law!r}")
        if self.tolerance.relative and self.mode == Mode.LIMIT:
            raise ValueError(f"claim {self.id}: a limit's tolerance is in SE, not relative")
        if self.tolerance.outside and self.mode != Mode.LIMIT:
            raise ValueError(f"claim {self.id}: an outside tolerance is for limit claims only")
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: duplicate parameter names")
        for c in (self.control, *self.more_controls):
            for name in c.overrides:
                if name not in names:
                    raise ValueError(f"claim {self.id}: control overrides unknown parameter "
                                     f"{name!r}")

    def __reduce__(self):
        # a claim holds functions (lambdas in its specification): it travels, to a worker
        # process or a cache, as its id, and is looked up again in the registry there
        from rates import registry

        return registry.get, (self.id,)

    @property
    def parameter_map(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.parameters}

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated with validated overrides; unknown names raise ValueError."""
        params = {p.name: p.default for p in self.parameters}
        table = self.parameter_map
        for name, value in (overrides or {}).items():
            if name not in table:
                raise ValueError(f"claim {self.id} has no parameter {name!r}; its parameters "
                                 f"are {', '.join(table)}")
            params[name] = table[name].validate(value)
        return params

    def cost(self, params: Mapping[str, Any]) -> tuple[float, float]:
        """(run-steps x dimension, bytes) one experiment with resolved ``params`` should take.

        An estimate the command checks against its budget before anything runs
        (:mod:`rates.budget`): ``cost_model`` when the claim gives one, else read off the
        parameter names (runs, horizon, d, n, ...).
        """
        if self.cost_model is not None:
            return self.cost_model(params)
        from rates.budget import default_cost

        return default_cost(params)

    def accepted(self, stated: float) -> tuple[float, float]:
        """The interval the measured value must fall in (for a limit: around the stated value,
        in SE units around 0 for a legacy ``se_units`` tolerance)."""
        lo, hi = self.tolerance.below, self.tolerance.above
        faster_is_smaller = self.law == "geometric"
        if self.tolerance.relative and faster_is_smaller:
            # in -ln(rho): rho^(1 + lo) is faster (smaller), rho^(1 - hi) slower
            fast, slow = stated ** (1 + lo), stated ** (1 - hi)
            return {Mode.UPPER: (-math.inf, slow), Mode.LOWER: (fast, math.inf)}.get(
                self.mode, (fast, slow))
        if self.tolerance.relative:
            lo, hi = abs(stated) * lo, abs(stated) * hi
        if self.mode in (Mode.TIGHT, Mode.PARAMETER):
            return stated - lo, stated + hi
        if self.mode == Mode.UPPER:
            return (-math.inf, stated + hi) if faster_is_smaller else (stated - lo, math.inf)
        if self.mode == Mode.LOWER:
            return (stated - lo, math.inf) if faster_is_smaller else (-math.inf, stated + hi)
        return (-lo, hi) if self.tolerance.se_units else (stated - lo, stated + hi)

    def judge(self, m: Measurement, stated: float) -> Outcome:
        """Holds when the CI lies inside the accepted interval (outside it, for an ``outside``
        limit), fails when it lies wholly on the wrong side, undecided when it straddles a
        boundary.  A diverged run, a failed check or a zero-width CI over several runs fails;
        too few runs for an interval is undecided."""
        accepted = self.accepted(stated)
        reasons: list[str] = []
        verdict = HOLDS
        if m.diverged_at is not None:
            verdict = FAILS
            reasons.append(f"diverged at step {m.diverged_at}")
        elif m.measured is None:
            verdict = UNDECIDED if m.too_few_runs else FAILS
            reasons.append(f"nothing was measured: {m.refused or 'no fit and no value'}")
        elif self.mode == Mode.LIMIT and self.tolerance.se_units:
            verdict = self._judge_in_se(m, stated, accepted, reasons)
        else:
            verdict = self._judge_interval(m, stated, accepted, reasons)
        failed = [c for c in m.checks if not c.passed]
        if failed:
            verdict = FAILS
            reasons += [f"{c.name}: {c.detail}" for c in failed]
        return Outcome(measurement=m, accepted=accepted, verdict=verdict, reasons=reasons)

    def _judge_interval(self, m: Measurement, stated: float, accepted: tuple[float, float],
                        reasons: list[str]) -> str:
        ci = m.ci
        runs = m.fit.runs if m.fit is not None else (m.runs or 0)
        if ci is None or not (math.isfinite(ci[0]) and math.isfinite(ci[1])):
            reasons.append(f"measured {m.measured:.4g} has no finite confidence interval")
            return FAILS
        lo, hi = ci
        if not lo <= m.measured <= hi:  # e.g. a tampered record, or a broken interval
            reasons.append(f"measured {m.measured:.4g} lies outside its own CI "
                           f"[{lo:.4g}, {hi:.4g}]: the interval is inconsistent")
            return FAILS
        if runs >= 2 and not hi > lo:
            reasons.append(f"the CI over {runs} runs has zero width ({lo:.6g}): the runs are "
                           f"not independent")
            return FAILS
        a, b = accepted
        if self.mode == Mode.LIMIT and self.tolerance.outside:  # must stay away from [a, b]
            if hi < a or lo > b:
                return HOLDS
            inside = a <= lo and hi <= b
            reasons.append(f"measured {m.measured:.4g}, CI [{lo:.4g}, {hi:.4g}], "
                           f"{'lies within' if inside else 'overlaps'} [{a:.4g}, {b:.4g}] "
                           f"around {stated:.4g}")
            return FAILS if inside else UNDECIDED
        if a <= lo and hi <= b:
            return HOLDS
        where = f"measured {m.measured:.4g}, CI [{lo:.4g}, {hi:.4g}]"
        if hi < a or lo > b:
            reasons.append(f"{where} outside the accepted [{a:.4g}, {b:.4g}]")
            return FAILS
        reasons.append(f"{where} straddles the accepted [{a:.4g}, {b:.4g}]: undecided (more "
                       f"runs, or --until-decided)")
        return UNDECIDED

    def _judge_in_se(self, m: Measurement, stated: float, accepted: tuple[float, float],
                     reasons: list[str]) -> str:
        """Legacy limit judgement in standard errors (z = (measured - stated)/SE)."""
        x = m.measured
        if not m.se or m.se <= 0:
            reasons.append("a limit needs a positive standard error")
            return FAILS
        z = (x - stated) / m.se
        if self.tolerance.outside:
            if not (z <= accepted[0] or z >= accepted[1]):
                sides = " or ".join(f"{op} {v:g}" for op, v in (("<=", accepted[0]),
                                    (">=", accepted[1])) if math.isfinite(v))
                reasons.append(f"measured {x:.4g} is {z:+.1f} SE from {stated:.4g}, "
                               f"accepted {sides} SE")
                return FAILS
        elif not accepted[0] <= z <= accepted[1]:
            reasons.append(f"measured {x:.4g} is {z:+.1f} SE from {stated:.4g}, "
                           f"accepted [{accepted[0]:g}, {accepted[1]:g}] SE")
            return FAILS
        return HOLDS

    def check(self, seed: int = 0, overrides: Mapping[str, Any] | None = None,
              control: bool = True) -> Verdict:
        """Run the experiment and (by default) its negative control, and judge both."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        params = self.resolve(overrides)
        start = time.perf_counter()
        # One BLAS thread: the catalogue's dense algebra is small (d <= 1000), where BLAS threads
        # only contend with numba's and with other jobs (relu-projected-gd took 17.7 s with
        # OpenBLAS threads and 2.1 s without, at load 2.7 on 2 cores).  Results do not change.
        with threadpool_limits(limits=1, user_api="blas"):
            m = self.experiment(params, int(seed))
            stated = m.stated()
            outcome = self.judge(m, stated)
            outcomes = []
            for c in (self.control, *self.more_controls) if control else ():
                cparams = self.resolve({**params, **c.overrides})
                outcomes.append(self.judge(self.experiment(cparams, int(seed)), stated))
        return Verdict(claim=self, params=params, seed=int(seed), stated=stated, outcome=outcome,
                       control=outcomes[0] if outcomes else None, more_controls=outcomes[1:],
                       seconds=time.perf_counter() - start)
