"""The ``rates`` command: list, show, check and explain claims; draw figures and the report.

Exit statuses (also in ``rates --help``): 0 every check holds and every control fails; 1 a claim
failed or a control held; 2 a usage error (a bad option or value, a request above the budget);
3 nothing failed but something is undecided; 4 an environment error (I/O, the results cache, a
Dask scheduler, memory); 130 interrupted (Ctrl-C), with every finished task kept in the results
cache.  Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rates import registry
from rates.claim import Claim, Verdict
from rates.executors import ALIASES, EXECUTORS, MAX_SEED, Task
from rates.records import control_text, record, verdict_text

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNDECIDED = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130

EXIT_STATUSES = """exit status:
  0    every check holds and every control fails
  1    a claim failed, or a control held (the check cannot fail)
  2    usage: a bad option or value, or a run above the budget without --force
  3    undecided: nothing failed, but a claim's or a control's CI straddles a boundary of
       the accepted interval (or it had too few runs); --until-decided adds runs
  4    environment: I/O, the results cache, the Dask scheduler, out of memory
  130  interrupted (Ctrl-C); finished tasks stay in the results cache, so running the
       same command again resumes where it stopped

budget: before running, check/sweep/figures/report estimate each task not in the cache
(run-steps x dimension, memory) from its parameters and refuse above
{budget} (--force runs anyway); at most {tasks} tasks."""


class UsageError(Exception):
    """A mistake on the command line: printed as one line, exit status 2."""


class EnvironmentFailure(Exception):
    """The machine refused (I/O, the cache, a scheduler, memory): one line, exit status 4."""


class Interrupted(Exception):
    """Ctrl-C: one line saying what was kept, exit status 130."""


def _select(ids: Sequence[str]) -> list[Claim]:
    if not ids:
        return list(registry.all_claims().values())
    try:
        return [registry.get(i) for i in ids]
    except KeyError as e:
        raise UsageError(e.args[0]) from None


def parse_sets(claims: Sequence[Claim], sets: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``NAME=VALUE`` strings -> per-claim overrides, parsed by each claim's own parameter."""
    per_claim: dict[str, dict[str, Any]] = {c.id: {} for c in claims}
    for item in sets:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set takes NAME=VALUE, got {item!r}")
        owners = [c for c in claims if name in c.parameter_map]
        if not owners:
            known = sorted({p.name for c in claims for p in c.parameters})
            raise UsageError(f"unknown parameter {name!r} for the selected claims; "
                             f"known: {', '.join(known)}")
        for c in owners:
            try:
                per_claim[c.id][name] = c.parameter_map[name].parse(text)
            except ValueError as e:
                raise UsageError(f"{c.id}: {e}") from None
    return per_claim


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    table = Table(title="claims", show_lines=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("paper")
    table.add_column("statement")
    for c in registry.all_claims().values():
        table.add_row(c.id, f"{c.paper.authors} {c.paper.year} ({c.paper.theorem})", c.title)
    console.print(table)
    return 0


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    c = _select([args.id])[0]
    console.print(f"[bold]{c.id}[/bold] — {c.title}")
    console.print(f"paper:      {c.paper.cite()}")
    if c.paper.url:
        console.print(f"            {c.paper.url}")
    console.print("statement:  " + textwrap.fill(c.statement, 88, subsequent_indent=" " * 12))
    console.print(f"math:       {c.math}", markup=False)
    console.print(f"assertion:  {c.mode.value}, {c.law} rate; tolerance -{c.tolerance.below:g} "
                  f"/ +{c.tolerance.above:g}" + (" SE" if c.tolerance.se_units else "")
                  + (" (accepted outside that interval)" if c.tolerance.outside else ""))
    console.print(f"            why: {c.tolerance.reason}")
    console.print(f"control:    {c.control.description} "
                  f"({', '.join(f'{k}={v}' for k, v in c.control.overrides.items())})")
    table = Table(title="parameters (--set NAME=VALUE)")
    for col in ("name", "default", "accepted", "meaning"):
        table.add_column(col)
    for p in c.parameters:
        table.add_row(p.name, str(p.default), p.accepted(), p.help)
    console.print(table)
    return 0


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def verdict_table(verdicts: Sequence[Verdict]) -> Table:
    table = Table(title="verdicts")
    for col in ("claim", "mode", "stated", "measured", "95% CI", "verdict", "control", "s"):
        table.add_column(col, justify="right" if col in ("stated", "measured", "s") else "left",
                         no_wrap=col in ("claim", "95% CI"))
    for v in verdicts:
        m = v.outcome.measurement
        ci = m.ci
        verdict = verdict_text(v)
        if not v.passed:
            verdict += ": " + "; ".join(v.outcome.reasons)
        colour = {"holds": "green", "fails": "red", "undecided": "yellow"}[v.outcome.verdict]
        table.add_row(
            v.claim.id, v.claim.mode.value, _fmt(v.stated), _fmt(m.measured),
            "—" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]",
            f"[{colour}]{verdict}[/{colour}]",
            control_text(v) if v.control_failed else f"[red]{control_text(v)}[/red]",
            f"{v.seconds:.1f}")
    return table


