"""Planted bugs for the first-order kernel and its schedules, inexact bilevel SGD, and the fit's
confidence intervals; each names the claims whose verdict must break under it."""

from rates.planted import Bug

SWITCHING = "handbook-sgd-switching"
FLOOR = "handbook-sgd-noise-floor"
BILEVEL = "bilevel-inexact-sgd"

BUGS = [
    # --- the first-order kernel and its schedules ---
    Bug(id="switching-exponent-1.5", file="experiments/schedules.py",
        find="return (2.0 * k + 1.0) / ((k + 1.0) ** 2 * params[2])",
        replace="return (2.0 * k + 1.0) / ((k + 1.0) ** 1.5 * params[2])",
        why="a mistyped exponent in the switching schedule: steps ~2/(mu sqrt k), far larger "
            "than the theorem's 2/(mu k)",
        caught_by=(SWITCHING,)),
    Bug(id="one-stream-for-all-runs", file="experiments/first_order.py",
        find="rng = stream(seed, r)", replace="rng = stream(seed, 0)",
        why="every run draws the same random numbers (the run index dropped from the stream): "
            "100 identical runs, an interval of zero width",
        caught_by=(SWITCHING, FLOOR, BILEVEL)),
    Bug(id="quadratic-gradient-twice", file="experiments/fields/quadratic.py",
        find="out[j] = A[0, j] * (x[j] - b[j])", replace="out[j] = 2.0 * A[0, j] * (x[j] - b[j])",
        why="the gradient of 1/2 x^T H x taken as 2 H x (the 1/2 forgotten): the step is "
            "effectively 2/L and the top eigen-direction oscillates without decaying",
        caught_by=("handbook-gd-convex", "handbook-gd-strongly-convex")),
    # --- inexact bilevel SGD ---
    Bug(id="bilevel-accuracy-ignored", file="experiments/fields/bilevel.py",
        find="xt = shrink * w * y", replace="xt = w * y",
        why="the inexact lower-level solution is the exact one: the accuracy eps_k never biases "
            "the hypergradient, so the constant-accuracy control no longer stalls",
        caught_by=(BILEVEL,)),
    Bug(id="bilevel-signal-variance-as-sd", file="experiments/fields/bilevel.py",
        find="x = np.sqrt(A[0, j]) * ziggurat_normal(rng)",
        replace="x = A[0, j] * ziggurat_normal(rng)",
        why="the signal drawn with standard deviation s instead of sqrt(s): the sample mean of "
            "the hypergradient vanishes away from theta*, and grad F stalls",
        caught_by=(BILEVEL,)),
    Bug(id="accuracy-schedule-frozen", file="experiments/first_order.py",
        find="accuracy = schedules.step_size(acc_kind, acc_params, k)",
        replace="accuracy = schedules.step_size(acc_kind, acc_params, 0)",
        why="the accuracy schedule evaluated at step 0 on every step: eps_k stays eps_0 = 0.5, "
            "the bias never decays",
        caught_by=(BILEVEL,)),
    # --- the fit's confidence interval ---
    Bug(id="ci-level-as-alpha", file="rates/fit.py",
        find="confidence_level=level,", replace="confidence_level=1 - level,",
        why="the significance level passed where the confidence level is expected: a 5% "
            "interval, about 1/30 of the right width",
        caught_by=(SWITCHING, FLOOR, BILEVEL)),
    Bug(id="bootstrap-over-checkpoints", file="rates/fit.py",
        find="""        res = stats.bootstrap((e.T,), statistic_fn, n_resamples=n_resamples,
                              vectorized=True, axis=-1, confidence_level=level,
                              method="BCa", rng=np.random.default_rng(seed))""",
        replace="""        res = stats.bootstrap((t, np.log(reduce(e, 0))),
                              lambda x, y: np.polyfit(x, y, 1)[0], paired=True,
                              n_resamples=n_resamples, vectorized=False,
                              confidence_level=level, method="BCa",
                              rng=np.random.default_rng(seed))""",
        why="a pairs bootstrap of the regression over the checkpoints of the mean curve, as if "
            "the points of one averaged curve were independent: the interval measures how "
            "straight the curve is, not how much the runs scatter",
        caught_by=(SWITCHING, FLOOR, BILEVEL)),
]
