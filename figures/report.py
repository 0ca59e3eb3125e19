"""The report: every verdict as a row of an offline HTML page and of a Markdown table.

The page opens with a forest plot (:mod:`figures.forest`): every claim a row, its measured value
and CI against its accepted interval on one normalised axis, the control beside it, coloured by
verdict, each row a link to the claim's row of the table.  The table's columns: paper (linked by
its arXiv id), claim, stated (with the accepted interval), measured (with its CI), verdict,
control, seconds, figure (with links to the figure's data).

Each figure is linked to its data: :func:`write` saves every verdict's trace as a tidy CSV table
(:mod:`rates.data`: x, each run's value, the fitted statistic, the fitted line, the bound) with
its JSON verdict record in ``data/`` beside the page.  CSV rather than Parquet, so that it opens
in a browser or a spreadsheet as well as in pandas and polars; ``rates check --save`` writes
Parquet.

The HTML page loads nothing from the network: the style sheet and the forest plot (SVG) are
inline and the figures and data are relative paths beside it, so the page works from a clone, a
CI artefact or an e-mail attachment.  The links to arXiv are plain links.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from figures import forest
from figures.layout import accepted_text, measured_text, plain
from rates import data
from rates.claim import Verdict
from rates.records import control_text, verdict_text, versions

HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"
FOREST_NAME = "forest.svg"
DATA_DIR = "data"


@dataclass(frozen=True)
class Row:
    """One verdict as the report's cells (plain text; each writer escapes for its format)."""

    claim_id: str
    title: str
    paper: str
    arxiv: str | None
    url: str | None
    stated: str
    measured: str
    verdict: str
    passed: bool
    control: str
    control_verdict: str
    control_ok: bool
    seconds: float
    figure: str | None
    data: str | None = None
    """The relative path of the figure's data table (CSV), when written."""
    record: str | None = None
    """The relative path of the verdict's JSON record, when written."""


def row(v: Verdict, figure: str | None, table: str | None = None,
        record: str | None = None) -> Row:
    c, m = v.claim, v.outcome.measurement
    verdict = verdict_text(v)
    if not v.passed:
        verdict += ": " + "; ".join(v.outcome.reasons)
    control = c.control.description
    if v.control is not None:
        control += f" → {measured_text(v.control.measurement)}"
    return Row(claim_id=c.id, title=c.title,
               paper=f"{c.paper.authors} ({c.paper.year}), {c.paper.theorem}",
               arxiv=c.paper.arxiv, url=c.paper.url, stated=plain(accepted_text(v)),
               measured=measured_text(m), verdict=verdict, passed=v.passed, control=control,
               control_verdict=control_text(v), control_ok=v.control_failed,
               seconds=v.seconds, figure=figure, data=table, record=record)


def _figure_link(v: Verdict, figures_dir: Path, out_dir: Path) -> str | None:
    png = figures_dir / f"{v.claim.id}.png"
    if not png.exists():
        return None
    return Path(os.path.relpath(os.path.abspath(png), os.path.abspath(out_dir))).as_posix()


def changed_parameters(v: Verdict) -> dict[str, object]:
    """The parameters of ``v`` that differ from its claim's defaults (its ``--set`` options)."""
    defaults = {p.name: p.default for p in v.claim.parameters}
    return {k: x for k, x in v.params.items() if defaults.get(k) != x}


def scope(verdicts: Sequence[Verdict]) -> str:
    """What the page covers, when it is not the whole catalogue with its defaults.

    A page for a subset of the claims, a seed other than 0 or changed parameters says so, so it
    is never mistaken for the catalogue's own report.  Empty for the whole default catalogue.
    """
    from rates import registry

    parts = []
    total = len(registry.all_claims())
    if len({v.claim.id for v in verdicts}) < total:
        parts.append(f"A subset of the catalogue: {len(verdicts)} of its {total} claims.")
    changed = [f"{v.claim.id}: " + ", ".join(f"{k}={x}" for k, x in c.items())
               for v in verdicts if (c := changed_parameters(v))]
    if changed:
        parts.append("Parameters changed from the defaults (--set): " + "; ".join(changed) + ".")
    return " ".join(parts)


def _summary(verdicts: Sequence[Verdict]) -> str:
    held = sum(v.passed for v in verdicts)
    controls = sum(v.control_failed for v in verdicts)
    seeds = sorted({v.seed for v in verdicts})
    text = (f"{len(verdicts)} claims: {held} hold, {len(verdicts) - held} fail; "
            f"{controls} of {len(verdicts)} controls fail, as they must. "
            f"Seed {', '.join(map(str, seeds))}.")
    extent = scope(verdicts)
    return f"{text} {extent}" if extent else text


CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em;
       color: #1f2328; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
