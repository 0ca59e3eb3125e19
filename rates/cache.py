"""A results cache: a verdict is computed once per claim, parameters, seed and kernel source.

``rates check``, ``sweep``, ``figures`` and ``report`` all go through :func:`run_tasks_cached` (one
claim in Python: :func:`cached_check`), so a
figure shows exactly the verdict that ``rates check`` computed, without running it again, as long
as nothing that could change the result has changed.  The key is a SHA-256 of

* the claim id, its *resolved* parameters (defaults updated with the overrides, sorted by name,
  so the order of ``--set`` options does not matter and ``--set d=1000`` equals the default) and
  the seed;
* the kernel source: the contents of every ``.py`` file of ``problems/`` and ``experiments/``,
  of ``rates/fit.py``, ``rates/claim.py``, ``rates/measure.py`` and ``rates/bound.py``, of the
  claim's own ``paper_checks`` module, and of any other ``paper_checks`` module it imports
  names from (shared helpers);
* the versions of Python, numpy, scipy, sympy and numba (a new numba may round differently).

One pickle per key, under ``<cache dir>/<claim id>/<key>.pkl``, written atomically (a temporary
file renamed into place), so concurrent runs never read half a file.  An entry that cannot be
read (truncated, written by an incompatible version) is treated as a miss and recomputed.

Verdicts pickle by value except the claim's functions, which are module-level and pickle by
reference; on a hit the claim in the verdict is replaced by the registered claim, so its text
(lesson, statement) is always the current one.

The cache directory is ``--cache-dir``, else ``$RATES_CACHE_DIR``, else ``.rates-cache/`` in the
current directory (git-ignored).  Deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from rates.claim import Claim, Verdict
from rates.executors import Task, run_tasks

ENV = "RATES_CACHE_DIR"
DEFAULT_DIR = ".rates-cache"
FORMAT = 1
"""Bumped when the layout of an entry changes, so old entries miss instead of failing."""

_RATES_FILES = ("fit.py", "claim.py", "measure.py", "bound.py")


def cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory: ``path``, else ``$RATES_CACHE_DIR``, else ``./.rates-cache``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(ENV) or DEFAULT_DIR)


def _package_dir(name: str) -> Path:
    module = sys.modules.get(name) or __import__(name)
    return Path(module.__file__).resolve().parent


def _digest_files(files: list[Path], root: Path, h: Any) -> None:
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")


@cache
def _shared_source_hash() -> str:
    """Hash of problems/, experiments/ and the rates modules that compute a verdict."""
    h = hashlib.sha256()
    for package in ("problems", "experiments"):
        root = _package_dir(package)
        _digest_files(list(root.rglob("*.py")), root.parent, h)
    rates_root = _package_dir("rates")
    _digest_files([rates_root / name for name in _RATES_FILES], rates_root.parent, h)
    return h.hexdigest()


def _claim_module_file(claim: Claim) -> Path | None:
    module = inspect.getmodule(claim.experiment)
    path = getattr(module, "__file__", None)
    return Path(path).resolve() if path else None


def _sibling_files(claim: Claim) -> list[Path]:
    """Other ``paper_checks`` modules the claim's module takes names from (shared helpers)."""
    module = inspect.getmodule(claim.experiment)
    if module is None:
        return []
    found: set[Path] = set()
    for value in vars(module).values():
        other = value if inspect.ismodule(value) else sys.modules.get(
            getattr(value, "__module__", None) or "")
        name = getattr(other, "__name__", "")
        path = getattr(other, "__file__", None)
        if other is not module and name.startswith("paper_checks.") and path:
            found.add(Path(path).resolve())
    return sorted(found)


def source_hash(claim: Claim) -> str:
    """The kernel source a verdict of ``claim`` depends on, as one hex digest."""
    h = hashlib.sha256(_shared_source_hash().encode())
    path = _claim_module_file(claim)
    for f in ([path] if path is not None else []) + _sibling_files(claim):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _versions() -> dict[str, str]:
    from rates.records import versions  # the same list the JSON records carry

    return {k: v for k, v in versions().items() if k != "rates"}


