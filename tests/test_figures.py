"""Figures: one per claim, drawn from any verdict, written by `rates figures`."""

import dataclasses
import io

import numpy as np
import pytest
import sympy as sp
from PIL import Image

from figures import layout
from rates import registry, worst_case
from rates.bound import Bound, k
from rates.claim import Check, Control, Measurement, Mode, Trace, Verdict
from rates.cli import main

FAST = "handbook-gd-strongly-convex"
C = sp.Symbol("C", positive=True)


def render(fig) -> Image.Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    buffer.seek(0)
    return Image.open(buffer)


def texts(fig) -> str:
    """Every text drawn in the figure, legend included."""
    out = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return " | ".join(" ".join(s.split()) for s in out if s)  # one line per text, unwrapped


@pytest.mark.slow
def test_every_registered_claim_gets_a_figure(synthetic_verdicts, synthetic_figures):
    assert set(synthetic_verdicts) == set(registry.all_claims())
    for claim_id, verdict in synthetic_verdicts.items():
        with Image.open(synthetic_figures / f"{claim_id}.png") as image:
            assert image.size == (750, 600)
        drawn = texts(layout.draw(verdict))
        assert claim_id in drawn and "HOLDS" in drawn and "control fails" in drawn
        limit = verdict.claim.mode == Mode.LIMIT and \
            verdict.outcome.measurement.trace.yscale == "linear"
        assert ("mean of 20 runs ± 1 SE" if limit else "median of 20 runs") in drawn
        if verdict.outcome.measurement.fit is not None:
            assert "fit" in drawn
            assert layout._num(verdict.measured) in drawn  # the rate, in the legend
            assert "stated bound" in drawn


def test_the_legend_carries_the_rate_ci_bound_and_control(synthetic_verdicts):
    v = synthetic_verdicts["handbook-sgd-switching"]
    fig = layout.draw(v)
    assert len(fig.axes) == 1
    drawn = texts(fig)
    lo, hi = v.ci
    assert f"$p$ = {layout._num(v.measured)} [{layout._num(lo)}, {layout._num(hi)}]" in drawn
    assert r"stated bound $\frac{C}{k}$ ⇒ $p$ = 1" in drawn
    assert "control: constant gamma" in drawn  # a plateau at 1e-3: on the claim's axis
    assert "accepted [0.9, ∞)" in drawn


def test_a_control_far_off_the_claims_scale_gets_its_own_axis(make_verdict):
    claim = registry.get("handbook-sgd-switching")
    fig = layout.draw(make_verdict(claim, control_scale=1e-12))
    assert len(fig.axes) == 2 and "control (right axis): constant gamma" in texts(fig)
    (lo, hi), (clo, chi) = fig.axes[0].get_ylim(), fig.axes[1].get_ylim()
    assert np.log10(chi / clo) == pytest.approx(np.log10(hi / lo))  # slopes compare


def test_the_bound_is_rendered_as_mathtext_or_falls_back_to_text():
    assert layout.bound_label(Bound(C / k)) == r"stated bound $\frac{C}{k}$"
    piecewise = Bound(sp.Piecewise((C / k, k > 10), (C, True)))  # \begin{cases}: no mathtext
    label = layout.bound_label(piecewise)
    assert "$" not in label and "Piecewise" in label
    assert layout.mathtext_ok(r"$\frac{1}{k}$") and not layout.mathtext_ok(r"$\begin{cases}$")


def test_a_claims_stray_dollar_does_not_break_the_figure(make_verdict):
    claim = registry.get(FAST)
    odd = dataclasses.replace(claim, control=Control({"gamma_L": 2.1},
                                                     "costs $5, $\\frac{1}{0$ and $x$"))
    v = dataclasses.replace(make_verdict(claim), claim=odd)
    render(layout.draw(v))  # would raise ValueError on unescaped broken mathtext


@pytest.mark.slow
def test_failures_divergence_and_refusals_are_drawn():
    claim = registry.get("handbook-gd-convex")
    x = np.arange(1.0, 101.0)
    diverging = np.exp(x)[None, :]
    diverging[0, 60:] = np.nan
    diverged = Measurement(trace=Trace(x, diverging, "k", "gap"), diverged_at=60,
                           bound=Bound(C / k, constants={C: 1.0}))
    refused = Measurement(trace=Trace(x, -np.ones((3, x.size)), "k", "gap"),
                          refused="the mean over runs must be positive")
    v = Verdict(claim=claim, params=claim.resolve(), seed=0, stated=1.0,
                outcome=claim.judge(diverged, 1.0), control=claim.judge(refused, 1.0),
                seconds=0.1)
    fig = layout.draw(v)
    drawn = texts(fig)
    assert "FAILS" in drawn and "diverged at step 60" in drawn
    assert "must be positive" in drawn
    render(fig)


def test_a_passing_control_is_flagged(make_measurement):
    claim = registry.get(FAST)
    m = make_measurement(claim)
    v = Verdict(claim=claim, params=claim.resolve(), seed=0, stated=m.stated(),
                outcome=claim.judge(m, m.stated()), control=claim.judge(m, m.stated()),
                seconds=0.1)
    title, colour = layout.verdict_title(v)
    assert "control holds" in title and colour == layout.WARN
    assert "the check cannot fail" in texts(layout.draw(v))


