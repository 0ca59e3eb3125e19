"""Claim discovery: the catalogue, installed packages, and a user's own files.

Claims come from three places, in this order:

1. the catalogue: every module of ``paper_checks`` that defines ``CLAIMS`` (a list) or ``CLAIM``
   (one claim);
2. installed packages, through the ``rates.claims`` entry-point group: each entry point names a
   module (read like a catalogue module) or a callable that returns a claim or an iterable of
   claims, e.g. in the package's ``pyproject.toml``::

       [project.entry-points."rates.claims"]
       my-claims = "my_package.claims"

3. user paths (``rates check --claims PATH``): a ``.py`` file, or a folder whose ``.py`` files
   (not ``test_*`` or ``_*``) are each read like a catalogue module.  The paths are also kept in
   the environment variable :data:`ENV` (joined by ``os.pathsep``), so that worker processes (the
   ``processes`` and ``dask`` executors spawn them) find the same claims by id.

A user's file is imported by path (:mod:`importlib.util`) as a module named
``rates_user_claims.<stem>_<digest of the path>``, so two files of the same name do not collide.
Every error in it (a syntax error, an exception at import such as a claim whose law contradicts
its bound, a duplicate or malformed id, an object that is not a claim) is a one-line
:class:`ValueError` naming the file and, where there is one, the claim.

This is the only place where ``rates`` touches ``paper_checks``.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import re
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from rates.claim import Claim

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ENV = "RATES_CLAIMS"
"""Environment variable holding the user claim paths (``os.pathsep``-separated)."""
ENTRY_POINT_GROUP = "rates.claims"
USER_PACKAGE = "rates_user_claims"


@dataclass(frozen=True)
class Source:
    """Where a claim was found: a description for messages, and its module (for the cache)."""

    where: str
    module: ModuleType | None


_SOURCES: dict[str, Source] = {}


def _claims_of(module: ModuleType) -> list[Any]:
    one = getattr(module, "CLAIM", None)
    many = getattr(module, "CLAIMS", None)
    if many is not None:
        return list(many)
    return [one] if one is not None else []


def _add(found: dict[str, Claim], sources: dict[str, Source], claim: Any, source: Source) -> None:
    if not isinstance(claim, Claim):
        raise ValueError(f"{source.where}: {type(claim).__name__} {claim!r:.60} is not a "
                         f"rates.claim.Claim")
    if not _ID.match(claim.id):
        raise ValueError(f"{source.where}: claim id {claim.id!r} is not kebab-case "
                         f"(lower-case letters and digits joined by '-')")
    if claim.id in found:
        raise ValueError(f"{source.where}: claim id {claim.id!r} is already registered by "
                         f"{sources[claim.id].where}")
    found[claim.id] = claim
    sources[claim.id] = source


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _module_name(path: Path) -> str:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", path.stem)
    return f"{USER_PACKAGE}.{stem}_{digest}"


def _import_file(path: Path) -> ModuleType:
    """Import a user's ``.py`` file by path; any error is a ValueError naming the file."""
    name = _module_name(path)
    if name in sys.modules:
        return sys.modules[name]
    if USER_PACKAGE not in sys.modules:
        sys.modules[USER_PACKAGE] = ModuleType(USER_PACKAGE)  # a namespace for user modules
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before executing: dataclasses and pickling look it up
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        del sys.modules[name]
        raise ValueError(f"{path}:{e.lineno}: syntax error: {e.msg}") from None
    except Exception as e:  # the user's code: any exception at import is their error
        del sys.modules[name]
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)]
        line = f":{frames[-1].lineno}" if frames else ""
        raise ValueError(f"{path}{line}: {type(e).__name__}: {_one_line(e)}") from None
    return module


def user_files(path: str | os.PathLike[str]) -> list[Path]:
    """The ``.py`` files a ``--claims`` path names: the file, or a folder's files (sorted)."""
    p = Path(path).expanduser().resolve()
    if p.is_dir():
        files = sorted(f for f in p.glob("*.py")
                       if not f.name.startswith(("test_", "_")))
        if not files:
            raise ValueError(f"--claims {path}: the folder holds no claim files (*.py)")
        return files
    if not p.exists():
        raise ValueError(f"--claims {path}: no such file or folder")
    if p.suffix != ".py":
        raise ValueError(f"--claims {path}: give a .py file or a folder of them")
    return [p]


def _from_entry_points(found: dict[str, Claim], sources: dict[str, Source]) -> None:
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
                     key=lambda e: e.name):
        where = f"entry point {ep.name!r} ({ep.value})"
        try:
            obj = ep.load()
            if isinstance(obj, ModuleType):
                module: ModuleType | None = obj
                claims = _claims_of(obj)
            else:
                module = sys.modules.get(getattr(obj, "__module__", "") or "")
                made = obj()
                claims = [made] if isinstance(made, Claim) else list(made)
        except Exception as e:  # a broken package: named, one line
            raise ValueError(f"{where}: {type(e).__name__}: {_one_line(e)}") from None
        for claim in claims:
            _add(found, sources, claim, Source(where, module))


def _paths_from_env() -> tuple[str, ...]:
    return tuple(p for p in os.environ.get(ENV, "").split(os.pathsep) if p)


@cache
def _discover(paths: tuple[str, ...]) -> tuple[dict[str, Claim], dict[str, Source]]:
    found: dict[str, Claim] = {}
    sources: dict[str, Source] = {}
    package = importlib.import_module("paper_checks")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("test_") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"paper_checks.{info.name}")
        for claim in _claims_of(module):
            _add(found, sources, claim, Source(f"paper_checks/{info.name}.py", module))
    _from_entry_points(found, sources)
    files = [f for path in paths for f in user_files(path)]
    for file in dict.fromkeys(files):  # a file named twice (itself and its folder) counts once
        module = _import_file(file)
        claims = _claims_of(module)
        if not claims:
            raise ValueError(f"{file}: defines neither CLAIM nor CLAIMS")
        for claim in claims:
            _add(found, sources, claim, Source(str(file), module))
    return found, sources


def all_claims() -> dict[str, Claim]:
    """Every registered claim by id: the catalogue, then entry points, then user paths."""
    found, sources = _discover(_paths_from_env())
    _SOURCES.update(sources)
    return found


def use_paths(paths: Sequence[str | os.PathLike[str]]) -> dict[str, Claim]:
    """Add user claim paths (files or folders) to discovery, here and in worker processes.

    The paths are resolved and kept in :data:`ENV`; the claims are imported at once, so an
    error in a user's file (a ValueError naming it) surfaces before anything runs.  Returns the
    claims found in ``paths`` by id.
    """
    resolved: list[str] = []
    for p in paths:
        user_files(p)  # refuses a missing path or a non-.py file, naming it
        resolved.append(str(Path(p).expanduser().resolve()))
    before = _paths_from_env()
    merged = before + tuple(p for p in resolved if p not in before)
    _discover(merged)  # raises before the environment is changed
    os.environ[ENV] = os.pathsep.join(merged)
    claims = all_claims()
    files = {str(f) for p in resolved for f in user_files(p)}
    return {i: c for i, c in claims.items() if _SOURCES[i].where in files}


def source(claim_id: str) -> Source | None:
    """Where a registered claim was found (None for a claim that was never registered)."""
    all_claims()
    return _SOURCES.get(claim_id)


def get(claim_id: str) -> Claim:
    claims = all_claims()
    if claim_id not in claims:
        near = difflib.get_close_matches(claim_id, list(claims), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"unknown claim id {claim_id!r}{hint} (`rates list` shows them all; "
                       f"a claim of your own needs --claims PATH)")
    return claims[claim_id]

