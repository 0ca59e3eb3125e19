"""Experiment parameters: typed, with defaults, ranges and clear errors for ``--set``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_TYPES = {int: "an integer", float: "a real number", str: "a string", bool: "true or false"}


@dataclass(frozen=True)
class Parameter:
    """One experiment parameter: name, default, help text and the accepted values.

    ``low``/``high`` bound numbers (inclusive); ``choices`` lists the accepted strings.
    """

    name: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def type(self) -> type:
        return type(self.default)

    def accepted(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        text = _TYPES[self.type]
        return text if self.type in (str, bool) else f"{text} in [{lo}, {hi}]"

    def parse(self, text: str) -> Any:
        """Convert a command-line string to this parameter's type and validate it."""
        t = self.type
        try:
            if t is bool:
                low = text.strip().lower()
                if low not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                value: Any = low in ("true", "1", "yes")
            elif t is int:
                f = float(text)
                if not f.is_integer():
                    raise ValueError
                value = int(f)
            else:
                value = t(text)
        except ValueError:
            raise ValueError(f"parameter {self.name} must be {self.accepted()}, "
                             f"got {text!r}") from None
        return self.validate(value)

    def validate(self, value: Any) -> Any:
        t = self.type
        if t is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, t) or (t is int and isinstance(value, bool)):
            raise ValueError(f"parameter {self.name} must be {self.accepted()}, got {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"parameter {self.name} must be {self.accepted()}, got {value!r}")
        if t in (int, float):
            if t is float and not math.isfinite(value):
                raise ValueError(f"parameter {self.name} must be finite, got {value!r}")
            if (self.low is not None and value < self.low) or (
                    self.high is not None and value > self.high):
                raise ValueError(f"parameter {self.name} must be {self.accepted()}, "
                                 f"got {value!r}")
        return value
