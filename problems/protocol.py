"""What a problem hands to the methods: a typed :class:`Oracle`, and the :class:`Problem` protocol.

A method never looks inside a problem object: it asks ``problem.oracle()`` for an
:class:`Oracle` -- the family's integer tag (:mod:`problems.kinds`) and three arrays -- and
``problem.x_star`` for the dimension (and the default start of some methods).  The numba kernels
of :mod:`experiments` compile one specialisation per family from the tag, so adding a problem
family means a tag, an :class:`Oracle` layout (documented at the tag) and its fields in
``experiments/fields``; no method changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Oracle:
    """The data of a problem's oracle, as the kernels receive it.

    ``kind`` is the family's tag from :mod:`problems.kinds`, whose docstring there says what the
    family stores where.  In short:

    * QUADRATIC_DIAGONAL: A = [eigenvalues], b = x*.
    * LEAST_SQUARES: A = the features (n x d), b = the labels.
    * SOP_NORMAL, SOP_TWO_POINT, SOP_GAMMA, SOP_BERNOULLI: A unused (1 x d zeros), b = x* = E X,
      p = the law's parameters.
    * LINEAR_RANDOM, LINEAR_CYCLIC: A unused (1 x d zeros), b = x* (a corner of the box),
      p = [large, small, prob] or [C].
    * AFFINE_OPERATOR: V(z) = A z + b; p = [the noise's standard deviation].
    * ROTATION_BLOCKS: A = [a cos(theta); a sin(theta)] per block, b unused (zeros).
    * FINITE_SUM_LINEAR: A and b stack the mean block and then the n components; p = [n].
    * BILEVEL_RIDGE: A = [signal variances; noise variances], b = theta*.
    * MATRIX_SENSING_*_POPULATION: A = M* (n x n), p = [k].
    * MATRIX_SENSING_SYMMETRIC, MATRIX_SENSING_ASYMMETRIC: A = rows vec(A_i) (m x n^2),
      b = y, p = [n, k].

    Unused entries hold zeros (an array is never empty).  The arrays are stored C-contiguous
    float64 (converted here), so that every instance of a family has the same numba type and
    reuses one compiled kernel.
    """

    kind: int
    A: np.ndarray
    b: np.ndarray
    p: np.ndarray

    def __post_init__(self) -> None:
        if isinstance(self.kind, bool) or not isinstance(self.kind, int | np.integer):
            raise ValueError(f"kind must be an integer tag of problems.kinds, got {self.kind!r}")
        object.__setattr__(self, "kind", int(self.kind))
        for name, ndim in (("A", 2), ("b", 1), ("p", 1)):
            value = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            if value.ndim != ndim or value.size == 0:
                raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape "
                                 f"{value.shape}")
            object.__setattr__(self, name, value)

    def astuple(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """(kind, A, b, p): the positional form of the older ``oracle_data()``."""
        return self.kind, self.A, self.b, self.p


@runtime_checkable
class Problem(Protocol):
    """Anything a method of :mod:`experiments.methods` can run on."""

    @property
    def x_star(self) -> np.ndarray:
        """A solution (minimiser, zero of the operator, fixed point): its size is the dimension."""
        ...

    def oracle(self) -> Oracle:
        """The family tag and arrays the kernels evaluate the gradient or operator from."""
        ...
