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

from experiments.fields import least_squares, quadratic, stochastic
from problems import kinds


@njit(cache=True)
def field(kind, A, b, p, x, out):
    """Write the exact gradient / operator at x into out."""
    if kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)
    elif kind == kinds.LEAST_SQUARES:
        least_squares.gradient(A, b, x, out)
    elif kinds.SOP_NORMAL <= kind <= kinds.SOP_BERNOULLI:
        stochastic.sop_mean_gradient(b, x, out)
    else:
        raise ValueError("unknown problem kind")


@njit(cache=True)
def sample_field(kind, A, b, p, x, accuracy, rng, out):
    """Write one stochastic sample of the field at x into out, drawing from ``rng``."""
    if kind == kinds.LEAST_SQUARES:
        least_squares.sample_gradient(A, b, x, rng, out)
    elif kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)  # deterministic family: the sample is exact
    elif kinds.SOP_NORMAL <= kind <= kinds.SOP_BERNOULLI:
        stochastic.sop_gradient(kind, p, x, 1, rng, out)
    elif kind == kinds.LINEAR_RANDOM:
        stochastic.random_linear_gradient(p, x, 1, rng, out)
    else:
        raise ValueError("unknown problem kind")


@njit(cache=True, inline="always")
def minibatch_field(kind, A, b, p, x, t, batch, rng, out, scratch):
    """Write the mean of ``batch`` samples of the field at x, at the 1-based step t, into out.

    A separate dispatcher because two things are new: online losses whose field depends on the
    step t (Reddi et al.'s cyclic example), and mini-batches.  Families whose mini-batch mean has
    a known law draw it exactly in one go; any other family averages ``batch`` calls of
    ``sample_field`` (``scratch`` is a work array of size d).
    """
    if kinds.SOP_NORMAL <= kind <= kinds.SOP_BERNOULLI:
        stochastic.sop_gradient(kind, p, x, batch, rng, out)
    elif kind == kinds.LINEAR_RANDOM:
        stochastic.random_linear_gradient(p, x, batch, rng, out)
    elif kind == kinds.LINEAR_CYCLIC:
        stochastic.cyclic_linear_gradient(p, x, t, out)
    else:
        sample_field(kind, A, b, p, x, 0.0, rng, out)
        for _ in range(1, batch):
            sample_field(kind, A, b, p, x, 0.0, rng, scratch)
            for j in range(x.size):
                out[j] += scratch[j]
        if batch > 1:
            for j in range(x.size):
                out[j] /= batch
