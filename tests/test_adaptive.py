"""The Adam/AMSGrad kernel: agrees with a numpy reference and with torch, is deterministic per
seed whatever the threads or chunking, reports divergence, and the Adam field quadrature."""

import math

import numba
import numpy as np
import pytest

from experiments import reference, schedules
from experiments.adam_field import adam_field, adam_zero, coupling, first_order_offset
from experiments.adaptive import adam
from experiments.random import stream
from problems import cyclic_linear, least_squares, random_linear, stochastic_quadratic


def every_step(horizon):
    return np.arange(0, horizon + 1)


def sop_reference(problem, horizon, batch, seed, run, schedule, x0, **options):
    """The numpy reference fed the same data: g(x) = x - Xbar_t, Xbar_t drawn as the kernel does."""
    g0 = reference.gradients_at_zero(problem, horizon, batch=batch, seed=seed, run=run)
    return reference.adam(lambda x, t: x + g0[t - 1], x0, horizon, schedule(np.arange(horizon)),
                          **options)


OPTIONS = [
    {},
    {"bias_correction": False},
    {"eps_inside": True, "eps": 1e-3},
    {"amsgrad": True},
    {"amsgrad": True, "bias_correction": False, "eps": 0.0},
    {"box": (0.5, 1.2)},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("law, d, batch", [("exponential", 1, 1), ("normal", 3, 4),
                                           ("two_point", 2, 7), ("bernoulli", 1, 3),
                                           ("gamma", 2, 2)])
def test_kernel_matches_the_numpy_reference(options, law, d, batch):
    q = stochastic_quadratic(law, d=d)
    horizon, runs = 300, 5
    schedule = schedules.polynomial(0.05, 0.6, 1.0)
    kw = {"beta1": 0.8, "beta2": 0.95, "eps": 1e-8, **options}
    x0 = np.full(d, 0.7)
    run = adam(q, schedule, horizon, batch=batch, runs=runs, seed=9, x0=x0,
               checkpoints=every_step(horizon), **kw)
    for r in range(runs):
        ref = sop_reference(q, horizon, batch, 9, r, schedule, x0=x0, **kw)
        np.testing.assert_allclose(run.iterates[r], ref, rtol=1e-12, atol=1e-14)
    if "box" in options:
        assert run.iterates.min() >= 0.5 and run.iterates.max() <= 1.2


def test_time_averages_are_those_of_the_iterates_and_gradient_samples():
    q = stochastic_quadratic("gamma", d=2)
    horizon, a = 400, 150
    center = np.array([0.3, -0.2])
    run = adam(q, schedules.constant(0.01), horizon, runs=3, seed=4, average_from=a,
               checkpoints=every_step(horizon), center=center)
    assert run.window == (150, 400)
    xs = run.iterates[:, a:horizon]  # x_a, ..., x_{H-1}: the points the samples are drawn at
    np.testing.assert_allclose(run.mean_iterate, xs.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(run.mean_square, np.sum((xs - center) ** 2, axis=-1).mean(axis=1),
                               rtol=1e-12)
    for r in range(3):
        g0 = reference.gradients_at_zero(q, horizon, seed=4, run=r)
        grads = xs[r] + g0[a:horizon]
        np.testing.assert_allclose(run.mean_gradient[r], grads.mean(axis=0), rtol=1e-10)
    # with a constant step and no box the average direction telescopes: (x_a - x_H)/(gamma T)
    np.testing.assert_allclose(run.mean_direction,
                               (run.iterates[:, a] - run.iterates[:, -1]) / (0.01 * (horizon - a)),
                               rtol=1e-9)
    # with a schedule, gamma_k u_k is the step: check against the iterates' differences
    sched = schedules.polynomial(0.1, 0.6, 1.0)
    run = adam(q, sched, horizon, runs=2, seed=4, average_from=a,
               checkpoints=every_step(horizon))
    steps = (run.iterates[:, a:horizon] - run.iterates[:, a + 1:]) / sched(
        np.arange(a, horizon))[None, :, None]
    np.testing.assert_allclose(run.mean_direction, steps.mean(axis=1), rtol=1e-9)
    # the default window is the later half
    assert adam(q, schedules.constant(0.01), 10).window == (5, 10)


def test_online_problems_match_the_reference_with_projection():
    for problem, kw in [(random_linear(), {"beta1": 0.9, "beta2": 0.99}),
                        (cyclic_linear(3.0), {"beta1": 0.0, "beta2": 0.1})]:
        horizon = 500
        schedule = schedules.polynomial(0.3, 0.5, 1.0)
        for ams in (False, True):
            run = adam(problem, schedule, horizon, eps=0.0, bias_correction=False, amsgrad=ams,
                       box=problem.box, runs=2, seed=1, checkpoints=every_step(horizon), **kw)
            for r in range(2):
                g0 = reference.gradients_at_zero(problem, horizon, seed=1, run=r)
                ref = reference.adam(lambda x, t, g0=g0: g0[t - 1], np.zeros(1), horizon,
                                     schedule(np.arange(horizon)), eps=0.0,
                                     bias_correction=False, amsgrad=ams, box=problem.box, **kw)
                np.testing.assert_allclose(run.iterates[r], ref, rtol=1e-12, atol=1e-15)


def test_mini_batches_of_other_families_average_single_samples():
    # least squares has no exact mini-batch law: the oracle averages `batch` single samples
    ls = least_squares(n=50, d=3, seed=2)
    a = adam(ls, schedules.constant(0.01), 200, batch=4, runs=2, seed=3)
    b = adam(ls, schedules.constant(0.01), 200, batch=1, runs=2, seed=3)
    assert np.all(np.isfinite(a.iterates)) and not np.array_equal(a.iterates, b.iterates)
    assert np.linalg.norm(a.iterates[:, -1] - ls.x_star, axis=-1).max() < 0.5


def test_bit_identical_for_a_seed_whatever_threads_and_chunks():
    q = stochastic_quadratic("exponential", d=2)
    args = (q, schedules.polynomial(0.02, 0.6, 1.0), 3000)
    kw = {"runs": 37, "seed": 7, "batch": 3, "average_from": 1000}
    numba.set_num_threads(1)
    one = adam(*args, chunk=1, **kw)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for chunk in (None, 5, 64):
        many = adam(*args, chunk=chunk, **kw)
        for name in ("iterates", "mean_iterate", "mean_gradient", "mean_square", "mean_direction"):
            assert np.array_equal(getattr(one, name), getattr(many, name)), (name, chunk)
    assert not np.array_equal(one.iterates, adam(*args, **{**kw, "seed": 8}).iterates)
    # a run's numbers depend on (seed, run) only: the first 10 of 37 runs equal 10 runs alone
    ten = adam(*args, **{**kw, "runs": 10})
    assert np.array_equal(ten.iterates, one.iterates[:10])


def test_divergence_is_reported_not_fitted():
    q = stochastic_quadratic("normal")
    run = adam(q, schedules.constant(1e60), 100, runs=3, seed=1)
    assert run.first_divergence == 1 and np.all(run.diverged_at == 1)
    assert np.isnan(run.iterates).all() and np.isnan(run.mean_gradient).all()


@pytest.mark.parametrize("kwargs, name", [
    ({"beta1": 1.0}, "beta1"), ({"beta2": -0.1}, "beta2"), ({"eps": -1.0}, "eps"),
    ({"batch": 0}, "batch"), ({"runs": 0}, "runs"), ({"seed": -1}, "seed"),
    ({"box": (1.0, 1.0)}, "box"), ({"box": (2.0, 3.0)}, "x0"), ({"x0": np.zeros(2)}, "x0"),
    ({"center": np.zeros(3)}, "center"), ({"average_from": 100}, "average_from"),
    ({"chunk": 0}, "chunk"), ({"checkpoints": np.array([5, 50])}, "last checkpoint"),
])
def test_arguments_are_validated(kwargs, name):
    q = stochastic_quadratic("normal")
    with pytest.raises(ValueError, match=name):
        adam(q, schedules.constant(0.1), 100, **kwargs)
    with pytest.raises(ValueError, match="horizon"):
        adam(q, schedules.constant(0.1), 0)


def test_reddi_cyclic_example_adam_goes_to_the_worst_point_amsgrad_to_the_best():
    c = cyclic_linear(3.0)
    kw = {"beta1": 0.0, "beta2": 0.1, "eps": 0.0, "bias_correction": False, "box": c.box,
          "x0": np.ones(1)}
    schedule = schedules.polynomial(0.5 * math.sqrt(0.9), 0.5, 1.0)
    adam_run = adam(c, schedule, 30_000, **kw)
    ams_run = adam(c, schedule, 30_000, amsgrad=True, **kw)
    assert adam_run.iterates[0, -1, 0] > 0.99 and adam_run.mean_iterate[0, 0] > 0.99
    assert ams_run.iterates[0, -1, 0] < -0.99 and ams_run.mean_iterate[0, 0] < -0.99


def needs_torch():
    return pytest.importorskip("torch", reason="torch is not installed: the cross-check against "
                                               "torch.optim.Adam is skipped")


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("law", ["exponential", "two_point"])
def test_kernel_matches_torch_optim_adam(amsgrad, law):
    """torch.optim.Adam (eps outside the root, bias-corrected) on the same data, in float64."""
    torch = needs_torch()
    q = stochastic_quadratic(law, d=3)
    horizon, lr = 2000, 0.01
    run = adam(q, schedules.constant(lr), horizon, beta1=0.9, beta2=0.999, eps=1e-8,
               amsgrad=amsgrad, runs=2, seed=5, x0=np.zeros(3), checkpoints=every_step(horizon))
    for r in range(2):
        g0 = torch.from_numpy(reference.gradients_at_zero(q, horizon, seed=5, run=r))
        x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=lr, betas=(0.9, 0.999), eps=1e-8, amsgrad=amsgrad)
        path = [x.detach().clone()]
        for t in range(horizon):
            opt.zero_grad()
            x.grad = x.detach() + g0[t]  # the gradient of 1/2 |x - Xbar_t|^2 at x
            opt.step()
            path.append(x.detach().clone())
        np.testing.assert_allclose(run.iterates[r], torch.stack(path).numpy(), rtol=1e-12,
                                   atol=1e-14)


def test_kernel_matches_torch_with_a_step_schedule_and_projection():
    """Reddi's cyclic example: torch's Adam plus a clip after each step, lr set per step."""
    torch = needs_torch()
    c = cyclic_linear(3.0)
    horizon = 300
    schedule = schedules.polynomial(0.4, 0.5, 1.0)
    run = adam(c, schedule, horizon, beta1=0.5, beta2=0.1, eps=1e-8, box=c.box,
               x0=np.ones(1), checkpoints=every_step(horizon))
    x = torch.ones(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=0.4, betas=(0.5, 0.1), eps=1e-8)
    path = [x.detach().clone()]
    gammas = schedule(np.arange(horizon))
    for t in range(1, horizon + 1):
        opt.param_groups[0]["lr"] = float(gammas[t - 1])
        x.grad = torch.full((1,), 3.0 if t % 3 == 1 else -1.0, dtype=torch.float64)
        opt.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)
        path.append(x.detach().clone())
    np.testing.assert_allclose(run.iterates[0], torch.stack(path).numpy(), rtol=1e-12,
                               atol=1e-15)


