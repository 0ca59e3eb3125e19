"""The results cache under attack and faults: plain data only, judged again, a private directory.

Each test plants or damages an entry the way a hostile repository, a shared folder or a crash
could, and checks that nothing runs, nothing false is shown, and the check is recomputed.
"""

import json
import os
import pickle
import stat
import zipfile

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rates import cache, registry
from rates.bound import Bound, k
from rates.claim import Check, Measurement, Trace
from rates.cli import main
from rates.fit import Fit

FAST = "handbook-gd-strongly-convex"  # deterministic; upper mode: rho <= 0.99 + tol


@pytest.fixture
def claim():
    return registry.get(FAST)


@pytest.fixture
def entry(tmp_path, claim):
    """A real entry, computed once per test into a fresh cache directory."""
    verdict, _ = cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)
    (path,) = (tmp_path / FAST).glob("*.npz")
    return path, verdict


def _rewrite(path, edit):
    """Decode the entry's record, apply ``edit`` to the JSON tree, write it back in place."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    tree = json.loads(str(arrays.pop(cache.RECORD)[()]))
    edit(tree["$dict"])  # the record: a mapping of str keys
    with path.open("wb") as f:
        np.savez(f, **{cache.RECORD: np.array(json.dumps(tree))}, **arrays)


class _Planted:
    """A pickle that runs a command when loaded: what a planted .pkl entry could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_at_an_entry_path_runs_nothing(tmp_path, claim, entry, capsys):
    path, _ = entry
    marker = tmp_path / "pwned"
    path.write_bytes(pickle.dumps(_Planted(marker)))
    path.with_suffix(".pkl").write_bytes(pickle.dumps(_Planted(marker)))  # the old layout too
    assert main(["check", FAST, "--set", "d=50", "--cache-dir", str(tmp_path)]) == 0
    assert not marker.exists()
    err = capsys.readouterr().err
    assert "ignoring the results cache entry" in err and "from the results cache" not in err


def test_an_entry_edited_to_a_failing_rate_is_judged_again_and_fails(claim, entry, tmp_path):
    path, verdict = entry
    assert verdict.passed and verdict.measured < 0.99

    def slower(tree):  # the fit's rate to 42, as in the report; outcome fields are not stored
        tree["measurement"]["fields"]["fit"]["fields"]["rate"] = 42.0

    _rewrite(path, slower)
    again, hit = cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)
    assert hit and again.measured == 42.0
    assert not again.passed and "measured 42 lies outside its own CI" in again.outcome.reasons[0]


def test_an_entry_edited_to_pass_its_control_is_judged_again(claim, entry, tmp_path):
    path, verdict = entry
    assert verdict.control_failed

    def control_passes(tree):  # the claim's own measurement in the control's place
        tree["control"] = tree["measurement"]

    _rewrite(path, control_passes)
    again, hit = cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)
    assert hit and again.passed and not again.control_failed  # shown as "PASSES", not hidden


@pytest.mark.parametrize("edit, why", [
    (lambda t: t.update(claim="handbook-gd-convex"), "its claim is"),
    (lambda t: t.update(key="0" * 64), "its key is"),
    (lambda t: t.update(seed=3), "its seed"),
    (lambda t: t["params"]["$dict"].update(d=51), "its parameters"),
    (lambda t: t.update(control=None), "its control"),
    (lambda t: t.update(seconds=-1.0), "a damaged time"),
    (lambda t: t.update(format=1), "its format"),
    (lambda t: t["measurement"].update({"$dataclass": "os:system"}), "a class outside rates"),
    (lambda t: t["measurement"].update({"$dataclass": "rates.claim:Nope"}), "no such class"),
    (lambda t: t["measurement"]["fields"].pop("refused"), "has the fields"),
    (lambda t: t["measurement"]["fields"]["trace"]["fields"].update(x={"$array": "a99"}),
     "no array 'a99'"),
    (lambda t: t["measurement"]["fields"]["bound"]["fields"].update(
        expr={"$sympy": {"class": "sympify", "args": []}}), "not a sympy class"),
    (lambda t: t.update(extra={"$pickle": "gASVAA=="}), "unknown tag"),
])
def test_an_entry_that_does_not_match_its_key_is_a_miss(claim, entry, tmp_path, capsys, edit,
                                                        why):
    path, _ = entry
    _rewrite(path, edit)
    verdict, hit = cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)
    assert not hit and verdict.passed
    err = capsys.readouterr().err
    assert "ignoring the results cache entry" in err and why in err


def test_an_entry_copied_under_another_key_is_a_miss(claim, entry, tmp_path):
    path, _ = entry
    other = cache._entry(claim, cache.key(claim, 0, {"d": 60}), tmp_path)
    other.write_bytes(path.read_bytes())
    verdict, hit = cache.check(claim, overrides={"d": 60}, cache_dir_=tmp_path)
    assert not hit and verdict.params["d"] == 60


def test_object_arrays_are_not_unpickled(claim, entry, tmp_path, capsys):
    path, _ = entry
    with zipfile.ZipFile(path, "a") as z:  # an object array beside the real ones
        with z.open("planted.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array(f, np.array([_Planted(tmp_path / "x")], dtype=object),
                                      allow_pickle=True)
    assert not cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)[1]
    assert not (tmp_path / "x").exists()
    assert "ignoring" in capsys.readouterr().err


def test_an_entry_that_would_unpack_too_large_is_not_read(claim, entry, tmp_path, monkeypatch,
                                                          capsys):
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 100)
    assert not cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)[1]
    assert "would unpack to" in capsys.readouterr().err


