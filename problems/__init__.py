"""Synthetic problem generators: arrays, the exact solution, and the constants.

Every generator validates its arguments and returns a small frozen dataclass that knows its
answer (x*, f*, ...) and constants (L, mu, sigma^2, ...).  ``problem.oracle_data()`` returns the
tuple ``(kind, A, b, p)`` that the numba oracles in :mod:`experiments.oracles` dispatch on.

This package imports nothing from ``rates`` or ``experiments``.
"""

from problems.least_squares import LeastSquares, least_squares
from problems.matrix_sensing import MatrixSensing, matrix_sensing
from problems.quadratic import Quadratic, quadratic
from problems.stochastic import (
    OnlineLinear,
    StochasticQuadratic,
    cyclic_linear,
    random_linear,
    stochastic_quadratic,
)

__all__ = ["LeastSquares", "MatrixSensing", "OnlineLinear", "Quadratic", "StochasticQuadratic",
           "cyclic_linear", "least_squares", "matrix_sensing", "quadratic", "random_linear",
           "stochastic_quadratic"]
