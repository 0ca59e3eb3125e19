"""rates.spec: the rate cap of upper-mode claims (NoFasterThan), the CI calibration against the
jackknife over runs (CalibratedCI), and the plateau reduction."""

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

from rates.bound import Bound, k
from rates.claim import FAILS, HOLDS, Claim, Control, Mode, Paper, Tolerance
from rates.fit import geometric, power_law
from rates.params import Parameter
from rates.spec import (
    CalibratedCI,
    Instance,
    NoFasterThan,
    Observed,
    Quantity,
    Spec,
    plateau,
)

C = sp.Symbol("C", positive=True)


# --- NoFasterThan, CalibratedCI, plateau ---------------------------------------------------------


def _seen(law: str = "power_law") -> Observed:
    bound = Bound(sp.Symbol("C", positive=True) * (k**-1 if law == "power_law" else 0.5**k),
                  law=law)
    return Observed(Instance({}, 0, None, bound), np.arange(1.0, 4.0), np.ones((1, 3)), ())


def _claim() -> Claim:
    spec = Spec(problem=lambda p, s: _Problem(), method=lambda i: _Decay(i["a"]),
                quantity=Quantity("|x - x*|", lambda i, r: np.abs(r.iterates[..., 0])),
                bound=Bound(C * k**-1), horizon=10_000,
                checks=(NoFasterThan(2.0, "the family's fastest rate is k^-2"),))
    return Claim(id="test-cap", title="t", paper=Paper("a", "t", 2020, None, "T1", venue="v"),
                 statement="s", mode=Mode.UPPER, parameters=(Parameter("a", 1.0, "rate"),),
                 tolerance=Tolerance(0.1, 0.0, "test"), experiment=spec,
                 control=Control({"a": 0.0}, "no decay"))


def test_no_faster_than_judges_the_whole_ci_on_the_fast_side():
    x = np.geomspace(1, 1e4, 41)
    slope_two = power_law(x, 3 * x**-2.0)  # one run, exact: CI = [2, 2]
    cap = NoFasterThan(1.5, "the family cannot beat k^-1.5")
    assert not cap.evaluate_fit(_seen(), slope_two).passed
    assert NoFasterThan(2.5, "r").evaluate_fit(_seen(), slope_two).passed
    # geometric: faster is smaller; rho = 0.5 is faster than a cap of 0.8
    kk = np.arange(0.0, 60.0)
    half = geometric(kk, 0.5**kk)
    assert not NoFasterThan(0.8, "r").evaluate_fit(_seen("geometric"), half).passed
    assert NoFasterThan(0.4, "r").evaluate_fit(_seen("geometric"), half).passed
    # the cap may follow the instance, and no fit leaves the verdict to the main assertion
    assert NoFasterThan(lambda i: 3.0, "r").evaluate_fit(_seen(), slope_two).passed
    check = cap.evaluate_fit(_seen(), None)
    assert check.passed and "no fit" in check.detail


class _Decay:
    """A fake method: x_k = x* + c k^-a in every coordinate (deterministic, one run)."""

    def __init__(self, a: float):
        self.a = a

    def run(self, problem, horizon, *, runs=1, seed=0, x0=None, checkpoints=None):
        from experiments.run import Run, log_checkpoints

        ks = log_checkpoints(horizon)
        it = (ks.astype(float) ** -self.a)[None, :, None] * np.ones((runs, 1, 2))
        return Run(checkpoints=ks, iterates=it, diverged_at=np.full(runs, -1), seed=seed)


class _Problem:
    x_star = np.zeros(2)


def test_an_upper_claim_with_a_cap_fails_an_absurdly_fast_rate():
    claim = _claim()
    v = claim.check(seed=0)
    assert v.status == HOLDS and v.measured == pytest.approx(1.0, abs=1e-9)
    fast = claim.check(seed=0, overrides={"a": 6.0}, control=False)
    assert fast.outcome.verdict == FAILS
    assert any(r.startswith("no faster than the family can go") for r in fast.outcome.reasons)
    # the main interval alone, [0.9, inf), would have accepted it
    assert fast.measured == pytest.approx(6.0, abs=1e-9)
    assert claim.accepted(1.0) == (pytest.approx(0.9), math.inf)


def test_plateau_is_the_mean_over_the_late_checkpoints():
    x = np.arange(0.0, 11.0)
    values = np.vstack([x, 2 * x])
    np.testing.assert_allclose(plateau(0.5)(x, values), [7.5, 15.0])  # mean of 5..10
    np.testing.assert_allclose(plateau(0.0)(x, values), [5.0, 10.0])
    with pytest.raises(ValueError, match="after must lie in"):
        plateau(1.0)


def test_calibrated_ci_accepts_the_bootstrap_and_rejects_a_wrong_width():
    rng = np.random.default_rng(1)
    x = np.geomspace(10, 1e4, 31)
    # 100 runs of 2 k^-1 with a per-run level and slope jitter: runs are the independent units
    values = 2 * x ** -(1 + 0.05 * rng.standard_normal((100, 1))) * rng.lognormal(0, 0.3,
                                                                                   (100, 1))
    good = power_law(x, values, (10, 1e4))
    seen = Observed(Instance({}, 0, None, Bound(C * k**-1)), x, values, ())
    check = CalibratedCI("test")
    assert check.evaluate_fit(seen, good).passed, check.evaluate_fit(seen, good).detail
    # a 5% interval (alpha passed for the level) is ~1/30 of the width; twice the width fails too
    mid, half = good.rate, (good.ci[1] - good.ci[0]) / 2
    for factor in (0.03, 0.5, 2.0):
        bad = dataclasses.replace(good, ci=(mid - factor * half, mid + factor * half))
        assert not check.evaluate_fit(seen, bad).passed
    # too few runs to calibrate, or no fit: left to the main assertion
    few = Observed(seen.instance, x, values[:20], ())
    assert check.evaluate_fit(few, power_law(x, values[:20], (10, 1e4))).passed
    assert check.evaluate_fit(seen, None).passed