@pytest.mark.slow
def test_save_writes_small_png_and_pdf_and_is_reproducible(tmp_path, synthetic_verdicts,
                                                           synthetic_figures):
    v = synthetic_verdicts[FAST]
    png, pdf = layout.save(v, tmp_path)
    assert png.name == f"{FAST}.png" and pdf.read_bytes().startswith(b"%PDF")
    with Image.open(png) as image:
        assert image.size == (750, 600) and image.mode == "P"  # 256 colours
    assert png.stat().st_size < 60_000
    # no timestamp: a figure regenerated from the same verdict is byte-identical
    assert png.read_bytes() == (synthetic_figures / png.name).read_bytes()


@pytest.mark.slow
def test_figures_command_with_set_and_seed(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["figures", FAST, "--set", "gamma_L=0.5", "--seed", "3", "--format", "png",
                 "--out", str(out)]) == 0
    assert f"{FAST}: holds" in capsys.readouterr().out
    assert [p.name for p in out.iterdir()] == [f"{FAST}.png"]
    assert main(["figures", FAST, "--format", "gif", "--out", str(out)]) == 2
    assert "--format" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["power_law", "geometric", "parameter"])
def test_the_fit_line_follows_the_fit(name, make_verdict):
    claim = next(c for c in registry.all_claims().values() if c.law == name)
    v = make_verdict(claim)
    fit = v.outcome.measurement.fit
    ax = layout.draw(v).axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    xs, ys = line.get_data()
    assert fit.window[0] <= xs.min() and xs.max() <= fit.window[1]
    np.testing.assert_allclose(ys, fit.predict(xs))



# --- limits: the mean with its SE; adam-symmetry shows the theorem ------------------------------

def test_adam_symmetry_draws_both_laws_the_fields_zero_and_x_star(make_verdict):
    v = make_verdict(registry.get("adam-symmetry"))
    v.outcome.measurement.extra["zero"] = -0.0086
    fig = layout.draw(v)
    drawn = texts(fig)
    assert len(fig.axes) == 1  # the symmetric control shares the claim's axis
    assert "zero of the Adam vector field (quadrature): -0.0086" in drawn
    assert "0 = x*: the limit if and only if the law is symmetric" in drawn
    assert "claim (law = exponential): mean of 20 runs ± 1 SE" in drawn
    assert "must avoid (the claim's CI): [-0.004, 0.004]" in drawn
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    hlines = {round(ln.get_ydata()[0], 6) for ln in ax.get_lines()
              if len(set(ln.get_ydata())) == 1 and len(ln.get_ydata()) == 2}
    assert {0.0, -0.0086} <= hlines and lo < -0.0086 < 0.0 < hi
    control_mean = v.control.measurement.trace.values.mean(axis=0)
    assert lo < control_mean[-1] < hi  # the control does not leave the axis


def test_a_limit_is_drawn_as_mean_and_standard_error(make_verdict):
    v = make_verdict(registry.get("adam-nonconvergence"))
    ax = layout.draw(v).axes[0]
    values = v.outcome.measurement.trace.values
    (mean_line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("claim")]
    np.testing.assert_allclose(mean_line.get_ydata(), values.mean(axis=0))


# --- the worst-case leg ------------------------------------------------------------------------

def leg_check(bound=True) -> Check:
    return worst_case.worst_case_leg(
        "worst-case leg: measured <= PEP worst case <= bound", [1, 2, 5, 10],
        {1: 0.087, 2: 0.084, 5: 0.068, 10: 0.033}, {1: 1.0, 2: 0.444, 5: 0.111, 10: 3e-5},
        {1: 1.0, 2: 0.4444, 5: 0.1111, 10: 0.0331} if bound else None)


def test_the_legs_points_are_read_back_from_its_check():
    points = layout.leg_points(leg_check())
    assert points.n == (1, 2, 5) and points.measured == (0.087, 0.084, 0.068)
    assert points.worst == (1.0, 0.444, 0.111) and points.bound == (1.0, 0.4444, 0.1111)
    assert points.skipped == ((10, 3e-5),) and points.passed
    assert layout.leg_points(leg_check(bound=False)).bound is None
    failed = worst_case.worst_case_leg("leg", [5], {5: 2.0}, {5: 1.0}, {5: 3.0})
    assert not failed.passed and layout.leg_points(failed).measured == (2.0,)
    assert layout.leg_points(Check("leg", False, "PEPit is not installed")) is None


def test_a_claim_with_a_worst_case_leg_draws_its_three_curves(make_verdict):
    v = make_verdict(registry.get("halpern"))
    v.outcome.measurement.checks = [leg_check()]
    fig = layout.draw(v)
    assert len(fig.axes) == 2
    leg = fig.axes[1]
    curves = {ln.get_label(): ln for ln in leg.get_lines()}
    assert list(curves["measured"].get_ydata()) == [0.087, 0.084, 0.068]
    assert list(curves["PEP worst case"].get_ydata()) == [1.0, 0.444, 0.111]
    assert list(curves["paper's bound"].get_ydata()) == [1.0, 0.4444, 0.1111]
    assert "worst-case leg: holds" in texts(fig)
    render(fig)


def test_a_leg_that_could_not_run_says_why(make_verdict):
    v = make_verdict(registry.get("comonotone-pp"))
    v.outcome.measurement.checks = [
        Check("worst-case leg: measured <= PEP worst case <= bound", False,
              "PEPit is not installed: pip install -e '.[pep]'")]
    fig = layout.draw(v)
    assert len(fig.axes) == 2 and "PEPit is not installed" in texts(fig)
