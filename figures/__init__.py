"""Regenerated figures (one per claim, ``<claim id>.png`` beside this file) and their layout.

``rates figures`` writes them; ``rates report`` links them.  They are generated output, not
committed: ``rates figures`` and ``rates report`` (the whole catalogue, default parameters, seed
0) write here; a subset of the claims, ``--set`` or ``--seed`` write to ``figures/custom/`` unless
``--out`` says where, and the page states what it covers, so a custom run never overwrites or
passes for the catalogue's own.  The layout code is in
:mod:`figures.layout` (one verdict -> one figure) and :mod:`figures.report` (all verdicts -> an
HTML page and a Markdown table).  Data flows one way: this package imports ``rates``, never the
other way round except lazily inside the command.
"""

from figures.layout import draw, save

__all__ = ["draw", "save"]
