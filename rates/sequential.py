"""More runs until decided: a sequential check with the error of repeated looks accounted for.

An undecided claim (its CI straddles a boundary of the accepted interval) is run again with twice
the runs, and again, until it is decided or ``max_runs`` is reached.  Looking at the data more than
once raises the chance that some look is wrong, so each look spends part of the error budget
alpha = 1 - level (Bonferroni alpha-spending over the looks): look j = 0, 1, 2, ... uses the level
1 - alpha / 2^(j+1).  The levels' errors sum to less than alpha, so the probability that *any*
look's interval misses the truth -- and with it the chance of a wrong final verdict -- is at most
alpha, however many looks are taken (Bonferroni's inequality; no independence needed).

A claim without a ``runs`` parameter (a deterministic method, one run) cannot grow: it is checked
once at the first look's level and left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rates import fit
from rates.claim import UNDECIDED, Claim, Verdict


def look_level(look: int, level: float = 0.95) -> float:
    """The confidence level of look ``look`` (0-based): 1 - (1 - level) / 2^(look + 1)."""
    if look < 0:
        raise ValueError(f"look must be >= 0, got {look!r}")
    return 1.0 - (1.0 - level) / 2.0 ** (look + 1)


@dataclass(frozen=True)
class Look:
    """One look of a sequential check: the runs used, its level, and the verdict's status."""

    runs: int | None
    level: float
    status: str


def check_until_decided(claim: Claim, seed: int = 0, overrides: Mapping[str, Any] | None = None,
                        max_runs: int = 1024, level: float = 0.95,
                        on_look: Callable[[Look], None] | None = None
                        ) -> tuple[Verdict, list[Look]]:
    """Check ``claim``, doubling its runs while it is undecided, up to ``max_runs``."""
    if isinstance(max_runs, bool) or int(max_runs) != max_runs or max_runs < 1:
        raise ValueError(f"max_runs must be an integer >= 1, got {max_runs!r}")
    params = claim.resolve(overrides)
    runs = params.get("runs") if "runs" in claim.parameter_map else None
    looks: list[Look] = []
    while True:
        lvl = look_level(len(looks), level)
        with fit.confidence(lvl):
            verdict = claim.check(seed=seed, overrides=params)
        looks.append(Look(runs, lvl, verdict.status))
        if on_look is not None:
            on_look(looks[-1])
        if verdict.status != UNDECIDED or runs is None or 2 * runs > max_runs:
            return verdict, looks
        high = claim.parameter_map["runs"].high
        if high is not None and 2 * runs > high:
            return verdict, looks
        runs *= 2
        params = {**params, "runs": runs}
