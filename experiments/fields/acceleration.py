"""Samples of the momentum-and-acceleration families (kinds 60-62, see problems/kinds.py).

* anisotropic quadratic: the exact gradient plus N(0, s^2 diag(lam)) noise, the noise covariance
  proportional to the Hessian (the anisotropic noise of Pan, Liu, Wang & Zhang, arXiv 2312.14567);
* minibatch least squares: the mean of ``batch`` row gradients, rows uniform with replacement;
* streaming least squares: one fresh Gaussian pair (x, y) per sample (online SGD).
"""

from numba import njit

from experiments.random import randint, ziggurat_normal


@njit(cache=True, inline="always")
def anisotropic_gradient(A, b, p, x, rng, out):
    """lam (x - x*) + s sqrt(lam) z, z ~ N(0, I): A[0] = lam, A[1] = sqrt(lam), p = [s]."""
    s = p[0]
    for j in range(x.size):
        out[j] = A[0, j] * (x[j] - b[j]) + s * A[1, j] * ziggurat_normal(rng)


@njit(cache=True, inline="always")
def minibatch_gradient(A, b, p, x, rng, out):
    """(1/B) sum over B rows i drawn with replacement of a_i (a_i.x - b_i), B = p[0]."""
    n, d = A.shape
    batch = int(p[0])
    out[:] = 0.0
    for _ in range(batch):
        i = randint(rng, n)
        r = -b[i]
        for j in range(d):
            r += A[i, j] * x[j]
        for j in range(d):
            out[j] += A[i, j] * r
    for j in range(d):
        out[j] /= batch


@njit(cache=True, inline="always")
def population_gradient(b, x, out):
    """E (<x, w> - y) x = w - w* for x ~ N(0, I) (b = w*)."""
    for j in range(x.size):
        out[j] = x[j] - b[j]


@njit(cache=True, inline="always")
def streaming_gradient(b, p, w, rng, out):
    """(<x, w> - y) x with x ~ N(0, I), y = <x, w*> + p[0] xi: d + 1 normals per sample."""
    r = 0.0
    for j in range(w.size):
        z = ziggurat_normal(rng)
        out[j] = z
        r += z * (w[j] - b[j])
    r -= p[0] * ziggurat_normal(rng)
    for j in range(w.size):
        out[j] *= r
