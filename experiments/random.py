"""Counter-based random numbers for numba kernels.

Each Monte Carlo run owns a SplitMix64 stream whose start is a hash of (seed, run), so a run's
numbers depend on nothing else: the same seed gives bit-identical results on any number of threads
and under any executor.  SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) passes BigCrush and needs
one 64-bit word of state, which is what lets a kernel keep one state per run in a register.
"""

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53: 53 random bits fill a double's mantissa
_TWO_PI = 2.0 * np.pi


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def stream(seed, run):
    """The state array (one uint64) of run ``run`` under ``seed``."""
    state = np.empty(1, dtype=np.uint64)
    state[0] = _mix(_mix(np.uint64(seed) + _GOLDEN) ^ (np.uint64(run) * _M2 + _GOLDEN))
    return state


@njit(cache=True, inline="always")
def next_u64(state):
    state[0] += _GOLDEN
    return _mix(state[0])


@njit(cache=True, inline="always")
def uniform(state):
    """Uniform on [0, 1)."""
    return float(next_u64(state) >> _S11) * _TO_UNIT


@njit(cache=True, inline="always")
def randint(state, n):
    """Uniform on {0, ..., n-1} (the modulo bias is below 2^-40 for n < 2^24)."""
    return np.int64(next_u64(state) >> _S11) % n


@njit(cache=True, inline="always")
def normal(state):
    """Standard normal by Box-Muller (1 - u keeps the logarithm finite)."""
    u1 = 1.0 - uniform(state)
    u2 = uniform(state)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(_TWO_PI * u2)


@njit(cache=True, inline="always")
def exponential(state):
    """Exp(1) by inversion."""
    return -np.log(1.0 - uniform(state))


def numpy_u64(seed: int, run: int, count: int) -> np.ndarray:
    """The first ``count`` outputs of stream (seed, run), computed with NumPy in one go.

    SplitMix64's i-th output is mix(start + i * golden): a counter-based generator, so NumPy
    reference implementations can draw exactly the numbers the kernels draw.
    """
    with np.errstate(over="ignore"):
        start = stream(seed, run)[0]
        z = start + _GOLDEN * np.arange(1, count + 1, dtype=np.uint64)
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        return z ^ (z >> _S31)


def numpy_randint(seed: int, run: int, count: int, n: int) -> np.ndarray:
    """NumPy twin of ``randint``: the indices drawn by ``count`` consecutive calls."""
    return ((numpy_u64(seed, run, count) >> _S11).astype(np.int64)) % n
# Ziggurat tables (Marsaglia & Tsang 2000, in Doornik's ZIGNOR form, 2005): 128 layers of equal
# area V under exp(-x^2/2), the base layer including the tail beyond R.  x[i] is layer i's right
# edge, ratio[i] = x[i+1]/x[i] the part of it inside the layer above (the fast path).
_ZIG_LAYERS = 128
_ZIG_R = 3.442619855899
_ZIG_V = 9.91256303526217e-3


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray]:
    x = np.empty(_ZIG_LAYERS + 1)
    x[0] = _ZIG_V / np.exp(-0.5 * _ZIG_R * _ZIG_R)
    x[1] = _ZIG_R
    for i in range(2, _ZIG_LAYERS):
        x[i] = np.sqrt(-2.0 * np.log(_ZIG_V / x[i - 1] + np.exp(-0.5 * x[i - 1] ** 2)))
    x[_ZIG_LAYERS] = 0.0
    return x, x[1:] / x[:-1]


_ZIG_X, _ZIG_RATIO = _ziggurat_tables()
_ZIG_MASK = np.uint64(_ZIG_LAYERS - 1)


@njit(cache=True, inline="always")
def ziggurat_normal(state):
    """Standard normal by the ziggurat: one 64-bit draw ~98% of the time, no transcendental.

    The top 53 bits give u in [-1, 1), the low 7 bits (disjoint) the layer.  About twice as fast
    as a pair from Box-Muller's or Marsaglia's polar method on this machine class (per normal).
    """
    while True:
        bits = next_u64(state)
        u = 2.0 * (float(bits >> _S11) * _TO_UNIT) - 1.0
        i = np.int64(bits & _ZIG_MASK)
        if abs(u) < _ZIG_RATIO[i]:
            return u * _ZIG_X[i]
        if i == 0:  # the tail beyond R, by Marsaglia's exponential rejection
            while True:
                x = np.log(1.0 - uniform(state)) / _ZIG_R
                y = np.log(1.0 - uniform(state))
                if -2.0 * y >= x * x:
                    return x - _ZIG_R if u < 0.0 else _ZIG_R - x
        x = u * _ZIG_X[i]
        f0 = np.exp(-0.5 * (_ZIG_X[i] * _ZIG_X[i] - x * x))
        f1 = np.exp(-0.5 * (_ZIG_X[i + 1] * _ZIG_X[i + 1] - x * x))
        if f1 + uniform(state) * (f0 - f1) < 1.0:
            return x
