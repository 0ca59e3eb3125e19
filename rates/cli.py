"""The ``rates`` command: list, show and check claims."""

from __future__ import annotations

import argparse
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
                  f"/ +{c.tolerance.above:g}" + (" SE" if c.mode.value == "limit" else "")
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
        table.add_row(
            v.claim.id, v.claim.mode.value, _fmt(v.stated), _fmt(m.measured),
            "—" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]",
            f"[green]{verdict}[/green]" if v.passed else f"[red]{verdict}[/red]",
            control_text(v) if v.control_failed else f"[red]{control_text(v)}[/red]",
            f"{v.seconds:.1f}")
    return table


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    claims = _select(args.ids)
    overrides = parse_sets(claims, args.set or [])
    if args.seed < 0:
        raise UsageError(f"--seed must be an integer >= 0, got {args.seed}")
    verdicts: list[Verdict] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("checking", total=len(claims))
        for c in claims:
            bar.update(task, description=f"checking {c.id} (claim and control)")
            try:
                verdicts.append(c.check(seed=args.seed, overrides=overrides[c.id]))
            except ValueError as e:  # e.g. an override the generator rejects
                raise UsageError(f"{c.id}: {e}") from None
            bar.advance(task)
    console.print(verdict_table(verdicts))
    failed = [v.claim.id for v in verdicts if not v.ok]
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([record(v) for v in verdicts], indent=2) + "\n")
        console.print(f"wrote {len(verdicts)} records to {path}")
    if failed:
        console.print(f"[red]{len(failed)} of {len(verdicts)} claims failed: "
                      f"{', '.join(failed)}[/red]")
        return 1
    console.print(f"[green]all {len(verdicts)} claims hold, and every control fails[/green]")
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
    return parser


COMMANDS = {"list": cmd_list, "show": cmd_show, "check": cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough that the table does not wrap ids
        console = Console(width=160)
    try:
        return COMMANDS[args.command](args, console)
    except UsageError as e:
        Console(stderr=True).print(f"[red]rates: error:[/red] {e}", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
