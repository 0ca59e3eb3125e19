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
* the verdict in the title, coloured, and the stated value with its accepted interval under it;
* for a claim with a worst-case leg (:class:`rates.spec.WorstCaseLeg`), a panel beside it with
  the leg's three curves against N: the value measured on the instance, the exact worst case over
  the class (PEP) and the paper's bound (read from the leg's check, so a cached verdict draws it);
* for a limit claim on a linear axis, the mean over runs with a +-1 SE band (a limit is a
  statement about the mean: the 10-90% band of single runs would hide it), the stated value and
  the accepted interval (or the zone it must avoid) as horizontal lines and bands, the measured
  limit with its CI at the right, and the control on the same axis.  adam-symmetry also draws the
  zero of the Adam vector field, the limit the theorem predicts for a skewed law.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser
from matplotlib.ticker import FuncFormatter, NullFormatter

from rates.bound import Bound
from rates.claim import Check, Measurement, Mode, Outcome, Verdict
from rates.fit import STATISTICS, Fit
from rates.records import control_text

MAIN = "#1f5fa8"
FIT = "#d1495b"
BOUND = "#222222"
CONTROL = "#8c8c8c"
PASS = "#1a7f37"
FAIL = "#cf222e"
WARN = "#b35900"
WORST = "#6f42c1"
ACCEPTED = "#d8f0dc"
FORBIDDEN = "#f8d7da"

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
        unit = " SE" if c.tolerance.se_units else ""
        what = "must avoid" if c.tolerance.outside else "accepted within"
        return (f"{c.mode.value}: target {_num(verdict.stated)}, {what} "
                f"[{_num(lo)}, {_num(hi)}]{unit}")
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
    parts += [f"{c.name}: {c.detail} ({'skipped' if c.skipped else 'ok' if c.passed else 'FAILS'})"
              for c in m.checks]
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
    """Many parameters on purpose: one axis, the data and the styling of one curve family, called
    from the three panel kinds."""
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
    """Give a log-scaled control axis and the claim's axis the same number of decades.

    Equal decades per inch keep slopes comparable across the two axes: a control that varies by
    a factor 2 must not look as steep as a claim that varies by a factor 100, nor a control that
    grows like kappa look as flat as a claim that grows like sqrt(kappa).
    """
    if scale != "log":
        return
    lo, hi = ax.get_ylim()
    clo, chi = cax.get_ylim()
    want = math.log10(hi / lo)
    have = math.log10(chi / clo)
    span = max(want, have)
    for axis, (a, b) in ((ax, (lo, hi)), (cax, (clo, chi))):
        mid = 0.5 * (math.log10(a) + math.log10(b))
        axis.set_ylim(10 ** (mid - span / 2), 10 ** (mid + span / 2))


# --- the worst-case leg ------------------------------------------------------------------------

_JUDGED = re.compile(r"N = (\d+): measured ([^\s;)]+) <= worst ([^\s;)]+)"
                     r"(?: <= bound ([^\s;)]+))?")
_SKIPPED = re.compile(r"(\d+) \(worst ([^\s;)]+)\)")


@dataclass(frozen=True)
class LegPoints:
    """A worst-case leg's three curves against N, read back from its check."""

    name: str
    passed: bool
    n: tuple[int, ...]
    measured: tuple[float, ...]
    worst: tuple[float, ...]
    bound: tuple[float, ...] | None
    skipped: tuple[tuple[int, float], ...]
    """(N, worst case) below the solver's floor: drawn, not judged."""
    note: str = ""


def leg_points(check: Check) -> LegPoints | None:
    """The points of a worst-case leg's check (:func:`rates.worst_case.worst_case_leg` writes
    them into its detail as "N = 5: measured a <= worst b <= bound c"), or None if it has none.

    Reading the detail, rather than re-solving, lets a cached verdict draw its leg: the detail is
    the record of what was judged.
    """
    judged = _JUDGED.findall(check.detail)
    skipped_part = check.detail.split("skipped", 1)[1] if "skipped" in check.detail else ""
    skipped = tuple((int(n), float(w)) for n, w in _SKIPPED.findall(skipped_part))
    if not judged and not skipped:
        return None
    seen: dict[int, tuple[float, float, float | None]] = {}
    for n, m, w, b in judged:  # a failed leg lists its failures first, then all points
        seen.setdefault(int(n), (float(m), float(w), float(b) if b else None))
    ns = tuple(sorted(seen))
    bounds = tuple(seen[n][2] for n in ns)
    return LegPoints(name=check.name, passed=check.passed, n=ns,
                     measured=tuple(seen[n][0] for n in ns), worst=tuple(seen[n][1] for n in ns),
                     bound=None if any(b is None for b in bounds) else bounds, skipped=skipped)