def _interrupt_in(error: BaseException) -> bool:
    """True when ``error`` is, or was raised while handling, a KeyboardInterrupt.

    A Ctrl-C that lands inside a C extension (numba's runtime, numpy) can surface as a
    ``SystemError`` ("returned a result with an exception set") chained to the interrupt.
    """
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def validate(tasks: Sequence[Task]) -> None:
    """Resolve every task's parameters (and its control's) before anything runs.

    A point of a grid that a claim's parameters reject stops the command here, not after the
    points before it have run.
    """
    for t in tasks:
        claim = registry.get(t.claim_id)
        try:
            params = claim.resolve(dict(t.overrides))
            for c in (claim.control, *claim.more_controls) if t.control else ():
                claim.resolve({**params, **c.overrides})
        except ValueError as e:
            raise UsageError(f"{t.claim_id} at {_point(t)}: {e}") from None


def check_budget(tasks: Sequence[Task], force: bool = False) -> None:
    """Refuse (a UsageError) when the tasks' estimated cost is over the budget, unless forced.

    The work of all tasks adds up (each with its control); memory is the largest single one.
    """
    from rates import budget

    work, worst = 0.0, (0.0, 0.0, None)
    for t in tasks:
        claim = registry.get(t.claim_id)
        params = claim.resolve(dict(t.overrides))
        runs = [params] + [claim.resolve({**params, **c.overrides})
                           for c in ((claim.control, *claim.more_controls) if t.control else ())]
        for p in runs:
            w, m = claim.cost(p)
            work += w
            if (m, w) > worst[:2]:
                worst = (m, w, t)
    memory, _, largest = worst
    if force or (work <= budget.WORK_BUDGET and memory <= budget.MEMORY_BUDGET):
        return
    where = f"; the largest is {largest.claim_id} at {_point(largest)}" if largest else ""
    raise UsageError(f"this would take about {work:.2g} run-steps x dimension in all and "
                     f"{budget.describe_bytes(memory)} for the largest check ({len(tasks)} task(s) "
                     f"to run{where}), over the budget of "
                     f"{budget.budget_text()}; lower runs/horizon/sizes, or pass --force to "
                     f"run it anyway")


def _point(t: Task) -> str:
    changed = ", ".join(f"{k}={v}" for k, v in t.overrides)
    return f"seed {t.seed}" + (f" with {changed}" if changed else "")


