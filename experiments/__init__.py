"""Numba kernels for optimization methods, written once against the oracle in ``oracles``.

A kernel runs R independent runs (threads split them with ``prange``), records iterates at
checkpoints, draws counter-based random numbers per (seed, run), and reports divergence.

numba's on-disk cache (``cache=True``) checks only the timestamp of the file that defines a
kernel, not of the files whose functions it inlines (oracles, fields, random numbers): editing a
field would silently keep the old compiled kernel.  So the cache lives in a directory named after
a hash of every source file the kernels are built from (this package and ``problems/kinds.py``);
any edit moves it to a fresh directory and every kernel recompiles.  Old directories can be
deleted at any time (``experiments/__pycache__/numba-*`` by default, or under
``$NUMBA_CACHE_DIR`` when that is set).
"""

import hashlib
import os
from pathlib import Path

import numba


def _kernel_source_digest() -> str:
    here = Path(__file__).resolve().parent
    files = sorted(here.rglob("*.py")) + [here.parent / "problems" / "kinds.py"]
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _use_source_keyed_cache() -> None:
    base = os.environ.get("NUMBA_CACHE_DIR") or str(Path(__file__).resolve().parent /
                                                    "__pycache__")
    # read by numba when each cache=True kernel is defined, i.e. after this runs
    numba.config.CACHE_DIR = os.path.join(base, f"numba-{_kernel_source_digest()}")


_use_source_keyed_cache()
