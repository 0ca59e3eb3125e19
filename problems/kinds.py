"""Integer tags that identify a problem family to the numba oracles.

The oracles dispatch on these integers rather than taking a jitted function as an argument,
because numba's on-disk cache cannot store a kernel specialised on a function argument (see the
README, "Why oracles dispatch on an integer").  A tag never changes meaning once landed.
"""

QUADRATIC_DIAGONAL = 1
"""f(x) = 1/2 sum_i lam_i (x_i - x*_i)^2; A[0] = lam, b = x*."""

LEAST_SQUARES = 2
"""f(x) = 1/(2n) ||A x - b||^2 = (1/n) sum_i f_i(x), f_i = 1/2 (a_i.x - b_i)^2."""

BILEVEL_RIDGE = 40
"""Bilevel ridge / Wiener filter: theta -> x_hat_j = y_j / (1 + e^theta_j), upper level the expected
reconstruction error; A[0] = signal variances, A[1] = noise variances, b = theta*."""
