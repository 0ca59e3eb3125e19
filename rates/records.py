"""A verdict as a plain JSON-able record (``rates check --json``, the report)."""

from __future__ import annotations

import math
import platform
from functools import cache
from importlib import metadata
from typing import Any

from rates.claim import Verdict


@cache
def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("rates", "numpy", "scipy", "sympy", "numba"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _num(x: float | None) -> float | None:
    """A JSON number; None for a missing value or an unbounded side (JSON has no infinity)."""
    return None if x is None or not math.isfinite(x) else float(x)


def verdict_text(v: Verdict) -> str:
    """holds, fails or undecided: the claim's own verdict."""
    return v.outcome.verdict


def control_text(v: Verdict) -> str:
    """How the controls fared: the worst of them decides the text."""
    if v.control is None:
        return "not run"
    verdicts = [o.verdict for o in (v.control, *v.more_controls)]
    worst = next(w for w in ("holds", "undecided", "fails") if w in verdicts)
    text = {"fails": "fails, as it must", "holds": "HOLDS: the check cannot fail",
            "undecided": "undecided: not decisively failed"}[worst]
    if len(verdicts) == 1:
        return text
    return f"all {len(verdicts)} fail, as they must" if worst == "fails" else \
        f"{verdicts.count(worst)} of {len(verdicts)} {text}"


def record(v: Verdict) -> dict[str, Any]:
    m = v.outcome.measurement
    c = v.claim
    ci = m.ci
    return {
        "id": c.id,
        "paper": {"authors": c.paper.authors, "title": c.paper.title, "year": c.paper.year,
                  "arxiv": c.paper.arxiv, "theorem": c.paper.theorem},
        "mode": c.mode.value,
        "law": c.law,
        "stated": _num(v.stated),
        "accepted": [_num(a) for a in v.outcome.accepted],
        "tolerance": {"below": _num(c.tolerance.below), "above": _num(c.tolerance.above),
                      "outside": c.tolerance.outside, "reason": c.tolerance.reason},
        "measured": _num(m.measured),
        "ci": None if ci is None else [_num(ci[0]), _num(ci[1])],
        "window": None if m.fit is None else list(m.fit.window),
        "runs": None if m.fit is None else m.fit.runs,
        "verdict": verdict_text(v),
        "reasons": v.outcome.reasons,
        "checks": [{"name": ch.name, "passed": ch.passed, "detail": ch.detail,
                    "skipped": ch.skipped} for ch in m.checks],
        "control": {
            "description": c.control.description,
            "overrides": dict(c.control.overrides),
            "verdict": None if v.control is None else v.control.verdict,
            "measured": None if v.control is None else _num(v.control.measurement.measured),
            "reasons": [] if v.control is None else v.control.reasons,
        },
        "more_controls": [
            {"description": ctl.description, "overrides": dict(ctl.overrides),
             "verdict": o.verdict, "measured": _num(o.measurement.measured),
             "reasons": o.reasons}
            for ctl, o in zip(c.more_controls, v.more_controls, strict=False)],
        "ok": v.ok,
        "status": v.status,
        "ci_method": None if m.fit is None else m.fit.ci_method,
        "parameters": v.params,
        "seed": v.seed,
        "seconds": round(v.seconds, 3),
        "versions": versions(),
    }
