"""The results cache: a verdict round-trips, and a change of parameter, seed or source misses."""

import dataclasses
import sys
import types

import numpy as np
import pytest

from rates import cache, registry
from rates.cli import main

FAST = "handbook-gd-strongly-convex"  # deterministic, a fraction of a second with its control


@pytest.fixture
def claim():
    return registry.get(FAST)


def test_a_cached_verdict_round_trips(tmp_path, claim):
    first, hit = cache.check(claim, seed=0, overrides={"d": 200}, cache_dir_=tmp_path)
    assert not hit
    (entry,) = (tmp_path / FAST).glob("*.npz")
    second, hit = cache.check(claim, seed=0, overrides={"d": 200}, cache_dir_=tmp_path)
    assert hit
    assert second.claim is claim  # the registered claim, not a copy from the entry
    assert (second.measured, second.ci, second.stated) == (first.measured, first.ci,
                                                           first.stated)
    assert second.seconds == first.seconds  # the time it took to compute, not to load
    assert (second.passed, second.control_failed) == (first.passed, first.control_failed)
    assert second.params == first.params == {**claim.resolve(), "d": 200}
    np.testing.assert_array_equal(second.outcome.measurement.trace.values,
                                  first.outcome.measurement.trace.values)
    assert second.control.measurement.measured == first.control.measurement.measured
    assert entry.stat().st_size < 200_000


def test_the_key_ignores_the_order_of_overrides_and_explicit_defaults(claim):
    a = cache.key(claim, 0, {"d": 200, "mu": 0.02})
    assert a == cache.key(claim, 0, {"mu": 0.02, "d": 200})
    assert cache.key(claim, 0) == cache.key(claim, 0, {"d": 1000})  # 1000 is the default
    assert cache.key(claim, 0, {"mu": 0.02}) == cache.key(claim, 0, {"mu": 2e-2})


def test_a_changed_parameter_or_seed_misses(tmp_path, claim):
    base = cache.key(claim, 0, {"d": 200})
    assert cache.key(claim, 1, {"d": 200}) != base
    assert cache.key(claim, 0, {"d": 201}) != base
    assert cache.key(claim, 0, {"d": 200}, control=False) != base
    cache.check(claim, seed=0, overrides={"d": 200}, cache_dir_=tmp_path)
    assert not cache.check(claim, seed=1, overrides={"d": 200}, cache_dir_=tmp_path)[1]
    assert not cache.check(claim, seed=0, overrides={"d": 300}, cache_dir_=tmp_path)[1]
    assert len(list((tmp_path / FAST).glob("*.npz"))) == 3


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project's packages whose files a test may edit; the cache keys on it."""
    import shutil

    from experiments import sources

    real = cache._project_root()
    for package in ("rates", "problems", "experiments", "paper_checks"):
        shutil.copytree(real / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "test_*"))
    monkeypatch.setattr(cache, "_project_root", lambda: tmp_path)
    monkeypatch.setattr(cache, "_package_dir", lambda name: tmp_path / name)
    monkeypatch.setattr(cache, "_sibling_files", lambda claim: [])
    monkeypatch.setattr(cache, "_claim_module_file", lambda claim: tmp_path / "paper_checks" /
                        cache._claim_module(claim).__file__.rsplit("/", 1)[-1])

    def edit(relative: str) -> None:
        f = tmp_path / relative
        f.write_text(f.read_text() + "\n# an edit\n")
        for cached in (sources._tree, cache._closure, cache._verdict_source_files):
            cached.cache_clear()

    edit("rates/__init__.py")  # clears the caches of the real tree's digests too
    yield edit
    for cached in (sources._tree, cache._closure, cache._verdict_source_files):
        cached.cache_clear()


def test_editing_a_kernel_or_a_problem_recomputes_only_the_claims_that_use_it(project):
    ids = ("polyak-heavy-ball", "adam-symmetry", "eg-ergodic-gap", FAST)
    claims = {i: registry.get(i) for i in ids}

    def keys() -> dict[str, str]:
        return {i: cache.key(c, 0) for i, c in claims.items()}

    before = keys()
    project("experiments/adaptive.py")  # Adam's kernel
    after = keys()
    assert after["adam-symmetry"] != before["adam-symmetry"]
    assert all(after[i] == before[i] for i in ids if i != "adam-symmetry")
    project("problems/vi.py")  # the monotone-operator generators
    again = keys()
    assert again["eg-ergodic-gap"] != after["eg-ergodic-gap"]
    assert all(again[i] == after[i] for i in ids if i != "eg-ergodic-gap")
    project("experiments/oracles.py")  # every kernel calls the oracle dispatch
    assert all(v != again[i] for i, v in keys().items())


