"""The pytest plugin (``pytest --rates``) and ``rates.testing.assert_claim``, run with pytester
on a tiny user claim (GD at step 1/L, a fraction of a second per check)."""

from __future__ import annotations

import sys
import textwrap

import pytest

from rates import registry

pytest_plugins = ["pytester"]

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from test_user_claims import _tiny  # noqa: E402  (the same tiny claim as the --claims tests)


def run(pytester, *args):
    return pytester.runpytest(*QUIET, *args)


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.setenv(registry.ENV, "")
    registry._discover.cache_clear()
    yield
    registry._discover.cache_clear()


QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")  # rates is imported here already


@pytest.fixture
def claim_file(pytester):
    return pytester.makepyfile(my_claims=textwrap.dedent(_tiny()))


def test_inert_without_rates(pytester, claim_file):
    pytester.makepyfile(test_plain="def test_one():\n    assert 1 + 1 == 2\n")
    result = run(pytester, "-q", "--collect-only")
    assert "[seed=" not in result.stdout.str()
    run(pytester).assert_outcomes(passed=1)


def test_collects_every_claim_with_readable_ids(pytester, claim_file):
    result = run(pytester, "--rates", "--rates-claims", str(claim_file), "--rates-seeds",
                                "0-4", "--collect-only", "-q")
    out = result.stdout.str()
    for seed in range(5):
        assert f"tiny-user-claim[seed={seed}]" in out
    assert "polyak-heavy-ball[seed=3]" in out  # the catalogue too
    assert "tiny-user-claim[seed=5]" not in out
    n_catalogue = len(registry.all_claims())  # here: without the user's claim
    assert f"{5 * (n_catalogue + 1)} tests collected" in out


@pytest.mark.slow
def test_claims_pass_and_reuse_the_results_cache(pytester, claim_file, tmp_path):
    args = ["--rates", "--rates-claims", str(claim_file), "--rates-seeds", "0,1", "-k",
            "tiny", "--rates-cache-dir", str(tmp_path / "cache")]
    first = run(pytester, *args)
    catalogue = len(registry.all_claims())  # here: without the user's claim
    first.assert_outcomes(passed=2, deselected=2 * catalogue)
    first.stdout.fnmatch_lines(["rates: 2 claim check(s), 0 from the results cache"])
    second = run(pytester, *args)
    second.assert_outcomes(passed=2)
    second.stdout.fnmatch_lines(["rates: 2 claim check(s), 2 from the results cache"])
    run(pytester, *args, "-m", "not rates_claim").assert_outcomes(
        deselected=2 * (catalogue + 1))


@pytest.mark.slow
def test_a_failing_claim_says_stated_measured_ci_and_reasons(pytester):
    # the same GD at step 1/L (factor 1/4), asserted tight at a factor of 1/100: it must fail
    text = textwrap.dedent(_tiny("too-fast")).replace("mode=Mode.UPPER", "mode=Mode.TIGHT")
    text = text.replace("sp.Rational(1, 4) ** k", "sp.Rational(1, 100) ** k")
    path = pytester.makepyfile(fast_claims=text)
    result = run(pytester, "--rates", "--rates-claims", str(path), "-k", "too-fast",
                                "--rates-no-cache")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*too-fast (seed 0): fails*",
        "*claim fails: tight geometric, stated 0.01, measured 0.2*, CI [[]0.2*, 0.2*[]], "
        "accepted [[]0.01, 0.01584*[]]",  # upper side 0.01^0.9: 10% of -ln rho
        "*reason: measured 0.2*outside the accepted*",
        "*control fails: tiny step*",
        "FAILED too-fast[[]seed=0[]]*"])


def test_a_bad_claims_path_is_a_usage_error_naming_it(pytester):
    path = pytester.makepyfile(broken="CLAIM = (\n")
    result = run(pytester, "--rates", "--rates-claims", str(path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*rates: {path}:1: syntax error*"])


@pytest.mark.slow
def test_assert_claim_in_a_users_test_file(pytester, claim_file):
    pytester.makepyfile(test_mine=f"""
        import pytest
        from rates.testing import ClaimFailed, assert_claim

        PATHS = [{str(claim_file)!r}]

        def test_holds_at_another_seed():
            v = assert_claim("tiny-user-claim", claims=PATHS, seed=4, use_cache=False)
            assert v.seed == 4 and v.status == "holds"
            assert abs(v.measured - 0.25) < 0.01

        def test_a_tiny_step_breaks_it():
            v = assert_claim("tiny-user-claim", claims=PATHS, overrides={{"step": 0.01}},
                             expect="fails", use_cache=False)
            assert v.params["step"] == 0.01

        def test_the_message_when_it_breaks():
            with pytest.raises(ClaimFailed, match=r"expected holds, got fails") as e:
                assert_claim("tiny-user-claim", claims=PATHS, overrides={{"step": 0.01}},
                             use_cache=False)
            assert "stated 0.25, measured 0.98" in str(e.value)
            assert e.value.verdict.params["step"] == 0.01

        def test_bad_arguments():
            with pytest.raises(ValueError, match="expect must be one of"):
                assert_claim("tiny-user-claim", claims=PATHS, expect="passes")
            with pytest.raises(KeyError, match="unknown claim id"):
                assert_claim("no-such-claim")
    """)
    run(pytester, "-p", "no:cacheprovider").assert_outcomes(passed=4)
