"""A paper's stated bound as a sympy expression, and what follows from it.

The expected exponent or contraction factor is *derived* from the bound, never typed twice:

* power law in k:   p   = -lim_{k->oo} d log B / d log k   (B = C k^-p  ->  p)
* geometric in k:   rho =  lim_{k->oo} B(k+1) / B(k)       (B = C rho^k ->  rho)
* in a parameter h: p   =  lim_{h->0} d log B / d log h    (B = C h^p   ->  p)

Constants can stay symbolic for the exponent and be substituted to evaluate the bound against a
run.  Where the rate depends on schedule exponents (k^-q steps, k^-p accuracies), the exponent is
returned as a sympy expression in them: sympy's limit cannot order k^(q-1) against k^(-2p) for
symbolic p and q (it answers 0 for their sum, which is wrong), so a power law whose exponents are
symbolic is read term by term, :func:`power_exponent`: the exponent of a sum is the smallest
exponent of its terms, a ``Min`` that becomes a number once p and q are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

k = sp.Symbol("k", positive=True)
"""The iteration counter used in stated bounds."""


def _symbolic_exponents(expr: sp.Expr, variable: sp.Symbol) -> bool:
    """True when some power of an expression in ``variable`` has a symbolic exponent."""
    return any(variable in pw.base.free_symbols and pw.exp.free_symbols
               for pw in expr.atoms(sp.Pow))


def power_exponent(expr: sp.Expr, variable: sp.Symbol = k) -> sp.Expr:
    """p with expr = O~(variable^-p) as variable -> oo, for a sum of positive power-law terms.

    Each term C v^a (log v)^b ... has log-slope a + b/log v + ... -> a, a limit sympy resolves
    with symbolic a; the sum decays like its slowest term, so p = Min over terms of -a.  Log
    factors are dropped (the O~), and the terms must be positive (a bound's terms are).
    """
    v = variable
    exponents = []
    for term in sp.Add.make_args(sp.expand(expr)):
        if v not in term.free_symbols:
            raise ValueError(f"the term {term} of {expr} does not decay in {v}: no power law")
        slope = sp.diff(sp.expand_log(sp.log(term), force=True), v) * v
        exponents.append(-sp.limit(sp.simplify(slope), v, sp.oo))
    return sp.Min(*exponents)


@dataclass(frozen=True)
class Bound:
    """``expr`` bounds the measured quantity as a function of ``variable``.

    ``law`` is how the rate is read off: "power_law", "geometric" or "parameter".  ``constants``
    maps the other symbols to numbers for evaluating the bound against a run.
    """

    expr: sp.Expr
    variable: sp.Symbol = k
    law: str = "power_law"
    constants: dict[sp.Symbol, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.law not in ("power_law", "geometric", "parameter"):
            raise ValueError(f"law must be power_law, geometric or parameter, got {self.law!r}")
        if self.variable not in self.expr.free_symbols:
            raise ValueError(f"the bound {self.expr} does not depend on {self.variable}")

    def rate_expr(self) -> sp.Expr:
        """The stated rate as a (possibly symbolic) expression."""
        v, B = self.variable, self.expr
        if self.law == "geometric":
            return sp.simplify(sp.limit(B.subs(v, v + 1) / B, v, sp.oo))
        if self.law == "power_law" and _symbolic_exponents(B, v):
            return power_exponent(B, v)
        log_slope = sp.simplify(sp.diff(sp.expand_log(sp.log(B), force=True), v) * v)
        if self.law == "power_law":
            return sp.simplify(-sp.limit(log_slope, v, sp.oo))
        return sp.simplify(sp.limit(log_slope, v, 0, "+"))

    def rate(self) -> float:
        """The stated rate as a number (constants substituted)."""
        value = self.rate_expr().subs(self.constants)
        if value.free_symbols:
            raise ValueError(f"the stated rate {value} still depends on {value.free_symbols}; "
                             f"give their values in constants")
        return float(value)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The bound evaluated at x with the constants substituted."""
        expr = self.expr.subs(self.constants)
        if expr.free_symbols - {self.variable}:
            raise ValueError(f"cannot evaluate {expr}: missing constants "
                             f"{expr.free_symbols - {self.variable}}")
        return np.broadcast_to(
            np.asarray(sp.lambdify(self.variable, expr, "numpy")(np.asarray(x, dtype=float)),
                       dtype=float), np.shape(x))

    def latex(self) -> str:
        return sp.latex(self.expr)

    def with_constants(self, **values: float) -> Bound:
        """A copy with constants given by symbol name."""
        names = {s.name: s for s in self.expr.free_symbols}
        unknown = set(values) - set(names)
        if unknown:
            raise ValueError(f"unknown constants {sorted(unknown)}; the bound has {sorted(names)}")
        merged = dict(self.constants)
        merged.update({names[n]: float(v) for n, v in values.items()})
        return Bound(self.expr, self.variable, self.law, merged)
