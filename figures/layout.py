"""One figure per verdict: the measurement, its fit, the stated bound, the control, the verdict.

The figure is drawn from a :class:`rates.claim.Verdict` alone, so it works for any claim:

* the measured quantity of every run (``Trace.values``, runs x points) against ``Trace.x``, on the
  axes the trace asks for: the median over runs as a line and the 10-90% band of runs around it;
* the statistic the fit used (the mean by default: theorems bound expectations) as dots, and the
  fitted line over the fit window (shaded), with the rate and its CI in the legend;
* the stated bound with this instance's constants (``Trace.bound``) as a reference line, labelled
  with the paper's formula rendered from the sympy expression (mathtext; plain text when mathtext
  cannot draw it);
* the negative control in grey, with its outcome;
* the verdict in the title, coloured, and the stated value with its accepted interval under it.

The y-range follows the claim's own measurement, not the control's: a diverging control (1e100)
would otherwise flatten everything else, so a control that leaves the plot is annotated instead.
Figures use matplotlib's object API (no pyplot), so drawing needs no display and no global state.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser

from rates.bound import Bound
from rates.claim import Measurement, Mode, Outcome, Verdict
from rates.fit import STATISTICS, Fit
from rates.records import control_text

MAIN = "#1f5fa8"
FIT = "#d1495b"
BOUND = "#222222"
CONTROL = "#8c8c8c"
PASS = "#1a7f37"
FAIL = "#cf222e"
WARN = "#b35900"

SIZE = (7.5, 6.0)
"""Inches; at DPI this gives a 750 x 600 PNG of about 30 kB (256 colours)."""
DPI = 100
FOOTER_PT = 6.5
LEGEND_WRAP = 55

_RATE_NAME = {"power_law": "p", "geometric": r"\rho", "parameter": "p"}
_LAW_TEXT = {"power_law": r"$\propto k^{-p}$", "geometric": r"$\propto \rho^{k}$",
             "parameter": r"$\propto h^{p}$"}


# --- text --------------------------------------------------------------------------------------

def mathtext_ok(text: str) -> bool:
    """True when matplotlib's mathtext can draw ``text`` (which may contain $...$)."""
    try:
        MathTextParser("path").parse(text, dpi=72)
    except Exception:  # mathtext raises ValueError/ParseFatalException on unknown TeX
        return False
    return True


def safe(text: str) -> str:
    """Text from a claim, drawable: its $...$ kept when mathtext can draw them, else escaped.

    A claim's labels may use mathtext on purpose ("$\\|x_k - x^\\star\\|^2$"); a stray or
    broken "$" must not make the whole figure fail to render.
    """
    if "$" not in text or mathtext_ok(text):
        return text
    return text.replace("\\$", "$").replace("$", r"\$")


def bound_label(bound: Bound | None) -> str:
    """The stated bound as mathtext from its sympy expression, or plain text as a fallback."""
    if bound is None:
        return "stated bound"
    try:
        tex = f"${bound.latex()}$"
    except Exception:  # sympy cannot print it: fall back below
        tex = ""
    if tex and mathtext_ok(tex):
        return f"stated bound {tex}"
    return "stated bound " + str(bound.expr).replace("$", "")


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.4g}"


def _rate_symbol(law: str) -> str:
    return f"${_RATE_NAME.get(law, 'p')}$"


def plain(text: str) -> str:
    """Mathtext rate symbols as plain Unicode, for the HTML and Markdown report."""
    return text.replace(r"$\rho$", "ρ").replace("$p$", "p")


