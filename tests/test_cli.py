"""The rates command: listing, showing, checking, exit codes, errors and the JSON records."""

import json

import pytest

from rates import registry
from rates.cli import main

FAST = "handbook-gd-strongly-convex"


def test_list_shows_every_claim(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for claim_id in registry.all_claims():
        assert claim_id in out


def test_show_prints_theorem_parameters_and_tolerance(capsys):
    assert main(["show", FAST]) == 0
    out = capsys.readouterr().out
    assert "Theorem 3.6" in out and "gamma_L" in out and "why:" in out and "control:" in out


def test_check_writes_json_records(tmp_path, capsys):
    path = tmp_path / "out.json"
    assert main(["check", FAST, "--seed", "2", "--json", str(path)]) == 0
    (rec,) = json.loads(path.read_text())
    assert rec["id"] == FAST and rec["verdict"] == "holds" and rec["seed"] == 2
    assert rec["stated"] == pytest.approx(0.99)
    assert rec["measured"] < 0.99 and rec["ci"][0] <= rec["measured"] <= rec["ci"][1]
    assert rec["control"]["verdict"].startswith("fails")
    assert rec["parameters"]["gamma_L"] == 1.0 and "numba" in rec["versions"]
    assert rec["seconds"] > 0 and rec["paper"]["arxiv"] == "2301.11235"


def test_check_exits_1_when_a_claim_fails(capsys):
    # gamma = 2.5/L diverges: the claim itself fails
    assert main(["check", FAST, "--set", "gamma_L=2.5"]) == 1
    out = capsys.readouterr().out
    assert "diverged at step" in out and "1 of 1 checks failed" in out


@pytest.mark.parametrize("argv, message", [
    (["check", "no-such-claim"], "unknown claim id"),
    (["check", FAST, "--set", "nope=1"], "unknown parameter 'nope'"),
    (["check", FAST, "--set", "gamma_L=fast"], "must be a real number"),
    (["check", FAST, "--set", "gamma_L"], "NAME=VALUE"),
    (["check", FAST, "--set", "d=1.5"], "integer"),
    (["check", FAST, "--seed", "-1"], "--seed"),
    (["show", "handbook-gd-convx"], "did you mean handbook-gd-convex"),
])
def test_usage_errors_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err.replace("\n", "")
