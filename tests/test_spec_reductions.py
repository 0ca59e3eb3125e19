"""rates.spec: the reductions and assertions added for the matrix-sensing claims."""

import math

import numpy as np
import pytest
import sympy as sp

from rates.bound import Bound, k
from rates.spec import Instance, Observed, Provided, Within, hitting_time, rate_between


def test_hitting_time_interpolates_a_geometric_decay_exactly():
    x = np.arange(0.0, 200.0, 7.0)  # coarse checkpoints: the crossing falls between two
    values = np.stack([2.0 ** -x, 4.0 * 2.0 ** -x, np.full_like(x, 1e-40)])
    hits = hitting_time(2.0**-100.3)(x, values)
    np.testing.assert_allclose(hits, [100.3, 102.3, 0.0], rtol=1e-12)


def test_hitting_time_is_inf_for_a_run_that_never_gets_there():
    x = np.arange(50.0)
    hits = hitting_time(2.0**-100.3)(x, np.stack([2.0 ** -x, 0.5 ** (x / 3)]))
    assert np.isinf(hits).all()


def test_rate_between_recovers_the_factor_inside_the_levels_only():
    x = np.arange(0.0, 400.0)
    rho = 0.95
    # geometric from 1 down, then a floor at 1e-12 (round-off) that must not enter the fit
    values = np.maximum(rho**x, 1e-12)[None, :]
    got = rate_between(1e-2, 1e-6)(x, values)
    assert got == pytest.approx([-math.log(rho)], rel=1e-12)


def test_rate_between_needs_three_points_and_ordered_levels():
    x = np.arange(0.0, 10.0)
    values = np.stack([10.0 ** -x, 10.0 ** (-x / 10)])
    got = rate_between(1e-3, 1e-4)(x, values)  # run 0: 2 points in [1e-4, 1e-3]; run 1: none
    assert np.isnan(got).all()
    with pytest.raises(ValueError, match="low < high"):
        rate_between(1e-6, 1e-4)
    with pytest.raises(ValueError, match="level"):
        hitting_time(0.0)


def _seen(population: bool) -> Observed:
    inst = Instance(params={"loss": "population" if population else "sensing"}, seed=0,
                    problem=None, bound=Bound(sp.Symbol("C", positive=True) / k))
    return Observed(inst, np.arange(1.0, 4.0), np.ones((1, 3)), ())


def test_provided_evaluates_where_its_condition_holds_and_says_why_not_elsewhere():
    never = Within("constant", lambda s: 2.0, 0.0, 1.0, "fails whenever it is evaluated")
    only = Provided(lambda i: i["loss"] == "population", never, "derived for the population")
    assert only.name == "constant" and only.reason == never.reason
    failed = only.evaluate(_seen(population=True))
    assert not failed.passed and "accepted [0, 1]" in failed.detail
    skipped = only.evaluate(_seen(population=False))
    assert skipped.passed and skipped.detail == "not applicable: derived for the population"


def test_a_sweep_that_diverges_is_judged_diverged_not_an_error():
    # GD with step 3 > 2/L on a quadratic: |1 - 3 L| = 2 per step, past 1e100 within 400 steps;
    # the measurement must still carry the bound, so that the claim states its value and fails
    from experiments.methods import GradientDescent
    from problems import quadratic
    from rates.claim import Claim, Control, Mode, Paper, Tolerance
    from rates.params import Parameter
    from rates.spec import Spec, Sweep, distance_squared, gaussian_start, iterations_to

    h = sp.Symbol("h", positive=True)
    spec = Spec(problem=lambda p, seed: quadratic(5, L=1.0, mu=0.1),
                method=lambda i: GradientDescent(i["step"]), quantity=distance_squared,
                bound=Bound(sp.Symbol("C", positive=True) / h, variable=h, law="parameter"),
                sweep=Sweep("step", lambda p: [0.5, 1.0, p["top"]], iterations_to(1e-3)),
                x0=gaussian_start, horizon=400, checkpoints="linear")
    claim = Claim(id="diverging-sweep", title="t", paper=Paper("a", "t", 2000, None, "-"),
                  statement="s", mode=Mode.PARAMETER,
                  tolerance=Tolerance(0.1, 0.1, "test"),
                  parameters=(Parameter("top", 3.0, "largest step", 0.1, 10.0),),
                  experiment=spec, control=Control({"top": 1.5}, "stable steps"))
    v = claim.check(seed=0)
    assert v.stated == -1.0
    assert v.outcome.measurement.extra["diverged for"] == {"step": 3.0}
    assert v.outcome.verdict == "fails" and v.outcome.reasons[0].startswith("diverged at step")
