"""Generators under bad input: NumPy scalars work, everything else is a ValueError naming it."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from problems import least_squares, matrix_sensing, quadratic
from problems.validate import finite, positive_int, vector


@pytest.mark.parametrize("value", [np.int64(7), np.int32(7), np.uint8(7), 7.0, np.float64(7.0),
                                   np.array(7)])
def test_numpy_integers_and_integral_floats_are_dimensions(value):
    assert positive_int("d", value) == 7
    assert type(positive_int("d", value)) is int
    assert quadratic(value).d == 7


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 2.5, True, np.bool_(True),
                                   "7", None, [7], 1 + 0j])
def test_non_integers_are_refused_by_name(value):
    with pytest.raises(ValueError, match=r"^d must be an integer >= 1"):
        positive_int("d", value)


def test_infinite_dimension_names_the_argument_not_an_overflow():
    with pytest.raises(ValueError, match="^n must be an integer"):
        least_squares(n=math.inf, d=3)
    with pytest.raises(ValueError, match="^d must be an integer"):
        quadratic(d=math.inf)


@given(st.integers(min_value=-10**30, max_value=10**30))
def test_positive_int_accepts_exactly_the_integers_at_or_above_the_minimum(n):
    if n >= 3:
        assert positive_int("m", n, 3) == n
        if n < 2**63:
            assert positive_int("m", np.int64(n), 3) == n
    else:
        with pytest.raises(ValueError, match="^m must be an integer >= 3"):
            positive_int("m", n, 3)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_finite_refuses_every_non_finite_float_by_name(x):
    if math.isfinite(x):
        assert finite("gamma", x) == x
    else:
        with pytest.raises(ValueError, match="^gamma must lie in"):
            finite("gamma", x)


def test_finite_refuses_booleans_and_strings_that_are_not_numbers():
    with pytest.raises(ValueError, match="^rho must be a real number"):
        finite("rho", True)
    with pytest.raises(ValueError, match="^rho must be a real number"):
        finite("rho", "fast")
    with pytest.raises(ValueError, match="^rho must be a real number"):
        finite("rho", 10**400)  # an int too large for a float


@pytest.mark.parametrize("bad", [np.array([0.0, np.nan, 0.0]), np.array([np.inf, 0.0, 0.0])])
def test_a_non_finite_minimiser_is_refused(bad):
    with pytest.raises(ValueError, match="^x_star must hold finite values"):
        quadratic(3, x_star=bad)


def test_a_two_dimensional_minimiser_or_spectrum_is_not_flattened():
    with pytest.raises(ValueError, match=r"^x_star must be one-dimensional, got shape \(3, 1\)"):
        quadratic(3, x_star=np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"^spectrum must be one-dimensional, got shape \(1, 2\)"):
        matrix_sensing(n=4, r=2, k=2, spectrum=[[1.0, 0.5]])
    with pytest.raises(ValueError, match="^spectrum must hold values > 0"):
        matrix_sensing(n=4, r=2, k=2, spectrum=[1.0, 0.0])
    with pytest.raises(ValueError, match="^spectrum must hold finite values"):
        matrix_sensing(n=4, r=2, k=2, spectrum=[1.0, np.nan])
    ms = matrix_sensing(n=4, r=2, k=2, spectrum=[0.5, 1.0])
    np.testing.assert_array_equal(ms.spectrum, [1.0, 0.5])  # stored descending


def test_vector_checks_the_size_and_the_lower_bound():
    np.testing.assert_array_equal(vector("w", [1, 2], 2, low=0.0), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^w must have shape \(3,\)"):
        vector("w", [1, 2], 3)
    with pytest.raises(ValueError, match="^w must hold values >= 0"):
        vector("w", [1, -2], low=0.0)
    with pytest.raises(ValueError, match="^w must be a 1-D array of real numbers"):
        vector("w", ["a", "b"])
