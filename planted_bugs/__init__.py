"""Planted-bug catalogues, one module per family: each defines ``BUGS`` (see rates.planted)."""
