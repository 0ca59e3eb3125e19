"""Naive GD with a biased compressor diverges exponentially; error feedback restores convergence.

Problem [1, Section 2; the example of 2, attribution to verify].  Three workers,
f_i(x) = (a_i^T x)^2 + (1/4)||x||^2 with a_1 = (-3, 2, 2) and its cyclic shifts
(problems.compressed_workers); f = mean f_i is (1/2)-strongly convex, x* = 0.

Methods.  Top-1 keeps each message's largest-magnitude coordinate (contractive: ||C(v) - v||^2
<= (1 - 1/d)||v||^2, but biased).  Naive: x_{k+1} = x_k - gamma (1/3) sum_i Top1(grad f_i(x_k)).
EF14: p_i = e_i + gamma grad f_i(x_k), g_i = Top1(p_i), e_i <- p_i - g_i, x_{k+1} = x_k - mean g_i
(experiments.compressed_gd).

Guarantee (tight: the exact growth of the example) [1, Section 2; 2, Example 1].  From x0 = 1 the
iterate stays on the diagonal x_k = t_k 1: a_i^T x = t_k sum(a_1) = t_k, grad f_i(x_k) =
t_k (2 a_i + mu 1), whose largest coordinate is worker i's own, 2 (-3) t_k + t_k/2 = -5.5 t_k, so

    x_{k+1} = (1 + gamma (2 |a_11| sum(a_1) - mu)/n) x_k = (1 + 5.5 gamma / 3) x_k,

an exponential divergence at every gamma > 0 although every worker's compressor is contractive
(``BOUND``: its geometric factor 1 + 5.5 gamma/3 is the stated value).  Error feedback (EF14
[3]) accumulates what compression dropped and restores convergence, the motivation of [1]'s
EControl (*inferred* from the abstract; EControl itself is not run here): its factor is < 1.

Experiment: gamma in {0.01, 0.03, 0.1}, 200 steps, the per-step factor of ||x_k|| fitted over the
last 50 steps (deterministic: one run, the CI is the spread over three sub-windows; the gamma
values replace runs, the main assertion at gamma = 0.1, the others as arms).  Assert tight:
factor = 1 + 5.5 gamma/3 within 1e-4 at each gamma; EF14's factor < 1 at each gamma (fitted
0.988, 0.964, 0.867).  Control: the identity compressor (plain distributed GD) converges
(0.988, 0.965, 0.883) and fails the divergence assertion.

References
[1] Y. Gao, R. Islamov, S. U. Stich. EControl: Fast Distributed Optimization with Compression
    and Error Control. ICLR 2024, arXiv 2311.05645.
[2] A. Beznosikov, S. Horvath, P. Richtarik, M. Safaryan. On Biased Compression for Distributed
    Learning. arXiv 2002.12410 (2020).
[3] F. Seide, H. Fu, J. Droppo, G. Li, D. Yu. 1-bit stochastic gradient descent and its
    application to data-parallel distributed training of speech DNNs. Interspeech 2014.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from experiments.methods import CompressedGD
from problems.compressed_workers import compressed_workers
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Instance, Quantity, RateWithin, Spec, distance

gamma, a_max, a_sum, mu, n, C = sp.symbols("gamma a_max a_sum mu n C", positive=True)

BOUND = Bound(C * (1 + gamma * (2 * a_max * a_sum - mu) / n) ** k, law="geometric")
"""||x_k|| of naive Top-1 GD from x0 = 1: the compressed mean field grows the diagonal."""

GAMMAS = (0.01, 0.03, 0.1)
WINDOW = (150.0, 200.0)
"""The last 50 of the 200 steps (the growth is exact from step 1: any window would do)."""


def constants(problem, params) -> dict[sp.Symbol, float]:
    row = problem.A[0]
    return {gamma: params["gamma"], a_max: float(abs(row).max()), a_sum: float(row.sum()),
            mu: problem.mu, n: float(problem.workers), C: 3.0 ** 0.5}


def stated_factor(step: float) -> float:
    """1 + 5.5 gamma/3 on the default instance, from ``BOUND``."""
    return BOUND.with_constants(
        **{s.name: v for s, v in constants(compressed_workers(), {"gamma": step}).items()}).rate()


def _method(i: Instance) -> CompressedGD:
    return CompressedGD(i["gamma"], i["compressor"], i["error_feedback"])


NAIVE = Spec(
    problem=lambda p, seed: compressed_workers(),
    constants=constants, method=_method, bound=BOUND,
    quantity=Quantity("||x_k|| (x* = 0)", distance.of),
    horizon="horizon", window=WINDOW, runs=1, checkpoints="linear")

TOLERANCE = 1e-4
"""The growth is exact: only rounding and the fit separate the measured factor from it."""

SPEC = replace(NAIVE, checks=tuple(
    RateWithin(f"naive factor at gamma = {g:g}", NAIVE, stated_factor(g) - TOLERANCE,
               stated_factor(g) + TOLERANCE, "the exact growth 1 + 5.5 gamma/3, within 1e-4",
               overrides={"gamma": g}) for g in GAMMAS if g != 0.1) + tuple(
    RateWithin(f"EF14 factor at gamma = {g:g}", NAIVE, 0.0, 1.0,
               "error feedback converges [1]: factor < 1",
               overrides={"gamma": g, "error_feedback": True}) for g in GAMMAS))

CLAIM = Claim(
    id="biased-compression-divergence", mode=Mode.TIGHT,
    title="Naive GD with Top-1 compression diverges like (1 + 5.5 gamma/3)^k; EF14 converges",
    paper=Paper("Y. Gao, R. Islamov, S. U. Stich", "EControl: Fast Distributed Optimization "
                "with Compression and Error Control", 2024, "2311.05645",
                "Section 2, the divergence example (after Beznosikov et al. 2020, Example 1)",
                "ICLR 2024"),
    statement="Distributed GD whose workers send Top-1 compressed gradients diverges "
              "exponentially on three strongly convex quadratics (||x_k|| grows by exactly "
              "1 + 5.5 gamma/3 per step from x0 = 1), although each compressor is contractive; "
              "error feedback (EF14) converges.",
    tolerance=Tolerance(TOLERANCE, TOLERANCE, "the growth is exact on the diagonal x_k = t_k 1: "
                        "only rounding separates the fitted factor from it"),
    parameters=(P("gamma", 0.1, "step size", 1e-6, 0.5),
                P("horizon", 200, "steps", 60, 10**4),
                P("compressor", "top1", "workers' compressor", choices=("top1", "identity")),
                P("error_feedback", False, "EF14 error feedback (false: naive)")),
    experiment=SPEC,
    control=Control({"compressor": "identity"},
                    "no compression (plain distributed GD): converges, factor 0.883 at "
                    "gamma = 0.1"),
    lesson="A contractive compressor is not enough: its bias, summed over workers, can point "
           "away from the minimiser and make GD grow exponentially; feeding back the dropped "
           "part (error feedback) makes the method see every coordinate eventually.",
)
