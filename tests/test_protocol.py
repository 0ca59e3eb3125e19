"""The typed problem protocol: every generator is a Problem whose Oracle has the kernels' types."""

import numpy as np
import pytest

from problems import Oracle, Problem, kinds, least_squares, matrix_sensing, quadratic
from problems.anisotropic import anisotropic_quadratic
from problems.bilevel import bilevel_ridge
from problems.comonotone import comonotone_rotation
from problems.double_well import double_well
from problems.interpolation import interpolating_least_squares
from problems.preconditioned import preconditioned_quadratic
from problems.quadratic import rotated_quadratic
from problems.saddle import quadratic_saddle
from problems.stochastic import cyclic_linear, random_linear, stochastic_quadratic
from problems.streaming import streaming_least_squares
from problems.vi import bilinear_game, cocoercive_finite_sum

GENERATORS = {
    kinds.QUADRATIC_DIAGONAL: lambda: quadratic(4),
    kinds.LEAST_SQUARES: lambda: least_squares(n=20, d=3),
    kinds.SOP_NORMAL: lambda: stochastic_quadratic("normal", d=2),
    kinds.SOP_TWO_POINT: lambda: stochastic_quadratic("two_point"),
    kinds.SOP_GAMMA: lambda: stochastic_quadratic("gamma"),
    kinds.SOP_BERNOULLI: lambda: stochastic_quadratic("bernoulli"),
    kinds.LINEAR_RANDOM: lambda: random_linear(),
    kinds.LINEAR_CYCLIC: lambda: cyclic_linear(),
    kinds.AFFINE_OPERATOR: lambda: bilinear_game([1.0, 0.5]),
    kinds.ROTATION_BLOCKS: lambda: comonotone_rotation(0.2),
    kinds.FINITE_SUM_LINEAR: lambda: cocoercive_finite_sum(4, d=3),
    kinds.BILEVEL_RIDGE: lambda: bilevel_ridge(d=3),
    kinds.MATRIX_SENSING_SYMMETRIC_POPULATION: lambda: matrix_sensing(n=4, r=1, k=2),
    kinds.MATRIX_SENSING_SYMMETRIC: lambda: matrix_sensing(n=4, r=1, k=2, loss="sensing"),
    kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION: lambda: matrix_sensing(n=4, r=1, k=2,
                                                                       symmetric=False),
    kinds.MATRIX_SENSING_ASYMMETRIC: lambda: matrix_sensing(n=4, r=1, k=2, symmetric=False,
                                                            loss="sensing"),
    kinds.QUADRATIC_ANISOTROPIC: lambda: anisotropic_quadratic(d=4),
    kinds.LEAST_SQUARES_MINIBATCH: lambda: interpolating_least_squares(n=16, d=3, batch=4),
    kinds.STREAMING_LEAST_SQUARES: lambda: streaming_least_squares(d=5),
    kinds.DOUBLE_WELL: lambda: double_well(d=3, sigma1=0.5, box=(-2.0, 2.0)),
    kinds.QUADRATIC_DENSE: lambda: rotated_quadratic(4, seed=1)[0],
}


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_every_generator_is_a_problem_with_a_typed_oracle(kind):
    problem = GENERATORS[kind]()
    assert isinstance(problem, Problem)
    oracle = problem.oracle()
    assert isinstance(oracle, Oracle) and oracle.kind == kind
    for array, ndim in ((oracle.A, 2), (oracle.b, 1), (oracle.p, 1)):
        assert array.dtype == np.float64 and array.ndim == ndim and array.flags.c_contiguous
        assert array.size > 0


SHARED_TAGS = {  # generators whose oracle reuses another family's tag
    "quadratic_saddle": (kinds.AFFINE_OPERATOR, lambda: quadratic_saddle(d=4)),
    "preconditioned_quadratic": (kinds.QUADRATIC_DIAGONAL,
                                 lambda: preconditioned_quadratic([1.0, 0.1, 0.01])),
}


@pytest.mark.parametrize("name", sorted(SHARED_TAGS))
def test_generators_sharing_a_tag_have_a_typed_oracle_too(name, recwarn):
    kind, make = SHARED_TAGS[name]
    problem = make()
    assert isinstance(problem, Problem) and problem.oracle().kind == kind
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_every_tag_has_a_generator():
    tags = {v for k, v in vars(kinds).items() if k.isupper() and isinstance(v, int)}
    assert tags == set(GENERATORS)


def test_oracle_converts_and_rejects():
    o = Oracle(np.int64(1), np.asfortranarray(np.ones((2, 3))), [1, 2], np.zeros(1))
    assert type(o.kind) is int and o.A.flags.c_contiguous and o.b.dtype == np.float64
    assert o.astuple()[0] == 1
    with pytest.raises(ValueError, match="kind"):
        Oracle(True, np.ones((1, 1)), np.ones(1), np.ones(1))
    with pytest.raises(ValueError, match="A must be a non-empty 2-D"):
        Oracle(1, np.ones(3), np.ones(1), np.ones(1))
    with pytest.raises(ValueError, match="p must be a non-empty 1-D"):
        Oracle(1, np.ones((1, 3)), np.ones(1), np.zeros(0))
