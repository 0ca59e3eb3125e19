"""The method library: every optimizer of the catalogue as plain data with one way to run it.

A method is a small frozen dataclass of hyper-parameters and schedules (numbers become constant
schedules).  ``method.run(problem, horizon, runs=, seed=, x0=, checkpoints=)`` runs it on any
problem whose oracle it can use and returns a :class:`~experiments.run.Run` (iterates at the
checkpoints, divergence per run); methods with extra records (ergodic averages, Adam's averaged
gradients) return a subclass of it.  Each update rule lives once, in its numba kernel; this
module only names the methods and validates their hyper-parameters before anything compiles.

A claim's specification names its method through these classes, e.g.
``HeavyBall(step=4 / (sqrt(L) + sqrt(mu))**2, momentum=beta)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments import (
    adaptive,
    bilevel,
    damped_newton,
    first_order,
    fixed_point,
    halpern,
    hypergradient,
    projected_gd,
    saddle_newton,
    scaled_gd,
    schedules,
    vi,
)
from experiments import projected_subgradient as _projected
from experiments.compressed_gd import COMPRESSORS, compressed_gd
from experiments.frank_wolfe import frank_wolfe
from experiments.krum import AGGREGATIONS, byzantine_sgd
from experiments.mirror_prox import nash_mirror_prox
from experiments.primal_dual import linearized_primal_dual
from experiments.run import Run, log_checkpoints

Step = float | schedules.Schedule


def _schedule(name: str, value: Step) -> schedules.Schedule:
    if isinstance(value, schedules.Schedule):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a positive number or a Schedule, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return schedules.constant(float(value))


@dataclass(frozen=True)
class GradientDescent:
    """x_{k+1} = x_k - gamma_k g_k: GD, or SGD with ``stochastic=True`` (g_k a sample of the
    gradient; ``accuracy`` the schedule handed to an inexact oracle)."""

    step: Step
    stochastic: bool = False
    accuracy: schedules.Schedule | None = None

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return first_order.gradient_descent(
            problem, _schedule("step", self.step), horizon, runs=runs, seed=seed,
            stochastic=self.stochastic, x0=x0, checkpoints=checkpoints, accuracy=self.accuracy)


@dataclass(frozen=True)
class HeavyBall:
    """x_{k+1} = x_k - gamma_k g(y_k) + beta_k (x_k - x_{k-1}), with y_k = x_k (Polyak's heavy
    ball) or y_k = x_k + beta_k (x_k - x_{k-1}) (``nesterov=True``: Nesterov's accelerated
    gradient).  Stochastic with ``stochastic=True``."""

    step: Step
    momentum: Step
    nesterov: bool = False
    stochastic: bool = False

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return first_order.gradient_descent(
            problem, _schedule("step", self.step), horizon, runs=runs, seed=seed,
            stochastic=self.stochastic, x0=x0, checkpoints=checkpoints,
            momentum=_schedule("momentum", self.momentum), nesterov=self.nesterov)


def polyak_heavy_ball(L: float, mu: float, stochastic: bool = False) -> HeavyBall:
    """Polyak's tuning on a quadratic with spectrum in [mu, L]: alpha = 4/(sqrt L + sqrt mu)^2,
    beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2 [Polyak 1964]."""
    if not 0 < mu < L:
        raise ValueError(f"need 0 < mu < L, got mu={mu!r}, L={L!r}")
    root = math.sqrt(L / mu)
    return HeavyBall(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, ((root - 1) / (root + 1)) ** 2,
                     stochastic=stochastic)


def nesterov_accelerated(L: float, mu: float, stochastic: bool = False) -> HeavyBall:
    """Nesterov's method for mu-strongly convex L-smooth f: step 1/L, momentum
    (sqrt kappa - 1)/(sqrt kappa + 1) [Nesterov 1983; Nesterov 2004, (2.2.22)]."""
    if not 0 < mu < L:
        raise ValueError(f"need 0 < mu < L, got mu={mu!r}, L={L!r}")
    root = math.sqrt(L / mu)
    return HeavyBall(1 / L, (root - 1) / (root + 1), nesterov=True, stochastic=stochastic)


@dataclass(frozen=True)
class _VIMethod:
    step: Step
    stochastic: bool = False

    variant = ""

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> vi.VIRun:
        return vi.operator_method(problem, _schedule("step", self.step), horizon, runs=runs,
                                seed=seed, stochastic=self.stochastic, z0=x0,
                                checkpoints=checkpoints, method=self.variant,
                                **self._extra())

    def _extra(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Extragradient(_VIMethod):
    """z_{k+1/2} = z_k - gamma V(z_k), z_{k+1} = z_k - gamma' V(z_{k+1/2}) [Korpelevich 1976];
    EG+ when ``update_step`` gamma' < gamma [Diakonikolas et al. 2021]."""

    update_step: Step | None = None
    variant = vi.EG

    def _extra(self) -> dict[str, Any]:
        if self.update_step is None:
            return {}
        return {"gamma_update": _schedule("update_step", self.update_step)}


