"""Planted bugs: realistic small edits to the project's code, and which claims must catch them.

A :class:`Bug` names a file, an exact text that occurs once in it, its replacement and why the
edit is realistic (a sign slip, an off-by-one in a schedule, a wrong point averaged, ...).  The
runner (``python -m rates.planted``) applies each bug to a temporary copy of the repository, runs
``rates check`` on the claims that should catch it, and reports which did: a verdict that does not
change under a planted bug is a claim without power.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Bug:
    """One planted bug: replace ``find`` (which occurs exactly once in ``file``) by ``replace``."""

    id: str
    file: str
    find: str
    replace: str
    why: str
    caught_by: tuple[str, ...]
    """Claim ids whose verdict (claim holds, control fails) must break under this bug."""


@dataclass(frozen=True)
class Result:
    """What ``rates check`` said of the claims under one planted bug."""

    bug: Bug
    statuses: dict[str, str]
    seconds: float
    error: str = ""

    @property
    def caught(self) -> bool:
        """The bug is caught when some claim it targets no longer holds with failing controls."""
        return bool(self.error) or any(s != "holds" for s in self.statuses.values())


CATALOGUE = Path(__file__).resolve().parent.parent / "planted_bugs"
"""The catalogue: one TOML file per family of code, a ``[[bug]]`` table per bug (data, not code:
the runner applies them as text edits)."""


def _read_toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    with path.open("rb") as f:
        return tomllib.load(f)


def load_bugs(families: list[str] | None = None, catalogue: Path = CATALOGUE) -> list[Bug]:
    """Every bug of the catalogue's ``<family>.toml`` files (or of the named families)."""
    files = {f.stem: f for f in sorted(catalogue.glob("*.toml"))}
    unknown = sorted(set(families or ()) - set(files))
    if unknown:
        raise ValueError(f"unknown planted-bug families {unknown}; known: {sorted(files)}")
    bugs: list[Bug] = []
    for name in families or sorted(files):
        for entry in _read_toml(files[name]).get("bug", []):
            try:
                bugs.append(Bug(**{**entry, "caught_by": tuple(entry["caught_by"])}))
            except (TypeError, KeyError) as e:
                raise ValueError(f"{files[name]}: bug {entry.get('id', '?')!r}: {e}") from None
    return bugs


def _copy_repository(root: Path, into: Path) -> None:
    """The files git knows (tracked and untracked, not ignored), copied under ``into``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                            check=True, capture_output=True, text=True).stdout.split("\n")
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def apply(bug: Bug, tree: Path) -> None:
    """Edit the copy: ``find`` must occur exactly once in the file."""
    path = tree / bug.file
    text = path.read_text()
    count = text.count(bug.find)
    if count != 1:
        raise ValueError(f"bug {bug.id}: the text to replace occurs {count} times in {bug.file}, "
                         f"not once")
    path.write_text(text.replace(bug.find, bug.replace))


def run(bug: Bug, root: Path, numba_cache: Path, seed: int = 0) -> Result:
    """Apply ``bug`` to a copy of the repository at ``root`` and run ``rates check`` there."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"planted-{bug.id}-") as tmp:
        tree = Path(tmp)
        _copy_repository(root, tree)
        apply(bug, tree)
        out = tree / "verdicts.json"
        env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(numba_cache),
               "RATES_CACHE_DIR": str(tree / ".rates-cache")}
        proc = subprocess.run([sys.executable, "-m", "rates.cli", "check", *bug.caught_by,
                               "--no-cache", "--seed", str(seed), "--json", str(out)],
                              cwd=tree, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if not out.exists():  # the bug broke the program itself: caught, loudly
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return Result(bug, {}, seconds, error=f"exit {proc.returncode}: {tail[0]}")
        records = json.loads(out.read_text())
        return Result(bug, {r["id"]: r["status"] for r in records}, seconds)


def main(argv: list[str] | None = None) -> int:
    """``python -m rates.planted [FAMILY ...] [--json PATH]``: run the planted-bug catalogue."""
    parser = argparse.ArgumentParser(prog="python -m rates.planted", description=main.__doc__)
    parser.add_argument("families", nargs="*",
                        help="catalogue files planted_bugs/FAMILY.toml (default: all)")
    parser.add_argument("--bug", action="append", default=[], help="only these bug ids")
    parser.add_argument("--json", help="write one record per bug to this path")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    bugs = [b for b in load_bugs(args.families or None) if not args.bug or b.id in args.bug]
    results = []
    with tempfile.TemporaryDirectory(prefix="planted-numba-") as cache:
        for bug in bugs:
            r = run(bug, root, Path(cache))
            results.append(r)
            flag = "caught" if r.caught else "MISSED"
            print(f"{flag:7s} {bug.id:40s} {r.seconds:6.1f} s  "
                  f"{r.error or ', '.join(f'{k}: {v}' for k, v in r.statuses.items())}",
                  flush=True)
    caught = sum(r.caught for r in results)
    print(f"{caught} of {len(results)} planted bugs caught by `rates check` alone")
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{"id": r.bug.id, "file": r.bug.file, "why": r.bug.why, "caught": r.caught,
              "statuses": r.statuses, "error": r.error, "seconds": round(r.seconds, 1)}
             for r in results], indent=2) + "\n")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