def accepted_text(verdict: Verdict) -> str:
    """'stated p = 1, accepted [0.9, ∞)' (or the limit-mode equivalent in standard errors)."""
    c = verdict.claim
    lo, hi = verdict.outcome.accepted
    if c.mode == Mode.LIMIT:
        return (f"{c.mode.value}: target {_num(verdict.stated)}, accepted within "
                f"[{_num(lo)}, {_num(hi)}] SE")
    left = "(" if math.isinf(lo) else "["
    right = ")" if math.isinf(hi) else "]"
    return (f"{c.mode.value}: stated {_rate_symbol(c.law)} = {_num(verdict.stated)}, accepted "
            f"{left}{_num(lo)}, {_num(hi)}{right}")


def measured_text(m: Measurement) -> str:
    """The measured value with its CI, or why there is none."""
    if m.diverged_at is not None:
        return f"diverged at step {m.diverged_at}"
    if m.fit is not None:
        f = m.fit
        return f"{_num(f.rate)} [{_num(f.ci[0])}, {_num(f.ci[1])}]"
    if m.value is not None:
        se = f" ± {_num(m.se)} SE" if m.se is not None else ""
        return f"{_num(m.value)}{se}"
    return "not measured: " + (m.refused or "no fit and no value")


def verdict_title(verdict: Verdict) -> tuple[str, str]:
    """The title line and its colour: the verdict on the claim and on its control."""
    claim = verdict.outcome.verdict.upper()
    own = {"holds": PASS, "fails": FAIL}.get(verdict.outcome.verdict, WARN)
    if verdict.control is None:
        control, colour = "control not run", own
    elif verdict.control_failed:
        control, colour = "control fails, as it must", own
    else:
        control, colour = f"control {verdict.control.verdict}: not decisively failed", WARN
    return f"{verdict.claim.id}: {claim}; {control}", colour


def _overrides(verdict: Verdict) -> dict[str, object]:
    defaults = {p.name: p.default for p in verdict.claim.parameters}
    return {k: v for k, v in verdict.params.items() if defaults.get(k) != v}


def _footer(verdict: Verdict) -> str:
    m = verdict.outcome.measurement
    parts = [f"seed {verdict.seed}"]
    changed = _overrides(verdict)
    if changed:
        parts.append("--set " + " ".join(f"{k}={v}" for k, v in changed.items()))
    runs = m.trace.values.shape[0]
    parts.append(f"{runs} run" + ("s" if runs != 1 else ""))
    if m.fit is not None:
        parts.append(f"{m.fit.statistic} fitted on [{m.fit.window[0]:g}, {m.fit.window[1]:g}], "
                     f"{m.fit.level:.0%} CI: {m.fit.ci_method}")
    parts += [f"{c.name}: {c.detail} ({'ok' if c.passed else 'FAILS'})" for c in m.checks]
    from_checks = {f"{c.name}: {c.detail}" for c in m.checks}
    parts += [r for r in verdict.outcome.reasons if r not in from_checks]
    return safe("\n".join(textwrap.wrap(" · ".join(parts), 135)))


# --- data --------------------------------------------------------------------------------------

def _positive_mask(x: np.ndarray, scale: str) -> np.ndarray:
    return x > 0 if scale == "log" else np.ones(x.shape, bool)


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 10/90% quantiles over runs, ignoring runs that stopped (NaN after divergence)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns after a divergence
        lo, med, hi = np.nanquantile(values, [0.1, 0.5, 0.9], axis=0)
    return med, lo, hi


def _statistic(values: np.ndarray, fit: Fit) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return STATISTICS[fit.statistic](values, 0)


def _clean(y: np.ndarray, scale: str) -> np.ndarray:
    """NaN where a value cannot be drawn on this scale (non-finite, or <= 0 on a log axis)."""
    y = np.array(y, dtype=float)
    bad = ~np.isfinite(y) | ((y <= 0) if scale == "log" else False)
    y[bad] = np.nan
    return y


def _grid(lo: float, hi: float, scale: str, n: int = 200) -> np.ndarray:
    if scale == "log" and lo > 0:
        return np.geomspace(lo, hi, n)
    return np.linspace(lo, hi, n)


