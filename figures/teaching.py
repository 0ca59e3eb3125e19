"""What the lessons in ``lessons/`` share: a claim's theorem in its own words, a small run of it
with a one-line summary, and its figure saved (and shown, in a notebook).

The lessons teach from the claims themselves, never from a second copy: the theorem printed is
the claim's ``statement``, ``math`` and the sympy ``Bound`` its stated rate is derived from; the
run is :meth:`rates.claim.Claim.check` with a few parameters made smaller; the figure is
:func:`figures.layout.draw` of that verdict.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from figures import layout
from rates import registry
from rates.claim import Verdict

OUT_ENV = "RATES_LESSON_OUT"
"""Where lessons write their figures (default ``figures/custom/lessons``, not committed)."""


def out_dir() -> Path:
    return Path(os.environ.get(OUT_ENV, "figures/custom/lessons"))


def theorem(claim_id: str, lesson: bool = False) -> str:
    """The claim's theorem as the claim states it: paper, statement, formula, bound, assertion.

    ``lesson=True`` adds the claim's lesson (its module docstring: assumptions, method, what to
    look for).
    """
    from rates.cli import lesson as lesson_text

    c = registry.get(claim_id)
    bound = getattr(c.experiment, "bound", None)
    parts = [f"{c.id}: {c.title}", f"paper: {c.paper.cite()}", "",
             textwrap.fill(c.statement, 92), f"    {c.math}"]
    if bound is not None:
        parts.append(f"bound (sympy): {bound.expr}  ->  law {bound.law}, stated rate "
                     f"{bound.rate_expr()}")
    t = c.tolerance
    parts.append(textwrap.fill(f"assertion: {c.mode.value}, tolerance -{t.below:g} / "
                               f"+{t.above:g} ({t.reason})", 92))
    parts.append(textwrap.fill(f"control: {c.control.description}", 92))
    if lesson:
        parts += ["", lesson_text(c)]
    return "\n".join(parts)


def _num(x: float | None) -> str:
    if x is None:
        return "none"
    return ("inf" if x > 0 else "-inf") if math.isinf(x) else f"{x:.4g}"


def summary(v: Verdict) -> str:
    """One line: what was measured against what was stated, and both verdicts."""
    changed = {k: x for k, x in v.params.items()
               if x != v.claim.parameter_map[k].default}
    ci = v.ci
    ci_text = f" [{_num(ci[0])}, {_num(ci[1])}]" if ci else ""
    a, b = v.outcome.accepted
    control = "not run" if v.control is None else v.control.verdict
    return (f"{v.claim.id} {changed or ''}: measured {_num(v.measured)}{ci_text}, stated "
            f"{_num(v.stated)}, accepted [{_num(a)}, {_num(b)}] -> claim {v.outcome.verdict}, "
            f"control {control}").replace(" :", ":")


def run(claim_id: str, seed: int = 0, control: bool = True, **overrides: Any) -> Verdict:
    """Check ``claim_id`` with ``overrides`` (and its controls), print the summary, return it."""
    v = registry.get(claim_id).check(seed=seed, overrides=overrides, control=control)
    print(summary(v))
    return v


def show(v: Verdict, name: str) -> Figure:
    """Draw ``v``, save it as ``<out_dir>/<name>.png``, print the path; return the figure (the
    last expression of a notebook cell displays it)."""
    fig = layout.draw(v)
    out = out_dir()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=layout.DPI)
    print(f"figure: {path}")
    return fig
