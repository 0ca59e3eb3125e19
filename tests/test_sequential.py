"""More runs until decided: alpha-spending levels, and a straddling claim decided by doubling."""

import numpy as np
import pytest

from rates import fit, sequential
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.measure import fitted
from rates.params import Parameter


def test_look_levels_spend_at_most_alpha():
    levels = [sequential.look_level(j) for j in range(30)]
    assert levels[0] == pytest.approx(0.975) and levels[1] == pytest.approx(0.9875)
    assert sum(1 - lv for lv in levels) < 0.05  # Bonferroni: P(any look wrong) <= 0.05
    with pytest.raises(ValueError, match="look"):
        sequential.look_level(-1)


def _noisy_claim() -> Claim:
    """Per-run rates 1.05 +- 0.1: the CI narrows like 1/sqrt(runs) and clears the accepted
    [0.9, 1.1] only with enough runs (about 20)."""

    def experiment(p, seed):
        ks = np.geomspace(1, 1e4, 41)
        rng = np.random.default_rng(seed)
        rates = (0.5 if p["slow"] else 1.05) + 0.1 * rng.standard_normal((p["runs"], 1))
        errors = np.exp(-rates * np.log(ks))
        return fitted(ks, errors, law="power_law", window=(100, 1e4), bound=Bound(1 / k),
                      xlabel="k", ylabel="err", seed=seed)

    return Claim(id="noisy-claim", title="noisy", paper=Paper("A", "T", 2024, None, "Thm 1"),
                 statement="", mode=Mode.TIGHT, law="power_law",
                 tolerance=Tolerance(0.1, 0.1, "toy"),
                 parameters=(Parameter("runs", 5, "runs", 1, 100_000),
                             Parameter("slow", False, "control: rate 0.5")),
                 experiment=experiment, control=Control({"slow": True}, "rate 0.5"))


def test_doubling_runs_decides_a_straddling_claim():
    claim = _noisy_claim()
    seen = []
    verdict, looks = sequential.check_until_decided(claim, seed=1, overrides={"runs": 5},
                                                    max_runs=320, on_look=seen.append)
    assert looks == seen and looks[0].runs == 5 and looks[0].status == "undecided"
    assert verdict.status == "holds" and looks[-1].runs > 5
    assert [lk.runs for lk in looks] == [5 * 2**j for j in range(len(looks))]
    # each look used its own, stricter level
    assert verdict.outcome.measurement.fit.level == pytest.approx(looks[-1].level)


def test_the_budget_stops_the_doubling():
    verdict, looks = sequential.check_until_decided(_noisy_claim(), seed=1,
                                                    overrides={"runs": 5}, max_runs=10)
    assert [lk.runs for lk in looks] == [5, 10] and looks[-1].status == "undecided"
    with pytest.raises(ValueError, match="max_runs"):
        sequential.check_until_decided(_noisy_claim(), max_runs=0)


def test_confidence_sets_the_level_of_fits_in_its_block():
    ks = np.geomspace(1, 1e4, 41)
    errors = ks**-1.0 * np.exp(0.1 * np.random.default_rng(0).standard_normal((20, ks.size)))
    with fit.confidence(0.99):
        wide = fit.power_law(ks, errors)
    narrow = fit.power_law(ks, errors)
    assert wide.level == 0.99 and narrow.level == 0.95
    assert wide.ci[1] - wide.ci[0] > narrow.ci[1] - narrow.ci[0]


def test_check_until_decided_on_the_command_line(capsys, monkeypatch):
    """The command reruns an undecided claim with doubled runs and exits 0 once it holds."""
    from rates import cli, registry

    claim = _noisy_claim()
    monkeypatch.setattr(registry, "all_claims", lambda: {claim.id: claim})
    argv = ["check", claim.id, "--set", "runs=5", "--no-cache"]
    assert cli.main(argv) == 3                     # undecided at 5 runs
    assert cli.main([*argv, "--until-decided", "--max-runs", "320"]) == 0
    out = capsys.readouterr().out
    assert "noisy-claim: 10 runs at level 0.9875 -> undecided" in out
    assert "-> holds" in out
    assert cli.main([*argv, "--until-decided", "--max-runs", "0"]) == 2