def test_the_modules_that_judge_every_verdict_are_part_of_every_key(project):
    # a Spec claim's experiment is rates/spec.py's code: editing it must change every key
    assert {"spec.py", "fit.py", "claim.py"} <= set(cache._RATES_FILES)
    claims = [registry.get(i) for i in ("polyak-heavy-ball", FAST)]
    before = [cache.key(c, 0) for c in claims]
    project("rates/spec.py")
    assert all(cache.key(c, 0) != b for c, b in zip(claims, before, strict=True))


def test_the_claims_own_module_is_part_of_its_key(project):
    claims = [registry.get(i) for i in ("polyak-heavy-ball", FAST)]
    before = [cache.key(c, 0) for c in claims]
    project("paper_checks/polyak_heavy_ball.py")
    after = [cache.key(c, 0) for c in claims]
    assert after[0] != before[0] and after[1] == before[1]


def test_no_cache_neither_reads_nor_writes(tmp_path, claim):
    verdict, hit = cache.check(claim, use_cache=False, cache_dir_=tmp_path)
    assert not hit and verdict.passed
    assert not (tmp_path / FAST).exists()


def test_a_damaged_entry_is_recomputed(tmp_path, claim, capsys):
    cache.check(claim, cache_dir_=tmp_path)
    (entry,) = (tmp_path / FAST).glob("*.npz")
    entry.write_bytes(b"not an archive")
    verdict, hit = cache.check(claim, cache_dir_=tmp_path)
    assert not hit and verdict.passed
    assert "ignoring the results cache entry" in capsys.readouterr().err
    assert cache.check(claim, cache_dir_=tmp_path)[1]  # rewritten, and read back


def test_the_cache_directory_comes_from_the_option_the_environment_or_the_platform(
        tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setenv(cache.ENV, str(tmp_path / "env"))
    assert cache.cache_dir() == tmp_path / "env"
    assert cache.cache_dir(tmp_path / "opt") == tmp_path / "opt"
    monkeypatch.delenv(cache.ENV)
    assert cache.cache_dir() == cache.Path(platformdirs.user_cache_dir("rates", appauthor=False))
    assert cache.cache_dir().is_absolute()  # never relative to the working directory


def test_check_command_uses_the_cache_and_no_cache_bypasses_it(tmp_path, capsys):
    argv = ["check", FAST, "--set", "d=100", "--cache-dir", str(tmp_path)]
    assert main(argv) == 0
    assert "from the results cache" not in capsys.readouterr().out
    assert main(argv) == 0
    assert "1 of 1 verdicts from the results cache" in capsys.readouterr().out
    assert main([*argv, "--no-cache"]) == 0
    assert "from the results cache" not in capsys.readouterr().out
    assert len(list((tmp_path / FAST).glob("*.npz"))) == 1


def test_helpers_from_another_paper_checks_module_are_part_of_the_source(tmp_path,
                                                                        monkeypatch, claim):
    helpers_file = tmp_path / "_helpers.py"
    helpers_file.write_text("def spectrum(): return 1\n")
    helpers = types.ModuleType("paper_checks._fake_helpers")
    helpers.__file__ = str(helpers_file)
    exec(helpers_file.read_text(), helpers.__dict__)
    module = types.ModuleType("paper_checks._fake_claims")
    module.__file__ = str(tmp_path / "_claims.py")
    (tmp_path / "_claims.py").write_text("from paper_checks._fake_helpers import spectrum\n")
    module.spectrum = helpers.spectrum
    exec("def experiment(p, seed):\n    return spectrum()\n", module.__dict__)
    for m in (helpers, module):
        monkeypatch.setitem(sys.modules, m.__name__, m)
    fake = dataclasses.replace(claim, experiment=module.experiment)
    assert cache._sibling_files(fake) == [helpers_file.resolve()]
    before = cache.source_hash(fake)
    helpers_file.write_text("def spectrum(): return 2\n")
    assert cache.source_hash(fake) != before


def test_a_claim_whose_experiment_is_a_lambda_is_cached_too(tmp_path, claim):
    # the entry holds measurements, not the claim: its functions need not be importable
    experiment = claim.experiment
    inline = dataclasses.replace(claim, experiment=lambda p, seed: experiment(p, seed))
    verdict, hit = cache.check(inline, cache_dir_=tmp_path)
    assert verdict.passed and not hit
    assert cache.check(inline, cache_dir_=tmp_path)[1]


def test_a_spec_claims_source_is_its_own_module_not_rates_spec():
    # a Spec instance's class lives in rates.spec: the module that registers the claim counts
    spec_claims = [c for c in registry.all_claims().values()
                   if type(c.experiment).__name__ == "Spec"]
    assert spec_claims
    for c in spec_claims:
        path = cache._claim_module_file(c)
        assert path is not None and path.parent.name == "paper_checks", path


