"""The forest plot that opens the report: every claim a row, its measured value against its
accepted interval, on one normalised axis.

Claims measure different things (an exponent p, a contraction factor rho, an offset in the
value's units), so each row is put on a common coordinate u before drawing:

1. the rate is read as a *rate coordinate* t in which larger means faster or larger: p itself
   for a power law or a parameter law, -ln rho for a geometric factor (the contraction per step),
   the value itself for a limit;
2. u is the distance of t from the stated value, in units of the tolerance on that side:
   u = (t - t_stated) / w, where w is the width of the accepted interval above (below) the stated
   value for t above (below) it.  A side without a width (a one-sided or a zero tolerance) takes
   the other side's, and 10% of |t_stated| (1 when that is 0) when neither has one.

A tight claim's accepted interval is then [-1, 1], an "at least as fast" claim's [-1, inf), and
an ``outside`` limit's forbidden zone is [-1, 1].  The axis is linear within +-2 and logarithmic
beyond (``symlog``); values beyond +-CLIP sit at the edge with their number.

Each row links to the claim's section of the report (``#<claim id>``): in SVG output the row's
label, its background and its markers are hyperlinks (matplotlib's ``set_url``), so the inline
SVG of the HTML page is clickable and needs no script.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from rates.claim import FAILS, HOLDS, Mode, Outcome, Verdict

PASS = "#1a7f37"
FAIL = "#cf222e"
WARN = "#b35900"
CONTROL = "#6e7781"
ACCEPTED = "#d8f0dc"
FORBIDDEN = "#f8d7da"

CLIP = 1e4
"""|u| beyond this is drawn at the edge (a diverging control's rate can be 1e100)."""
LINEAR = 2.0
"""The axis is linear on [-LINEAR, LINEAR], where the accepted intervals' edges lie."""
FALLBACK = 0.1
"""The unit of a side without width: this fraction of |t_stated|."""
ROW_IN = 0.3
"""Inches per row."""

CAPTION = (
    "Every claim is a row (click it for its section); the filled dot is the claim's measured "
    "value with its 95% CI, the hollow diamond beneath it the control's, coloured by verdict "
    "(green holds, red fails, orange undecided; a control is grey when it fails, as it must). "
    "To share one axis, each value is first read as a rate coordinate t that grows with speed: "
    "the exponent p of a power or parameter law, −ln ρ for a contraction factor ρ, the value "
    "itself for a limit; then u = (t − t_stated)/w, with w the width of the accepted interval "
    "on that side of the stated value (the other side's when one is open or of zero width, 10% "
    "of |t_stated| when both are). The green band is the accepted interval (a tight claim's is "
    "[−1, 1], an O(·) claim's [−1, ∞)); a red band is a zone a claim must avoid (\"does not "
    "converge there\"). The axis is linear within ±2 and logarithmic beyond; values beyond "
    f"±{CLIP:g} sit at the edge."
)


@dataclass(frozen=True)
class Placed:
    """One outcome on the normalised axis: u with its CI, or a note when nothing was measured."""

    u: float | None
    lo: float | None
    hi: float | None
    accepted: tuple[float, float]
    outside: bool
    note: str = ""


def _t(x: float, law: str) -> float:
    """The rate coordinate: larger is faster (or larger)."""
    if law == "geometric":
        return -math.log(x) if x > 0 else math.inf
    return x


def _widths(v: Verdict) -> tuple[float, float, float]:
    """(t_stated, width below, width above) of the claim's accepted interval in t."""
    c = v.claim
    ts = _t(v.stated, c.law)
    a, b = v.outcome.accepted
    ta, tb = _t(a, c.law), _t(b, c.law)
    lo_t, hi_t = min(ta, tb), max(ta, tb)
    below, above = ts - lo_t, hi_t - ts
    ok = [w for w in (below, above) if math.isfinite(w) and w > 0]
    fallback = FALLBACK * abs(ts) if math.isfinite(ts) and ts != 0 else 1.0
    spare = ok[0] if len(ok) == 1 else fallback
    below = below if math.isfinite(below) and below > 0 else spare
    above = above if math.isfinite(above) and above > 0 else spare
    return ts, below, above


def _u(x: float, law: str, ts: float, below: float, above: float) -> float:
    t = _t(x, law)
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return t
    return (t - ts) / (above if t >= ts else below)


def place(v: Verdict, o: Outcome) -> Placed:
    """Where outcome ``o`` (the claim's or a control's) of verdict ``v`` lies on the u axis."""
    c = v.claim
    ts, below, above = _widths(v)
    a, b = o.accepted
    ua, ub = (_u(x, c.law, ts, below, above) for x in (a, b))
    accepted = (min(ua, ub), max(ua, ub))
    outside = c.mode == Mode.LIMIT and c.tolerance.outside
    m = o.measurement
    if m.diverged_at is not None:
        return Placed(None, None, None, accepted, outside, f"diverged at step {m.diverged_at}")
    if m.measured is None:
        return Placed(None, None, None, accepted, outside, "not measured")
    u = _u(m.measured, c.law, ts, below, above)
    ci = m.ci
    if ci is None:
        return Placed(u, None, None, accepted, outside)
    ends = sorted(_u(x, c.law, ts, below, above) for x in ci)
    return Placed(u, ends[0], ends[1], accepted, outside)


def _verdict_colour(verdict: str) -> str:
    return {HOLDS: PASS, FAILS: FAIL}.get(verdict, WARN)


def _control_colour(o: Outcome) -> str:
    return CONTROL if o.verdict == FAILS else _verdict_colour(o.verdict)


def _clip(u: float) -> float:
    return float(np.clip(u, -CLIP, CLIP))


def _label(u: float) -> str:
    if math.isinf(u):
        return "∞" if u > 0 else "−∞"
    return f"{u:.3g}"


def draw(verdicts: Sequence[Verdict], width: float = 9.0) -> Figure:
    """The forest plot of ``verdicts`` (in their order, top to bottom)."""
    n = len(verdicts)
    fig = Figure(figsize=(width, 0.9 + ROW_IN * max(n, 1)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_xscale("symlog", linthresh=LINEAR, linscale=1.6)
    edge = CLIP * 1.6
    ax.set_xlim(-edge, edge)
    ax.set_ylim(n - 0.5, -0.5)
    for i, v in enumerate(verdicts):
        url = f"#{v.claim.id}"
        band = Rectangle((-edge, i - 0.5), 2 * edge, 1.0, color="#f6f8fa" if i % 2 else "white",
                         lw=0, zorder=0)
        band.set_url(url)
        ax.add_patch(band)
        claim = place(v, v.outcome)
        lo, hi = (_clip(x) for x in claim.accepted)
        ax.add_patch(Rectangle((lo, i - 0.38), hi - lo, 0.76, lw=0, zorder=1,
                               color=FORBIDDEN if claim.outside else ACCEPTED))
        _mark(ax, claim, i - 0.1, _verdict_colour(v.outcome.verdict), "o", True, url)
        for j, o in enumerate(() if v.control is None else (v.control, *v.more_controls)):
            _mark(ax, place(v, o), i + 0.17 + 0.1 * j, _control_colour(o), "D", False, url)
        label = ax.text(-0.01, i, v.claim.id, transform=ax.get_yaxis_transform(), ha="right",
                        va="center", fontsize=8.5, color=_verdict_colour(v.status),
                        fontweight="bold", family="monospace")
        label.set_url(url)
    ax.axvline(0, color="#222222", lw=0.8, zorder=1.5)
    for x in (-1, 1):
        ax.axvline(x, color="#8c959f", lw=0.6, ls=":", zorder=1.5)
    ticks = [-1e4, -1e3, -100, -10, -2, -1, 0, 1, 2, 10, 100, 1e3, 1e4]
    ax.set_xticks(ticks, [_tick(t) for t in ticks])
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("u: distance from the stated value in tolerance widths (right: faster, "
                  "or larger)", fontsize=8.5)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.legend(handles=_legend(), loc="outside upper center", ncols=5, fontsize=7.5,
              frameon=False)
    return fig


def _tick(t: float) -> str:
    if t == 0:
        return "0"
    a = abs(t)
    text = f"{a:g}" if a < 1000 else f"1e{int(round(math.log10(a)))}"
    return ("−" if t < 0 else "") + text


def _mark(ax, p: Placed, y: float, colour: str, marker: str, filled: bool, url: str) -> None:
    if p.u is None:
        # beside the accepted band, not on it: a note is not a value
        t = ax.text(1.3 * LINEAR, y, p.note, ha="left", va="center", fontsize=7, color=colour,
                    style="italic", zorder=4)
        t.set_url(url)
        return
    u = _clip(p.u)
    if p.lo is not None and p.hi is not None and math.isfinite(p.lo + p.hi):
        bar = ax.plot([_clip(p.lo), _clip(p.hi)], [y, y], color=colour, lw=1.6, zorder=3,
                      solid_capstyle="butt")[0]
        bar.set_url(url)
    dot = ax.plot([u], [y], marker, ms=5.5 if filled else 4.5, color=colour,
                  mfc=colour if filled else "white", mew=1.3, zorder=4)[0]
    dot.set_url(url)
    if abs(p.u) > CLIP or not math.isfinite(p.u):
        ax.text(u, y, f" {_label(p.u)} " if p.u > 0 else f" {_label(p.u)} ",
                ha="right" if p.u > 0 else "left", va="center", fontsize=6.5, color=colour,
                zorder=4)


def _legend() -> list:
    return [
        Line2D([], [], marker="o", color=PASS, lw=1.6, ms=5.5, label="claim, 95% CI"),
        Line2D([], [], marker="D", color=CONTROL, mfc="white", lw=1.6, ms=4.5,
               label="control (fails, as it must)"),
        Patch(color=ACCEPTED, label="accepted interval"),
        Patch(color=FORBIDDEN, label="must avoid (limit: not there)"),
        Line2D([], [], color=FAIL, marker="o", lw=0, label="fails / control holds"),
    ]


def svg(verdicts: Sequence[Verdict]) -> str:
    """The forest plot as an SVG document whose rows are links to ``#<claim id>``.

    Text stays text (``svg.fonttype: none``): smaller, selectable, searchable.  No date is
    written and the element ids are salted by a constant, so the same verdicts give the same
    bytes.
    """
    fig = draw(verdicts)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "rates-forest"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def inline(svg_text: str) -> str:
    """An SVG document as an element for an HTML page: no XML prolog, scaled to the page."""
    start = svg_text.index("<svg")
    element = svg_text[start:]
    element = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"',
                     r'\1 style="width: 100%; max-width: 60em; height: auto"', element, count=1)
    return element.replace("<svg", '<svg role="img" aria-label="forest plot of the verdicts"',
                           1)
