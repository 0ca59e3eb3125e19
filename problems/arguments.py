"""Argument checks shared by the momentum-and-acceleration families.

Like :mod:`problems.validate`, each error names the argument and the accepted range; counts
accept Python and NumPy integers and refuse booleans (``True`` is not a dimension).
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def count(name: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum]: a Python or NumPy integer, not a bool."""
    top = "" if maximum is None else f" and <= {maximum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}{top}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer >= {minimum}{top}, got {value!r}")
    return int(value)


def real(name: str, value: object, low: float = -math.inf, high: float = math.inf,
         low_open: bool = False) -> float:
    """``value`` as a finite float in [low, high] ((low, high] with ``low_open``); not a bool."""
    lb = "(" if low_open else "["
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number in {lb}{low}, {high}], got {value!r}")
    x = float(value)
    if not (math.isfinite(x) and (x > low if low_open else x >= low) and x <= high):
        raise ValueError(f"{name} must lie in {lb}{low}, {high}], got {value!r}")
    return x


def vector(name: str, value: object, size: int) -> np.ndarray:
    """``value`` as a finite float vector of shape (size,)."""
    v = np.asarray(value, dtype=float)
    if v.shape != (size,) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be a finite vector of shape ({size},), got "
                         f"shape {v.shape}")
    return v.copy()