def _limits(arrays: Sequence[np.ndarray], scale: str) -> tuple[float, float] | None:
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return None
    allv = np.concatenate(finite)
    lo, hi = float(allv.min()), float(allv.max())
    if scale == "log":
        span = max(math.log10(hi / lo), 1.0)
        pad = 10 ** (0.06 * span)
        return lo / pad, hi * pad
    pad = 0.06 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
    return lo - pad, hi + pad


# --- drawing -----------------------------------------------------------------------------------

def _draw_runs(ax, x, values, *, colour, label, scale_x, scale_y, few, band_label=None):
    keep = _positive_mask(x, scale_x)
    med, lo, hi = (_clean(a, scale_y)[keep] for a in _quantiles(values))
    xs = x[keep]
    style = "o-" if few else "-"
    line = ax.plot(xs, med, style, color=colour, lw=1.8, ms=4, label=label, zorder=3)[0]
    if values.shape[0] > 1:
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, lw=0, label=band_label, zorder=2)
    return line, med


def _visible_len(word: str) -> int:
    """Roughly how many characters wide ``word`` renders: $\\frac{a}{b}$ is not 14 wide."""
    if "$" not in word:
        return len(word)
    plain_part = re.sub(r"\$[^$]*\$", "", word)
    width = len(plain_part)
    for span in re.findall(r"\$([^$]*)\$", word):
        span = re.sub(r"\\(left|right|mathrm|operatorname|mathbb)", "", span)
        span = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}",
                      lambda mt: max(mt[1], mt[2], key=len), span)
        span = re.sub(r"\\[a-zA-Z]+", "x", span)  # a command draws one symbol
        width += len(re.sub(r"[{}^_\\ ]", "", span))
    return width


def _wrap(text: str, width: int) -> str:
    """Greedy wrap at spaces, never inside a $...$ span, measuring math by its drawn width."""
    if text.count("$") % 2 or r"\$" in text:  # no mathtext here: "$" is just a character
        return "\n".join(textwrap.wrap(text, width, break_long_words=False))
    words: list[str] = []
    for i, part in enumerate(text.split("$")):
        if i % 2:  # inside math: glue to the neighbouring word
            words[-1:] = [(words[-1] if words else "") + f"${part}$"]
        else:
            pieces = part.split(" ")
            if words and pieces:
                words[-1] += pieces[0]
                pieces = pieces[1:]
            words += pieces
    lines: list[str] = []
    current, length = "", 0
    for word in (w for w in words if w):
        n = _visible_len(word)
        if current and length + 1 + n > width:
            lines.append(current)
            current, length = word, n
        else:
            current, length = (f"{current} {word}", length + 1 + n) if current else (word, n)
    if current:
        lines.append(current)
    return "\n".join(lines)


def _control_label(verdict: Verdict, control: Outcome, own_axis: bool) -> str:
    desc = safe(verdict.claim.control.description)
    what = measured_text(control.measurement)
    where = " (right axis)" if own_axis else ""
    return _wrap(f"control{where}: {desc} → {what}; {control_text(verdict)}", LEGEND_WRAP)


def _overlaps(values: np.ndarray, ylim: tuple[float, float] | None, scale: str) -> bool:
    """Whether a control's values fit the claim's axis (within a decade of it on a log axis)."""
    finite = values[np.isfinite(values)]
    if ylim is None or not finite.size:
        return True
    lo, hi = ylim
    if scale == "log":
        return finite.min() >= lo / 10 and finite.max() <= hi * 10
    span = hi - lo
    return finite.min() >= lo - span and finite.max() <= hi + span


def _match_decades(cax, ax, scale: str) -> None:
    """Give a log-scaled control axis at least as many decades as the claim's axis.

    Equal decades per inch keep slopes comparable across the two axes: a control that varies by
    a factor 2 must not look as steep as a claim that varies by a factor 100.
    """
    if scale != "log":
        return
    lo, hi = ax.get_ylim()
    clo, chi = cax.get_ylim()
    want = math.log10(hi / lo)
    have = math.log10(chi / clo)
    if have < want:
        mid = 0.5 * (math.log10(clo) + math.log10(chi))
        cax.set_ylim(10 ** (mid - want / 2), 10 ** (mid + want / 2))


