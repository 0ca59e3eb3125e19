"""Argument checks for the generators: each error names the argument and the accepted range.

Python and NumPy scalars are accepted alike (``np.int64(5)`` is a dimension like ``5``); booleans,
non-finite values and values of another kind are refused with a ``ValueError`` that names the
argument, never an ``OverflowError`` or ``TypeError`` from deep inside a conversion.
"""

from __future__ import annotations

import math
import operator

import numpy as np


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an ``int`` >= ``minimum``; integral floats (``5.0``) are accepted."""
    if isinstance(value, bool | np.bool_ | str | bytes):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    try:
        n = operator.index(value)  # int, numpy integers, 0-d integer arrays
    except TypeError:
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            x = math.nan
        if not (math.isfinite(x) and x.is_integer()):
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
        n = int(x)
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return n


def finite(name: str, value: object, low: float = -math.inf, high: float = math.inf,
           low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float, checking it lies in the stated interval."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    lo_ok = x > low if low_open else x >= low
    hi_ok = x < high if high_open else x <= high
    if not (math.isfinite(x) and lo_ok and hi_ok):
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lb}{low}, {high}{hb}, got {value!r}")
    return x


def vector(name: str, value: object, size: int | None = None, low: float = -math.inf,
           low_open: bool = False) -> np.ndarray:
    """``value`` as a finite 1-D float array (of ``size`` entries when given), each >= ``low``.

    A 2-D array is refused rather than flattened: its shape says the caller meant something else.
    """
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a 1-D array of real numbers, got {value!r}") from None
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    if size is not None and a.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite values, got {a.tolist()}")
    if a.size and (np.any(a <= low) if low_open else np.any(a < low)):
        side = ">" if low_open else ">="
        raise ValueError(f"{name} must hold values {side} {low:g}, got {a.tolist()}")
    return a