@dataclass(frozen=True)
class PastExtragradient(_VIMethod):
    """Popov's single-call extragradient: z_{k+1/2} = z_k - gamma V(z_{k-1/2}) [Popov 1980]."""

    z_half: np.ndarray | None = None
    variant = vi.PEG

    def _extra(self) -> dict[str, Any]:
        return {} if self.z_half is None else {"z_half": self.z_half}


@dataclass(frozen=True)
class OptimisticGradient(_VIMethod):
    """y_{k+1} = y_k - 2 gamma V(y_k) + gamma V(y_{k-1}) (constant step)."""

    variant = vi.OG


@dataclass(frozen=True)
class ReflectedGradient(_VIMethod):
    """z_{k+1} = z_k - gamma V(2 z_k - z_{k-1}) [Malitsky 2015]."""

    variant = vi.RG


@dataclass(frozen=True)
class GradientDescentAscent(_VIMethod):
    """Simultaneous z_{k+1} = z_k - gamma V(z_k)."""

    variant = vi.GDA


@dataclass(frozen=True)
class AcceleratedOptimistic:
    """Halpern-anchored optimistic gradient with step eta [Cai & Zheng 2023, inferred form]."""

    step: Step
    stochastic: bool = False

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> vi.VIRun:
        return vi.accelerated_optimistic(problem, _schedule("step", self.step), horizon,
                                         runs=runs, seed=seed, stochastic=self.stochastic,
                                         z0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class ProximalPoint:
    """z_{k+1} = (I + gamma F)^{-1} z_k for a linear operator F (deterministic, one run)."""

    step: float

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return vi.proximal_point(problem, self.step, horizon, z0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class Halpern:
    """x_{k+1} = x_0/(k+2) + (1 - 1/(k+2)) T x_k with T = I - eta F [Halpern 1967]."""

    step: float
    tol: float = 0.0

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return halpern.halpern(problem, self.step, horizon, x0=x0, checkpoints=checkpoints,
                               tol=self.tol)


@dataclass(frozen=True)
class VarianceReducedHalpern:
    """Halpern on a finite sum with a PAGE-type estimate of F (a full pass with probability
    ``prob``, else ``batch`` component differences); counts component calls until
    ||F(x_k)|| <= ``tol`` [after Cai, Alacaoglu & Diakonikolas 2024, inferred estimator].

    ``run`` returns a :class:`~experiments.halpern.CallCount` (calls per run), not a trace:
    ``horizon`` is the iteration cap and ``checkpoints`` must be None.  Defaults: batch
    ceil(sqrt(n)), prob 1/sqrt(n)."""

    step: float
    tol: float
    batch: int | None = None
    prob: float | None = None

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None
            ) -> halpern.CallCount:
        if checkpoints is not None:
            raise ValueError("checkpoints must be None: variance-reduced Halpern records the "
                             "calls to reach tol, not iterates")
        return halpern.vr_halpern(problem, self.step, self.tol, batch=self.batch,
                                  prob=self.prob, max_iter=horizon, runs=runs, seed=seed, x0=x0)


@dataclass(frozen=True)
class Adam:
    """Adam [Kingma & Ba 2015] or AMSGrad [Reddi et al. 2018]; see experiments.adaptive."""

    step: schedules.Schedule
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True
    eps_inside: bool = False
    amsgrad: bool = False
    box: tuple[float, float] | None = None
    batch: int = 1
    average_from: int | None = None

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None
            ) -> adaptive.AdamRun:
        return adaptive.adam(problem, self.step, horizon, beta1=self.beta1, beta2=self.beta2,
                             eps=self.eps, bias_correction=self.bias_correction,
                             eps_inside=self.eps_inside, amsgrad=self.amsgrad, box=self.box,
                             batch=self.batch, runs=runs, seed=seed, x0=x0,
                             checkpoints=checkpoints, average_from=self.average_from)