# --- the Adam vector field by quadrature ---------------------------------------------------------

def stationary_monte_carlo(problem, delta, beta1, beta2, samples, seed=0):
    """E[m/sqrt(v)] by brute force: long iid gradient sequences at frozen x = x* + delta."""
    rng = np.random.default_rng(seed)
    n = int(math.log(1e-8) / math.log(beta2))
    xs, w = problem.batch_mean_nodes(1)
    law = problem.batch_mean_law(1)
    g = delta - (law.rvs(size=(samples, n), random_state=rng) - problem.mean)
    a = (1 - beta1) * beta1 ** np.arange(n)
    b = (1 - beta2) * beta2 ** np.arange(n)
    ratio = (g @ a) / np.sqrt((g * g) @ b)
    return ratio.mean(), ratio.std() / math.sqrt(samples)


@pytest.mark.slow
def test_adam_field_matches_a_brute_force_monte_carlo():
    q = stochastic_quadratic("exponential")
    for delta in (-0.2, 0.0, 0.05):
        quad = adam_field(q, delta, 0.9, 0.9, 1)
        mc, se = stationary_monte_carlo(q, delta, 0.9, 0.9, 40_000)
        assert quad == pytest.approx(mc, abs=4 * se)


def test_adam_field_is_odd_for_symmetric_laws_and_its_zero_is_x_star():
    for law in ("normal", "two_point"):
        q = stochastic_quadratic(law)
        assert adam_field(q, 0.0, 0.9, 0.99, 2) == pytest.approx(0.0, abs=1e-14)
        assert adam_field(q, 0.1, 0.9, 0.99, 2) == pytest.approx(
            -adam_field(q, -0.1, 0.9, 0.99, 2), rel=1e-12)
        assert adam_zero(q, 0.9, 0.99, 2) == 0.0


