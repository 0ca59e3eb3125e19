"""The oracle: one cached numba function per oracle type, dispatching on the problem's kind.

Methods are written once against ``field`` (the exact gradient or operator) and ``sample_field``
(an unbiased, or for inexact oracles deliberately biased, sample of it).  ``accuracy`` is the
inexactness a method asks for (used by inexact oracles such as bilevel hypergradients, ignored by
the others).

Why an integer dispatch and not a jitted function argument: numba specialises a kernel on a
function argument at full speed, but its on-disk cache misses such a kernel in every new process
(~0.6 s of recompiling per method x oracle pair, and the cache grows each time).  A cached
dispatcher costs nothing at run time (the branch is loop-invariant) and loads from the cache.
The dispatchers are inlined into each kernel so that the kernel's fast-math flags reach the
field's inner loops.
"""

import numpy as np
from numba import njit

from experiments.fields import bilevel, least_squares, matrix_sensing, quadratic, vi
from problems import kinds


@njit(cache=True, inline="always")
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
    else:  # unreachable after require(); NaN, not raise, so the kernels' prange stays parallel
        out[:] = np.nan


@njit(cache=True, inline="always")
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
    else:
        out[:] = np.nan


FIELD_KINDS = frozenset({kinds.QUADRATIC_DIAGONAL, kinds.LEAST_SQUARES, kinds.AFFINE_OPERATOR,
                         kinds.ROTATION_BLOCKS, kinds.FINITE_SUM_LINEAR,
                         kinds.MATRIX_SENSING_SYMMETRIC_POPULATION, kinds.MATRIX_SENSING_SYMMETRIC,
                         kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION,
                         kinds.MATRIX_SENSING_ASYMMETRIC, kinds.BILEVEL_RIDGE})
SAMPLE_KINDS = frozenset({kinds.QUADRATIC_DIAGONAL, kinds.LEAST_SQUARES, kinds.AFFINE_OPERATOR,
                          kinds.ROTATION_BLOCKS, kinds.FINITE_SUM_LINEAR, kinds.BILEVEL_RIDGE})


def require(kind: int, stochastic: bool) -> None:
    """Raise ValueError unless ``field`` (or ``sample_field``) knows the problem kind."""
    known = SAMPLE_KINDS if stochastic else FIELD_KINDS
    if kind not in known:
        what = "a stochastic oracle" if stochastic else "an exact oracle"
        raise ValueError(f"problem kind {kind} has no {what}; kinds with one: {sorted(known)}")


def oracle_args(problem, stochastic: bool = False) -> tuple:
    """``problem.oracle_data()``, after checking that the oracle knows the problem's kind."""
    kind, A, b, p = problem.oracle_data()
    require(kind, stochastic)
    return kind, A, b, p
