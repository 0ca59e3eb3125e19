"""Planted bugs in the momentum-and-acceleration code: the linearized primal-dual kernel
(ALPD/LPD), the piecewise step-decay schedule, the new oracles (noise proportional to H,
minibatch least squares, the Gaussian stream) and the P1 preconditioner.  The ``find`` texts are
those of experiments/primal_dual.py, experiments/schedules.py, experiments/fields/acceleration.py
and problems/preconditioned.py at the time of writing."""

from rates.planted import Bug

BUGS = [
    # --- ALPD / LPD -----------------------------------------------------------------------------
    Bug(id="alpd-gradient-at-x-not-middle", file="experiments/primal_dual.py",
        find="x_mid[j] = (1.0 - beta) * x_bar[j] + beta * x[j]", replace="x_mid[j] = x[j]",
        why="Nesterov's middle point dropped: grad f at x_k with ALPD's growing steps "
            "(k + 1)/(2 L_x) is no longer stable",
        caught_by=("alpd-primal-lipschitz",)),
    Bug(id="alpd-smoothness-factor-two", file="experiments/primal_dual.py",
        find="eta = (2.0 * L_x + coupling) / (k + 1.0)",
        replace="eta = (L_x + coupling) / (k + 1.0)",
        why="the prox weight 2 L_x/(k + 1) written as L_x/(k + 1): eta_k < L_x beta_k, twice "
            "Nesterov's step",
        caught_by=("alpd-primal-lipschitz",)),
    Bug(id="lpd-step-without-lipschitz", file="experiments/primal_dual.py",
        find="eta = L_x + coupling / (k + 1.0)", replace="eta = 0.5 * L_x + coupling / (k + 1.0)",
        why="LPD's primal step 2/L_x instead of 1/L_x (a halved prox weight): the arm and the "
            "control change",
        caught_by=("alpd-primal-lipschitz",)),
    # --- the step-decay schedule ----------------------------------------------------------------
    Bug(id="step-decay-never-decays", file="experiments/schedules.py",
        find="return piecewise([gamma0 * factor**s for s in range(int(stages))], bounds)",
        replace="return piecewise([gamma0 for s in range(int(stages))], bounds)",
        why="the stage values all gamma0: a constant step, whose variance plateaus",
        caught_by=("stochastic-heavy-ball-anisotropic",)),
    Bug(id="piecewise-value-offset", file="experiments/schedules.py",
        find="        return params[n + s]\n", replace="        return params[n - 1 + s]\n",
        why="off by one in the parameter layout: stage s reads the last boundary (or value s-1)",
        caught_by=("stochastic-heavy-ball-anisotropic",)),
    # --- the oracles ----------------------------------------------------------------------------
    Bug(id="anisotropic-noise-scale-lam", file="experiments/fields/acceleration.py",
        find="s * A[1, j] * ziggurat_normal(rng)", replace="s * A[0, j] * ziggurat_normal(rng)",
        why="the noise scaled by lam instead of sqrt(lam): covariance H^2 instead of H",
        caught_by=("stochastic-heavy-ball-anisotropic",)),
    Bug(id="minibatch-divides-by-n", file="experiments/fields/acceleration.py",
        find="        out[j] /= batch\n", replace="        out[j] /= n\n",
        why="the minibatch sum divided by the data size n instead of the batch B",
        caught_by=("stochastic-agd-interpolation",)),
    Bug(id="stream-noise-not-drawn", file="experiments/fields/acceleration.py",
        find="r -= p[0] * ziggurat_normal(rng)", replace="r -= p[0]",
        why="the label noise a constant offset instead of a draw: a biased stream",
        caught_by=("sgdm-effective-step",)),
    # --- the preconditioner ---------------------------------------------------------------------
    Bug(id="p1-scalar-preconditioner", file="problems/preconditioned.py",
        find="return lam * (lam.sum() - lam)", replace="return lam * lam.sum()",
        why="P1 = tr(A) I, forgetting the - A: a scalar preconditioner changes no condition "
            "number",
        caught_by=("nesterov-sqrt-kappa",)),
]
