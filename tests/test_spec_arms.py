"""rates.spec: a sweep's abscissa (``Sweep.at``), the second-arm assertion (``RateWithin``, run
once per parameters and seed) and a sweep value that diverges.

The experiments here are plain Python (no kernel): a "method" whose error after k steps is
exactly (1 - 1/c)^k, so the iterations to a tolerance are known in closed form.
"""

import math
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

from experiments.run import Run
from rates.bound import Bound
from rates.measure import fitted
from rates.spec import Instance, Observed, Quantity, RateWithin, Spec, Sweep, iterations_to

h = sp.Symbol("h", positive=True)
C = sp.Symbol("C", positive=True)


@dataclass(frozen=True)
class _Contraction:
    """x_k = (1 - 1/c)^k x_0, recorded at every step: iterations to eps are ln eps/ln(1 - 1/c)."""

    c: float

    def run(self, problem, horizon, *, runs=1, seed=0, x0=None, checkpoints=None):
        k = np.arange(horizon + 1)
        iterates = (1 - 1 / self.c) ** k[None, :, None] * np.ones((runs, 1, 1))
        return Run(checkpoints=k, iterates=iterates, diverged_at=np.full(runs, -1), seed=seed)


@dataclass(frozen=True)
class _Problem:
    x_star: np.ndarray


def _spec(at=None, checks=()):
    return Spec(
        problem=lambda p, seed: _Problem(np.zeros(1)),
        method=lambda i: _Contraction(i["c"]),
        quantity=Quantity("|x_k|", lambda i, r: np.abs(r.iterates[..., 0])),
        bound=Bound(C * h, variable=h, law="parameter"),
        horizon=lambda i: int(40 * i["c"]), runs=1, checkpoints="linear",
        sweep=Sweep("c", (10.0, 20.0, 40.0, 80.0, 160.0), iterations_to(1e-6), at=at),
        checks=checks)


def _counts(cs):
    return np.array([math.ceil(math.log(1e-6) / math.log(1 - 1 / c)) for c in cs], float)


def test_sweep_fits_against_the_value_by_default():
    m = _spec()({"c": 10.0}, 0)
    cs = (10.0, 20.0, 40.0, 80.0, 160.0)
    np.testing.assert_allclose(m.trace.x, cs)
    np.testing.assert_allclose(m.trace.values[0], _counts(cs))
    # counts ~ c ln(1/eps): slope one in c, up to the (1 - 1/c) curvature and the ceiling
    assert m.measured == pytest.approx(1.0, abs=0.02)


def test_sweep_at_sets_the_abscissa_of_each_value():
    """The same counts against c^2 (a quantity the parameter sets): the slope halves."""
    m = _spec(at=lambda inst: inst["c"] ** 2)({"c": 10.0}, 0)
    cs = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
    np.testing.assert_allclose(m.trace.x, cs**2)
    direct = np.polyfit(np.log(cs**2), np.log(_counts(cs)), 1)[0]
    assert m.measured == pytest.approx(direct, rel=1e-9)
    assert m.measured == pytest.approx(0.5, abs=0.01)


def _arm(slope: float, runs: int = 20, diverged: int | None = None):
    """An experiment whose measurement is a parameter law of the given slope."""
    def experiment(params, seed):
        rng = np.random.default_rng(seed)
        x = np.geomspace(1, 100, 5)
        values = x**slope * np.exp(0.01 * rng.standard_normal((runs, 5)))
        return fitted(x, values, law="parameter", window=None, bound=None, xlabel="x",
                      ylabel="y", diverged_at=diverged)
    return experiment


def _seen():
    inst = Instance(params={"c": 1.0}, seed=3, problem=None,
                    bound=Bound(C * h, variable=h, law="parameter"))
    return Observed(inst, np.ones(3), np.ones((1, 3)), ())


@pytest.mark.parametrize("slope, passes", [(1.0, True), (0.5, False), (1.3, False)])
def test_rate_within_judges_the_arms_ci(slope, passes):
    check = RateWithin("plain arm", _arm(slope), 0.9, 1.1, "the plain method's law").evaluate(
        _seen())
    assert check.passed is passes
    assert "accepted [0.9, 1.1]" in check.detail


def test_rate_within_passes_its_parameters_and_seed_with_the_overrides():
    seen_args = []

    def experiment(params, seed):
        seen_args.append((dict(params), seed))
        return _arm(1.0)(params, seed)

    RateWithin("arm", experiment, 0.9, 1.1, "r", overrides={"c": 7.0}).evaluate(_seen())
    assert seen_args == [({"c": 7.0}, 3)]


def test_rate_within_fails_a_diverged_arm_and_a_straddling_ci():
    diverged = RateWithin("arm", _arm(1.0, diverged=12), 0.9, 1.1, "r").evaluate(_seen())
    assert not diverged.passed and "diverged at step 12" in diverged.detail
    # slope 1.1 exactly: the CI straddles the upper end, so the arm is not inside
    straddle = RateWithin("arm", _arm(1.1), 0.9, 1.1, "r").evaluate(_seen())
    assert not straddle.passed


@dataclass(frozen=True)
class _Diverging(_Contraction):
    """Diverges (from step 5) for c above 50."""

    def run(self, problem, horizon, *, runs=1, seed=0, x0=None, checkpoints=None):
        r = super().run(problem, horizon, runs=runs, seed=seed)
        bad = self.c > 50
        return Run(checkpoints=r.checkpoints, iterates=r.iterates,
                   diverged_at=np.full(runs, 5 if bad else -1), seed=seed)


def test_a_diverging_sweep_value_is_reported_with_the_bound_and_the_value():
    from dataclasses import replace

    from rates.claim import Claim, Control, Mode, Paper, Tolerance
    from rates.params import Parameter

    spec = replace(_spec(), method=lambda i: _Diverging(i["c"]))
    m = spec({"c": 10.0}, 0)
    assert m.diverged_at == 5 and m.extra["diverged for"] == {"c": 80.0}
    assert m.stated() == pytest.approx(1.0)  # the bound's law, so a claim can judge it
    claim = Claim(id="toy-diverging", title="t", paper=Paper("a", "t", 2000, None, "T1"),
                  statement="s", mode=Mode.PARAMETER, tolerance=Tolerance(0.1, 0.1, "r"),
                  parameters=(Parameter("c", 10.0, "c"),), experiment=spec,
                  control=Control({"c": 10.0}, "same"))
    assert claim.check(seed=0).outcome.verdict == "fails"


def test_rate_within_runs_an_arm_once_per_parameters_and_seed():
    calls = []

    def experiment(params, seed):
        calls.append(seed)
        return _arm(1.0)(params, seed)

    arm = RateWithin("arm", experiment, 0.9, 1.1, "r", overrides={"c": 2.0})
    first, second = arm.evaluate(_seen()), arm.evaluate(_seen())
    assert first == second and calls == [3]
    other = Observed(Instance(params={"c": 5.0}, seed=4, problem=None,
                              bound=Bound(C * h, variable=h, law="parameter")),
                     np.ones(3), np.ones((1, 3)), ())
    arm.evaluate(other)  # another seed: run again (the override keeps c = 2)
    assert calls == [3, 4]
