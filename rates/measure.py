"""Turn measured values into a :class:`~rates.claim.Measurement`: fit, or report why not.

A diverged run is reported as diverged and never fitted; data the fit refuses (non-positive,
too few points) become a measurement with the refusal as its reason.  Either way the judgement
fails with a message instead of the program crashing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from rates import fit as fits
from rates.bound import Bound
from rates.claim import Check, Measurement, Trace

_LAWS = {"power_law": fits.power_law, "geometric": fits.geometric, "parameter": fits.parameter}


def fitted(x: np.ndarray, values: np.ndarray, *, law: str, window: tuple[float, float] | None,
           bound: Bound | None, xlabel: str, ylabel: str, xscale: str = "log",
           yscale: str = "log", diverged_at: int | None = None, statistic: str = "mean",
           seed: int = 0, checks: Iterable[Check] = ()) -> Measurement:
    """Fit ``values`` (runs, points) against ``x`` with ``law`` over ``window``.

    Many keyword parameters on purpose: the trace's labels and scales and the fit's settings, passed
    through from a Spec's fields; Spec is the grouped form."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    bound_values = None
    if bound is not None:
        try:
            bound_values = bound(x)
        except ValueError:  # the bound has symbolic constants only: nothing to draw
            bound_values = None
    trace = Trace(x=np.asarray(x, dtype=float), values=values, xlabel=xlabel, ylabel=ylabel,
                  xscale=xscale, yscale=yscale, bound=bound_values)
    m = Measurement(trace=trace, bound=bound, diverged_at=diverged_at, checks=list(checks))
    if diverged_at is not None:
        return m
    try:
        m.fit = _LAWS[law](x, values, window, statistic=statistic, seed=seed)
    except fits.TooFewRuns as error:
        m.refused, m.too_few_runs = str(error), True
    except ValueError as error:
        m.refused = str(error)
    return m


def bound_holds(x: np.ndarray, measured: np.ndarray, bound: Bound, where: np.ndarray | None = None,
                name: str = "bound with constants") -> Check:
    """Check measured <= bound(x) at every point (or where ``where`` is True)."""
    x = np.asarray(x, dtype=float)
    measured = np.asarray(measured, dtype=float)
    mask = np.ones(x.shape, bool) if where is None else np.asarray(where, bool)
    if not mask.any():
        return Check(name, False, "no point to check the bound at")
    if not np.all(np.isfinite(measured[mask])):
        return Check(name, False, "the measured values are not finite")
    ratio = measured[mask] / bound(x[mask])
    worst = float(np.max(ratio))
    at = float(x[mask][int(np.argmax(ratio))])
    return Check(name, worst <= 1.0,
                 f"max measured/bound = {worst:.3g} (at {at:g}, {int(mask.sum())} points)")
