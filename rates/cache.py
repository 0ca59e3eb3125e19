"""A results cache: a verdict is computed once per claim, parameters, seed and kernel source.

``rates check``, ``sweep``, ``figures`` and ``report`` all go through :func:`run_tasks_cached` (one
claim in Python: :func:`cached_check`), so a figure shows exactly the verdict that ``rates check``
computed, without running it again, as long as nothing that could change the result has changed.
The key is a SHA-256 of

* the claim id, its *resolved* parameters (defaults updated with the overrides, sorted by name,
  so the order of ``--set`` options does not matter and ``--set d=1000`` equals the default) and
  the seed;
* the kernel source: the contents of every ``.py`` file of ``problems/`` and ``experiments/``,
  of ``rates/fit.py``, ``claim.py``, ``measure.py``, ``bound.py``, ``spec.py`` and
  ``worst_case.py`` (what runs a Spec claim and its checks), of the claim's own ``paper_checks``
  module, and of any other ``paper_checks`` module it imports names from (shared helpers);
* the versions of Python, numpy, scipy, sympy and numba (a new numba may round differently).

**Plain data only.**  An entry is one ``.npz`` file, ``<cache dir>/<claim id>/<key>.npz``: the
arrays of the measurements, and a JSON record (in the archive, as a string array) of everything
else: the claim's and the controls' :class:`~rates.claim.Measurement` (trace, fit, value, SE,
target, bound, checks, extra, diverged_at, refused), the parameters, the seed and the seconds the
check took.  It is read with ``numpy.load(allow_pickle=False)`` and ``json``: nothing in an entry
can run code.  The (de)serialiser is generic over dataclass fields (a field added to
``Measurement``, ``Fit`` or ``Check`` is carried without edits); ``extra`` may hold nested dicts,
lists, tuples, numbers, strings, NumPy arrays and scalars, and sympy expressions are stored as
their expression tree.  A value of any other type is not stored (a warning; the verdict is still
returned), never pickled.

**Judged again on every load.**  The stored outcome is not trusted: the verdict is rebuilt by
the claim's own :meth:`~rates.claim.Claim.judge` on the stored measurements, with the current
tolerance, so an entry edited to a better-looking pass can only pass if its *measurement* passes.
An entry whose record does not match its key, claim, parameters or seed, or does not decode, is
a miss (with a warning) and is recomputed.

**A private directory.**  The cache directory is created with mode 0700; an existing one that
belongs to another user or that other users can write to is refused (:class:`UnsafeCacheError`),
since whoever can write an entry chooses the measurement that is shown.  Entries are written
atomically (a temporary file renamed into place), so concurrent runs and killed runs never leave
half a file.

The directory is ``--cache-dir``, else ``$RATES_CACHE_DIR``, else the platform's user cache
directory (``platformdirs.user_cache_dir("rates")``: ``~/.cache/rates`` on Linux), never the
working directory, so a cloned repository or a shared folder brings no entries with it.  Deleting
it is always safe.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import inspect
import json
import math
import os
import stat
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from experiments import sources
from rates.claim import Claim, Measurement, Verdict
from rates.executors import Task, run_tasks

ENV = "RATES_CACHE_DIR"
APP = "rates"
FORMAT = 2
"""Bumped when the layout of an entry changes, so old entries miss instead of failing.
(1: a pickle per entry; 2: plain data, ``.npz`` with a JSON record.)"""
SUFFIX = ".npz"
RECORD = "__record__"
MAX_ENTRY_BYTES = 1 << 30
"""An entry that would unpack to more than this is refused unread (a planted zip bomb)."""

_RATES_FILES = ("fit.py", "claim.py", "measure.py", "bound.py", "spec.py", "worst_case.py")
"""The modules of rates that compute a verdict (those that exist are hashed): a Spec claim's
experiment is rates/spec.py's code, so an edit there must recompute it."""


class UnsafeCacheError(OSError):
    """The cache directory cannot be used safely (another user's, or writable by others)."""


class Unstorable(TypeError):
    """A value the plain-data cache does not store (it would need pickle)."""