@dataclass(frozen=True)
class ScaledGD:
    """X <- X - eta grad f(X) (X^T X + lam I)^{-1} [Xu, Shen, Chi, Ma 2023]; x0 is (runs, d)."""

    step: float
    damping: float

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if x0 is None:
            raise ValueError("ScaledGD needs x0 (runs, d): a small random initialisation")
        return scaled_gd.scaled_gd(problem, self.step, self.damping, horizon, x0,
                                   checkpoints=checkpoints)


@dataclass(frozen=True)
class InexactBilevelSGD:
    """theta_{k+1} = theta_k - alpha_k h_k, h_k a hypergradient sample biased by eps_k."""

    steps: schedules.Schedule
    accuracies: schedules.Schedule

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return bilevel.inexact_bilevel_sgd(problem, self.steps, self.accuracies, horizon,
                                           runs=runs, seed=seed, theta0=x0,
                                           checkpoints=checkpoints)


@dataclass(frozen=True)
class LinearizedPrimalDual:
    """ALPD (``accelerated=True``) or LPD for min_x max_y f(x) + <Kx, y> - (mu_y/2)||y||^2
    [Khalafi & Boob 2023, arXiv 2209.04604]; see experiments.primal_dual (step rules inferred).
    Deterministic: ``seed`` is unused, runs differ by their starts x0."""

    L_x: float
    L_xy: float
    mu_y: float
    accelerated: bool = True

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return linearized_primal_dual(
            problem, horizon, L_x=self.L_x, L_xy=self.L_xy, mu_y=self.mu_y,
            accelerated=self.accelerated, runs=runs, x0=x0, checkpoints=checkpoints)


def alpd(problem: Any, accelerated: bool = True) -> LinearizedPrimalDual:
    """ALPD (or LPD) with the constants of a saddle problem (L_x, L_xy, mu_y attributes)."""
    return LinearizedPrimalDual(problem.L_x, problem.L_xy, problem.mu_y, accelerated)


# --- hypergradients of bilevel ridge regression (problems.ridge_bilevel) ------------------------

