"""Planted bugs in the Newton-type and single-neuron code: the GD/Newton/SFN saddle kernel, the
SELU moment map, projected GD for the sparse ReLU, damped Newton and the pseudo-Huber oracle.
The ``find`` texts are those of experiments/saddle_newton.py, problems/selu_moments.py,
experiments/projected_gd.py, problems/relu.py, experiments/damped_newton.py and
problems/pseudo_huber.py at the time of writing."""

from rates.planted import Bug

BUGS = [
    Bug(id="sfn-without-absolute-value", file="experiments/saddle_newton.py",
        find="                    h = abs(h)\n", replace="                    h = h\n",
        why="|H| forgotten: saddle-free Newton becomes Newton and converges to the saddle",
        caught_by=("saddle-free-newton",)),
    Bug(id="saddle-curvature-sign", file="experiments/saddle_newton.py",
        find="gx, gy = x, y * y * y - eps * y", replace="gx, gy = x, y * y * y + eps * y",
        why="the sign of the negative-curvature term slips: the origin becomes a minimum",
        caught_by=("saddle-free-newton",)),
    Bug(id="selu-second-moment-not-variance", file="problems/selu_moments.py",
        find="return np.stack([m1, m2 - m1 * m1], axis=-1)",
        replace="return np.stack([m1, m2], axis=-1)",
        why="the second moment returned as the variance (the mean not subtracted)",
        caught_by=("selu-fixed-point",)),
    Bug(id="selu-variance-as-std", file="problems/selu_moments.py",
        find="std = np.sqrt(state[..., 1:] * self.tau)", replace="std = state[..., 1:] * self.tau",
        why="the variance used as the standard deviation: same map at nu = 1, another Jacobian",
        caught_by=("selu-fixed-point",)),
    Bug(id="relu-derivative-zero-at-zero", file="problems/relu.py",
        find="* (1.0 + np.sign(z))) @ self.X", replace="* 2.0 * (z > 0)) @ self.X",
        why="ReLU'(0) = 0 instead of 1/2: from w0 = 0 the gradient vanishes, GD never moves",
        caught_by=("relu-projected-gd",)),
    Bug(id="sparse-projection-signed", file="experiments/projected_gd.py",
        find="keep = np.argsort(-np.abs(w), kind=\"stable\")[:s]",
        replace="keep = np.argsort(-w, kind=\"stable\")[:s]",
        why="the s largest entries kept instead of the s largest magnitudes",
        caught_by=("relu-projected-gd",)),
    Bug(id="aicn-decrement-squared", file="experiments/damped_newton.py",
        find="G = math.sqrt(max(float(g @ newton), 0.0))",
        replace="G = max(float(g @ newton), 0.0)",
        why="the Newton decrement's square g^T H^-1 g used for G: steps damped wrongly",
        caught_by=("damped-newton-global",)),
    Bug(id="backtracking-never-relaxes", file="experiments/damped_newton.py",
        find="    L = L / 2  # try", replace="    L = L * 1  # try",
        why="L is doubled but never halved: the step stays over-damped once L has grown",
        caught_by=("damped-newton-global",)),
    Bug(id="pseudo-huber-hessian-exponent", file="problems/pseudo_huber.py",
        find="(1.0 + r * r) ** -1.5) @ self.A", replace="(1.0 + r * r) ** -0.5) @ self.A",
        why="phi'' = (1 + r^2)^(-3/2) written as (1 + r^2)^(-1/2): a wrong Hessian",
        caught_by=("damped-newton-global",)),
]
