"""Claims outside the package: ``--claims PATH``, ``rates.claims`` entry points, the worked
example in ``examples/``, and errors in a user's file that name the file and the claim."""

from __future__ import annotations

import importlib.metadata
import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from rates import cli, registry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "polyak_step_size.py"


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    """Each test discovers from scratch and leaves no user paths or modules behind."""
    monkeypatch.setenv(registry.ENV, "")
    registry._discover.cache_clear()
    yield
    registry._discover.cache_clear()
    for name in [n for n in sys.modules if n.startswith(registry.USER_PACKAGE + ".")]:
        del sys.modules[name]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


TINY = """
    import sympy as sp
    from problems import quadratic
    from experiments.methods import GradientDescent
    from rates.bound import Bound, k
    from rates.claim import Claim, Control, Mode, Paper, Tolerance
    from rates.params import Parameter as P
    from rates.spec import Spec, distance_squared, gaussian_start

    CLAIM = Claim(
        id="{id}", mode=Mode.UPPER, title="t", law="{law}",
        paper=Paper("A", "T", 2000, None, "Theorem 1"), statement="s",
        tolerance=Tolerance(0.0, 0.1, "r", relative=True),
        parameters=(P("step", 1.0, "step times 1/L", 1e-3, 1.0),),
        experiment=Spec(problem=lambda p, s: quadratic(4, L=1.0, mu=0.5),
                        method=lambda i: GradientDescent(i["step"]),
                        bound=Bound(sp.Rational(1, 4) ** k, law="geometric"),
                        quantity=distance_squared, x0=gaussian_start, horizon=20),
        control=Control({{"step": 0.01}}, "tiny step"))
"""


def _tiny(id_: str = "tiny-user-claim", law: str = "geometric") -> str:
    return TINY.format(id=id_, law=law)


# --- the worked example -------------------------------------------------------------------------

def test_polyak_step_halves_the_error_on_a_one_dimensional_quadratic():
    """Independent of the fit: on f = lam x^2 / 2, Polyak's step is 1/(2 lam), so x_{k+1} = x_k/2
    exactly, whatever lam."""
    registry.use_paths([EXAMPLE])
    module = registry.source("user-polyak-step-size").module
    from problems import quadratic

    q = quadratic(1, L=3.0, mu=3.0)
    run = module.PolyakStepGD(1.0).run(q, 5, runs=2, x0=np.array([[1.0], [-4.0]]))
    expected = np.array([1.0, -4.0])[:, None] * 0.5 ** np.arange(6)
    np.testing.assert_allclose(run.iterates[:, :, 0], expected, rtol=1e-12)
    assert run.first_divergence is None
    with pytest.raises(ValueError, match="gamma must lie in"):
        module.PolyakStepGD(2.0)


def test_example_holds_and_its_control_fails(tmp_path, capsys):
    out = tmp_path / "records.json"
    status = cli.main(["check", "--claims", str(EXAMPLE), "user-polyak-step-size",
                       "--no-cache", "--json", str(out)])
    assert status == 0, capsys.readouterr()
    [record] = json.loads(out.read_text())
    kappa = 10.0
    stated = 1 - 1 / (4 * kappa)  # the bound derived in the example's docstring
    assert record["stated"] == pytest.approx(stated, rel=1e-12)
    v = registry.get("user-polyak-step-size").check(seed=0)
    assert v.status == "holds"
    # the bound holds step by step, so the least-squares factor is at most the stated one
    assert v.ci[1] < stated
    # the control (gamma = 1e-3) contracts no faster than (1 - gamma kappa / 2)^2 per step
    assert v.control.verdict == "fails"
    assert v.control.measurement.measured >= (1 - 1e-3 * kappa / 2) ** 2 - 1e-9


def test_folder_list_and_show(capsys):
    assert cli.main(["list", "--claims", str(EXAMPLE.parent)]) == 0
    listed = capsys.readouterr().out
    assert "user-polyak-step-size" in listed and "polyak-heavy-ball" in listed
    assert cli.main(["show", "--claims", str(EXAMPLE), "user-polyak-step-size"]) == 0
    assert "1 - 1/(4 kappa)" in capsys.readouterr().out


def test_without_claims_the_user_claim_is_unknown(capsys):
    assert cli.main(["show", "user-polyak-step-size"]) == 2
    assert "--claims PATH" in capsys.readouterr().err


@pytest.mark.slow
def test_worker_processes_find_user_claims(tmp_path, capsys):
    """The processes executor spawns workers: they read the user paths from the environment."""
    path = _write(tmp_path, "mine.py", _tiny())
    status = cli.main(["check", "--claims", str(path), "tiny-user-claim", "--no-cache",
                       "--executor", "processes", "--workers", "1"])
    assert status == 0, capsys.readouterr()


def test_user_claims_go_through_the_results_cache(tmp_path, capsys):
    path = _write(tmp_path, "mine.py", _tiny())
    argv = ["check", "--claims", str(path), "tiny-user-claim", "--cache-dir",
            str(tmp_path / "cache")]
    assert cli.main(argv) == 0
    assert "from the results cache" not in capsys.readouterr().out
    assert cli.main(argv) == 0
    assert "1 of 1 verdicts from the results cache" in capsys.readouterr().out
    # an edit of the user's file changes the key: recomputed, not served stale
    path.write_text(path.read_text() + "\n# edited\n")
    registry._discover.cache_clear()
    for name in [n for n in sys.modules if n.startswith(registry.USER_PACKAGE + ".")]:
        del sys.modules[name]
    assert cli.main(argv) == 0
    assert "from the results cache" not in capsys.readouterr().out


# --- errors in a user's file name the file and the claim ----------------------------------------

def _error(capsys, argv) -> str:
    status = cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return " ".join(err.split())


