"""The oracle: one cached numba function per oracle type, dispatching on the problem's kind.

Methods are written once against ``field`` (the exact gradient or operator) and ``sample_field``
(an unbiased, or for inexact oracles deliberately biased, sample of it).  ``accuracy`` is the
inexactness a method asks for (used by inexact oracles such as bilevel hypergradients, ignored by
the others).

Why an integer dispatch and not a jitted function argument: numba specialises a kernel on a
function argument at full speed, but its on-disk cache misses such a kernel in every new process
(~0.6 s of recompiling per method x oracle pair, and the cache grows each time).  A cached
dispatcher costs nothing at run time (the branch is loop-invariant) and loads from the cache.
"""

from numba import njit

from experiments.fields import bilevel, least_squares, quadratic
from problems import kinds


@njit(cache=True)
def field(kind, A, b, p, x, out):
    """Write the exact gradient / operator at x into out."""
    if kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)
    elif kind == kinds.LEAST_SQUARES:
        least_squares.gradient(A, b, x, out)
    elif kind == kinds.BILEVEL_RIDGE:
        bilevel.hypergradient(A, b, x, out)
    else:
        raise ValueError("unknown problem kind")


@njit(cache=True)
def sample_field(kind, A, b, p, x, accuracy, rng, out):
    """Write one stochastic sample of the field at x into out, drawing from ``rng``."""
    if kind == kinds.LEAST_SQUARES:
        least_squares.sample_gradient(A, b, x, rng, out)
    elif kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)  # deterministic family: the sample is exact
    elif kind == kinds.BILEVEL_RIDGE:
        bilevel.sample_hypergradient(A, b, x, accuracy, rng, out)
    else:
        raise ValueError("unknown problem kind")
