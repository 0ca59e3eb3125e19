"""The ``rates`` command: list, show, check and explain claims; draw figures and the report."""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rates import registry
from rates.claim import Claim, Verdict
from rates.executors import EXECUTORS, Task
from rates.records import control_text, record, verdict_text


class UsageError(Exception):
    """A mistake on the command line: printed as one line, exit status 2."""


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


def _run(args: argparse.Namespace, console: Console, tasks: list[Task]) -> list[Verdict]:
    """Run tasks on the chosen executor, through the results cache, with a progress bar."""
    from rates import cache

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeElapsedColumn(), console=console, transient=True) as bar:
        job = bar.add_task(f"checking on {args.executor}", total=len(tasks))

        def advance(task: Task, verdict: Verdict) -> None:
            bar.update(job, advance=1, description=f"done {task.claim_id} (seed {task.seed})")

        try:
            verdicts, hits = cache.run_tasks_cached(
                tasks, args.executor, use_cache=not args.no_cache, cache_dir_=args.cache_dir,
                workers=args.workers, scheduler=args.scheduler, progress=advance)
        except ValueError as e:  # e.g. an override that a generator rejects
            raise UsageError(str(e)) from None
    if hits:
        console.print(f"{hits} of {len(tasks)} verdicts from the results cache "
                      f"({cache.cache_dir(args.cache_dir)}; --no-cache recomputes)",
                      highlight=False)
    return verdicts


def _checked(args: argparse.Namespace, console: Console) -> list[Verdict]:
    claims = _select(args.ids)
    overrides = parse_sets(claims, args.set or [])
    if args.seed < 0:
        raise UsageError(f"--seed must be an integer >= 0, got {args.seed}")
    return _run(args, console, [Task.make(c.id, args.seed, overrides[c.id]) for c in claims])


def cmd_figures(args: argparse.Namespace, console: Console) -> int:
    from figures import layout  # figures imports rates, never the other way at import time

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"png", "pdf", "svg"})
    if unknown or not formats:
        raise UsageError(f"--format takes a comma-separated list of png, pdf, svg; "
                         f"got {args.format!r}")
    verdicts = _checked(args, console)
    out = Path(args.out)
    for v in verdicts:
        paths = layout.save(v, out, formats=formats)
        console.print(f"{v.claim.id}: {v.status} -> "
                      f"{', '.join(str(p) for p in paths)}", highlight=False)
    return 0


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from figures import layout, report

    verdicts = _checked(args, console)
    out = Path(args.out)
    for v in verdicts:
        layout.save(v, out, formats=("png",))
    html_path, md_path = report.write(verdicts, out)
    console.print(verdict_table(verdicts))
    console.print(f"wrote {html_path} and {md_path} ({len(verdicts)} claims, figures beside "
                  f"them)", highlight=False)
    return 0


def lesson(c: Claim) -> str:
    """The claim's lesson: its ``lesson`` text, else the docstring of its experiment's module."""
    if c.lesson.strip():
        return textwrap.dedent(c.lesson).strip()
    module = inspect.getmodule(c.experiment)
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
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([record(v) for v in verdicts], indent=2) + "\n")
        console.print(f"wrote {len(verdicts)} records to {path}")
    if failed:
        console.print(f"[red]{len(failed)} of {len(verdicts)} checks failed: "
                      f"{', '.join(failed)}[/red]")
        return 1
    if undecided:
        console.print(f"[yellow]{len(undecided)} of {len(verdicts)} checks undecided (a CI "
                      f"straddles a boundary, or too few runs): {', '.join(undecided)}[/yellow]")
        return 3
    console.print(f"[green]all {len(verdicts)} checks hold, and every control fails[/green]")
    return 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    verdicts = _checked(args, console)
    console.print(verdict_table(verdicts))
    return _finish(args, console, verdicts)


