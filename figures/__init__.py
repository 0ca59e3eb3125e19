"""Regenerated figures (one per claim, ``<claim id>.png`` beside this file) and their layout.

``rates figures`` writes them; ``rates report`` links them.  The layout code is in
:mod:`figures.layout` (one verdict -> one figure) and :mod:`figures.report` (all verdicts -> an
HTML page and a Markdown table).  Data flows one way: this package imports ``rates``, never the
other way round except lazily inside the command.
"""

from figures.layout import draw, save

__all__ = ["draw", "save"]
