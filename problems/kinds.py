"""Integer tags that identify a problem family to the numba oracles.

The oracles dispatch on these integers rather than taking a jitted function as an argument,
because numba's on-disk cache cannot store a kernel specialised on a function argument (see the
README, "Why oracles dispatch on an integer").  A tag never changes meaning once landed.
"""

QUADRATIC_DIAGONAL = 1
"""f(x) = 1/2 sum_i lam_i (x_i - x*_i)^2; A[0] = lam, b = x*."""

LEAST_SQUARES = 2
"""f(x) = 1/(2n) ||A x - b||^2 = (1/n) sum_i f_i(x), f_i = 1/2 (a_i.x - b_i)^2."""

# --- 10-19: stochastic quadratics with a data law, and online linear problems (Adam) ---------

SOP_NORMAL = 10
"""f(x) = E 1/2 |x - X|^2, X_j iid N(mean, sd^2); p = [mean, sd]."""

SOP_TWO_POINT = 11
"""f(x) = E 1/2 |x - X|^2, X_j iid center +- half_gap w.p. 1/2 each; p = [center, half_gap]."""

SOP_GAMMA = 12
"""f(x) = E 1/2 |x - X|^2, X_j iid loc + Gamma(shape, scale); p = [loc, shape, scale]."""

SOP_BERNOULLI = 13
"""f(x) = E 1/2 |x - X|^2, X_j iid loc + height Bernoulli(prob); p = [loc, prob, height]."""

LINEAR_RANDOM = 14
"""Online f_t(x) = <c_t, x> on a box, c_t,j iid: large w.p. prob, else -small; p = [large, small,
prob] (Reddi, Kale & Kumar 2018, Section 5: 1010, 10, 0.01)."""

LINEAR_CYCLIC = 15
"""Online f_t(x) = <c_t, x> on a box, c_t,j = C if t mod 3 = 1 else -1 (t = 1, 2, ...); p = [C]
(Reddi, Kale & Kumar 2018, Theorem 1)."""