def key(claim: Claim, seed: int, overrides: Mapping[str, Any] | None = None,
        control: bool = True) -> str:
    """The cache key of a check: id, resolved parameters, seed, control, source, versions."""
    params = claim.resolve(overrides)
    payload = {
        "format": FORMAT,
        "claim": claim.id,
        "params": {name: repr(params[name]) for name in sorted(params)},
        "seed": int(seed),
        "control": bool(control),
        "source": source_hash(claim),
        "versions": _versions(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _entry(claim: Claim, digest: str, directory: Path) -> Path:
    return directory / claim.id / f"{digest}.pkl"


def load(path: Path, claim: Claim) -> Verdict | None:
    """The verdict stored at ``path``, or None when it is missing or unreadable."""
    try:
        with path.open("rb") as f:
            verdict = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or incompatible entry is just a miss
        return None
    if not isinstance(verdict, Verdict) or verdict.claim.id != claim.id:
        return None
    return replace(verdict, claim=claim)


def store(path: Path, verdict: Verdict) -> None:
    """Write ``verdict`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(verdict, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check(claim: Claim, seed: int = 0, overrides: Mapping[str, Any] | None = None,
          use_cache: bool = True,
          cache_dir_: str | os.PathLike[str] | None = None) -> tuple[Verdict, bool]:
    """``claim.check(seed, overrides)`` through the cache: (verdict, True when it was a hit)."""
    if not use_cache:
        return claim.check(seed=seed, overrides=overrides), False
    path = _entry(claim, key(claim, seed, overrides), cache_dir(cache_dir_))
    verdict = load(path, claim)
    if verdict is not None:
        return verdict, True
    verdict = claim.check(seed=seed, overrides=overrides)
    _store_or_warn(path, verdict)
    return verdict, False


def _store_or_warn(path: Path, verdict: Verdict) -> None:
    try:
        store(path, verdict)
    except (OSError, pickle.PicklingError, AttributeError, TypeError) as error:
        # a read-only disk, or a claim whose experiment is not a module-level function (a
        # lambda, a closure: pickle cannot name it), must not cost the result
        print(f"rates: could not write the results cache at {path}: {error}", file=sys.stderr)


def cached_check(claim: Claim, seed: int = 0, overrides: Mapping[str, Any] | None = None,
                 use_cache: bool = True,
                 cache_dir: str | os.PathLike[str] | None = None) -> Verdict:
    """The verdict of ``claim`` for ``seed`` and ``overrides``, from the cache when it is there."""
    return check(claim, seed, overrides, use_cache, cache_dir)[0]


def run_tasks_cached(tasks: Sequence[Task], executor: str = "threads", *, use_cache: bool = True,
                     cache_dir_: str | os.PathLike[str] | None = None,
                     workers: int | None = None, scheduler: str | None = None,
                     progress: Callable[[Task, Verdict], None] | None = None,
                     ) -> tuple[list[Verdict], int]:
    """Run tasks on ``executor`` through the cache: (verdicts in task order, number of hits).

    Look-ups and writes happen here, in the calling process, so the cache stays correct under
    every executor: workers only compute, and a task's key does not depend on where it runs.
    """
    from rates import registry

    tasks = list(tasks)
    verdicts: list[Verdict | None] = [None] * len(tasks)
    paths: list[Path | None] = [None] * len(tasks)
    if use_cache:
        directory = cache_dir(cache_dir_)
        for i, t in enumerate(tasks):
            claim = registry.get(t.claim_id)
            paths[i] = _entry(claim, key(claim, t.seed, dict(t.overrides), t.control), directory)
            verdicts[i] = load(paths[i], claim)
            if verdicts[i] is not None and progress:
                progress(t, verdicts[i])
    missing = [i for i, v in enumerate(verdicts) if v is None]
    fresh = run_tasks([tasks[i] for i in missing], executor, workers=workers,
                      scheduler=scheduler, progress=progress)
    for i, v in zip(missing, fresh, strict=True):
        verdicts[i] = v
        if paths[i] is not None:
            _store_or_warn(paths[i], v)
    return [v for v in verdicts if v is not None], len(tasks) - len(missing)
