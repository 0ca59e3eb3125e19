"""Shared test setup.

* The results cache of the `rates` command lives in a temporary directory: tests that call the
  command (`rates check`, `rates figures`, ...) must neither read results a developer computed
  earlier nor leave a cache in the working tree.
* Synthetic verdicts for every registered claim (its texts, law and mode on made-up data) let
  the figure and report tests cover every claim without running any experiment.
"""

import math

import numpy as np
import pytest
import sympy as sp

from rates import registry
from rates.bound import Bound, k
from rates.claim import Claim, Measurement, Mode, Trace, Verdict
from rates.measure import fitted


@pytest.fixture(autouse=True, scope="session")
def _isolated_results_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RATES_CACHE_DIR", str(tmp_path_factory.mktemp("rates-cache")))
        yield


# --- synthetic verdicts: every registered claim's texts on data of its own law and mode -------

h = sp.Symbol("h", positive=True)
C = sp.Symbol("C", positive=True)


def synthetic_measurement(claim: Claim, seed: int = 0, scale: float = 1.0,
                          wrong: bool = False) -> Measurement:
    """Data shaped like the claim's own (its law, its mode), fast to make: no experiment runs.

    The data hold the claim (rate 1, or 0.95 per step, or an offset that vanishes) unless
    ``wrong``, which gives data that fail it the way a control should (a plateau, an offset, or
    for a ``lower`` claim a faster rate).  ``scale`` multiplies the values: a control drawn far
    below or above the claim tests the control's own axis.
    """
    lower = claim.mode == Mode.LOWER
    rng = np.random.default_rng(seed)
    runs = 20
    if claim.mode == Mode.LIMIT:
        x = np.unique(np.geomspace(1, 1e4, 30).astype(int)).astype(float)
        t = claim.tolerance
        sides = [v for v in (t.below, t.above) if math.isfinite(v) and v > 0]
        width = min(sides) if sides else 1.0  # a one-sided (0, inf) tolerance has no width
        se = 0.01 if t.se_units else width / 20
        unit = se if t.se_units else 1.0
        # an "outside" limit claim holds when the value stays away from the target
        away = wrong != t.outside
        sign = 1.0 if math.isfinite(t.above) else -1.0
        inside = 0.0  # the target itself, unless it is the edge of a one-sided interval
        if not t.outside and math.isfinite(t.below) and math.isfinite(t.above):
            inside = (t.above - t.below) / 2 * unit  # the middle of [stated - b, stated + a]
        elif not t.outside and t.below == 0 and math.isinf(t.above):
            inside = 3 * width * unit
        elif not t.outside and t.above == 0 and math.isinf(t.below):
            inside = -3 * width * unit
        value = sign * 3 * width * unit if away else inside
        final = value + se * np.sqrt(runs) * rng.standard_normal(runs)
        final = value + (final - final.mean()) * se / (final.std(ddof=1) / np.sqrt(runs))
        # a tolerance in value units is not scale-free: a wrong offset scaled down would land
        # inside it, so only SE-unit limits take the control's scale
        scale = scale if t.se_units else 1.0
        values = scale * (np.outer(np.ones(runs), 1 / np.sqrt(x)) * width + final[:, None])
        return Measurement(trace=Trace(x, values, "iteration k", "offset", yscale="linear"),
                           value=scale * value, se=scale * se, target=0.0, runs=runs)
    # a per-run constant and a little noise per point: runs differ, and so do their rates
    noise = np.exp(0.1 * rng.standard_normal((runs, 1))
                   + 0.005 * rng.standard_normal((runs, 41)))
    if claim.law == "geometric":
        x = np.linspace(0, 200, 41)
        bound = Bound(C * sp.Rational(97, 100) ** k, law="geometric", constants={C: 2.0})
        holds = 0.97 if claim.mode in (Mode.TIGHT, Mode.LOWER) else 0.95
        slow = 1.0  # no convergence; past a wide absolute tolerance, growth
        t = claim.tolerance
        if not t.relative and math.isfinite(t.above) and 0.97 + t.above >= 1.0:
            slow = 0.97 + 3 * t.above
        values = scale * noise * ((0.5 if lower else slow) if wrong else holds) ** x
        return fitted(x, values, law="geometric", window=None, bound=bound,
                      xlabel="iteration k", ylabel="distance", xscale="linear")
    if claim.law == "parameter":
        x = np.geomspace(1e-3, 1e-2, 4)
        bound = Bound(C * h, variable=h, law="parameter", constants={C: 4.0})
        values = scale * noise[:, :4] * x ** (0.0 if wrong else 1.0)
        return fitted(x, values, law="parameter", window=None, bound=bound,
                      xlabel="step size", ylabel="plateau", seed=seed)
    x = np.unique(np.geomspace(1, 1e4, 41).astype(int)).astype(float)
    bound = Bound(C / k, constants={C: 10.0})
    power = (3.0 if lower else 0.0) if wrong else 1.0
    return fitted(x, scale * noise[:, :x.size] * x**-power, law="power_law", window=(1e3, 1e4),
                  bound=bound,
                  xlabel="iteration k", ylabel="f(x_k) - f*", seed=seed)


def synthetic_verdict(claim: Claim, control_scale: float = 1e-3) -> Verdict:
    m = synthetic_measurement(claim)
    stated = m.stated()
    control = synthetic_measurement(claim, seed=1, scale=control_scale, wrong=True)
    return Verdict(claim=claim, params=claim.resolve(), seed=0, stated=stated,
                   outcome=claim.judge(m, stated), control=claim.judge(control, stated),
                   seconds=0.01)


@pytest.fixture(scope="session")
def synthetic_verdicts() -> dict[str, Verdict]:
    """A synthetic verdict for every registered claim, by id."""
    return {cid: synthetic_verdict(c) for cid, c in registry.all_claims().items()}


@pytest.fixture(scope="session")
def make_verdict():
    """``make_verdict(claim, control_scale=1e-3)``: a synthetic verdict for ``claim``."""
    return synthetic_verdict


@pytest.fixture(scope="session")
def make_measurement():
    """``make_measurement(claim, seed=0, scale=1.0)``: synthetic data of the claim's law."""
    return synthetic_measurement


@pytest.fixture(scope="session")
def synthetic_figures(tmp_path_factory, synthetic_verdicts):
    """The PNG of every synthetic verdict, drawn once per session (drawing is the slow part)."""
    from figures import layout  # figures imports rates; keep rates-only tests free of it

    out = tmp_path_factory.mktemp("figures")
    for v in synthetic_verdicts.values():
        layout.save(v, out, formats=("png",))
    return out