@pytest.mark.slow
def test_adam_field_of_a_normal_law_has_its_closed_form_limit():
    # b2 -> 1 with b1 = 0: v -> E g^2 = delta^2 + 1, so A -> delta / sqrt(delta^2 + 1)
    q = stochastic_quadratic("normal")
    assert adam_field(q, 0.5, 0.0, 0.9999, 1, nodes=200) == pytest.approx(0.5 / math.sqrt(1.25),
                                                                         rel=2e-3)


@pytest.mark.slow
def test_adam_zero_agrees_with_the_first_order_formula_to_leading_order():
    assert coupling(0.9, 0.99) == pytest.approx(0.001 / 0.109)
    q = stochastic_quadratic("exponential")
    assert first_order_offset(q, 0.9, 0.99, 1) == pytest.approx(-0.1 / 10.8)
    zero = adam_zero(q, 0.9, 0.99, 1)
    assert zero == pytest.approx(-0.008645, abs=2e-6)  # the prototype value -0.0086 of the claim
    # the first-order error shrinks as the law of Xbar gets closer to normal
    ratios = [adam_zero(q, 0.9, 0.99, m) / first_order_offset(q, 0.9, 0.99, m) for m in (1, 4)]
    assert 0.9 < ratios[0] < ratios[1] < 1.0
    with pytest.raises(ValueError, match="beta2"):
        adam_zero(q, 0.9, 1.0, 1)


def test_streams_are_independent_of_the_chunk_layout():
    # the kernel seeds run r of a chunk from stream(seed, r): the state is a pure function
    assert stream(3, 5)[0] == stream(3, 5)[0] and stream(3, 5)[0] != stream(3, 6)[0]