def _run(args: argparse.Namespace, console: Console, tasks: list[Task]) -> list[Verdict]:
    """Run tasks on the chosen executor, through the results cache, with a progress bar.

    Each task is stored in the cache as it finishes; an interrupt or an error on one task says
    how many finished (and are kept) and how to resume.
    """
    from rates import cache

    if len(tasks) > _max_tasks():
        raise UsageError(f"{len(tasks)} tasks is more than the {_max_tasks()} one command runs")
    validate(tasks)
    use_cache = not args.no_cache
    if use_cache:
        cache.ensure_private(cache.cache_dir(args.cache_dir))  # refused before anything runs
    finished = 0

    def kept(then: str = "run the same command to resume") -> str:
        if not finished:
            return "no task had finished"
        if not use_cache:
            return f"{finished} of {len(tasks)} tasks had finished (--no-cache: none kept)"
        return (f"{finished} of {len(tasks)} tasks had finished and are kept in the results "
                f"cache ({cache.cache_dir(args.cache_dir)}): {then}")

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeElapsedColumn(), console=console, transient=True) as bar:
        job = bar.add_task(f"checking on {args.executor}", total=len(tasks))

        def advance(task: Task, verdict: Verdict) -> None:
            nonlocal finished
            finished += 1
            bar.update(job, advance=1, description=f"done {task.claim_id} (seed {task.seed})")

        try:
            verdicts, hits = cache.run_tasks_cached(
                tasks, args.executor, use_cache=use_cache, cache_dir_=args.cache_dir,
                workers=args.workers, scheduler=args.scheduler, progress=advance,
                before_run=lambda missing: check_budget(missing, force=args.force))
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted: {kept()}") from None
        except SystemError as e:
            if _interrupt_in(e):
                raise Interrupted(f"interrupted: {kept()}") from None
            raise
        except ValueError as e:  # e.g. an override that a generator rejects
            then = "change that point and run again: finished tasks are not recomputed"
            raise UsageError(f"{e} ({kept(then)})") from None
        except MemoryError as e:
            raise EnvironmentFailure(f"out of memory: {_line(e)} ({kept()})") from None
        except OSError as e:
            raise EnvironmentFailure(f"{_line(e)} ({kept()})") from None
        except BrokenExecutor as e:  # a pool worker died (killed: out of memory?)
            raise EnvironmentFailure(f"{type(e).__name__}: {_line(e)} ({kept()})") from None
        except RuntimeError as e:  # an experiment that gave up (e.g. no zero found): as before
            raise UsageError(f"{_line(e)} ({kept()})") from None
    if hits:
        console.print(f"{hits} of {len(tasks)} verdicts from the results cache "
                      f"({cache.cache_dir(args.cache_dir)}; --no-cache recomputes)",
                      highlight=False)
    return verdicts


def _max_tasks() -> int:
    from rates import budget

    return budget.MAX_TASKS


def _line(e: BaseException) -> str:
    """An exception as one line (numpy's MemoryError spans several)."""
    text = " ".join(str(e).split())
    return text or type(e).__name__


def probe_file(text: str, option: str) -> Path:
    """Check before computing that ``text`` names a file that can be written (dirs created)."""
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"{option} {text} is a directory; give the name of a file")
    _probe_dir(path.parent, option, text)
    if path.exists() and not os.access(path, os.W_OK):
        raise EnvironmentFailure(f"{option} {text}: the file is not writable")
    return path


