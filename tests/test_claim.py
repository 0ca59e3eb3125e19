"""The claim model: accepted intervals per mode, judging, parameters, and the control."""

import math

import numpy as np
import pytest

from rates.bound import Bound, k
from rates.claim import Claim, Control, Measurement, Mode, Paper, Tolerance, Trace
from rates.measure import fitted
from rates.params import Parameter

PAPER = Paper("A. Author", "A title", 2024, "2401.00001", "Theorem 1")


TOY_TOLERANCE = Tolerance(0.1, 0.1, "toy")


def toy_claim(mode=Mode.UPPER, law="power_law", tol=TOY_TOLERANCE):
    """A claim whose experiment fabricates err = k^-p with p a parameter."""

    def experiment(p, seed):
        ks = np.geomspace(1, 1e4, 41)
        rng = np.random.default_rng(seed)
        errors = ks ** (-p["p"]) * np.exp(0.05 * rng.standard_normal((10, ks.size)))
        if p["diverge"]:
            return fitted(ks, errors, law="power_law", window=None, bound=Bound(1 / k),
                          xlabel="k", ylabel="err", diverged_at=17)
        return fitted(ks, errors, law="power_law", window=None, bound=Bound(1 / k),
                      xlabel="k", ylabel="err", seed=seed)

    return Claim(id="toy-claim", title="toy", paper=PAPER, statement="err = O(1/k)", math="",
                 mode=mode, law=law, tolerance=tol,
                 parameters=(Parameter("p", 1.0, "true exponent", 0.0, 5.0),
                             Parameter("diverge", False, "pretend to diverge")),
                 experiment=experiment, control=Control({"p": 0.5}, "slower than stated"))


def test_accepted_intervals_follow_mode_and_law():
    tol = Tolerance(0.1, 0.2, "toy")
    assert toy_claim(Mode.TIGHT, tol=tol).accepted(1.0) == (0.9, 1.2)
    assert toy_claim(Mode.UPPER, tol=tol).accepted(1.0) == (0.9, math.inf)
    assert toy_claim(Mode.LOWER, tol=tol).accepted(1.0) == (-math.inf, 1.2)
    assert toy_claim(Mode.UPPER, "geometric", tol).accepted(0.9) == (-math.inf, 0.9 + 0.2)
    assert toy_claim(Mode.LIMIT, tol=tol).accepted(0.0) == (-0.1, 0.2)


def test_check_passes_and_its_control_fails_the_same_assertion():
    v = toy_claim().check(seed=3)
    assert v.passed and v.control_failed and v.ok
    assert v.stated == 1.0 and v.measured == pytest.approx(1.0, abs=0.05)
    assert v.control.accepted == v.outcome.accepted
    assert "outside the accepted" in v.control.reasons[0]


def test_a_control_that_passes_makes_the_verdict_not_ok():
    claim = toy_claim()
    claim = Claim(**{**claim.__dict__, "control": Control({"p": 1.5}, "faster: passes too")})
    v = claim.check()
    assert v.passed and not v.control_failed and not v.ok


def test_divergence_fails_with_its_step_and_is_never_fitted():
    v = toy_claim().check(overrides={"diverge": True}, control=False)
    assert not v.passed and v.outcome.measurement.fit is None
    assert v.outcome.reasons == ["diverged at step 17"]


def test_legacy_limit_mode_judges_in_standard_errors():
    claim = toy_claim(Mode.LIMIT, tol=Tolerance(4, 4, "4 SE", se_units=True))
    trace = Trace(np.array([1.0]), np.array([[0.0]]), "", "")
    near = Measurement(trace=trace, value=0.03, se=0.01, target=0.0)
    far = Measurement(trace=trace, value=0.05, se=0.01, target=0.0)
    assert claim.judge(near, 0.0).passed
    assert "+5.0 SE" in claim.judge(far, 0.0).reasons[0]


def test_parameters_are_validated():
    claim = toy_claim()
    with pytest.raises(ValueError, match="no parameter 'q'"):
        claim.resolve({"q": 1})
    with pytest.raises(ValueError, match=r"p must be a real number in \[0, 5\]"):
        claim.resolve({"p": 7.0})
    assert claim.resolve({"p": 2})["p"] == 2.0
    with pytest.raises(ValueError, match="seed"):
        claim.check(seed=-1)
    p = Parameter("law", "normal", "", choices=("normal", "exp"))
    with pytest.raises(ValueError, match="one of normal, exp"):
        p.parse("gamma")
    assert Parameter("n", 3, "").parse("10") == 10
    with pytest.raises(ValueError, match="integer"):
        Parameter("n", 3, "").parse("2.5")
    assert Parameter("flag", False, "").parse("true") is True


def test_claim_definition_errors():
    with pytest.raises(ValueError, match="reason"):
        Tolerance(0.1, 0.1, " ")
    claim = toy_claim()
    with pytest.raises(ValueError, match="unknown parameter"):
        Claim(**{**claim.__dict__, "control": Control({"zz": 1}, "")})


def test_limit_mode_outside_accepts_the_complement_and_can_be_one_sided():
    trace = Trace(np.array([1.0]), np.array([[0.0]]), "", "")
    far = Measurement(trace=trace, value=-0.5, se=0.01, target=0.0)
    near = Measurement(trace=trace, value=0.05, se=0.01, target=0.0)
    both = toy_claim(Mode.LIMIT, tol=Tolerance(20, 20, "20 SE away", outside=True,
                                               se_units=True))
    assert both.judge(far, 0.0).passed
    assert "accepted <= -20 or >= 20 SE" in both.judge(near, 0.0).reasons[0]
    upward = toy_claim(Mode.LIMIT, tol=Tolerance(math.inf, 3, "3 SE above", outside=True,
                                                 se_units=True))
    assert upward.judge(near, 0.0).passed and not upward.judge(far, 0.0).passed
    assert "accepted >= 3 SE" in upward.judge(far, 0.0).reasons[0]
    with pytest.raises(ValueError, match="limit claims only"):
        toy_claim(Mode.UPPER, tol=Tolerance(1, 1, "x", outside=True))
    with pytest.raises(ValueError, match="finite side"):
        Tolerance(math.inf, math.inf, "x", outside=True)