class Damaged(ValueError):
    """An entry that does not decode to what this module writes."""


def _warn(message: str) -> None:
    print(f"rates: warning: {message}", file=sys.stderr)


def default_dir() -> Path:
    """The platform's user cache directory for rates (``~/.cache/rates`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory: ``path``, else ``$RATES_CACHE_DIR``, else :func:`default_dir`."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV)
    return Path(env) if env else default_dir()


def _unsafe(path: Path, info: os.stat_result) -> str | None:
    """Why ``path`` (a directory or entry) may not be trusted, or None when it may."""
    if os.name != "posix":  # pragma: no cover - permissions differ on Windows
        return None
    if info.st_uid != os.getuid():
        return f"{path} belongs to another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"{path} is writable by other users (mode {stat.filemode(info.st_mode)}): an entry "
                f"planted there would be shown as a result")
    return None


def ensure_private(directory: str | os.PathLike[str]) -> Path:
    """Create the cache directory (mode 0700) or check that an existing one is private.

    Raises :class:`UnsafeCacheError` (an ``OSError``) with a one-line message saying what to do.
    """
    path = Path(directory)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError as error:
        raise UnsafeCacheError(f"cannot use {path} as the results cache: "
                               f"{error.strerror or error}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheError(f"the results cache {path} is not a directory")
    why = _unsafe(path, info)
    if why:
        raise UnsafeCacheError(f"refusing the results cache: {why}; run `chmod go-w {path}` or "
                               f"choose another with --cache-dir (or --no-cache)")
    return path


# --- the key ------------------------------------------------------------------------------------

def _package_dir(name: str) -> Path:
    module = sys.modules.get(name) or __import__(name)
    return Path(module.__file__).resolve().parent


def _digest_files(files: list[Path], root: Path, h: Any) -> None:
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")


def _project_root() -> Path:
    return _package_dir("rates").parent


@cache
def _verdict_source_files() -> frozenset[Path]:
    """The rates modules that compute every verdict (fit, judge, spec, bound, worst case)."""
    rates_root = _package_dir("rates")
    return frozenset(rates_root / name for name in _RATES_FILES if (rates_root / name).exists())


@cache
def _closure(path: Path) -> frozenset[Path]:
    """The project files a claim module depends on (experiments.sources.file_closure): the
    problem generators, methods and kernels it names, not every one in the package."""
    return sources.file_closure(path, _project_root())


def _claim_module(claim: Claim) -> Any:
    """The module that defines the claim (its registry source; else its experiment's module)."""
    from rates import registry

    found = registry.source(claim.id)
    if found is not None and found.module is not None and \
            registry.all_claims().get(claim.id) is claim:
        return found.module
    return inspect.getmodule(claim.experiment)


def _claim_module_file(claim: Claim) -> Path | None:
    module = _claim_module(claim)
    path = getattr(module, "__file__", None)
    return Path(path).resolve() if path else None


def _sibling_files(claim: Claim) -> list[Path]:
    """Other ``paper_checks`` modules the claim's module takes names from (shared helpers)."""
    module = _claim_module(claim)
    if module is None:
        return []
    found: set[Path] = set()
    for value in vars(module).values():
        other = value if inspect.ismodule(value) else sys.modules.get(
            getattr(value, "__module__", None) or "")
        name = getattr(other, "__name__", "")
        path = getattr(other, "__file__", None)
        if other is not module and path and name.startswith(("paper_checks.",
                                                              "rates_user_claims.")):
            found.add(Path(path).resolve())
    return sorted(found)


def source_hash(claim: Claim) -> str:
    """The source a verdict of ``claim`` depends on, as one hex digest: the rates modules that
    judge it, and the claim's module with what it imports (its problem, method and kernels,
    followed name by name; see experiments.sources).  Editing one method's kernel recomputes
    the claims that use it, not the whole catalogue."""
    root = _project_root()
    path = _claim_module_file(claim)
    claim_files = ([path] if path is not None else []) + _sibling_files(claim)
    inside = set(_verdict_source_files())
    for f in claim_files:
        inside |= {g for g in _closure(f) if g.is_relative_to(root)}
    h = hashlib.sha256(sources.digest(inside, root).encode())
    for f in claim_files:  # a user's claim file may lie outside the project
        if not f.is_relative_to(root):
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
    return directory / claim.id / f"{digest}{SUFFIX}"


# --- plain-data (de)serialisation ---------------------------------------------------------------

_ARRAY_KINDS = "biufcUS"  # bool, integers, floats, complex, fixed-width strings: no objects
_DATACLASS_MODULES = ("rates.",)
"""Dataclasses (and enums) are rebuilt only from these modules: a record names a class, and only
these are constructed from it."""


def _qualified(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _resolve_class(name: object) -> type:
    if not isinstance(name, str) or ":" not in name:
        raise Damaged(f"not a class name: {name!r}")
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(_DATACLASS_MODULES):
        raise Damaged(f"a class outside rates: {name!r}")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, type):
        raise Damaged(f"no such class: {name!r}")
    return obj


def _sympy_tree(e: sp.Basic) -> Any:
    """A sympy expression as nested lists: numbers, symbols (with assumptions), and classes."""
    if isinstance(e, sp.Symbol) and type(e) is sp.Symbol:
        return {"symbol": e.name, "assumptions": dict(sorted(e.assumptions0.items()))}
    if isinstance(e, sp.Integer):
        return {"int": int(e)}
    if isinstance(e, sp.Rational):
        return {"rational": [int(e.p), int(e.q)]}
    if isinstance(e, sp.Float):
        return {"float": _number(float(e))}
    name = type(e).__name__
    if not e.args:
        if getattr(sp.S, name, None) is not e:
            raise Unstorable(f"the sympy atom {e!r} ({name})")
        return {"singleton": name}
    if getattr(sp, name, None) is not type(e):
        raise Unstorable(f"the sympy expression {e} (its class {name} is not sympy's)")
    return {"class": name, "args": [_sympy_tree(a) for a in e.args]}


def _sympy_from(tree: Any) -> sp.Basic:
    if not isinstance(tree, dict):
        raise Damaged(f"not a sympy node: {tree!r}")
    if "symbol" in tree:
        name, assumptions = tree["symbol"], tree.get("assumptions", {})
        if not (isinstance(name, str) and isinstance(assumptions, dict) and all(
                isinstance(k, str) and isinstance(v, bool) for k, v in assumptions.items())):
            raise Damaged(f"a damaged symbol: {tree!r}")
        return sp.Symbol(name, **assumptions)
    if "int" in tree and type(tree["int"]) is int:
        return sp.Integer(tree["int"])
    if "rational" in tree:
        p, q = tree["rational"]
        if type(p) is not int or type(q) is not int or q == 0:
            raise Damaged(f"a damaged rational: {tree!r}")
        return sp.Rational(p, q)
    if "float" in tree:
        return sp.Float(_number_from(tree["float"]))
    if "singleton" in tree:
        value = getattr(sp.S, str(tree["singleton"]), None)
        if not isinstance(value, sp.Basic):
            raise Damaged(f"no sympy singleton {tree['singleton']!r}")
        return value
    cls = getattr(sp, str(tree.get("class")), None)
    if not (isinstance(cls, type) and issubclass(cls, sp.Basic)) or not isinstance(
            tree.get("args"), list):
        raise Damaged(f"not a sympy class: {tree.get('class')!r}")
    return cls(*[_sympy_from(a) for a in tree["args"]])


def _number(x: float) -> Any:
    return x if math.isfinite(x) else {"$float": repr(x)}  # JSON has no NaN or infinity


def _number_from(v: Any) -> float:
    if isinstance(v, dict) and v.get("$float") in ("nan", "inf", "-inf"):
        return float(v["$float"])
    if type(v) in (int, float):
        return float(v)
    raise Damaged(f"not a number: {v!r}")


class _Encoder:
    """Values -> JSON-able trees; NumPy arrays go to ``arrays`` and are named in the tree."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, a: np.ndarray) -> str:
        if a.dtype.kind not in _ARRAY_KINDS or a.dtype.hasobject:
            raise Unstorable(f"a NumPy array of dtype {a.dtype}")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = a
        return name

    def __call__(self, v: Any) -> Any:
        if v is None or type(v) is bool:
            return v
        if isinstance(v, np.generic):  # before float: np.float64 is a float
            return {"$scalar": self._array(np.asarray(v))}
        if isinstance(v, np.ndarray):
            return {"$array": self._array(v)}
        if isinstance(v, enum.Enum):  # before str: a str-valued enum is a str
            if not type(v).__module__.startswith(_DATACLASS_MODULES):
                raise Unstorable(f"the enum {type(v).__qualname__}")
            return {"$enum": _qualified(type(v)), "value": self(v.value)}
        if type(v) is int or type(v) is str:
            return v
        if type(v) is float:
            return _number(v)
        if isinstance(v, list):
            return [self(x) for x in v]
        if isinstance(v, tuple):
            return {"$tuple": [self(x) for x in v]}
        if isinstance(v, dict):
            if all(type(k) is str for k in v):
                return {"$dict": {k: self(x) for k, x in v.items()}}
            return {"$items": [[self(k), self(x)] for k, x in v.items()]}
        if isinstance(v, sp.Basic):
            return {"$sympy": _sympy_tree(v)}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            cls = type(v)
            if not cls.__module__.startswith(_DATACLASS_MODULES):
                raise Unstorable(f"the dataclass {cls.__qualname__} from {cls.__module__}")
            return {"$dataclass": _qualified(cls),
                    "fields": {f.name: self(getattr(v, f.name))
                               for f in dataclasses.fields(v) if f.init}}
        raise Unstorable(f"a value of type {type(v).__qualname__}")


class _Decoder:
    """The inverse of :class:`_Encoder`; anything it did not write raises :class:`Damaged`."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays = arrays

    def _array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise Damaged(f"no array {name!r} in the entry")
        return self.arrays[name]

    def __call__(self, v: Any) -> Any:
        if v is None or type(v) in (bool, int, float, str):
            return v
        if type(v) is list:
            return [self(x) for x in v]
        if type(v) is not dict or len(v) < 1:
            raise Damaged(f"an unexpected value {v!r}")
        tag = next(iter(v))
        body = v[tag]
        if tag == "$float":
            return _number_from(v)
        if tag == "$array":
            return self._array(body)
        if tag == "$scalar":
            a = self._array(body)
            if a.ndim != 0:
                raise Damaged("a scalar stored as an array")
            return a[()]
        if tag == "$tuple" and type(body) is list:
            return tuple(self(x) for x in body)
        if tag == "$dict" and type(body) is dict:
            return {k: self(x) for k, x in body.items()}
        if tag == "$items" and type(body) is list:
            return {self(k): self(x) for k, x in body}
        if tag == "$sympy":
            return _sympy_from(body)
        if tag == "$enum":
            cls = _resolve_class(body)
            if not issubclass(cls, enum.Enum):
                raise Damaged(f"{body!r} is not an enum")
            return cls(self(v.get("value")))
        if tag == "$dataclass":
            cls = _resolve_class(body)
            fields = v.get("fields")
            if not dataclasses.is_dataclass(cls) or type(fields) is not dict:
                raise Damaged(f"{body!r} is not a dataclass")
            names = {f.name for f in dataclasses.fields(cls) if f.init}
            if set(fields) != names:
                raise Damaged(f"{cls.__qualname__} has the fields {sorted(names)}, the entry "
                              f"{sorted(fields)}")
            return cls(**{name: self(x) for name, x in fields.items()})
        raise Damaged(f"an unknown tag {tag!r}")


def encode(record: Any) -> tuple[str, dict[str, np.ndarray]]:
    """``record`` as (JSON text, arrays); raises :class:`Unstorable` for what it cannot hold."""
    encoder = _Encoder()
    tree = encoder(record)
    return json.dumps(tree, allow_nan=False, separators=(",", ":")), encoder.arrays


def decode(text: str, arrays: Mapping[str, np.ndarray]) -> Any:
    """The inverse of :func:`encode`; raises :class:`Damaged` for what it did not write."""
    try:
        tree = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise Damaged(f"the record is not JSON: {error}") from None
    return _Decoder(arrays)(tree)


def _refuse_constant(name: str) -> Any:
    raise Damaged(f"the record holds {name}, which this module never writes")


# --- entries ------------------------------------------------------------------------------------

def _record(verdict: Verdict, digest: str) -> dict[str, Any]:
    return {
        "format": FORMAT, "key": digest, "claim": verdict.claim.id,
        "params": verdict.params, "seed": verdict.seed, "seconds": float(verdict.seconds),
        "measurement": verdict.outcome.measurement,
        "control": None if verdict.control is None else verdict.control.measurement,
        "more_controls": [o.measurement for o in verdict.more_controls],
    }


def store(path: Path, verdict: Verdict) -> None:
    """Write ``verdict``'s measurements to ``path`` atomically, as plain data.

    Raises :class:`Unstorable` when a measurement holds a value that is not plain data (nothing
    is written then) and ``OSError`` when the disk refuses.
    """
    text, arrays = encode(_record(verdict, path.stem))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **{RECORD: np.array(text)}, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    why = _unsafe(path, path.stat())
    if why:
        raise Damaged(why)
    with zipfile.ZipFile(path) as z:
        size = sum(info.file_size for info in z.infolist())
    if size > MAX_ENTRY_BYTES:
        raise Damaged(f"it would unpack to {size} bytes")
    with np.load(path, allow_pickle=False) as z:
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise Damaged("not an .npz archive")
        arrays = {name: z[name] for name in z.files}
    text = arrays.pop(RECORD, None)
    if text is None or text.dtype.kind != "U" or text.ndim != 0:
        raise Damaged("no record in the archive")
    return str(text[()]), arrays


def load(path: Path, claim: Claim, params: Mapping[str, Any] | None = None,
         seed: int | None = None, control: bool | None = None) -> Verdict | None:
    """The verdict stored at ``path``, judged again by ``claim``; None when missing or damaged.

    ``params``, ``seed`` and ``control`` are what the entry must hold (the key was made from
    them); a record that disagrees is damaged.  A damaged entry is reported on stderr.
    """
    try:
        text, arrays = _read(path)
    except FileNotFoundError:
        return None
    except Exception as error:  # not an archive, unsafe, unreadable: a miss
        _warn(f"ignoring the results cache entry {path}: {error}")
        return None
    try:
        return _verdict(decode(text, arrays), claim, path.stem, params, seed, control)
    except Exception as error:  # Damaged, or the claim's constructors refusing the data
        _warn(f"ignoring the results cache entry {path}: {error}")
        return None


def _verdict(record: Any, claim: Claim, digest: str, params: Mapping[str, Any] | None,
             seed: int | None, control: bool | None) -> Verdict:
    if type(record) is not dict:
        raise Damaged("the record is not a mapping")
    expected = {"format": FORMAT, "key": digest, "claim": claim.id}
    for name, value in expected.items():
        if record.get(name) != value:
            raise Damaged(f"its {name} is {record.get(name)!r}, expected {value!r}")
    if params is not None and record.get("params") != dict(params):
        raise Damaged("its parameters are not those of its key")
    if seed is not None and record.get("seed") != int(seed):
        raise Damaged("its seed is not that of its key")
    m, cm, more = record.get("measurement"), record.get("control"), record.get("more_controls")
    if not isinstance(m, Measurement) or not (cm is None or isinstance(cm, Measurement)) or (
            type(more) is not list or not all(isinstance(x, Measurement) for x in more)):
        raise Damaged("it holds no measurement")
    if len(more) != (len(claim.more_controls) if cm is not None else 0):
        raise Damaged(f"it holds {len(more)} further controls, the claim has "
                      f"{len(claim.more_controls)}")
    if control is not None and control != (cm is not None):
        raise Damaged("its control does not match its key")
    seconds = record.get("seconds")
    if type(seconds) is not float or not (math.isfinite(seconds) and seconds >= 0):
        raise Damaged(f"a damaged time {seconds!r}")
    if type(record.get("seed")) is not int or type(record.get("params")) is not dict:
        raise Damaged("a damaged seed or parameters")
    stated = m.stated()  # from the stored bound or target, as Claim.check does
    return Verdict(claim=claim, params=record["params"], seed=record["seed"], stated=stated,
                   outcome=claim.judge(m, stated),
                   control=None if cm is None else claim.judge(cm, stated),
                   more_controls=[claim.judge(x, stated) for x in more], seconds=seconds)


def _store_or_warn(path: Path, verdict: Verdict) -> None:
    try:
        store(path, verdict)
    except Unstorable as error:
        _warn(f"not cached ({verdict.claim.id}): its measurement holds {error}, which the "
              f"plain-data cache does not store")
    except OSError as error:
        _warn(f"could not write the results cache at {path}: {error}")


def check(claim: Claim, seed: int = 0, overrides: Mapping[str, Any] | None = None,
          use_cache: bool = True,
          cache_dir_: str | os.PathLike[str] | None = None) -> tuple[Verdict, bool]:
    """``claim.check(seed, overrides)`` through the cache: (verdict, True when it was a hit)."""
    if not use_cache:
        return claim.check(seed=seed, overrides=overrides), False
    path = _entry(claim, key(claim, seed, overrides), ensure_private(cache_dir(cache_dir_)))
    verdict = load(path, claim, claim.resolve(overrides), seed, True)
    if verdict is not None:
        return verdict, True
    verdict = claim.check(seed=seed, overrides=overrides)
    _store_or_warn(path, verdict)
    return verdict, False


def cached_check(claim: Claim, seed: int = 0, overrides: Mapping[str, Any] | None = None,
                 use_cache: bool = True,
                 cache_dir: str | os.PathLike[str] | None = None) -> Verdict:
    """The verdict of ``claim`` for ``seed`` and ``overrides``, from the cache when it is there."""
    return check(claim, seed, overrides, use_cache, cache_dir)[0]


def run_tasks_cached(tasks: Sequence[Task], executor: str = "local", *, use_cache: bool = True,
                     cache_dir_: str | os.PathLike[str] | None = None,
                     workers: int | None = None, scheduler: str | None = None,
                     progress: Callable[[Task, Verdict], None] | None = None,
                     before_run: Callable[[list[Task]], None] | None = None,
                     ) -> tuple[list[Verdict], int]:
    """Run tasks on ``executor`` through the cache: (verdicts in task order, number of hits).

    Look-ups and writes happen here, in the calling process, so the cache stays correct under
    every executor: workers only compute, and a task's key does not depend on where it runs.
    Each verdict is stored as soon as its task finishes, before the next one is awaited: a run
    that stops early (Ctrl-C, a crash, a task that raises) keeps every finished task, and running
    it again resumes where it stopped.  ``before_run(missing)`` is called with the tasks not in
    the cache before any of them runs (the command checks its budget there).
    """
    from rates import registry

    tasks = list(tasks)
    verdicts: list[Verdict | None] = [None] * len(tasks)
    paths: dict[Task, Path] = {}
    if use_cache:
        directory = ensure_private(cache_dir(cache_dir_))
        for i, t in enumerate(tasks):
            claim = registry.get(t.claim_id)
            overrides = dict(t.overrides)
            paths[t] = _entry(claim, key(claim, t.seed, overrides, t.control), directory)
            verdicts[i] = load(paths[t], claim, claim.resolve(overrides), t.seed, t.control)
            if verdicts[i] is not None and progress:
                progress(t, verdicts[i])
    missing = [i for i, v in enumerate(verdicts) if v is None]
    if before_run is not None:
        before_run([tasks[i] for i in missing])

    def finished(task: Task, verdict: Verdict) -> None:
        if task in paths:
            _store_or_warn(paths[task], verdict)
        if progress:
            progress(task, verdict)

    fresh = run_tasks([tasks[i] for i in missing], executor, workers=workers,
                      scheduler=scheduler, progress=finished)
    for i, v in zip(missing, fresh, strict=True):
        verdicts[i] = v
    return [v for v in verdicts if v is not None], len(tasks) - len(missing)