def probe_dir(text: str, option: str) -> Path:
    """Check before computing that ``text`` is (or can be made) a writable directory."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {text} is a file; give a directory")
    _probe_dir(path, option, text)
    return path


def _probe_dir(path: Path, option: str, text: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"{option} {text}: a part of the path is a file, not a "
                         f"directory") from None
    except OSError as e:
        raise EnvironmentFailure(f"{option} {text}: cannot create {path}: "
                                 f"{e.strerror or e}") from None
    try:
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".rates-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise EnvironmentFailure(f"{option} {text}: cannot write in {path}: "
                                 f"{e.strerror or e}") from None


def _checked(args: argparse.Namespace, console: Console) -> list[Verdict]:
    claims = _select(args.ids)
    overrides = parse_sets(claims, args.set or [])
    return _run(args, console, [Task.make(c.id, args.seed, overrides[c.id]) for c in claims])


def default_out(args: argparse.Namespace) -> str:
    """``figures`` for the whole default catalogue; ``figures/custom`` for a subset or overrides.

    So that ``rates figures ID --set ...`` never overwrites the catalogue's own figures.
    """
    if args.out is not None:
        return args.out
    return "figures" if not (args.ids or args.set or args.seed) else "figures/custom"


def cmd_figures(args: argparse.Namespace, console: Console) -> int:
    from figures import layout  # figures imports rates, never the other way at import time

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"png", "pdf", "svg"})
    if unknown or not formats:
        raise UsageError(f"--format takes a comma-separated list of png, pdf, svg; "
                         f"got {args.format!r}")
    out = probe_dir(default_out(args), "--out")
    verdicts = _checked(args, console)
    for v in verdicts:
        paths = _io(lambda v=v: layout.save(v, out, formats=formats))
        console.print(f"{v.claim.id}: {v.status} -> "
                      f"{', '.join(str(p) for p in paths)}", highlight=False)
    return 0


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from figures import layout, report

    out = probe_dir(default_out(args), "--out")
    verdicts = _checked(args, console)
    for v in verdicts:
        _io(lambda v=v: layout.save(v, out, formats=("png",)))
    html_path, md_path = _io(lambda: report.write(verdicts, out))
    console.print(verdict_table(verdicts))
    console.print(f"wrote {html_path} and {md_path} ({len(verdicts)} claims, figures beside "
                  f"them)", highlight=False)
    return 0


def _io(write):
    """Run a writer; a disk that refuses is an environment error, not a traceback."""
    try:
        return write()
    except OSError as e:
        raise EnvironmentFailure(_line(e)) from None


def lesson(c: Claim) -> str:
    """The claim's lesson: its ``lesson`` text, else the docstring of its experiment's module."""
    if c.lesson.strip():
        return textwrap.dedent(c.lesson).strip()
    found = registry.source(c.id)  # the defining module (a Spec's own module is rates.spec)
    module = found.module if found is not None and found.module is not None else \
        inspect.getmodule(c.experiment)
    return inspect.cleandoc(module.__doc__) if module is not None and module.__doc__ else ""


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    c = _select([args.id])[0]

    def say(text: str = "") -> None:  # docstrings cite "[1, Theorem 3.4]": not rich markup
        console.print(text, markup=False, highlight=False)

    def fill(text: str) -> None:
        say(textwrap.fill(text, 92, subsequent_indent="  "))

    say(f"{c.id} — {c.title}")
    say(f"paper: {c.paper.cite()}" + (f"\n       {c.paper.url}" if c.paper.url else ""))
    say()
    say("THE THEOREM")
    say(textwrap.fill(c.statement, 92))
    say(f"    {c.math}")
    say()
    say("THE LESSON")
    say(lesson(c) or "(this claim has no lesson text yet)")
    say()
    say("THE SETUP")
    doc = inspect.getdoc(c.experiment)
    if doc:
        say(doc)
        say()
    say(f"parameters (`rates show {c.id}` lists their ranges; change one with --set):")
    for p in c.parameters:
        say(f"  {p.name} = {p.default!r}: {p.help}")
    fill(f"assertion: {c.mode.value}, {c.law} rate, tolerance -{c.tolerance.below:g} / "
         f"+{c.tolerance.above:g}; why: {c.tolerance.reason}")
    fill(f"control: {c.control.description} "
         f"({', '.join(f'{k}={v}' for k, v in c.control.overrides.items())})")
    say()
    say("THE FIGURE")
    fill(f"`rates figures {c.id}` writes figures/{c.id}.png: the measured quantity (median and "
         f"10-90% band of runs), the fitted line with its rate and CI, the stated bound, and the "
         f"control in grey; the verdict is the title. Look for what THE LESSON says to look for.")
    return 0


def _finish(args: argparse.Namespace, console: Console, verdicts: list[Verdict]) -> int:
    """Exit status: 0 every claim holds and every control fails, 1 something fails (a claim, or
    a control that holds), 3 nothing fails but something is undecided."""
    failed = [v.claim.id for v in verdicts if v.status == "fails"]
    undecided = [v.claim.id for v in verdicts if v.status == "undecided"]
    if args.json:
        path = Path(args.json)
        text = json.dumps([record(v) for v in verdicts], indent=2) + "\n"
        _io(lambda: path.write_text(text))
        console.print(f"wrote {len(verdicts)} records to {path}")
    if failed:
        console.print(f"[red]{len(failed)} of {len(verdicts)} checks failed: "
                      f"{', '.join(failed)}[/red]")
        return 1
    if undecided:
        console.print(f"[yellow]{len(undecided)} of {len(verdicts)} checks undecided (a CI "
                      f"straddles a boundary, or too few runs): {', '.join(undecided)}[/yellow]")
        return EXIT_UNDECIDED
    console.print(f"[green]all {len(verdicts)} checks hold, and every control fails[/green]")
    return 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    if args.json:
        probe_file(args.json, "--json")
    if args.save:
        from rates import data

        try:
            data.resolve_format(args.save_format)
        except ValueError as e:
            raise UsageError(f"--save-format: {e}") from None
        probe_dir(args.save, "--save")
    verdicts = _checked(args, console)
    if args.until_decided:
        verdicts = _until_decided(args, console, verdicts)
    console.print(verdict_table(verdicts))
    if args.save:
        paths = _io(lambda: data.save(verdicts, args.save, args.save_format))
        console.print(f"wrote {len(paths)} trace table(s) and their records to {args.save}",
                      highlight=False)
    return _finish(args, console, verdicts)


def _until_decided(args: argparse.Namespace, console: Console,
                   verdicts: list[Verdict]) -> list[Verdict]:
    """Rerun each undecided claim with doubled runs (rates.sequential: alpha-spending looks)."""
    from rates import sequential

    overrides = parse_sets([v.claim for v in verdicts], args.set or [])
    out = []
    for v in verdicts:
        if v.status != "undecided":
            out.append(v)
            continue
        if "runs" not in v.claim.parameter_map:
            console.print(f"{v.claim.id}: undecided and deterministic (no runs to add)")
            out.append(v)
            continue

        def said(look, cid=v.claim.id):
            console.print(f"{cid}: {look.runs} runs at level {look.level:.4g} -> {look.status}")

        decided, _ = sequential.check_until_decided(
            v.claim, seed=args.seed, overrides=overrides[v.claim.id],
            max_runs=args.max_runs, on_look=said)
        out.append(decided)
    return out


def _seed_ranges(text: str) -> list[range]:
    ranges: list[range] = []
    for part in text.split(","):
        lo, sep, hi = part.strip().partition("-")
        a = int(lo)
        b = int(hi) if sep else a
        if a < 0 or b < 0:
            raise ValueError
        if b < a:
            raise UsageError(f"--seeds range {part.strip()!r} runs backwards; write {b}-{a}")
        if b > MAX_SEED:
            raise UsageError(f"--seeds must name seeds in [0, 2^64 - 1], got {b}")
        ranges.append(range(a, b + 1))
    return ranges


def iter_seeds(text: str, limit: int | None = None) -> Iterator[int]:
    """The seeds of ``0-4`` or ``0,3,7`` (or ``0-4,10``), each once, in order.

    Counted before any is listed: more than ``limit`` distinct-or-not seeds is a usage error,
    so ``0-10000000000`` is refused at once instead of building the list.
    """
    try:
        ranges = _seed_ranges(text)
    except ValueError:
        raise UsageError(f"--seeds takes seeds >= 0 as e.g. 0-4 or 0,3,7, got {text!r}") from None
    total = sum(r.stop - r.start for r in ranges)  # not len(): a range may exceed 2^63
    if limit is not None and total > limit:
        raise UsageError(f"--seeds {text} names {total} seeds; one command runs at most "
                         f"{limit} tasks")
    seen: set[int] = set()
    for r in ranges:
        for seed in r:
            if seed not in seen:
                seen.add(seed)
                yield seed


def parse_seeds(text: str, limit: int | None = None) -> list[int]:
    """``0-4`` or ``0,3,7`` -> a list of distinct seeds (see :func:`iter_seeds`)."""
    return list(iter_seeds(text, limit))


def seed_arg(text: str) -> int:
    """``--seed``: an integer in [0, 2^64 - 1] (the seed keys 64-bit random streams)."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2^64 - 1], got "
                                         f"{text!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2^64 - 1], got {seed}")
    return seed


