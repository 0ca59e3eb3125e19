"""Numba kernels for optimization methods, written once against the oracle in ``oracles``.

A kernel runs R independent runs (threads split them with ``prange``), records iterates at
checkpoints, draws counter-based random numbers per (seed, run), and reports divergence.

Where compiled kernels are cached.  numba's on-disk cache (``cache=True``) checks only the file
that defines a kernel, not the files whose functions it calls (oracles, fields, random numbers):
editing a field would silently keep the old compiled kernel.  So each kernel module is cached in
a directory named after a digest of its *import closure* (:mod:`experiments.sources`: the module,
the ``experiments`` modules it imports transitively, and ``problems/kinds.py``): an edit to
Adam's kernel recompiles Adam's kernels only, an edit to an oracle every kernel that calls it.
The directories live under ``$NUMBA_CACHE_DIR``, else ``experiments/__pycache__``; when that is
not writable, under the platform's user cache (``rates/numba``), else in a temporary directory
for this process (no persistent cache).  A kernel is never cached in numba's own, unkeyed
locations, which would serve a stale kernel after an edit.  Old ``numba-*`` directories can be
deleted at any time.
"""

from __future__ import annotations

import os
import sys
import tempfile
from functools import cache
from pathlib import Path

from numba.core import caching

from experiments import sources

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
_KINDS = _ROOT / "problems" / "kinds.py"


@cache
def kernel_key(py_file: str) -> str:
    """The digest that names the cache directory of the kernels defined in ``py_file``."""
    name = sources.module_name(Path(py_file).resolve(), _ROOT)
    closure = {f for f in sources.module_closure(name, _ROOT) if f.is_relative_to(_HERE)}
    return sources.digest(closure | {_KINDS}, _ROOT)[:16]


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError:
        return False
    return True


@cache
def cache_base() -> Path:
    """The first writable of: $NUMBA_CACHE_DIR (else experiments/__pycache__), the user cache,
    a temporary directory for this process; a fallback is said once on stderr."""
    configured = Path(os.environ.get("NUMBA_CACHE_DIR") or _HERE / "__pycache__")
    if _writable(configured):
        return configured
    from platformdirs import user_cache_dir

    for fallback in (Path(user_cache_dir("rates")) / "numba",
                     Path(tempfile.mkdtemp(prefix="rates-numba-"))):
        if _writable(fallback):
            print(f"rates: warning: the numba cache directory {configured} is not writable; "
                  f"kernels are cached in {fallback}", file=sys.stderr)
            return fallback
    raise OSError(f"no writable directory for numba's kernel cache (tried {configured})")


class KeyedCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """numba cache locator for this package's kernels: ``<base>/numba-<key>/<subpath>``."""

    def __init__(self, py_func, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._key = kernel_key(py_file)
        self._cache_path = str(cache_base() / f"numba-{self._key}" /
                               self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> str:
        # the closure's digest, not the one file's: an entry is stale when anything it calls is
        return self._key

    @classmethod
    def from_function(cls, py_func, py_file: str):
        if not Path(py_file).resolve().is_relative_to(_HERE):
            return None  # someone else's kernel (a user's claim): numba's own locators
        locator = cls(py_func, py_file)
        locator.ensure_cache_path()  # cache_base() was probed: an error here is real
        return locator


if KeyedCacheLocator not in caching.CacheImpl._locator_classes:
    caching.CacheImpl._locator_classes.insert(0, KeyedCacheLocator)
