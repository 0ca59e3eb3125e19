"""Integer tags that identify a problem family to the numba oracles.

The oracles dispatch on these integers rather than taking a jitted function as an argument,
because numba's on-disk cache cannot store a kernel specialised on a function argument (see the
README, "Why oracles dispatch on an integer").  A tag never changes meaning once landed.
"""

QUADRATIC_DIAGONAL = 1
"""f(x) = 1/2 sum_i lam_i (x_i - x*_i)^2; A[0] = lam, b = x*."""

LEAST_SQUARES = 2
"""f(x) = 1/(2n) ||A x - b||^2 = (1/n) sum_i f_i(x), f_i = 1/2 (a_i.x - b_i)^2."""

# --- 10-19: stochastic quadratics with a data law, and online linear problems (Adam) ----------

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

# --- 20-39: monotone and comonotone operators (variational inequalities) ----------------------

AFFINE_OPERATOR = 20
"""V(z) = A z + b (A square); the stochastic oracle adds p[0] * N(0, I) noise."""

ROTATION_BLOCKS = 21
"""Block-diagonal linear F: block i maps (x_{2i}, x_{2i+1}) by [[c_i, -s_i], [s_i, c_i]], with
A[0] = c = a cos(theta), A[1] = s = a sin(theta); b unused (the solution is 0)."""

FINITE_SUM_LINEAR = 22
"""F = (1/n) sum_i F_i, F_i(x) = A_i x + b_i.  A stacks the mean matrix and then the n blocks
A_i row-wise ((n + 1) d x d), b likewise; p[0] = n.  A sample is one uniform component."""

# --- 40-49: bilevel problems ------------------------------------------------------------------

BILEVEL_RIDGE = 40
"""Bilevel ridge / Wiener filter: theta -> x_hat_j = y_j / (1 + e^theta_j), upper level the expected
reconstruction error; A[0] = signal variances, A[1] = noise variances, b = theta*."""

# --- 50-59: matrix sensing; x is the factor flattened row-major: X (n x k) for XX^T,
# [vec F, vec G] (2 n k) for FG^T

MATRIX_SENSING_SYMMETRIC_POPULATION = 50
"""f(X) = 1/4 ||X X^T - M*||_F^2; A = M* (n x n), p = [k]."""

MATRIX_SENSING_SYMMETRIC = 51
"""f(X) = 1/(4m) sum_i (<A_i, X X^T> - y_i)^2; A = rows vec(A_i) (m x n^2), b = y, p = [n, k]."""

MATRIX_SENSING_ASYMMETRIC_POPULATION = 52
"""f(F, G) = 1/2 ||F G^T - M*||_F^2; A = M* (n x n), p = [k]."""

MATRIX_SENSING_ASYMMETRIC = 53
"""f(F, G) = 1/(2m) sum_i (<A_i, F G^T> - y_i)^2; A = rows vec(A_i) (m x n^2), b = y, p = [n, k]."""

# --- 60-69: momentum and acceleration (quadratics with shaped noise, interpolation, streams) --

QUADRATIC_ANISOTROPIC = 60
"""f(x) = 1/2 sum_i lam_i (x_i - x*_i)^2 with gradient noise N(0, s^2 diag(lam)) (covariance
proportional to the Hessian); A[0] = lam, A[1] = sqrt(lam), b = x*, p = [s] (s = sigma/sqrt(M))."""

LEAST_SQUARES_MINIBATCH = 61
"""f(x) = 1/(2n) ||A x - b||^2; a sample is the mean gradient of p[0] rows drawn uniformly with
replacement (an interpolating instance when b = A x*)."""

STREAMING_LEAST_SQUARES = 62
"""f(w) = E 1/2 (<x, w> - y)^2, x ~ N(0, I_d), y = <x, w*> + p[0] xi, xi ~ N(0, 1): the field is
w - w*, a sample (<x, w> - y) x from one fresh pair; b = w*, A unused (1 x d zeros)."""

# --- 70-74: nonconvex, stochastic, adaptive (weakly convex wells, dense rotated quadratics) ---

DOUBLE_WELL = 70
"""f(x) = sum_i (x_i^2 - 1)^2 / 4 (separable double well, 1-weakly convex): the field x^3 - x, a
sample grad f + (sigma0 + sigma1 |grad f|) * xi, xi ~ N(0, I) (affine noise variance); A unused
(1 x d zeros), b = x* = (1, ..., 1) (one of the 2^d minimisers), p = [sigma0, sigma1]."""

QUADRATIC_DENSE = 71
"""f(x) = 1/2 (x - x*)^T H (x - x*), H symmetric positive definite and block diagonal with blocks
of size m (m = d: dense); A (d x m) stacks the diagonal blocks row-wise, b = x*.  The field and
the sample are both the exact gradient H (x - x*) (a deterministic family: a rotated spectrum
Q diag(lam) Q^T, or several side by side)."""