@pytest.mark.parametrize("bits", [stat.S_IWOTH, stat.S_IWGRP])
def test_a_cache_directory_writable_by_others_is_refused(tmp_path, bits, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o700 | bits)
    with pytest.raises(cache.UnsafeCacheError, match="writable by other users"):
        cache.ensure_private(shared)
    status = main(["check", FAST, "--cache-dir", str(shared)])
    err = capsys.readouterr().err
    assert status == 4 and "writable by other users" in err and "chmod go-w" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (shared / FAST).exists()  # refused before anything ran


def test_a_cache_directory_of_another_user_is_refused(tmp_path, monkeypatch):
    real = os.getuid()
    monkeypatch.setattr(cache.os, "getuid", lambda: real + 1)
    with pytest.raises(cache.UnsafeCacheError, match="belongs to another user"):
        cache.ensure_private(tmp_path)


def test_a_new_cache_directory_is_private_and_a_file_is_refused(tmp_path):
    made = cache.ensure_private(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) & 0o077 == 0
    (tmp_path / "file").write_text("")
    with pytest.raises(cache.UnsafeCacheError, match="cannot use"):
        cache.ensure_private(tmp_path / "file")


def test_an_entry_writable_by_others_is_ignored(claim, entry, tmp_path, capsys):
    path, _ = entry
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o666)
    assert not cache.check(claim, overrides={"d": 50}, cache_dir_=tmp_path)[1]
    assert "writable by other users" in capsys.readouterr().err


def test_a_measurement_with_a_value_that_is_not_plain_data_is_returned_not_stored(
        tmp_path, claim, capsys, monkeypatch):
    experiment = claim.experiment

    def with_an_object(p, seed):
        m = experiment(p, seed)
        m.extra["solver"] = object()
        return m

    odd = __import__("dataclasses").replace(claim, experiment=with_an_object)
    verdict, hit = cache.check(odd, cache_dir_=tmp_path)
    assert verdict.passed and not hit
    assert "does not store" in capsys.readouterr().err
    assert not list((tmp_path / FAST).glob("*"))  # nothing, not even a temporary file


# --- the codec: generic over dataclass fields, exact for the values extra may hold -----------

def _measurement(extra):
    x = np.arange(1.0, 6.0)
    values = np.vstack([x**-1.0, 2 * x**-1.0])
    C = sp.Symbol("C", positive=True)
    bound = Bound(C * sp.Rational(1, 3) / k + sp.log(k) * sp.E / k**2, constants={C: 2.5})
    fit = Fit("power_law", 1.0, (0.9, 1.1), (1.0, 5.0), 2, 5, 0.95, 0.1, 0.0, "mean", "t")
    return Measurement(trace=Trace(x, values, "k", "err", bound=bound(x)), bound=bound, fit=fit,
                       checks=[Check("c", True, "fine"), Check("d", np.bool_(False), "no")],
                       diverged_at=None, refused=None, extra=extra)


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(
            a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, float) and np.isnan(a):
        return type(b) is type(a) and np.isnan(b)
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[i], b[i]) for i in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def test_a_measurement_round_trips_exactly():
    extra = {"slopes": {"eg R=2D": 0.5, "og": np.float64(0.25)}, "ci eg": (0.4, 0.6),
             "N": [100, 200], "nested": [{"a": np.arange(3)}, ("x", None, True)],
             "inf": float("inf"), "nan": float("nan"), "n": np.int64(7), "big": 2**70,
             1: "an int key", "names": np.array(["a", "bc"])}
    m = _measurement(extra)
    back = cache.decode(*cache.encode(m))
    assert type(back) is Measurement
    assert back.bound == m.bound and back.bound.constants == m.bound.constants
    assert back.fit == m.fit and back.checks == m.checks and back.stated() == m.stated()
    np.testing.assert_array_equal(back.trace.values, m.trace.values)
    assert _same(m.extra, back.extra)


def test_a_field_added_to_a_dataclass_is_carried_without_edits(monkeypatch):
    import dataclasses

    from rates import claim as claim_module

    @dataclasses.dataclass(frozen=True)
    class Check2:  # Check with one more field, as a later version might have
        name: str
        passed: bool
        detail: str
        severity: int = 0

    Check2.__module__, Check2.__qualname__ = "rates.claim", "Check"
    monkeypatch.setattr(claim_module, "Check", Check2)
    back = cache.decode(*cache.encode([Check2("c", True, "ok", severity=3)]))
    assert back == [Check2("c", True, "ok", severity=3)]


@pytest.mark.parametrize("value, what", [
    (object(), "object"), (lambda: 0, "function"), ({1, 2}, "set"),
    (np.array([object()]), "dtype object"), (sp.Function("f")(k), "sympy"),
])
def test_values_that_are_not_plain_data_are_refused_not_pickled(value, what):
    with pytest.raises(cache.Unstorable, match=what):
        cache.encode({"extra": value})


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=4), children, max_size=3)
    | st.builds(lambda n: np.arange(n, dtype=float), st.integers(0, 4)),
    max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(json_like)
def test_any_plain_value_round_trips(value):
    assert _same(value, cache.decode(*cache.encode(value)))


def test_further_controls_are_stored_and_judged_again(tmp_path, claim):
    import dataclasses

    from rates.claim import Control

    two = dataclasses.replace(claim, more_controls=(Control({"gamma_L": 2.5}, "diverges too"),))
    first, hit = cache.check(two, overrides={"d": 50}, cache_dir_=tmp_path)
    assert not hit and len(first.more_controls) == 1 and first.control_failed
    again, hit = cache.check(two, overrides={"d": 50}, cache_dir_=tmp_path)
    assert hit and len(again.more_controls) == 1
    assert again.more_controls[0].verdict == first.more_controls[0].verdict == "fails"
    assert again.status == first.status
