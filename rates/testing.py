"""Checking a claim from a test: :func:`assert_claim` and the readable failure message.

In a user's own test file::

    from rates.testing import assert_claim

    def test_my_rate():
        assert_claim("user-polyak-step-size", claims=["examples/polyak_step_size.py"],
                     overrides={"kappa": 100.0}, seed=3)

The check goes through the results cache (as ``rates check`` does), so a verdict computed once
is not computed again while nothing it depends on has changed.  The ``pytest --rates`` plugin
(:mod:`rates.plugin`) uses the same function for each of its items.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from rates.claim import FAILS, HOLDS, UNDECIDED, Claim, Outcome, Verdict

EXPECTED = (HOLDS, FAILS, UNDECIDED)


def _ci(o: Outcome) -> str:
    ci = o.measurement.ci
    return "none" if ci is None else f"[{ci[0]:.6g}, {ci[1]:.6g}]"


def _measured(o: Outcome) -> str:
    m = o.measurement.measured
    return "nothing" if m is None else f"{m:.6g}"


def explain(v: Verdict) -> str:
    """A verdict as a few lines: stated, measured, CI, accepted, reasons, and each control."""
    o = v.outcome
    lines = [f"{v.claim.id} (seed {v.seed}): {v.status}",
             f"  claim {o.verdict}: {v.claim.mode.value} {v.claim.law}, stated {v.stated:.6g}, "
             f"measured {_measured(o)}, CI {_ci(o)}, accepted [{o.accepted[0]:.6g}, "
             f"{o.accepted[1]:.6g}]"]
    lines += [f"    reason: {r}" for r in o.reasons]
    controls = [] if v.control is None else [v.control, *v.more_controls]
    descriptions = [v.claim.control, *v.claim.more_controls]
    for c, d in zip(controls, descriptions, strict=False):
        must = "" if c.verdict == FAILS else " (it must fail: the check cannot fail)"
        lines.append(f"  control {c.verdict}{must}: {d.description}; measured {_measured(c)}, "
                     f"CI {_ci(c)}")
        lines += [f"    reason: {r}" for r in c.reasons]
    params = ", ".join(f"{k}={val!r}" for k, val in v.params.items())
    lines.append(f"  parameters: {params}")
    return "\n".join(lines)


class ClaimFailed(AssertionError):
    """A claim whose verdict is not the expected one; ``verdict`` is the verdict."""

    def __init__(self, message: str, verdict: Verdict) -> None:
        super().__init__(message)
        self.verdict = verdict


def check(claim: str | Claim, *, seed: int = 0, overrides: Mapping[str, Any] | None = None,
          claims: Sequence[str | os.PathLike[str]] | None = None, use_cache: bool = True,
          cache_dir: str | os.PathLike[str] | None = None) -> tuple[Verdict, bool]:
    """The verdict of ``claim`` (an id or a registered claim) through the results cache:
    (verdict, True when it came from the cache).  ``claims`` are user paths to read first
    (as ``--claims``)."""
    from rates import cache, registry
    from rates.executors import Task

    if claims:
        registry.use_paths(claims)
    claim_id = claim.id if isinstance(claim, Claim) else claim
    registry.get(claim_id)  # a KeyError naming the id (and near misses)
    task = Task.make(claim_id, seed, overrides)
    [verdict], hits = cache.run_tasks_cached([task], "local", use_cache=use_cache,
                                             cache_dir_=cache_dir)
    return verdict, bool(hits)


def assert_claim(claim: str | Claim, *, seed: int = 0,
                 overrides: Mapping[str, Any] | None = None,
                 claims: Sequence[str | os.PathLike[str]] | None = None,
                 expect: str = HOLDS, use_cache: bool = True,
                 cache_dir: str | os.PathLike[str] | None = None) -> Verdict:
    """Check one claim (with parameter ``overrides`` and a ``seed``) and assert its status.

    ``expect`` is the status the check must have: ``holds`` (the claim holds and every control
    fails, the default), ``fails`` or ``undecided`` (e.g. to assert that an override breaks
    it).  Raises :class:`ClaimFailed` (an AssertionError) whose message gives the stated and the
    measured value, the CI, the accepted interval and the reasons; returns the verdict.
    """
    if expect not in EXPECTED:
        raise ValueError(f"expect must be one of {', '.join(EXPECTED)}, got {expect!r}")
    verdict, _ = check(claim, seed=seed, overrides=overrides, claims=claims,
                       use_cache=use_cache, cache_dir=cache_dir)
    if verdict.status != expect:
        raise ClaimFailed(f"expected {expect}, got {verdict.status}\n{explain(verdict)}",
                          verdict)
    return verdict