def _positive(name: str, value: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a real number in (0, {high:g}], got {value!r}")
    if not (math.isfinite(value) and 0 < value <= high):
        raise ValueError(f"{name} must lie in (0, {high:g}], got {value!r}")
    return float(value)


def _steps(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _deterministic(runs: int) -> None:
    if runs != 1:
        raise ValueError(f"the hypergradient methods are deterministic: runs must be 1, got "
                         f"{runs!r}")


@dataclass(frozen=True)
class TruncatedBackprop:
    """``inner_steps`` of GD with ``step`` on the lower level, then reverse mode through the last
    K steps [Shaban et al. 2019, arXiv 1810.10667]: the iterates (1, K, 1) are h_K for each K of
    the checkpoints (default 0..horizon).  Deterministic: one run, ``seed`` unused; ``x0`` is the
    inner start (default 0)."""

    step: float
    inner_steps: int

    def __post_init__(self) -> None:
        _positive("step", self.step)
        _steps("inner_steps", self.inner_steps)

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        _deterministic(runs)
        c = np.arange(_steps("horizon", horizon) + 1) if checkpoints is None else checkpoints
        return hypergradient.truncated_backprop(problem, self.step, self.inner_steps, c, w0=x0,
                                                seed=seed)


@dataclass(frozen=True)
class InexactHypergradient:
    """The implicit hypergradient from inexact solves [Salehi et al., arXiv 2308.10098]: GD with
    ``step`` to ||grad g|| <= eps (at most ``horizon`` steps), CG on H q = grad F to a residual
    <= delta, h = -e^lambda w^T q; one record (1, 1, 1) at the GD steps taken."""

    eps: float
    delta: float
    step: float

    def __post_init__(self) -> None:
        _positive("eps", self.eps, 1.0)
        _positive("delta", self.delta, 1.0)
        _positive("step", self.step)

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        _deterministic(runs)
        return hypergradient.inexact_hypergradient(problem, self.eps, self.delta, self.step,
                                                   _steps("horizon", horizon), w0=x0, seed=seed)


@dataclass(frozen=True)
class PenaltySurrogate:
    """F2SA's penalty surrogate of the hypergradient [Kwon et al., arXiv 2301.10945],
    sigma (d_lambda g(w_sigma) - d_lambda g(z)) with w_sigma = argmin F + sigma g, z = argmin g:
    exact solves (``inner_tol`` = 0) or GD to ||grad|| <= inner_tol (at most ``horizon`` steps);
    one record (1, 1, 1)."""

    sigma: float
    inner_tol: float = 0.0

    def __post_init__(self) -> None:
        _positive("sigma", self.sigma)
        if isinstance(self.inner_tol, bool) or not (0.0 <= float(self.inner_tol) < 1.0):
            raise ValueError(f"inner_tol must lie in [0, 1), got {self.inner_tol!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        _deterministic(runs)
        return hypergradient.penalty_surrogate(problem, self.sigma, float(self.inner_tol),
                                               _steps("horizon", horizon), seed=seed)


@dataclass(frozen=True)
class UnrolledBilevel:
    """lambda_T = argmin over [low, high] of F(w_T(lambda)), w_T after T = ``horizon`` GD steps
    from 0 at step 1/L(lambda), by Brent's method on the reverse-mode derivative [Franceschi et
    al. 2018, arXiv 1806.04910]; one record (1, 1, 1) at T."""

    low: float = -8.0
    high: float = 4.0

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{name} must be a finite real number, got {v!r}")
        if not self.low < self.high:
            raise ValueError(f"need low < high, got low={self.low!r}, high={self.high!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        _deterministic(runs)
        T = _steps("horizon", horizon)
        lam = hypergradient.unrolled_argmin(problem, T, self.low, self.high)
        return Run(np.array([T]), np.full((1, 1, 1), lam), np.array([-1]), seed)


@dataclass(frozen=True)
class SaddleEscape:
    """GD (step ``step``), Newton or saddle-free Newton on the 2-D saddle of
    problems/saddle2d.py [Pascanu et al. 2014, arXiv 1405.4604]; see experiments.saddle_newton.
    Deterministic: ``seed`` is unused, runs differ by their starts x0."""

    method: str
    step: float = 1.0

    def __post_init__(self) -> None:
        if self.method not in saddle_newton.METHODS:
            raise ValueError(f"method must be one of {', '.join(saddle_newton.METHODS)}, got "
                             f"{self.method!r}")
        _schedule("step", self.step)  # a positive finite number

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return saddle_newton.saddle_escape(problem, self.method, horizon, eta=self.step,
                                           runs=runs, x0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class FixedPointIteration:
    """s_{k+1} = T(s_k) for a problem that is the map T (e.g. the SELU moment map of
    problems/selu_moments.py); deterministic, numpy (see experiments.fixed_point)."""

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if x0 is None:
            raise ValueError("FixedPointIteration needs x0, the starting state(s)")
        return fixed_point.fixed_point_iteration(problem, horizon, x0, checkpoints)


@dataclass(frozen=True)
class SparseProjectedGD:
    """w <- P_s(w - eta grad L(w)), P_s the projection onto s-sparse vectors, one problem
    instance per run [Soltanolkotabi 2017, arXiv 1705.04591]; see experiments.projected_gd.
    The problem's own seed draws the instances: ``seed`` is unused."""

    step: float
    sparsity: int

    def __post_init__(self) -> None:
        _schedule("step", self.step)
        if isinstance(self.sparsity, bool) or not isinstance(self.sparsity, int | np.integer) \
                or self.sparsity < 1:
            raise ValueError(f"sparsity must be an integer >= 1, got {self.sparsity!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return projected_gd.projected_gd(problem, float(self.step), int(self.sparsity), horizon,
                                         runs=runs, x0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class DampedNewton:
    """x <- x - alpha_k H^-1 g with alpha_k = (-1 + sqrt(1 + 2 L G_k))/(L G_k), G_k the Newton
    decrement and L adapted by halving/doubling (``damped=False``: pure Newton, alpha = 1)
    [Hanzely, Abdukhakimov, Takac 2024, arXiv 2405.18926]; see experiments.damped_newton.
    One problem instance per run, drawn by the problem's own seed: ``seed`` is unused."""

    damped: bool = True
    L0: float = 1.0

    def __post_init__(self) -> None:
        _schedule("L0", self.L0)

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return damped_newton.damped_newton(problem, horizon, damped=self.damped, L0=self.L0,
                                           runs=runs, x0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class ProjectedSubgradient:
    """x_{t+1} = Proj_box(x_t - alpha_t g_t), g_t a stochastic (sub)gradient sample [Davis &
    Drusvyatskiy, arXiv 1803.06523]; ``box`` = (lo, hi) per coordinate, None for plain SGD."""

    step: Step
    box: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.box is not None:
            lo, hi = self.box
            if not (isinstance(lo, int | float) and isinstance(hi, int | float)
                    and not isinstance(lo, bool) and not isinstance(hi, bool)
                    and math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"box must be None or finite (lo, hi) with lo < hi, "
                                 f"got {self.box!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        return _projected.projected_subgradient(
            problem, _schedule("step", self.step), horizon, box=self.box, runs=runs, seed=seed,
            x0=x0, checkpoints=checkpoints)


def rmsprop(step: Step, beta2: float, eps: float = 1e-8) -> Adam:
    """RMSProp with a bias-corrected second moment: x_t = x_{t-1} - eta_t g_t / (eps +
    sqrt(v_t / (1 - beta2^t))), v_t = beta2 v_{t-1} + (1 - beta2) g_t^2.  This is exactly Adam
    with beta1 = 0 (m_t = g_t, and the first bias correction 1 - 0^t = 1), so it runs Adam's
    kernel [Tieleman & Hinton 2012; the form of Zhang, Zhou & Zou, arXiv 2404.01436]."""
    return Adam(step=_schedule("step", step), beta1=0.0, beta2=beta2, eps=eps)


@dataclass(frozen=True)
class CompressedGD:
    """Distributed GD with compressed worker messages, naive or with error feedback (EF14);
    see experiments.compressed_gd.  Deterministic: one run, ``seed`` unused."""

    step: float
    compressor: str = "top1"
    error_feedback: bool = False

    def __post_init__(self) -> None:
        _schedule("step", self.step)
        if self.compressor not in COMPRESSORS:
            raise ValueError(f"compressor must be one of {', '.join(COMPRESSORS)}, got "
                             f"{self.compressor!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if runs != 1:
            raise ValueError(f"compressed GD is deterministic: runs must be 1, got {runs!r}")
        return compressed_gd(problem, float(self.step), horizon, compressor=self.compressor,
                             error_feedback=self.error_feedback, x0=x0, checkpoints=checkpoints)


@dataclass(frozen=True)
class FrankWolfe:
    """Frank-Wolfe on the simplex with gamma_t = 2/(t + 2); ``monotone=True`` skips a step that
    would increase f or leave its domain [Carderera, Besancon & Pokutta, arXiv 2105.13913];
    see experiments.frank_wolfe.  Deterministic: one run, ``seed`` unused; recorded at 20
    log-spaced checkpoints per decade by default."""

    monotone: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.monotone, bool | np.bool_):
            raise ValueError(f"monotone must be true or false, got {self.monotone!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if runs != 1:
            raise ValueError(f"Frank-Wolfe is deterministic: runs must be 1, got {runs!r}")
        if checkpoints is None:
            checkpoints = log_checkpoints(horizon, per_decade=20)
        return frank_wolfe(problem, horizon, monotone=bool(self.monotone), x0=x0,
                           checkpoints=checkpoints)


@dataclass(frozen=True)
class ByzantineSGD:
    """SGD whose n worker vectors (f Byzantine) are aggregated by the mean or by Krum
    [Blanchard et al., arXiv 1703.02757]; see experiments.krum."""

    step: Step
    aggregation: str = "krum"

    def __post_init__(self) -> None:
        _schedule("step", self.step)
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}, got "
                             f"{self.aggregation!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        return byzantine_sgd(problem, _schedule("step", self.step), horizon,
                             aggregation=self.aggregation, runs=runs, seed=int(seed), x0=x0,
                             checkpoints=checkpoints)


@dataclass(frozen=True)
class NashMirrorProx:
    """Nash-MP in self-play on preference games with step ``eta`` and regularisation ``beta``
    [Tiapkin et al., arXiv 2505.19731]; see experiments.mirror_prox.  Deterministic: one run
    per game (``runs`` must be their number), ``seed`` unused."""

    eta: float
    beta: float

    def __post_init__(self) -> None:
        _schedule("eta", self.eta)
        if isinstance(self.beta, bool) or not (math.isfinite(self.beta) and self.beta >= 0):
            raise ValueError(f"beta must be a finite number >= 0, got {self.beta!r}")

    def run(self, problem: Any, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        if runs != len(problem.games):
            raise ValueError(f"runs must be the number of games ({len(problem.games)}), got "
                             f"{runs!r}")
        if x0 is not None:
            raise ValueError("Nash-MP starts at the reference policy: x0 must be None")
        return nash_mirror_prox(problem, float(self.eta), float(self.beta), horizon,
                                checkpoints=checkpoints)
