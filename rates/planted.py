"""Planted bugs: realistic small edits to the project's code, and which claims must catch them.

A :class:`Bug` names a file, an exact text that occurs once in it, its replacement and why the
edit is realistic (a sign slip, an off-by-one in a schedule, a wrong point averaged, ...).  The
runner (``python -m rates.planted``) applies each bug to a temporary copy of the repository, runs
``rates check`` on the claims that should catch it, and reports which did: a verdict that does not
change under a planted bug is a claim without power.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    """One planted bug: replace ``find`` (which occurs exactly once in ``file``) by ``replace``."""

    id: str
    file: str
    find: str
    replace: str
    why: str
    caught_by: tuple[str, ...]
    """Claim ids whose verdict (claim holds, control fails) must break under this bug."""
