"""Counter-based random numbers for numba kernels.

Each Monte Carlo run owns a SplitMix64 stream whose start is a hash of (seed, run), so a run's
numbers depend on nothing else: the same seed gives bit-identical results on any number of threads
and under any executor.  SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) passes BigCrush and needs
one 64-bit word of state, which is what lets a kernel keep one state per run in a register.
"""

import math

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


def numpy_u64(seed: int, run: int, count: int, skip: int = 0) -> np.ndarray:
    """Outputs skip+1, ..., skip+count of stream (seed, run), computed with NumPy in one go.

    SplitMix64's i-th output is mix(start + i * golden): a counter-based generator, so NumPy
    reference implementations can draw exactly the numbers the kernels draw.
    """
    with np.errstate(over="ignore"):
        start = stream(seed, run)[0]
        z = start + _GOLDEN * np.arange(skip + 1, skip + count + 1, dtype=np.uint64)
        return _mix.py_func(z)  # the kernels' own mixer, run by NumPy on the whole array


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
_ONE = np.uint64(1)
_SIXTY_FOUR = 64
_P1 = np.uint64(0x5555555555555555)
_P2 = np.uint64(0x3333333333333333)
_P4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_P8 = np.uint64(0x0101010101010101)
_S1 = np.uint64(1)
_S2 = np.uint64(2)
_S4 = np.uint64(4)
_S56 = np.uint64(56)


@njit(cache=True, inline="always")
def _popcount(w):
    """Number of set bits of a uint64 (the SWAR count of Hacker's Delight, section 5-1)."""
    w = w - ((w >> _S1) & _P1)
    w = (w & _P2) + ((w >> _S2) & _P2)
    w = (w + (w >> _S4)) & _P4
    return np.int64((w * _P8) >> _S56)


@njit(cache=True)
def gamma(state, shape):
    """Gamma(shape, 1), exactly (no approximation beyond floating point), for shape > 0.

    Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26 (2000):
    a squeeze-and-reject transform of one normal, accepted with probability > 0.95 for shape >= 1;
    shape < 1 uses Gamma(a) = Gamma(a + 1) U^(1/a).  Shape 1 is Exp(1) by inversion (faster).
    The mean of M draws of Gamma(k, s) is Gamma(M k, s / M): a mini-batch mean in one call.
    """
    boost = 1.0
    a = shape
    if a < 1.0:
        boost = (1.0 - uniform(state)) ** (1.0 / a)
        a += 1.0
    if a == 1.0:
        return boost * exponential(state)
    d = a - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        x = normal(state)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(state)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return boost * d * v
        if np.log(u) < 0.5 * x2 + d * (1.0 - v + np.log(v)):
            return boost * d * v


@njit(cache=True)
def binomial(state, n, p):
    """Binomial(n, p), exactly, by counting: O(n), meant for mini-batch sizes.

    For p = 1/2 the count of set bits of n random bits (64 per draw); otherwise n Bernoulli(p)
    draws, each a uniform compared with p (exact up to the 2^-53 grid of ``uniform``).
    """
    k = 0
    if p == 0.5:
        left = n
        while left > 0:
            w = next_u64(state)
            if left < _SIXTY_FOUR:
                w &= (_ONE << np.uint64(left)) - _ONE
            k += _popcount(w)
            left -= _SIXTY_FOUR
    else:
        for _ in range(n):
            if uniform(state) < p:
                k += 1
    return k


# --- NumPy twins of the draws above: the same numbers, for the references in experiments.reference


def numpy_uniform(seed: int, run: int, count: int, skip: int = 0) -> np.ndarray:
    """NumPy twin of ``uniform``: ``count`` consecutive draws after the first ``skip``."""
    return (numpy_u64(seed, run, count, skip) >> _S11).astype(np.float64) * _TO_UNIT


def numpy_normal(seed: int, run: int, count: int) -> np.ndarray:
    """NumPy twin of ``normal`` (Box-Muller, cosine branch): ``count`` calls, two uniforms each.

    NumPy's vectorised log and cos may differ from the kernels' scalar libm calls in the last
    bit, so the twin agrees to rounding, not bit for bit.
    """
    u = numpy_uniform(seed, run, 2 * count).reshape(count, 2)
    return np.sqrt(-2.0 * np.log(1.0 - u[:, 0])) * np.cos(_TWO_PI * u[:, 1])


def numpy_ziggurat_normal(seed: int, run: int, count: int) -> np.ndarray:
    """NumPy twin of ``ziggurat_normal``: the first ``count`` calls on stream (seed, run).

    The fast path (~98% of the draws: one 64-bit word each) is vectorised over a block of the
    stream; each word that misses it runs the wedge or tail in Python with :mod:`math` (the same
    libm the kernel calls), consuming the following words as uniforms exactly as the kernel does,
    and the next normal starts at the word after.  A test oracle: fast enough for tests, not for
    timing (a Python call per rejection).
    """
    out = np.empty(count)
    n = 0
    pos = 0  # stream words consumed so far
    block = max(64, count + count // 16)
    while n < count:
        bits = numpy_u64(seed, run, block, pos)
        u = 2.0 * ((bits >> _S11).astype(np.float64) * _TO_UNIT) - 1.0
        layer = (bits & _ZIG_MASK).astype(np.int64)
        value = u * _ZIG_X[layer]
        slow = np.flatnonzero(~(np.abs(u) < _ZIG_RATIO[layer]))
        k = 0  # position of the next head word in this block
        for s in slow:
            if s < k:
                continue  # consumed as a uniform by the previous slow path
            take = min(s - k, count - n)
            out[n:n + take] = value[k:k + take]
            n += take
            if n == count:
                return out
            word = pos + s + 1  # the 0-based stream index of the word after s
            x, used = _zig_slow(seed, run, float(u[s]), int(layer[s]), bits, pos, word)
            k = word - pos + used
            if x is not None:
                out[n] = x
                n += 1
                if n == count:
                    return out
            if k >= block:
                break
        else:
            take = min(block - k, count - n)
            out[n:n + take] = value[k:k + take]
            n += take
            k = block
        pos += k
    return out


def _zig_slow(seed: int, run: int, u: float, i: int, bits: np.ndarray, pos: int,
              word: int) -> tuple[float | None, int]:
    """The ziggurat's slow path for head u, layer i: (the normal or None if rejected, words used).

    ``bits`` holds the stream's words pos, ..., pos+len(bits)-1 (0-based); the uniforms start at
    word ``word``.
    """
    used = 0

    def unif() -> float:
        nonlocal used
        idx = word + used - pos
        w = bits[idx] if idx < bits.size else numpy_u64(seed, run, 1, word + used)[0]
        used += 1
        return float(w >> _S11) * _TO_UNIT

    if i == 0:
        while True:
            x = math.log(1.0 - unif()) / _ZIG_R
            y = math.log(1.0 - unif())
            if -2.0 * y >= x * x:
                return (x - _ZIG_R if u < 0.0 else _ZIG_R - x), used
    xi, xn = float(_ZIG_X[i]), float(_ZIG_X[i + 1])
    x = u * xi
    f0 = math.exp(-0.5 * (xi * xi - x * x))
    f1 = math.exp(-0.5 * (xn * xn - x * x))
    if f1 + unif() * (f0 - f1) < 1.0:
        return x, used
    return None, used