def parse_seeds(text: str) -> list[int]:
    """``0-4`` or ``0,3,7`` -> a list of seeds."""
    try:
        seeds: list[int] = []
        for part in text.split(","):
            lo, sep, hi = part.partition("-")
            seeds += list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
    except ValueError:
        raise UsageError(f"--seeds takes e.g. 0-4 or 0,3,7, got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise UsageError(f"--seeds must name seeds >= 0, got {text!r}")
    return seeds


def cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    claim = _select([args.id])[0]
    base = parse_sets([claim], args.set or [])[claim.id]
    axes: list[tuple[str, list[Any]]] = []
    for item in args.grid or []:
        name, sep, values = item.partition("=")
        if not sep or not values:
            raise UsageError(f"--grid takes NAME=V1,V2,..., got {item!r}")
        parsed = [parse_sets([claim], [f"{name}={v}"])[claim.id][name] for v in values.split(",")]
        axes.append((name, parsed))
    points: list[dict[str, Any]] = [dict(base)]
    for name, values in axes:
        points = [{**p, name: v} for p in points for v in values]
    tasks = [Task.make(claim.id, seed, p) for p in points for seed in parse_seeds(args.seeds)]
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

    try:
        results = bench.run_all(args.families or None, compile_times=not args.no_compile,
                                scale=args.scale)
    except ValueError as e:
        raise UsageError(str(e)) from None
    table = Table(title="numba kernels against NumPy (ns per step; per run-step for Monte Carlo)")
    for col in ("family", "method", "numba", "numpy loop", "x", "numba MC", "numpy vec MC",
                "x", "compile cold s", "cached s", "C ref", "/C"):
        table.add_column(col, justify="left" if col in ("family", "method") else "right")
    for r in results:
        table.add_row(r.family, r.method, f"{r.numba_ns_per_step:.0f}",
                      f"{r.numpy_loop_ns_per_step:.0f}", f"{r.speedup_vs_numpy_loop:.0f}",
                      _fmt(r.numba_ns_per_run_step), _fmt(r.numpy_vectorised_ns_per_run_step),
                      _fmt(r.speedup_vs_numpy_vectorised), f"{r.compile_cold_s:.2f}",
                      f"{r.compile_cached_s:.2f}", _fmt(r.c_reference_ns), _fmt(r.ratio_to_c))
    console.print(table)
    if args.json:
        Path(args.json).write_text(json.dumps(bench.as_dicts(results), indent=2) + "\n")
        console.print(f"wrote {args.json}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rates", description="Check convergence-rate claims "
                                     "of optimization papers by measurement.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every claim with its id, paper and statement")
    show = sub.add_parser("show", help="one claim: theorem, setup, parameters, assertion")
    show.add_argument("id")
    check = sub.add_parser("check", help="run claims (all by default) and judge them")
    check.add_argument("ids", nargs="*", metavar="ID")
    check.add_argument("--set", action="append", metavar="NAME=VALUE",
                       help="override an experiment parameter (repeatable)")
    check.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    check.add_argument("--json", metavar="PATH", help="write one record per claim to PATH")
    sweep = sub.add_parser("sweep", help="one claim over a parameter grid and several seeds")
    sweep.add_argument("id")
    sweep.add_argument("--grid", action="append", metavar="NAME=V1,V2,...",
                       help="a parameter axis (repeatable: the grid is their product)")
    sweep.add_argument("--set", action="append", metavar="NAME=VALUE",
                       help="override a parameter at every grid point")
    sweep.add_argument("--seeds", default="0", help="seeds, e.g. 0-4 or 0,3,7 (default 0)")
    sweep.add_argument("--json", metavar="PATH", help="write one record per check to PATH")
    bench = sub.add_parser("bench", help="time the numba kernels against plain NumPy")
    bench.add_argument("families", nargs="*", metavar="FAMILY",
                       help="first-order, adaptive, vi, bilevel (default: all)")
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
        cmd.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        cmd.add_argument("--out", metavar="DIR", default="figures",
                         help=f"where to write the {name} (default: ./figures)")
    figures.add_argument("--format", default="png,pdf",
                         help="comma-separated formats: png, pdf, svg (default png,pdf)")
    for cmd in (check, sweep, figures, report):
        cmd.add_argument("--executor", choices=EXECUTORS, default="threads",
                         help="threads (default: this process, numba threads), processes, dask")
        cmd.add_argument("--workers", type=int, default=None,
                         help="processes or dask workers (default: the number of cores)")
        cmd.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="dask scheduler address (default: start a LocalCluster)")
        cmd.add_argument("--no-cache", action="store_true",
                         help="recompute, neither reading nor writing the results cache")
        cmd.add_argument("--cache-dir", metavar="DIR", default=None,
                         help="results cache directory (default $RATES_CACHE_DIR, else "
                              "./.rates-cache)")
    explain = sub.add_parser("explain", help="the lesson of one claim: theorem, setup, what to "
                             "look for in its figure")
    explain.add_argument("id")
    return parser


COMMANDS = {"list": cmd_list, "show": cmd_show, "check": cmd_check, "sweep": cmd_sweep,
            "bench": cmd_bench, "figures": cmd_figures, "report": cmd_report,
            "explain": cmd_explain}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough that the table does not wrap ids
        console = Console(width=160)
    try:
        return COMMANDS[args.command](args, console)
    except (UsageError, RuntimeError) as e:
        Console(stderr=True).print(f"[red]rates: error:[/red] {e}", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