def workers_arg(text: str) -> int:
    """``--workers``, ``--max-runs``: an integer >= 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return n


def parse_grid(claim: Claim, items: Sequence[str]) -> list[tuple[str, list[Any]]]:
    """``NAME=V1,V2,...`` options -> axes of parsed, validated values (each name once)."""
    axes: list[tuple[str, list[Any]]] = []
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise UsageError(f"--grid takes NAME=V1,V2,..., got {item!r}")
        if name in dict(axes):
            raise UsageError(f"--grid {name} is given twice; list all its values in one option")
        parsed = [parse_sets([claim], [f"{name}={v}"])[claim.id][name] for v in values.split(",")]
        axes.append((name, parsed))
    return axes


def cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    claim = _select([args.id])[0]
    if args.json:
        probe_file(args.json, "--json")
    base = parse_sets([claim], args.set or [])[claim.id]
    axes = parse_grid(claim, args.grid or [])
    limit = _max_tasks()
    size = math.prod(len(values) for _, values in axes)
    if size > limit:
        raise UsageError(f"the grid has {size} points; one command runs at most {limit} tasks")
    points: list[dict[str, Any]] = [dict(base)]
    for name, values in axes:
        points = [{**p, name: v} for p in points for v in values]
    seeds = parse_seeds(args.seeds, limit=max(1, limit // len(points)))
    tasks = [Task.make(claim.id, seed, p) for p in points for seed in seeds]
    verdicts = _run(args, console, tasks)
    table = Table(title=f"sweep of {claim.id}")
    names = [n for n, _ in axes]
    for col in [*names, "seed", "measured", "95% CI", "verdict", "control"]:
        table.add_column(col)
    for t, v in zip(tasks, verdicts, strict=True):
        ci = v.ci
        table.add_row(*[str(dict(t.overrides).get(n)) for n in names], str(t.seed),
                      _fmt(v.measured), "—" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]",
                      verdict_text(v), control_text(v))
    console.print(table)
    return _finish(args, console, verdicts)


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from rates import bench

    if args.json:
        probe_file(args.json, "--json")
    try:
        results = bench.run_all(args.families or None, compile_times=not args.no_compile,
                                scale=args.scale)
    except ValueError as e:
        raise UsageError(str(e)) from None
    table = Table(title="library kernels against a minimal kernel and NumPy (ns per step; per "
                  "run-step for Monte Carlo)")
    for col in ("family", "method", "numba", "minimal", "/minimal", "numpy loop", "x",
                "numba MC", "numpy vec MC", "x", "compile cold s", "cached s"):
        table.add_column(col, justify="left" if col in ("family", "method") else "right")
    for r in results:
        table.add_row(r.family, r.method, f"{r.numba_ns_per_step:.0f}",
                      f"{r.reference_ns_per_step:.0f}", f"{r.ratio_to_reference:.2f}",
                      _fmt(r.numpy_loop_ns_per_step), _fmt(r.speedup_vs_numpy_loop),
                      _fmt(r.numba_ns_per_run_step), _fmt(r.numpy_vectorised_ns_per_run_step),
                      _fmt(r.speedup_vs_numpy_vectorised), f"{r.compile_cold_s:.2f}",
                      f"{r.compile_cached_s:.2f}")
    console.print(table)
    if args.json:
        path = Path(args.json)
        text = json.dumps(bench.as_dicts(results), indent=2) + "\n"
        _io(lambda: path.write_text(text))
        console.print(f"wrote {args.json}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Long on purpose: one declaration of the whole command line, read top to bottom like `rates
    --help`; split up, the options shared by several commands would be scattered."""
    from rates import budget

    parser = argparse.ArgumentParser(
        prog="rates", description="Check convergence-rate claims of optimization papers by "
        "measurement.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_STATUSES.format(budget=budget.budget_text(), tasks=budget.MAX_TASKS))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every claim with its id, paper and statement")
    show = sub.add_parser("show", help="one claim: theorem, setup, parameters, assertion")
    show.add_argument("id")
    check = sub.add_parser("check", help="run claims (all by default) and judge them")
    check.add_argument("ids", nargs="*", metavar="ID")
    check.add_argument("--set", action="append", metavar="NAME=VALUE",
                       help="override an experiment parameter (repeatable)")
    check.add_argument("--seed", type=seed_arg, default=0,
                       help="random seed in [0, 2^64 - 1] (default 0)")
    check.add_argument("--json", metavar="PATH", help="write one record per claim to PATH")
    check.add_argument("--until-decided", action="store_true",
                       help="rerun undecided claims with doubled runs until decided (each look "
                            "at a stricter level: Bonferroni alpha-spending)")
    check.add_argument("--max-runs", type=workers_arg, default=1024, metavar="N",
                       help="the most runs --until-decided may use (default 1024)")
    check.add_argument("--save", metavar="DIR", help="write each claim's trace (x, per-run "
                       "values, fitted statistic and line, bound) as a table, with its record")
    check.add_argument("--save-format", choices=("auto", "csv", "parquet"), default="auto",
                       help="table format for --save (default auto: Parquet when pyarrow is "
                            "installed, else CSV)")
    sweep = sub.add_parser("sweep", help="one claim over a parameter grid and several seeds")
    sweep.add_argument("id")
    sweep.add_argument("--grid", action="append", metavar="NAME=V1,V2,...",
                       help="a parameter axis (repeatable: the grid is their product)")
    sweep.add_argument("--set", action="append", metavar="NAME=VALUE",
                       help="override a parameter at every grid point")
    sweep.add_argument("--seeds", default="0", help="seeds, e.g. 0-4 or 0,3,7 (default 0)")
    sweep.add_argument("--json", metavar="PATH", help="write one record per check to PATH")
    bench = sub.add_parser("bench", help="time the numba kernels against a minimal kernel and "
                           "plain NumPy")
    bench.add_argument("families", nargs="*", metavar="FAMILY",
                       help="first-order, adaptive, vi (extragradient), bilevel, vi-peg, vi-og, "
                       "vi-rg, vi-gda, vi-aog (default: all)")
    bench.add_argument("--json", metavar="PATH", help="write the measurements to PATH")
    bench.add_argument("--no-compile", action="store_true",
                       help="skip the compile-time measurements (two subprocesses per family)")
    bench.add_argument("--scale", type=float, default=1.0, metavar="S",
                       help="multiply every step count by S in (0, 1] (default 1; 0.01 for a "
                            "quick smoke run, with noisier timings)")
    figures = sub.add_parser("figures", help="one figure per claim (PNG and PDF)")
    report = sub.add_parser("report", help="an offline HTML page and a Markdown table of verdicts")
    for name, cmd in (("figures", figures), ("report", report)):
        cmd.add_argument("ids", nargs="*", metavar="ID")
        cmd.add_argument("--set", action="append", metavar="NAME=VALUE",
                         help="override an experiment parameter (repeatable)")
        cmd.add_argument("--seed", type=seed_arg, default=0,
                         help="random seed in [0, 2^64 - 1] (default 0)")
        cmd.add_argument("--out", metavar="DIR", default=None,
                         help=f"where to write the {name} (default: ./figures for the whole "
                              f"catalogue with defaults, ./figures/custom for a subset, --set or "
                              f"--seed, so the catalogue's own are never overwritten)")
    figures.add_argument("--format", default="png,pdf",
                         help="comma-separated formats: png, pdf, svg (default png,pdf)")
    for cmd in (check, sweep, figures, report):
        cmd.add_argument("--executor", choices=(*EXECUTORS, *ALIASES), default="local",
                         type=lambda name: ALIASES.get(name, name),
                         help="local (default: one task at a time in this process, each "
                              "kernel on the numba threads), processes, dask")
        cmd.add_argument("--workers", type=workers_arg, default=None,
                         help="processes or dask workers (default: the number of cores)")
        cmd.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="dask scheduler address (default: start a LocalCluster)")
        cmd.add_argument("--no-cache", action="store_true",
                         help="recompute, neither reading nor writing the results cache")
        cmd.add_argument("--cache-dir", metavar="DIR", default=None,
                         help="results cache directory (default $RATES_CACHE_DIR, else the "
                              "user cache directory, ~/.cache/rates on Linux); it must not be "
                              "writable by other users")
        cmd.add_argument("--force", action="store_true",
                         help=f"run even above the budget ({budget.budget_text()})")
    explain = sub.add_parser("explain", help="the lesson of one claim: theorem, setup, what to "
                             "look for in its figure")
    explain.add_argument("id")
    for cmd in (sub.choices[name] for name in CLAIM_COMMANDS):
        cmd.add_argument("--claims", action="append", metavar="PATH",
                         help="also read claims from PATH: a .py file defining CLAIM or CLAIMS, "
                              "or a folder of them (repeatable)")
    return parser


