"""Gradients of factorised matrix sensing with respect to the flattened factor(s).

x holds X (n x k) row-major, or [vec F, vec G]; see problems/matrix_sensing.py for the losses:
population  grad = (X X^T - M*) X,  ((F G^T - M*) G, (F G^T - M*)^T F);
sensing     grad = (S + S^T) X / 2,  (S G, S^T F)  with S = (1/m) sum_i r_i A_i, r_i the residuals.

The population gradients use the k x k Gram matrices (X (X^T X) - M* X): n k^2 + n^2 k flops
instead of forming the n x n residual.
"""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _gram(x, off, n, k):
    """Z^T Z for the n x k block Z of x starting at ``off``."""
    g = np.zeros((k, k))
    for i in range(n):
        for a in range(k):
            za = x[off + i * k + a]
            for c in range(k):
                g[a, c] += za * x[off + i * k + c]
    return g


@njit(cache=True, inline="always")
def _gram_minus_target(M, transpose, x, off_left, gram, off_right, n, k, out, off_out):
    """out block = Z_left gram - M^(T) Z_right (Z the n x k blocks of x at the offsets).

    Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    for i in range(n):
        for c in range(k):
            s = 0.0
            for a in range(k):
                s += x[off_left + i * k + a] * gram[a, c]
            t = 0.0
            if transpose:
                for j in range(n):
                    t += M[j, i] * x[off_right + j * k + c]
            else:
                for j in range(n):
                    t += M[i, j] * x[off_right + j * k + c]
            out[off_out + i * k + c] = s - t


@njit(cache=True, inline="always")
def symmetric_population_gradient(A, p, x, out):
    """(X X^T - M*) X with M* = A."""
    n = A.shape[0]
    k = int(p[0])
    _gram_minus_target(A, False, x, 0, _gram(x, 0, n, k), 0, n, k, out, 0)


@njit(cache=True, inline="always")
def asymmetric_population_gradient(A, p, x, out):
    """((F G^T - M*) G, (F G^T - M*)^T F) with M* = A, computed from the old F and G."""
    n = A.shape[0]
    k = int(p[0])
    h = n * k
    gram_g = _gram(x, h, n, k)
    gram_f = _gram(x, 0, n, k)
    _gram_minus_target(A, False, x, 0, gram_g, h, n, k, out, 0)  # F G^T G - M* G
    _gram_minus_target(A, True, x, h, gram_f, 0, n, k, out, h)   # G F^T F - M*^T F


@njit(cache=True, inline="always")
def _residual_matrix(A, y, x, off_left, off_right, n, k):
    """S = (1/m) sum_i (<A_i, Z_l Z_r^T> - y_i) A_i as an n x n matrix."""
    m = A.shape[0]
    P = np.zeros(n * n)
    for i in range(n):
        for j in range(n):
            s = 0.0
            for a in range(k):
                s += x[off_left + i * k + a] * x[off_right + j * k + a]
            P[i * n + j] = s
    S = np.zeros(n * n)
    for t in range(m):
        r = -y[t]
        for q in range(n * n):
            r += A[t, q] * P[q]
        r /= m
        for q in range(n * n):
            S[q] += r * A[t, q]
    return S


@njit(cache=True, inline="always")
def symmetric_sensing_gradient(A, b, p, x, out):
    """(S + S^T) X / 2 for f = 1/(4m) sum_i (<A_i, X X^T> - y_i)^2."""
    n = int(p[0])
    k = int(p[1])
    S = _residual_matrix(A, b, x, 0, 0, n, k)
    for i in range(n):
        for c in range(k):
            s = 0.0
            for j in range(n):
                s += (S[i * n + j] + S[j * n + i]) * x[j * k + c]
            out[i * k + c] = 0.5 * s


@njit(cache=True, inline="always")
def asymmetric_sensing_gradient(A, b, p, x, out):
    """(S G, S^T F) for f = 1/(2m) sum_i (<A_i, F G^T> - y_i)^2."""
    n = int(p[0])
    k = int(p[1])
    h = n * k
    S = _residual_matrix(A, b, x, 0, h, n, k)
    for i in range(n):
        for c in range(k):
            s = 0.0
            t = 0.0
            for j in range(n):
                s += S[i * n + j] * x[h + j * k + c]
                t += S[j * n + i] * x[j * k + c]
            out[i * k + c] = s
            out[h + i * k + c] = t
