"""Numba kernels for optimization methods, written once against the oracle in ``oracles``.

A kernel runs R independent runs (threads split them with ``prange``), records iterates at
checkpoints, draws counter-based random numbers per (seed, run), and reports divergence.
"""
