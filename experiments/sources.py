"""Which of the project's source files a piece of code depends on, read statically.

Both caches key their entries on source: numba's compiled kernels (``experiments/__init__.py``)
and the results cache's verdicts (``rates/cache.py``).  Keying on *every* file voided every
kernel and every verdict on any edit; keying on the file that defines the code alone (numba's own
rule) served stale kernels after an edit to an oracle they call.  This module finds the files in
between, from the ``import`` statements (:mod:`ast`, nothing is imported or run):

* :func:`module_closure` — a module and every project module it imports, transitively (a numba
  kernel module: its oracles, fields, random streams, schedules);
* :func:`name_closure` — what ``from M import N`` really needs: the file where ``N`` is defined
  and the modules its definition refers to, so that ``from problems import quadratic`` depends on
  ``problems/quadratic.py``, not on every generator that ``problems/__init__.py`` re-exports, and
  ``from experiments.methods import Adam`` on Adam's kernel, not on the extragradient kernels.

Only the project's own packages count (:data:`PROJECT`, found under a root given by the
caller); imports of numpy, numba and the standard library are the library versions' business.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PROJECT = ("problems", "experiments", "rates", "paper_checks", "figures")
"""The top-level packages whose sources are followed."""


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_file(name: str, root: Path) -> Path | None:
    """The file of dotted module ``name`` under ``root`` (a package's ``__init__.py``)."""
    if not name or name.split(".")[0] not in PROJECT:
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    """The absolute module of a ``from ... import`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    if not path.is_relative_to(root):
        return ""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[:len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def _imports(path: Path, root: Path) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, attribute or None) for the module-level imports of ``path``."""
    found: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    found[a.asname] = (a.name, None)
                else:  # ``import a.b`` binds ``a``
                    found[a.name.split(".")[0]] = (a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path, root)
            for a in node.names:
                if a.name != "*":
                    found[a.asname or a.name] = (module, a.name)
    return found


def _definitions(path: Path) -> dict[str, list[ast.AST]]:
    """Top-level name -> the statements that bind it (def, class, assignment)."""
    found: dict[str, list[ast.AST]] = {}
    for node in _tree(path).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        found.setdefault(n.id, []).append(node)
    return found


def _names_in(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def module_closure(name: str, root: Path) -> frozenset[Path]:
    """The files of module ``name`` and of every module under ``root`` it imports, transitively."""
    seen: set[Path] = set()
    todo = [name]
    while todo:
        path = module_file(todo.pop(), root)
        if path is None or path in seen:
            continue
        seen.add(path)
        for module, attribute in _imports(path, root).values():
            todo.append(module)
            if attribute is not None:  # ``from pkg import submodule``
                todo.append(f"{module}.{attribute}")
    return frozenset(seen)


def file_closure(path: Path, root: Path) -> frozenset[Path]:
    """``path`` (any Python file, e.g. a claim module) and what each of its imports needs:
    :func:`name_closure` for ``from M import N``, :func:`module_closure` for ``import M``."""
    found = {path}
    for module, attribute in _imports(path, root).values():
        found |= (module_closure(module, root) if attribute is None
                  else name_closure(module, attribute, root))
    return frozenset(found)


def name_closure(module: str, name: str, root: Path) -> frozenset[Path]:
    """The files that ``from module import name`` depends on (see the module docstring).

    A submodule is its :func:`module_closure`; a name imported into ``module`` from elsewhere is
    followed there; a name defined in ``module`` is that file plus, for every name its
    definition uses, the same rule again (module aliases in full).
    """
    return frozenset(_name_closure(module, name, root, frozenset()))


def _name_closure(module: str, name: str, root: Path, visiting: frozenset) -> set[Path]:
    if (module, name) in visiting:
        return set()
    visiting = visiting | {(module, name)}
    if module_file(f"{module}.{name}", root) is not None:
        return set(module_closure(f"{module}.{name}", root))
    path = module_file(module, root)
    if path is None:
        return set()
    imports = _imports(path, root)
    if name in imports and name not in _definitions(path):
        target, attribute = imports[name]
        if attribute is None:
            return set(module_closure(target, root))
        return {path} | _name_closure(target, attribute, root, visiting)
    found = {path}
    definitions = _definitions(path)
    for used in _names_in(definitions.get(name, [])) - {name}:
        if used in definitions:
            found |= _name_closure(module, used, root, visiting)
        elif used in imports:
            target, attribute = imports[used]
            found |= (set(module_closure(target, root)) if attribute is None
                      else _name_closure(target, attribute, root, visiting))
    return found


def digest(files: Iterable[Path], root: Path) -> str:
    """One hex digest of the files' paths (relative to ``root``) and contents."""
    h = hashlib.sha256()
    for f in sorted(set(files)):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
