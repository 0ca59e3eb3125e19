"""The oracle: one cached numba function per oracle type, dispatching on the problem's kind.

Methods are written once against ``field`` (the exact gradient or operator) and ``sample_field``
(an unbiased, or for inexact oracles deliberately biased, sample of it).  ``accuracy`` is the
inexactness a method asks for (used by inexact oracles such as bilevel hypergradients, ignored by
the others).

Why an integer dispatch and not a jitted function argument: numba specialises a kernel on a
function argument at full speed, but its on-disk cache misses such a kernel in every new process
(~0.6 s of recompiling per method x oracle pair, and the cache grows each time).  A cached
dispatcher costs nothing at run time (the branch is loop-invariant) and loads from the cache.
The dispatchers are compiled once, with the kernels' fast-math flags, and *called* from the
kernels rather than inlined into them: with every family inlined at every call site, compile time
grew with (families x call sites) -- a cold extragradient kernel took over 100 s to compile on
2 busy cores, against ~7 s now -- for a run-time gain of 1.9x on SGD (d = 100), 1.4x on scalar
Adam and none on extragradient or bilevel SGD (measured by ``rates bench``).
"""

import warnings

import numpy as np
from numba import njit

from experiments.fields import (
    bilevel,
    double_well,
    least_squares,
    matrix_sensing,
    quadratic,
    stochastic,
    vi,
)
from experiments.fields.acceleration import (
    anisotropic_gradient,
    minibatch_gradient,
    population_gradient,
    streaming_gradient,
)
from experiments.run import FASTMATH
from problems import kinds
from problems.protocol import Oracle, Problem


@njit(cache=True, fastmath=FASTMATH)
def field(kind, A, b, p, x, out):
    """Write the exact gradient / operator at x into out."""
    if kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)
    elif kind == kinds.LEAST_SQUARES:
        least_squares.gradient(A, b, x, out)
    elif kind == kinds.AFFINE_OPERATOR:
        vi.affine(A, b, x, out)
    elif kind == kinds.ROTATION_BLOCKS:
        vi.rotation_blocks(A, x, out)
    elif kind == kinds.FINITE_SUM_LINEAR:
        vi.affine(A, b, x, out)  # the mean block is stored first: rows 0..d-1
    elif kind == kinds.MATRIX_SENSING_SYMMETRIC_POPULATION:
        matrix_sensing.symmetric_population_gradient(A, p, x, out)
    elif kind == kinds.MATRIX_SENSING_SYMMETRIC:
        matrix_sensing.symmetric_sensing_gradient(A, b, p, x, out)
    elif kind == kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION:
        matrix_sensing.asymmetric_population_gradient(A, p, x, out)
    elif kind == kinds.MATRIX_SENSING_ASYMMETRIC:
        matrix_sensing.asymmetric_sensing_gradient(A, b, p, x, out)
    elif kind == kinds.BILEVEL_RIDGE:
        bilevel.hypergradient(A, b, x, out)
    elif kinds.SOP_NORMAL <= kind <= kinds.SOP_BERNOULLI:
        stochastic.sop_mean_gradient(b, x, out)
    elif kind == kinds.QUADRATIC_ANISOTROPIC:
        quadratic.gradient(A, b, x, out)
    elif kind == kinds.LEAST_SQUARES_MINIBATCH:
        least_squares.gradient(A, b, x, out)
    elif kind == kinds.STREAMING_LEAST_SQUARES:
        population_gradient(b, x, out)
    elif kind == kinds.DOUBLE_WELL:
        double_well.gradient(x, out)
    elif kind == kinds.QUADRATIC_DENSE:
        quadratic.dense_gradient(A, b, x, out)
    else:  # unreachable after require(); NaN, not raise, so the kernels' prange stays parallel
        out[:] = np.nan


@njit(cache=True, fastmath=FASTMATH)
def sample_field(kind, A, b, p, x, accuracy, rng, out):
    """Write one stochastic sample of the field at x into out, drawing from ``rng``."""
    if kind == kinds.LEAST_SQUARES:
        least_squares.sample_gradient(A, b, x, rng, out)
    elif kind == kinds.QUADRATIC_DIAGONAL:
        quadratic.gradient(A, b, x, out)  # deterministic family: the sample is exact
    elif kind == kinds.AFFINE_OPERATOR:
        vi.sample_affine(A, b, p, x, rng, out)
    elif kind == kinds.ROTATION_BLOCKS:
        vi.rotation_blocks(A, x, out)  # deterministic family: the sample is exact
    elif kind == kinds.FINITE_SUM_LINEAR:
        vi.sample_finite_sum(A, b, p, x, rng, out)
    elif kind == kinds.BILEVEL_RIDGE:
        bilevel.sample_hypergradient(A, b, x, accuracy, rng, out)
    elif kinds.SOP_NORMAL <= kind <= kinds.SOP_BERNOULLI:
        stochastic.sop_gradient(kind, p, x, 1, rng, out)
    elif kind == kinds.LINEAR_RANDOM:
        stochastic.random_linear_gradient(p, x, 1, rng, out)
    elif kind == kinds.QUADRATIC_ANISOTROPIC:
        anisotropic_gradient(A, b, p, x, rng, out)
    elif kind == kinds.LEAST_SQUARES_MINIBATCH:
        minibatch_gradient(A, b, p, x, rng, out)
    elif kind == kinds.STREAMING_LEAST_SQUARES:
        streaming_gradient(b, p, x, rng, out)
    elif kind == kinds.DOUBLE_WELL:
        double_well.sample_gradient(p, x, rng, out)
    elif kind == kinds.QUADRATIC_DENSE:
        quadratic.dense_gradient(A, b, x, out)  # deterministic family: the sample is exact
    else:
        out[:] = np.nan


