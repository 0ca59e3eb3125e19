"""Synthetic problem generators: arrays, the exact solution, and the constants.

Every generator validates its arguments and returns a small frozen dataclass that knows its
answer (x*, f*, ...) and constants (L, mu, sigma^2, ...).  ``problem.oracle()`` returns the
:class:`~problems.protocol.Oracle` (the family's tag and its arrays) that the numba kernels of
:mod:`experiments` compile against; :class:`~problems.protocol.Problem` is the protocol.

This package imports nothing from ``rates`` or ``experiments``.
"""

from problems.least_squares import LeastSquares, least_squares
from problems.matrix_sensing import MatrixSensing, matrix_sensing
from problems.protocol import Oracle, Problem
from problems.quadratic import Quadratic, quadratic
from problems.stochastic import (
    OnlineLinear,
    StochasticQuadratic,
    cyclic_linear,
    random_linear,
    stochastic_quadratic,
)

__all__ = ["LeastSquares", "MatrixSensing", "OnlineLinear", "Oracle", "Problem", "Quadratic",
           "StochasticQuadratic", "cyclic_linear", "least_squares", "matrix_sensing", "quadratic",
           "random_linear", "stochastic_quadratic"]
