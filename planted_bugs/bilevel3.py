"""Planted bugs in the bilevel-ridge hypergradient code: the reverse pass, the inner solver's
stopping rule, the unrolled step's derivative, the implicit hypergradient and the F2SA penalty
surrogate.  The ``find`` texts are those of experiments/hypergradient.py at the time of
writing."""

from rates.planted import Bug

FILE = "experiments/hypergradient.py"

BUGS = [
    # --- reverse mode -------------------------------------------------------------------------
    Bug(id="reverse-pass-half-step", file=FILE,
        find="q[i] = p[i] - alpha * s", replace="q[i] = p[i] - 0.5 * alpha * s",
        why="the adjoint propagated with I - (alpha/2) H, not the forward step's Jacobian "
            "I - alpha H: the Neumann identity breaks and the bias decays at the wrong rate",
        caught_by=("truncated-backprop-hypergradient",)),
    Bug(id="reverse-pass-drops-chain-factor", file=FILE,
        find="h += -alpha * reg * wp - dalpha * gp", replace="h += -alpha * wp - dalpha * gp",
        why="dw_{t+1}/dlambda written as -alpha w_t, forgetting d e^lambda / dlambda = e^lambda",
        caught_by=("truncated-backprop-hypergradient", "inexact-hypergradient-bilevel")),
    # --- the inner solver and the unrolled problem ----------------------------------------------
    Bug(id="stopping-rule-squared-norm", file=FILE,
        find="gnorm = math.sqrt(sq)", replace="gnorm = sq",
        why="the stopping test compares ||grad g||^2 with eps: GD stops at ||grad g|| ~ sqrt(eps)",
        caught_by=("inexact-hypergradient-bilevel",)),
    Bug(id="unrolled-step-derivative-sign", file=FILE,
        find="h = _reverse(H, b, alpha, -reg * alpha * alpha",
        replace="h = _reverse(H, b, alpha, reg * alpha * alpha",
        why="d alpha / d lambda of alpha = 1/(L_A + e^lambda) with the wrong sign: the unrolled "
            "derivative, hence lambda_T, is off",
        caught_by=("inexact-hypergradient-bilevel",)),
    # --- the implicit hypergradient and the penalty surrogate -----------------------------------
    Bug(id="implicit-hypergradient-drops-reg", file=FILE,
        find="return _one(-reg * float(w @ q), taken, -1, seed)",
        replace="return _one(-float(w @ q), taken, -1, seed)",
        why="h = -w^T q without the factor e^lambda of d(grad g)/d lambda = e^lambda w",
        caught_by=("inexact-hypergradient-bilevel",)),
    Bug(id="penalty-surrogate-drops-half", file=FILE,
        find="return _one(0.5 * sigma * reg", replace="return _one(sigma * reg",
        why="grad_lambda g = e^lambda ||w||^2 written without its 1/2: the surrogate tends to "
            "2 h*, a bias that does not vanish",
        caught_by=("f2sa-penalty-bias",)),
    Bug(id="penalty-validation-term-unscaled", file=FILE,
        find="b + problem.b_val / sigma", replace="b + problem.b_val",
        why="the gradient of g + F/sigma with F's linear term not divided by sigma: w_sigma "
            "solves another problem",
        caught_by=("f2sa-penalty-bias",)),
]