FIELD_KINDS = frozenset({kinds.QUADRATIC_DIAGONAL, kinds.LEAST_SQUARES, kinds.AFFINE_OPERATOR,
                         kinds.ROTATION_BLOCKS, kinds.FINITE_SUM_LINEAR,
                         kinds.MATRIX_SENSING_SYMMETRIC_POPULATION, kinds.MATRIX_SENSING_SYMMETRIC,
                         kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION,
                         kinds.MATRIX_SENSING_ASYMMETRIC, kinds.BILEVEL_RIDGE,
                         *range(kinds.SOP_NORMAL, kinds.SOP_BERNOULLI + 1),
                         kinds.QUADRATIC_ANISOTROPIC, kinds.LEAST_SQUARES_MINIBATCH,
                         kinds.STREAMING_LEAST_SQUARES,
                         kinds.DOUBLE_WELL, kinds.QUADRATIC_DENSE})
SAMPLE_KINDS = frozenset({kinds.QUADRATIC_DIAGONAL, kinds.LEAST_SQUARES, kinds.AFFINE_OPERATOR,
                          kinds.ROTATION_BLOCKS, kinds.FINITE_SUM_LINEAR, kinds.BILEVEL_RIDGE,
                          *range(kinds.SOP_NORMAL, kinds.SOP_BERNOULLI + 1), kinds.LINEAR_RANDOM,
                          kinds.QUADRATIC_ANISOTROPIC, kinds.LEAST_SQUARES_MINIBATCH,
                          kinds.STREAMING_LEAST_SQUARES,
                          kinds.DOUBLE_WELL, kinds.QUADRATIC_DENSE})
MINIBATCH_KINDS = SAMPLE_KINDS | {kinds.LINEAR_CYCLIC}
"""Kinds ``minibatch_field`` serves: its own families, and every family with a sample."""


def require(kind: int, stochastic: bool | str) -> None:
    """Raise ValueError unless the oracle knows the problem kind.

    ``stochastic`` is False for ``field``, True for ``sample_field``, "minibatch" for
    ``minibatch_field``.
    """
    known = (MINIBATCH_KINDS if stochastic == "minibatch" else
             SAMPLE_KINDS if stochastic else FIELD_KINDS)
    if kind not in known:
        what = "a stochastic oracle" if stochastic else "an exact oracle"
        raise ValueError(f"problem kind {kind} has no {what}; kinds with one: {sorted(known)}")


def oracle_of(problem: Problem) -> Oracle:
    """``problem.oracle()``; a problem that still has only the positional ``oracle_data()`` of
    older modules is accepted with a DeprecationWarning."""
    if hasattr(problem, "oracle"):
        return problem.oracle()
    if hasattr(problem, "oracle_data"):
        warnings.warn(f"{type(problem).__name__}.oracle_data() is deprecated: define oracle() "
                      "returning a problems.Oracle", DeprecationWarning, stacklevel=3)
        return Oracle(*problem.oracle_data())
    raise ValueError(f"{type(problem).__name__} has no oracle(): not a problems.Problem")


def oracle_args(problem: Problem, stochastic: bool | str = False) -> tuple:
    """``problem.oracle()`` as (kind, A, b, p), after checking that the oracle knows its kind."""
    oracle = oracle_of(problem)
    require(oracle.kind, stochastic)
    return oracle.astuple()


@njit(cache=True, fastmath=FASTMATH)
def minibatch_field(kind, A, b, p, x, t, batch, rng, out, scratch):
    """Write the mean of ``batch`` samples of the field at x, at the 1-based step t, into out.

    A separate dispatcher because two things are new: online losses whose field depends on the
    step t (Reddi et al.'s cyclic example), and mini-batches.  Families whose mini-batch mean has
    a known law draw it exactly in one go; any other family averages ``batch`` calls of
    ``sample_field`` (``scratch`` is a work array of size d).

    Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
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