def test_syntax_error_names_the_file_and_line(tmp_path, capsys):
    path = _write(tmp_path, "broken.py", "CLAIM = (\n    1 +\n")
    err = _error(capsys, ["check", "--claims", str(path)])
    assert f"{path}:" in err and "syntax error" in err


def test_contradicting_bound_names_the_file_and_claim(tmp_path, capsys):
    path = _write(tmp_path, "wrong_law.py", _tiny("wrong-law", law="power_law"))
    err = _error(capsys, ["list", "--claims", str(path)])
    assert str(path) in err and "wrong-law" in err and "contradicts its bound" in err


def test_duplicate_of_a_catalogue_id_names_both(tmp_path, capsys):
    path = _write(tmp_path, "dup.py", _tiny("polyak-heavy-ball"))
    err = _error(capsys, ["check", "--claims", str(path), "polyak-heavy-ball"])
    assert str(path) in err and "'polyak-heavy-ball'" in err
    assert "paper_checks/polyak_heavy_ball.py" in err


def test_duplicate_across_user_files_names_both(tmp_path, capsys):
    _write(tmp_path, "a.py", _tiny("same-id"))
    b = _write(tmp_path, "b.py", _tiny("same-id"))
    err = _error(capsys, ["list", "--claims", str(tmp_path)])
    assert f"{b}: claim id 'same-id' is already registered by {tmp_path / 'a.py'}" in err


def test_other_errors_name_the_file(tmp_path, capsys):
    bad_id = _write(tmp_path, "bad_id.py", _tiny("Not_Kebab"))
    assert "not kebab-case" in _error(capsys, ["list", "--claims", str(bad_id)])
    raises = _write(tmp_path, "raises.py", "x = 1\nraise RuntimeError('boom')\n")
    err = _error(capsys, ["list", "--claims", str(raises)])
    assert f"{raises}:2: RuntimeError: boom" in err
    empty = _write(tmp_path, "empty.py", "X = 1\n")
    assert f"{empty}: defines neither CLAIM nor CLAIMS" in _error(
        capsys, ["list", "--claims", str(empty)])
    other = _write(tmp_path, "other.py", "CLAIM = 3\n")
    assert f"{other}: int 3 is not a rates.claim.Claim" in _error(
        capsys, ["list", "--claims", str(other)])
    assert "no such file or folder" in _error(
        capsys, ["list", "--claims", str(tmp_path / "missing.py")])
    text = _write(tmp_path, "notes.txt", "hello")
    assert "give a .py file or a folder" in _error(capsys, ["list", "--claims", str(text)])


def test_a_failed_load_leaves_discovery_unchanged(tmp_path):
    path = _write(tmp_path, "broken.py", "CLAIM = (\n")
    with pytest.raises(ValueError, match="syntax error"):
        registry.use_paths([path])
    assert registry._paths_from_env() == ()
    assert "polyak-heavy-ball" in registry.all_claims()


# --- entry points -------------------------------------------------------------------------------

def test_entry_points_add_claims_from_a_module_and_a_callable(tmp_path, monkeypatch, capsys):
    package = tmp_path / "site"
    package.mkdir()
    _write(package, "ep_module_claims.py", _tiny("ep-module-claim"))
    _write(package, "ep_callable_claims.py", textwrap.dedent(_tiny("ep-callable-claim"))
           + "\ndef make():\n    return [CLAIM]\n")
    monkeypatch.syspath_prepend(str(package))
    group = registry.ENTRY_POINT_GROUP
    points = [importlib.metadata.EntryPoint("mod", "ep_module_claims", group),
              importlib.metadata.EntryPoint("fn", "ep_callable_claims:make", group)]

    def entry_points(group: str):
        return points if group == registry.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry.importlib.metadata, "entry_points", entry_points)
    try:
        assert cli.main(["list"]) == 0
        listed = capsys.readouterr().out
        assert "ep-module-claim" in listed and "ep-callable-claim" in listed
        assert registry.source("ep-callable-claim").where == \
            "entry point 'fn' (ep_callable_claims:make)"
        assert cli.main(["check", "ep-module-claim", "--no-cache"]) == 0
        capsys.readouterr()
        points.append(importlib.metadata.EntryPoint("broken", "no_such_module_xyz", group))
        registry._discover.cache_clear()
        err = _error(capsys, ["list"])
        assert "entry point 'broken' (no_such_module_xyz): ModuleNotFoundError" in err
    finally:
        for name in ("ep_module_claims", "ep_callable_claims"):
            sys.modules.pop(name, None)


def test_tiny_claim_measures_gds_factor(tmp_path):
    """The tiny claim used above is not vacuous: GD at step 1/L on a spectrum in [1/2, 1]
    contracts ||e||^2 by max (1 - lam)^2 = 1/4 per step (the lam = 1/2 component, which the
    others, faster, leave alone), and its control (step 0.01) by a weighted mean of the
    components' (1 - 0.01 lam)^2, so between (1 - 0.01)^2 and (1 - 0.005)^2."""
    registry.use_paths([_write(tmp_path, "mine.py", _tiny())])
    v = registry.get("tiny-user-claim").check(seed=1)
    assert v.measured == pytest.approx(0.25, rel=0.02)
    assert 0.99 ** 2 - 1e-9 <= v.control.measurement.measured <= 0.995 ** 2 + 1e-9
    assert v.status == "holds"


def test_explain_teaches_from_the_users_docstring(capsys):
    assert cli.main(["explain", "--claims", str(EXAMPLE), "user-polyak-step-size"]) == 0
    out = capsys.readouterr().out
    lesson = out.split("THE LESSON", 1)[1]
    assert lesson.lstrip().startswith("A user's own claim: gradient descent with Polyak's step")
    assert "(1 - 1/(4 kappa))^k" in lesson