def _leg_names(verdict: Verdict) -> set[str]:
    """The names of the claim's worst-case legs (a Spec's WorstCaseLeg checks)."""
    from rates.spec import WorstCaseLeg

    checks = getattr(verdict.claim.experiment, "checks", ()) or ()
    return {a.name for a in checks if isinstance(a, WorstCaseLeg)}


def worst_case_legs(verdict: Verdict) -> list[tuple[Check, LegPoints | None]]:
    """The claim measurement's worst-case leg checks, each with its points (None when the leg
    could not run, e.g. PEPit is not installed: the panel then says why)."""
    names = _leg_names(verdict)
    out = []
    for c in verdict.outcome.measurement.checks:
        if c.name in names or c.name.startswith("worst-case leg"):
            out.append((c, leg_points(c)))
    return out


def _draw_leg(ax, check: Check, points: LegPoints | None) -> None:
    colour = "0.4" if check.skipped else PASS if check.passed else FAIL
    state = "not run" if check.skipped else "holds" if check.passed else "FAILS"
    ax.set_title(_wrap("worst-case leg: " + state, 30),
                 fontsize=9, color=colour, loc="left", fontweight="bold")
    if points is None:
        ax.text(0.5, 0.5, _wrap(safe(check.detail), 28), transform=ax.transAxes, ha="center",
                va="center", fontsize=7, color=colour)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    ax.set_xscale("log")
    ax.set_yscale("log")
    n = np.asarray(points.n, dtype=float)
    ax.plot(n, _clean(np.asarray(points.measured), "log"), "o-", color=MAIN, lw=1.6, ms=4,
            label="measured", zorder=4)
    ax.plot(n, _clean(np.asarray(points.worst), "log"), "s--", color=WORST, lw=1.4, ms=4,
            mfc="white", label="PEP worst case", zorder=3)
    if points.bound is not None:
        ax.plot(n, _clean(np.asarray(points.bound), "log"), "-.", color=BOUND, lw=1.3,
                label="paper's bound", zorder=2)
    if points.skipped:
        sn, sw = zip(*points.skipped, strict=True)
        ax.plot(sn, _clean(np.asarray(sw, dtype=float), "log"), "s", color=CONTROL, mfc="none",
                ms=4, label="below solver floor")
    ax.set_xlabel("horizon N", fontsize=8)
    ax.set_ylabel("the leg's measure after N steps", fontsize=8)
    ticks = sorted(set(points.n) | {s[0] for s in points.skipped})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=7)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=6.5, loc="best", frameon=True, framealpha=0.8)


# --- limits: the mean with its SE, the stated value and the interval as lines ----------------

