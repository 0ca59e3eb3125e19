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
