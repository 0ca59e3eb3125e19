"""Planted bugs in the nonconvex code: the double well's noise and envelope, the trapezoid time
average, the claims' step schedules, the block-diagonal dense gradient and Adam's per-run starts.
The ``find`` texts are those of problems/double_well.py, experiments/fields/double_well.py,
rates/spec.py, paper_checks/weakly_convex.py, paper_checks/rmsprop_affine.py,
experiments/fields/quadratic.py and experiments/adaptive.py at the time of writing."""

from rates.planted import Bug

BUGS = [
    # --- the double well ------------------------------------------------------------------------
    Bug(id="double-well-noise-parenthesis", file="experiments/fields/double_well.py",
        find="out[j] = g + (s0 + s1 * abs(g)) * ziggurat_normal(rng)",
        replace="out[j] = g + s0 + s1 * abs(g) * ziggurat_normal(rng)",
        why="a dropped parenthesis: sigma0 becomes a bias of the gradient, so the iterates "
            "settle where x^3 - x = -1 and the stationarity measure floors",
        caught_by=("weakly-convex-moreau-envelope", "rmsprop-affine-variance")),
    Bug(id="cardano-wrong-root-sign", file="problems/double_well.py",
        find="np.subtract(c, y, out=y)", replace="np.add(c, y, out=y)",
        why="c + p/(3c) for Cardano's c - p/(3c): not a root of the prox's cubic, so the "
            "envelope gradient is nonzero at the minimisers",
        caught_by=("weakly-convex-moreau-envelope",)),
    # --- the time average ----------------------------------------------------------------------
    Bug(id="time-average-unweighted", file="rates/spec.py",
        find="w[1:-1] = 0.5 * (x[2:] - x[:-2])", replace="w[1:-1] = 1.0",
        why="the mean over checkpoints instead of over steps: the dense head (the transient) "
            "outweighs the sparse tail",
        caught_by=("weakly-convex-moreau-envelope", "rmsprop-affine-variance")),
    # --- the schedules --------------------------------------------------------------------------
    Bug(id="subgradient-step-without-sqrt", file="paper_checks/weakly_convex.py",
        find='return params["gamma"] / math.sqrt(params["T"] + 1)',
        replace='return params["gamma"] / (params["T"] + 1)',
        why="alpha = gamma/(T + 1) for gamma/sqrt(T + 1): the run barely leaves x0",
        caught_by=("weakly-convex-moreau-envelope",)),
    Bug(id="rmsprop-step-one-over-T", file="paper_checks/rmsprop_affine.py",
        find='eta = 1 / math.sqrt(horizon) if', replace='eta = 1 / horizon if',
        why="eta = 1/T for 1/sqrt(T): normalised steps that cover a distance 1 in T steps",
        caught_by=("rmsprop-affine-variance",)),
    # --- the rotated quadratic and Adam's starts ------------------------------------------------
    Bug(id="dense-gradient-first-block", file="experiments/fields/quadratic.py",
        find="block = e[(i // m) * m:(i // m + 1) * m]", replace="block = e[:m]",
        why="every row of a block-diagonal Hessian multiplies the first block's coordinates: "
            "the side-by-side problems are coupled",
        caught_by=("adam-rotation-geometry",)),
    Bug(id="adam-every-run-first-start", file="experiments/adaptive.py",
        find="x[i, :] = x0[r0 + i]", replace="x[i, :] = x0[0]",
        why="an index slip: every run of a chunk starts from the first start",
        caught_by=("adam-rotation-geometry",)),
]