def _mean_se(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        count = np.sum(np.isfinite(values), axis=0)
        se = np.nanstd(values, axis=0, ddof=1) / np.sqrt(np.maximum(count, 1))
    return mean, np.where(count > 1, se, 0.0)


def _adam_symmetry_lines(verdict: Verdict) -> list[tuple[float, str]]:
    """adam-symmetry: the zero of the Adam vector field, the limit for a skewed law [the claim's
    own independent value, by quadrature], beside x* (0), the limit iff the law is symmetric."""
    zero = verdict.outcome.measurement.extra.get("zero")
    if zero is None or not math.isfinite(zero):
        return []
    return [(float(zero), f"zero of the Adam vector field (quadrature): {_num(zero)}, the "
                          f"limit for the skewed law")]


SPECIAL_LINES = {"adam-symmetry": _adam_symmetry_lines}
"""Reference lines a limit claim's figure adds to its stated value, by claim id (y, label)."""

TARGET_LABELS = {"adam-symmetry": "0 = x*: the limit if and only if the law is symmetric"}


def _limit_ylim(core: list[float], full: list[np.ndarray]) -> tuple[float, float]:
    """The y-range: everything that carries the point (``core``: the stated value, the interval,
    the measured CIs, the late means), and as much of the curves' transients as leaves the core
    at least a third of the axis."""
    core = [c for c in core if math.isfinite(c)]
    lo, hi = min(core), max(core)
    span = hi - lo if hi > lo else max(abs(hi), 1e-12)
    allv = np.concatenate([a[np.isfinite(a)] for a in full] + [np.array(core)])
    lo = max(float(allv.min()), lo - span)
    hi = min(float(allv.max()), hi + span)
    pad = 0.06 * (hi - lo)
    return lo - pad, hi + pad


def _draw_limit(ax, verdict: Verdict) -> list[np.ndarray]:
    """The limit figure's main axes (see the module docstring); returns nothing to rescale.

    Long on purpose: one panel of a limit claim drawn in order (bands, lines, the measured limits,
    the legend)."""
    c = verdict.claim
    m = verdict.outcome.measurement
    runs = np.atleast_2d(np.asarray(m.trace.values, dtype=float)).shape[0]
    # name each curve by what tells them apart: the parameters the control changes
    changed = ", ".join(f"{k} = {verdict.params.get(k)}" for k in c.control.overrides)
    which = f" ({changed})" if changed else ""
    roles = [(verdict.outcome, MAIN, f"claim{which}: mean of {runs} runs ± 1 SE")]
    if verdict.control is not None:
        roles.append((verdict.control, CONTROL, _wrap(
            _control_label(verdict, verdict.control, False) + " (mean ± 1 SE)", 48)))
    core: list[float] = [verdict.stated]
    full: list[np.ndarray] = []
    xmax = 1.0
    for outcome, colour, label in roles:
        t = outcome.measurement.trace
        x = np.asarray(t.x, dtype=float)
        keep = _positive_mask(x, t.xscale)
        mean, se = _mean_se(np.atleast_2d(np.asarray(t.values, dtype=float)))
        x, mean, se = x[keep], mean[keep], se[keep]
        ax.plot(x, mean, "-", color=colour, lw=2.0, label=label, zorder=4)
        ax.fill_between(x, mean - se, mean + se, color=colour, alpha=0.25, lw=0, zorder=3)
        if x.size:
            xmax = max(xmax, float(np.nanmax(x)))
            late = x >= x.max() ** 0.6 * (x.min() if x.min() > 0 else 1.0) ** 0.4
            core += [float(np.nanmin(mean[late] - se[late])), float(np.nanmax(mean[late] +
                                                                             se[late]))]
            full += [mean - se, mean + se]
    lo, hi = verdict.outcome.accepted
    core += [v for v in (lo, hi) if math.isfinite(v)]
    extra = SPECIAL_LINES.get(c.id, lambda v: [])(verdict)
    core += [y for y, _ in extra]
    at = xmax * 1.35  # the measured limits, right of the curves
    for outcome, colour, marker in ((verdict.outcome, None, "s"), (verdict.control, CONTROL, "D")):
        if outcome is None or outcome.measurement.ci is None:
            continue
        om = outcome.measurement
        own = {"holds": PASS, "fails": FAIL}.get(outcome.verdict, WARN) if colour is None \
            else colour
        clo, chi = om.ci
        core += [clo, chi]
        who = "claim" if colour is None else "control"
        ax.errorbar([at if colour is None else at * 1.25], [om.measured],
                    yerr=[[om.measured - clo], [chi - om.measured]], fmt=marker, color=own,
                    mfc=own if colour is None else "white", ms=6, capsize=3, lw=1.6, zorder=6,
                    label=_wrap(f"{who}'s measured limit {measured_text(om)} "
                                f"({om.level:.0%} CI): {outcome.verdict}", LEGEND_WRAP))
    ylo, yhi = _limit_ylim(core, full)
    ax.set_ylim(ylo, yhi)
    outside = c.tolerance.outside
    band_lo, band_hi = max(lo, ylo - (yhi - ylo)), min(hi, yhi + (yhi - ylo))
    ax.axhspan(band_lo, band_hi, color=FORBIDDEN if outside else ACCEPTED, alpha=0.8, lw=0,
               zorder=0, label=(f"must avoid (the claim's CI): [{_num(lo)}, {_num(hi)}]"
                                if outside else f"accepted [{_num(lo)}, {_num(hi)}]"))
    ax.axhline(verdict.stated, color=BOUND, lw=1.3, zorder=2,
               label=TARGET_LABELS.get(c.id, f"stated value {_num(verdict.stated)}"))
    for y, label in extra:
        ax.axhline(y, color=FIT, lw=1.6, ls="--", zorder=2, label=_wrap(label, LEGEND_WRAP))
    ax.set_xlim(right=at * 1.6)
    return []


def _tidy_log_ticks(axis, lo: float, hi: float) -> None:
    """On a log axis spanning under two decades, plain numbers (0.2, 0.5, 1) instead of
    overlapping 2x10^-1 3x10^-1 ... minor labels; over more decades, no minor labels at all."""
    if not (lo > 0 and hi > lo):
        return
    if math.log10(hi / lo) >= 2:
        axis.set_minor_formatter(NullFormatter())
        return

    def plain_number(v: float, _pos: int | None = None) -> str:
        mantissa = v / 10 ** math.floor(math.log10(v) + 1e-9)
        return f"{v:g}" if round(mantissa, 6) in (1.0, 2.0, 5.0) else ""

    axis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_minor_formatter(FuncFormatter(plain_number))


def draw(verdict: Verdict, fig: Figure | None = None) -> Figure:
    """The figure of one verdict (a new Figure unless one is given).

    Long on purpose: the figure of any claim built in one pass (title, panels, legends, the footer
    of checks) so that every law and mode shares one layout; each block is commented."""
    fig = fig or Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    footer = _footer(verdict)
    lines = footer.count("\n") + 1
    footer_in = lines * FOOTER_PT * 1.3 / 72 + 0.06
    top, bottom = fig.subfigures(2, 1, height_ratios=[SIZE[1] - footer_in, footer_in])
    legs = worst_case_legs(verdict)
    if legs:
        ax, *leg_axes = top.subplots(1, 1 + len(legs), width_ratios=[2.4] + [1.0] * len(legs))
        for leg_ax, (check, points) in zip(leg_axes, legs, strict=True):
            _draw_leg(leg_ax, check, points)
    else:
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
    if c.mode == Mode.LIMIT and t.yscale == "linear" and m.diverged_at is None:
        _draw_limit(ax, verdict)
        _finish(ax, top, bottom, verdict, footer, *ax.get_legend_handles_labels())
        return fig
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
            if t.yscale == "log":
                _tidy_log_ticks(cax.yaxis, *cax.get_ylim())
        else:
            handles, labels = ax.get_legend_handles_labels()
            # within reach of the claim's axis: widen it to show the control whole (a plateau
            # just above the claim's curve must not be clipped away)
            both = _limits([*shown, cmed], t.yscale)
            if both is not None:
                ax.set_ylim(*both)

    if m.diverged_at is not None:
        handles.append(ax.axvline(m.diverged_at, color=FAIL, lw=1, ls=":"))
        labels.append(f"the claim's run diverged at step {m.diverged_at}")
    if m.fit is None and m.diverged_at is None:
        colour = {"holds": PASS, "fails": FAIL}.get(verdict.outcome.verdict, WARN)
        ax.text(0.5, 0.5, _wrap(safe(measured_text(m)), 60), transform=ax.transAxes, ha="center",
                va="center", color=colour, fontsize=9,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": colour, "lw": 0.6})
    _finish(ax, top, bottom, verdict, footer, handles, labels)
    return fig


def _finish(ax, top, bottom, verdict: Verdict, footer: str, handles, labels) -> None:
    """Axis labels, grid, title, subtitle, legend and footer: the same for every figure."""
    c, t = verdict.claim, verdict.outcome.measurement.trace
    ax.set_xlabel(safe(t.xlabel))
    ax.set_ylabel(safe(t.ylabel))
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", alpha=0.08)
    if t.xscale == "log":
        _tidy_log_ticks(ax.xaxis, *ax.get_xlim())
    if t.yscale == "log":
        _tidy_log_ticks(ax.yaxis, *ax.get_ylim())

    title, colour = verdict_title(verdict)
    ax.set_title(safe(title), color=colour, fontsize=11, fontweight="bold", loc="left")
    p = c.paper
    where = f"arXiv {p.arxiv}" if p.arxiv else p.venue
    sub = f"{safe(f'{p.authors} {p.year}, {p.theorem} ({where})')} · {accepted_text(verdict)}"
    top.suptitle(_wrap(sub, 125), fontsize=8, x=0.01, ha="left", color="#444444")
    top.legend(handles, labels, loc="outside lower center", fontsize=8, ncols=2,
               frameon=False)
    bottom.text(0.01, 0.98, footer, fontsize=FOOTER_PT, color="#555555", va="top")


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