p.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-top: 1px solid #d0d7de; padding: .5em .6em; vertical-align: top;
         text-align: left; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.claim code { font-weight: 600; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: #cf222e; font-weight: 600; }
.small { color: #57606a; font-size: .9em; }
img { width: 360px; height: auto; border: 1px solid #d0d7de; }
figure.forest { margin: 1em 0 2em; }
figure.forest figcaption { color: #57606a; font-size: .9em; max-width: 60em; }
figure.forest svg a:hover text { text-decoration: underline; }
tr.claim-row:target { background: #fff8c5; }
"""


def to_html(rows: Sequence[Row], summary: str, forest_svg: str | None = None) -> str:
    e = html.escape
    head = ("<tr><th>paper</th><th>claim</th><th>stated</th><th>measured (CI)</th>"
            "<th>verdict</th><th>control</th><th>s</th><th>figure</th></tr>")
    body = []
    for r in rows:
        paper = e(r.paper)
        if r.url:
            paper += f'<br><a href="{e(r.url)}">arXiv:{e(r.arxiv or "")}</a>'
        figure = (f'<a href="{e(r.figure)}"><img src="{e(r.figure)}" alt="figure of '
                  f'{e(r.claim_id)}"></a>' if r.figure else '<span class="small">none</span>')
        links = [f'<a class="data" href="{e(path)}">{what}</a>'
                 for path, what in ((r.data, "data (CSV)"), (r.record, "record (JSON)")) if path]
        if links:
            figure += f'<br><span class="small">{" · ".join(links)}</span>'
        body.append(
            f'<tr id="{e(r.claim_id)}" class="claim-row">'
            f"<td>{paper}</td>"
            f'<td class="claim"><code>{e(r.claim_id)}</code><br>'
            f'<span class="small">{e(r.title)}</span></td>'
            f"<td>{e(r.stated)}</td>"
            f'<td class="num">{e(r.measured)}</td>'
            f'<td class="{"pass" if r.passed else "fail"}">{e(r.verdict)}</td>'
            f'<td>{e(r.control)}: <span class="{"pass" if r.control_ok else "fail"}">'
            f"{e(r.control_verdict)}</span></td>"
            f'<td class="num">{r.seconds:.1f}</td>'
            f"<td>{figure}</td></tr>")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    env = ", ".join(f"{k} {v}" for k, v in versions().items())
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>rates: verdicts</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n"
            "<h1>rates: convergence-rate claims, measured</h1>\n"
            f'<p class="meta">{e(summary)} Generated {e(stamp)}; {e(env)}.</p>\n'
            + (f'<figure class="forest" id="forest">\n{forest.inline(forest_svg)}\n'
               f"<figcaption>{e(forest.CAPTION)}</figcaption>\n</figure>\n"
               if forest_svg else "") +
            f"<table>\n<thead>{head}</thead>\n<tbody>\n" + "\n".join(body) +
            "\n</tbody>\n</table>\n</body>\n</html>\n")


def _md(text: str) -> str:
    """A Markdown table cell: pipes escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: Sequence[Row], summary: str, forest_path: str | None = None) -> str:
    lines = ["# rates: convergence-rate claims, measured", "", summary, ""]
    if forest_path:
        lines += [f"![forest plot: every claim against its accepted interval]({forest_path})", "",
                  forest.CAPTION, ""]
    lines += [
        "| paper | claim | stated | measured (CI) | verdict | control | s | figure |",
        "|---|---|---|---|---|---|--:|---|",
    ]
    for r in rows:
        paper = _md(r.paper) + (f" [arXiv:{r.arxiv}]({r.url})" if r.url else "")
        figure = f'<img src="{r.figure}" width="280" alt="{r.claim_id}">' if r.figure else "none"
        links = [f"[{what}]({path})" for path, what in ((r.data, "data"), (r.record, "record"))
                 if path]
        if links:
            figure += " " + " · ".join(links)
        verdict = f"**{_md(r.verdict)}**"
        control = f"{_md(r.control)}: **{_md(r.control_verdict)}**"
        lines.append(f"| {paper} | `{r.claim_id}` {_md(r.title)} | {_md(r.stated)} | "
                     f"{_md(r.measured)} | {verdict} | {control} | {r.seconds:.1f} | {figure} |")
    return "\n".join(lines) + "\n"


def write(verdicts: Sequence[Verdict], out_dir: str | Path,
          figures_dir: str | Path | None = None, with_data: bool = True) -> tuple[Path, Path]:
    """Write ``report.html``, ``report.md`` and ``forest.svg`` into ``out_dir``, and (unless
    ``with_data`` is false) each verdict's data table and record into ``out_dir/data``; return
    the paths of the page and the table.

    Figures are linked from ``figures_dir`` (default: ``out_dir``) by relative path, when their
    PNG exists.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig_dir = Path(figures_dir) if figures_dir is not None else out
    tables: list[str | None] = [None] * len(verdicts)
    records: list[str | None] = [None] * len(verdicts)
    if with_data and verdicts:
        written = data.save(verdicts, out / DATA_DIR, fmt="csv")
        tables = [f"{DATA_DIR}/{p.name}" for p in written]
        records = [f"{DATA_DIR}/{p.with_suffix('.json').name}" for p in written]
    rows = [row(v, _figure_link(v, fig_dir, out), t, r)
            for v, t, r in zip(verdicts, tables, records, strict=True)]
    summary = _summary(verdicts)
    svg_text = forest.svg(verdicts) if verdicts else None
    if svg_text:
        (out / FOREST_NAME).write_text(svg_text, encoding="utf-8")
    html_path, md_path = out / HTML_NAME, out / MARKDOWN_NAME
    html_path.write_text(to_html(rows, summary, svg_text), encoding="utf-8")
    md_path.write_text(to_markdown(rows, summary, FOREST_NAME if svg_text else None),
                       encoding="utf-8")
    return html_path, md_path