CLAIM_COMMANDS = ("list", "show", "check", "sweep", "figures", "report", "explain")
"""The commands that read claims, and so take ``--claims PATH``."""


def load_claims(paths: Sequence[str] | None) -> None:
    """Discover every claim (the catalogue, ``rates.claims`` entry points, ``--claims`` paths)
    before the command runs: an error in a claim's file is a usage error naming it."""
    try:
        if paths:
            registry.use_paths(paths)
        registry.all_claims()
    except ValueError as e:
        raise UsageError(str(e)) from None


COMMANDS = {"list": cmd_list, "show": cmd_show, "check": cmd_check, "sweep": cmd_sweep,
            "bench": cmd_bench, "figures": cmd_figures, "report": cmd_report,
            "explain": cmd_explain}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status (see :data:`EXIT_STATUSES`)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage and its one-line error (or --help)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough that the table does not wrap ids
        console = Console(width=160)

    def error(message: str, status: int) -> int:
        Console(stderr=True, soft_wrap=True).print(f"[red]rates: error:[/red] {message}",
                                                   highlight=False, markup=True)
        return status

    try:
        if args.command in CLAIM_COMMANDS:
            load_claims(args.claims)
        return COMMANDS[args.command](args, console)
    except UsageError as e:
        return error(_escape(str(e)), EXIT_USAGE)
    except Interrupted as e:
        return error(_escape(str(e)), EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        return error("interrupted", EXIT_INTERRUPTED)
    except (EnvironmentFailure, OSError) as e:
        return error(_escape(_line(e)), EXIT_ENVIRONMENT)
    except MemoryError as e:
        return error(_escape(f"out of memory: {_line(e)}"), EXIT_ENVIRONMENT)
    except SystemError as e:
        if _interrupt_in(e):
            return error("interrupted", EXIT_INTERRUPTED)
        raise
    except RuntimeError as e:
        return error(_escape(_line(e)), EXIT_USAGE)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def run() -> None:
    """The console script: :func:`main`, then exit with its status.

    After Ctrl-C the process ends at once (``os._exit``, once the output is flushed): everything
    finished is already in the results cache, and the interpreter's own teardown (numba's and
    LLVM's objects) takes seconds on a busy machine, while an interrupt should stop in under one.
    """
    status = main()
    if status == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    run()
