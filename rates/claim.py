"""Claims, what an experiment measures, and the verdict on it.

A :class:`Claim` ties a paper's statement to an experiment and an assertion.  Running it
(:meth:`Claim.check`) runs the experiment with the given parameters, judges the measurement
against the stated rate (derived from the paper's bound), then runs the negative control and
judges it by *the same* accepted interval: a check whose control passes cannot fail, and the
verdict says so.

Assertion modes (DESIGN.md):

* ``tight``     the fitted rate equals the stated one within tolerance (worst-case families only);
* ``upper``     an O(.) bound: the run is at least as fast as stated (rate >= stated - tol for a
                power law, rho <= stated + tol for a geometric factor);
* ``lower``     no faster than stated;
* ``limit``     converges to a value: (measured - stated) / SE within [-below, above]; with
                ``Tolerance(outside=True)`` the opposite, at least ``below`` SE under or ``above``
                SE over the stated value (e.g. "the offset from x* exceeds 20 SE": does *not*
                converge there; ``below = inf`` makes it one-sided);
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

from rates.bound import Bound
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

    For ``limit`` claims both sides are in standard errors of the measured value, and
    ``outside=True`` accepts the complement: z <= -below or z >= above (limit claims only).
    """

    below: float
    above: float
    reason: str
    outside: bool = False

    def __post_init__(self) -> None:
        if self.below < 0 or self.above < 0:
            raise ValueError("tolerance sides must be >= 0")
        if self.outside and math.isinf(self.below) and math.isinf(self.above):
            raise ValueError("an outside tolerance needs a finite side")
        if not self.reason.strip():
            raise ValueError("a tolerance needs its one-line reason")


@dataclass(frozen=True)
class Check:
    """An extra assertion of a claim (e.g. the bound with its constants holds everywhere)."""

    name: str
    passed: bool
    detail: str


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
    checks: list[Check] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> float | None:
        return self.fit.rate if self.fit is not None else self.value

    @property
    def ci(self) -> tuple[float, float] | None:
        if self.fit is not None:
            return self.fit.ci
        if self.value is not None and self.se is not None:
            return (self.value - 1.96 * self.se, self.value + 1.96 * self.se)
        return None

    def stated(self) -> float:
        if self.target is not None:
            return float(self.target)
        if self.bound is None:
            raise ValueError("a measurement needs a bound or a target to state a value")
        return self.bound.rate()


@dataclass
class Outcome:
    """A measurement judged against an accepted interval."""

    measurement: Measurement
    accepted: tuple[float, float]
    passed: bool
    reasons: list[str]


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

    @property
    def passed(self) -> bool:
        return self.outcome.passed

    @property
    def control_failed(self) -> bool:
        """True when the control fails the assertion, as a working check's control must."""
        return self.control is not None and not self.control.passed

    @property
    def ok(self) -> bool:
        return self.passed and self.control_failed

    @property
    def measured(self) -> float | None:
        return self.outcome.measurement.measured

    @property
    def ci(self) -> tuple[float, float] | None:
        return self.outcome.measurement.ci


Experiment = Callable[[Mapping[str, Any], int], Measurement]


@dataclass(frozen=True)
class Claim:
    """A paper's claim as an experiment with an assertion and a negative control."""

    id: str
    title: str
    paper: Paper
    statement: str
    math: str
    mode: Mode
    law: str
    tolerance: Tolerance
    parameters: tuple[Parameter, ...]
    experiment: Experiment
    control: Control
    lesson: str = ""
    cost_model: Callable[[Mapping[str, Any]], tuple[float, float]] | None = None
    """``params -> (run-steps x dimension, bytes)`` of one experiment, when the parameter names
    do not tell it (see :meth:`cost`)."""

    def __post_init__(self) -> None:
        if self.tolerance.outside and self.mode != Mode.LIMIT:
            raise ValueError(f"claim {self.id}: an outside tolerance is for limit claims only")
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: duplicate parameter names")
        for name in self.control.overrides:
            if name not in names:
                raise ValueError(f"claim {self.id}: control overrides unknown parameter {name!r}")

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
        """The interval the measured value must fall in (in SE units around 0 for limit)."""
        lo, hi = self.tolerance.below, self.tolerance.above
        faster_is_smaller = self.law == "geometric"
        if self.mode in (Mode.TIGHT, Mode.PARAMETER):
            return stated - lo, stated + hi
        if self.mode == Mode.UPPER:
            return (-math.inf, stated + hi) if faster_is_smaller else (stated - lo, math.inf)
        if self.mode == Mode.LOWER:
            return (stated - lo, math.inf) if faster_is_smaller else (-math.inf, stated + hi)
        return -lo, hi

    def judge(self, m: Measurement, stated: float) -> Outcome:
        accepted = self.accepted(stated)
        reasons: list[str] = []
        if m.diverged_at is not None:
            reasons.append(f"diverged at step {m.diverged_at}")
        elif m.measured is None:
            reasons.append(f"nothing was measured: {m.refused or 'no fit and no value'}")
        else:
            x = m.measured
            if self.mode == Mode.LIMIT:
                if not m.se or m.se <= 0:
                    reasons.append("a limit needs a positive standard error")
                else:
                    z = (x - stated) / m.se
                    if self.tolerance.outside:
                        if not (z <= accepted[0] or z >= accepted[1]):
                            sides = " or ".join(f"{op} {v:g}" for op, v in (("<=", accepted[0]),
                                                (">=", accepted[1])) if math.isfinite(v))
                            reasons.append(f"measured {x:.4g} is {z:+.1f} SE from {stated:.4g}, "
                                           f"accepted {sides} SE")
                    elif not accepted[0] <= z <= accepted[1]:
                        reasons.append(f"measured {x:.4g} is {z:+.1f} SE from {stated:.4g}, "
                                       f"accepted [{accepted[0]:g}, {accepted[1]:g}] SE")
            elif not accepted[0] <= x <= accepted[1]:
                reasons.append(f"measured {x:.4g} outside the accepted "
                               f"[{accepted[0]:.4g}, {accepted[1]:.4g}]")
        reasons += [f"{c.name}: {c.detail}" for c in m.checks if not c.passed]
        return Outcome(measurement=m, accepted=accepted, passed=not reasons, reasons=reasons)

    def check(self, seed: int = 0, overrides: Mapping[str, Any] | None = None,
              control: bool = True) -> Verdict:
        """Run the experiment and (by default) its negative control, and judge both."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        params = self.resolve(overrides)
        start = time.perf_counter()
        m = self.experiment(params, int(seed))
        stated = m.stated()
        outcome = self.judge(m, stated)
        control_outcome = None
        if control:
            cparams = self.resolve({**params, **self.control.overrides})
            control_outcome = self.judge(self.experiment(cparams, int(seed)), stated)
        return Verdict(claim=self, params=params, seed=int(seed), stated=stated, outcome=outcome,
                       control=control_outcome, seconds=time.perf_counter() - start)
