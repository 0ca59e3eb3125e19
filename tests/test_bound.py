"""rates.bound: the stated rate is derived from the bound's expression."""

import numpy as np
import pytest
import sympy as sp

from rates.bound import Bound, k

R, g, mu, s, K, h = sp.symbols("R gamma mu sigma K h", positive=True)


def test_power_law_exponent_of_the_leading_term():
    assert Bound(R**2 / (2 * g * k)).rate() == 1.0
    assert Bound(8 * s / (mu**2 * k) + 16 * K**2 * R**2 / k**2).rate() == 1.0
    assert Bound(k ** sp.Rational(-1, 4)).rate() == 0.25


def test_geometric_factor_is_symbolic_then_numeric():
    b = Bound(R**2 * (1 - g * mu) ** k, law="geometric")
    assert sp.simplify(b.rate_expr() - (1 - g * mu)) == 0
    assert b.with_constants(gamma=1.0, mu=0.01).rate() == pytest.approx(0.99)


def test_parameter_exponent_as_h_goes_to_zero():
    assert Bound(2 * h * s / mu + h**2, variable=h, law="parameter").rate() == 1.0
    assert Bound(sp.sqrt(h), variable=h, law="parameter").rate() == 0.5


def test_evaluation_needs_every_constant():
    b = Bound(R**2 / (2 * g * k))
    with pytest.raises(ValueError, match="missing constants"):
        b(np.array([1.0]))
    np.testing.assert_allclose(b.with_constants(R=2, gamma=0.5)(np.array([1.0, 4.0])), [4, 1])


def test_errors():
    with pytest.raises(ValueError, match="does not depend"):
        Bound(R**2)
    with pytest.raises(ValueError, match="law"):
        Bound(1 / k, law="cubic")
    with pytest.raises(ValueError, match="unknown constants"):
        Bound(R / k).with_constants(Q=1)
    with pytest.raises(ValueError, match="still depends"):
        Bound(R**2 * (1 - g * mu) ** k, law="geometric").rate()