def draw(verdict: Verdict, fig: Figure | None = None) -> Figure:
    """The figure of one verdict (a new Figure unless one is given)."""
    fig = fig or Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    footer = _footer(verdict)
    lines = footer.count("\n") + 1
    footer_in = lines * FOOTER_PT * 1.3 / 72 + 0.06
    top, bottom = fig.subfigures(2, 1, height_ratios=[SIZE[1] - footer_in, footer_in])
    ax = top.add_subplot()
    c = verdict.claim
    m = verdict.outcome.measurement
    t = m.trace
    x = np.asarray(t.x, dtype=float)
    values = np.atleast_2d(np.asarray(t.values, dtype=float))
    runs = values.shape[0]
    few = x.size <= 12  # a parameter sweep: a few points, drawn with markers

    ax.set_xscale(t.xscale)
    ax.set_yscale(t.yscale)
    main_label = ("measured (one run)" if runs == 1 else f"median of {runs} runs")
    _, med = _draw_runs(ax, x, values, colour=MAIN, label=main_label, scale_x=t.xscale,
                        scale_y=t.yscale, few=few,
                        band_label="10–90% of runs" if runs > 1 else None)
    shown = [med]

    fit = m.fit
    if fit is not None:
        lo_w, hi_w = fit.window
        if lo_w > np.nanmin(x) or hi_w < np.nanmax(x):  # shade only a window that selects
            ax.axvspan(lo_w, hi_w, color="#f2e8c9", alpha=0.55, lw=0, zorder=0,
                       label="fit window")
        if runs > 1 and fit.statistic != "median":
            keep = _positive_mask(x, t.xscale)
            stat = _clean(_statistic(values, fit), t.yscale)[keep]
            ax.plot(x[keep], stat, "o", color=MAIN, mfc="white", ms=3.5, mew=1.0, zorder=4,
                    label=f"{fit.statistic} over runs (what is fitted)")
            shown.append(stat)
        xs = _grid(lo_w, hi_w, t.xscale)
        with np.errstate(all="ignore"):
            ys = _clean(fit.predict(xs), t.yscale)
        sym = _rate_symbol(fit.law)
        ax.plot(xs, ys, "--", color=FIT, lw=2.0, zorder=5,
                label=_wrap(f"fit {_LAW_TEXT.get(fit.law, '')}: {sym} = {_num(fit.rate)} "
                            f"[{_num(fit.ci[0])}, {_num(fit.ci[1])}] ({fit.level:.0%} CI)",
                            LEGEND_WRAP))
        shown.append(ys)

    bound_values = None
    if t.bound is not None:
        try:
            bound_values = np.broadcast_to(np.asarray(t.bound, dtype=float), x.shape)
        except ValueError:  # a bound of another shape than x cannot be drawn against it
            bound_values = None
    if bound_values is not None:
        b = _clean(bound_values, t.yscale)
        keep = _positive_mask(x, t.xscale)
        rate = f" ⇒ {_rate_symbol(c.law)} = {_num(verdict.stated)}" if c.mode != Mode.LIMIT else ""
        ax.plot(x[keep], b[keep], "-.", color=BOUND, lw=1.3, zorder=4,
                label=_wrap(bound_label(m.bound) + rate, LEGEND_WRAP))
        shown.append(b[keep])

    ylim = _limits(shown, t.yscale)
    if ylim is not None:
        ax.set_ylim(*ylim)
    handles, labels = ax.get_legend_handles_labels()

    if verdict.control is not None:
        # the control is drawn on the claim's axis when its values fit there, else on an axis
        # of its own (right), so that neither a diverging control (1e100) nor one that falls to
        # machine precision (1e-28) flattens the claim's curve
        cm = verdict.control.measurement
        cx = np.asarray(cm.trace.x, dtype=float)
        cvals = np.atleast_2d(np.asarray(cm.trace.values, dtype=float))
        cmed = _clean(_quantiles(cvals)[0], t.yscale)
        own = not _overlaps(cmed, ylim, t.yscale)
        cax = ax
        if own:
            cax = ax.twinx()
            cax.set_yscale(t.yscale)
            cax.set_ylabel("control (grey): " + safe(cm.trace.ylabel), color=CONTROL)
            cax.tick_params(axis="y", colors=CONTROL)
            cax.spines["right"].set_color(CONTROL)
        _draw_runs(cax, cx, cvals, colour=CONTROL,
                   label=_control_label(verdict, verdict.control, own),
                   scale_x=t.xscale, scale_y=t.yscale, few=cx.size <= 12)
        if own:
            ch, cl = cax.get_legend_handles_labels()
            handles, labels = handles + ch, labels + cl
            _match_decades(cax, ax, t.yscale)
        else:
            handles, labels = ax.get_legend_handles_labels()
            if ylim is not None:
                ax.set_ylim(*ylim)

    if m.diverged_at is not None:
        handles.append(ax.axvline(m.diverged_at, color=FAIL, lw=1, ls=":"))
        labels.append(f"the claim's run diverged at step {m.diverged_at}")
    if m.fit is None and m.diverged_at is None:
        ax.text(0.5, 0.5, _wrap(safe(measured_text(m)), 60), transform=ax.transAxes, ha="center",
                va="center", color=FAIL, fontsize=9)

    ax.set_xlabel(safe(t.xlabel))
    ax.set_ylabel(safe(t.ylabel))
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", alpha=0.08)

    title, colour = verdict_title(verdict)
    ax.set_title(safe(title), color=colour, fontsize=11, fontweight="bold", loc="left")
    p = c.paper
    where = f"arXiv {p.arxiv}" if p.arxiv else p.venue
    sub = f"{safe(f'{p.authors} {p.year}, {p.theorem} ({where})')} · {accepted_text(verdict)}"
    top.suptitle(_wrap(sub, 125), fontsize=8, x=0.01, ha="left", color="#444444")
    top.legend(handles, labels, loc="outside lower center", fontsize=8, ncols=2,
               frameon=False)
    bottom.text(0.01, 0.98, footer, fontsize=FOOTER_PT, color="#555555", va="top")
    return fig