# --- verdicts decide on the CI: holds, fails, undecided ---------------------------------------

def _fit_measurement(rate_noise: float, runs: int, p: float = 1.0, seed: int = 0):
    ks = np.geomspace(1, 1e4, 41)
    rng = np.random.default_rng(seed)
    errors = ks ** (-p) * np.exp(rate_noise * rng.standard_normal((runs, 1)) * np.log(ks))
    return fitted(ks, errors, law="power_law", window=None, bound=Bound(1 / k), xlabel="k",
                  ylabel="err", seed=seed)


def test_ci_inside_holds_outside_fails_straddling_is_undecided():
    claim = toy_claim(Mode.TIGHT, tol=Tolerance(0.05, 0.05, "toy"))
    tight = _fit_measurement(0.002, 50)            # CI ~ 1 +- 0.001: inside [0.95, 1.05]
    assert claim.judge(tight, 1.0).verdict == "holds"
    wide = _fit_measurement(0.01, 50, p=1.05)      # CI ~ 1.05 +- 0.003: straddles 1.05
    out = claim.judge(wide, 1.0)
    assert out.verdict == "undecided" and "straddles" in out.reasons[0]
    far = _fit_measurement(0.002, 50, p=1.5)       # CI ~ 1.5 +- 0.001: outside
    assert claim.judge(far, 1.0).verdict == "fails"


def test_too_few_runs_is_undecided_not_a_pass():
    claim = toy_claim(Mode.TIGHT, tol=Tolerance(0.05, 0.05, "toy"))
    m = _fit_measurement(0.002, 3)
    assert m.fit is None and m.too_few_runs and "too few" in m.refused
    out = claim.judge(m, 1.0)
    assert out.verdict == "undecided" and not out.passed


def test_identical_runs_fail_with_a_zero_width_ci():
    claim = toy_claim(Mode.TIGHT, tol=Tolerance(0.05, 0.05, "toy"))
    ks = np.geomspace(1, 1e4, 41)
    same = np.tile(ks ** -1.0, (30, 1))           # every run the same stream
    m = fitted(ks, same, law="power_law", window=None, bound=Bound(1 / k), xlabel="k",
               ylabel="err")
    out = claim.judge(m, 1.0)
    assert out.verdict == "fails" and "zero width" in out.reasons[0]


def test_limit_in_value_units_does_not_flip_with_more_runs():
    """A true offset of 0.01, tolerance 0.004 around it: more runs only sharpen the verdict
    (undecided at 64 runs, holds from 256 on), never flip it to fails."""
    claim = toy_claim(Mode.LIMIT, tol=Tolerance(0.004, 0.004, "toy"))
    away = toy_claim(Mode.LIMIT, tol=Tolerance(0.004, 0.004, "toy", outside=True))
    trace = Trace(np.array([1.0]), np.array([[0.0]]), "", "")
    m = Measurement(trace=trace, value=0.0101, se=0.02 / 8, target=0.01, runs=64)
    assert claim.judge(m, 0.01).verdict == "undecided"
    for runs in (256, 1024, 4096):
        se = 0.02 / math.sqrt(runs)
        m = Measurement(trace=trace, value=0.0101, se=se, target=0.01, runs=runs)
        assert claim.judge(m, 0.01).verdict == "holds"
        assert away.judge(m, 0.0).verdict == "holds"   # and it stays away from 0
        assert away.judge(m, 0.01).verdict == "fails"


def test_control_must_fail_decisively_and_status_summarises():
    v = toy_claim().check(seed=3)
    assert v.status == "holds"
    undecided = Claim(**{**toy_claim().__dict__,
                         "control": Control({"p": 0.9}, "at the boundary")}).check(seed=3)
    assert undecided.control.verdict in ("undecided", "fails")
    holding = Claim(**{**toy_claim().__dict__,
                       "control": Control({"p": 1.5}, "faster")}).check(seed=3)
    assert holding.status == "fails"


def test_relative_tolerance_scales_with_the_stated_rate():
    rel = Tolerance(0.01, 0.01, "1% of -ln rho", relative=True)
    geo = toy_claim(Mode.TIGHT, "geometric", rel)
    lo, hi = geo.accepted(0.9)
    assert math.log(lo) / math.log(0.9) == pytest.approx(1.01)
    assert math.log(hi) / math.log(0.9) == pytest.approx(0.99)
    assert toy_claim(Mode.TIGHT, tol=Tolerance(0.1, 0.1, "x", relative=True)).accepted(
        2.0) == pytest.approx((1.8, 2.2))


def test_a_second_control_exercises_the_upper_side_of_a_tight_tolerance():
    tight = Claim(**{**toy_claim().__dict__, "mode": Mode.TIGHT,
                     "more_controls": (Control({"p": 1.5}, "too fast"),)})
    v = tight.check(seed=3)
    assert v.status == "holds" and [o.verdict for o in v.more_controls] == ["fails"]
    # on an upper claim the same too-fast run holds, so the verdict says the check cannot fail
    upper = Claim(**{**tight.__dict__, "mode": Mode.UPPER})
    assert upper.check(seed=3).status == "fails"
    with pytest.raises(ValueError, match="unknown parameter 'zz'"):
        Claim(**{**tight.__dict__, "more_controls": (Control({"zz": 1}, ""),)})