def save(verdict: Verdict, out_dir: str | Path, formats: Sequence[str] = ("png", "pdf"),
         dpi: int = DPI) -> list[Path]:
    """Draw ``verdict`` and write ``<out_dir>/<claim id>.<format>`` for each format."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = draw(verdict)
    paths = []
    for fmt in formats:
        path = out / f"{verdict.claim.id}.{fmt}"
        if fmt == "png":
            _save_png(fig, path, dpi)
        else:
            # no timestamps or version strings: a regenerated figure changes only when it does
            meta = {"CreationDate": None, "Producer": None} if fmt == "pdf" else {"Date": None}
            fig.savefig(path, format=fmt, dpi=dpi, metadata=meta)
        paths.append(path)
    return paths


def _save_png(fig: Figure, path: Path, dpi: int) -> None:
    """A 256-colour PNG: a third of the size of matplotlib's RGBA and indistinguishable here.

    The PNGs feed the report, so their size matters; a line plot has few distinct colours, and
    median-cut quantisation without dithering keeps lines and text crisp.  Pillow is a
    dependency of matplotlib.  No timestamp or version is written, so a figure regenerated from
    the same verdict is byte-identical.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    buffer.seek(0)
    with Image.open(buffer) as image:
        quantized = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    quantized.save(path, format="PNG", optimize=True)
