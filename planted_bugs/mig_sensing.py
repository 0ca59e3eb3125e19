"""Planted bugs in matrix sensing: the factorised gradients GD runs on, its random start, and the
ScaledGD(lambda) kernel and facade."""

from rates.planted import Bug

BUGS = [
    Bug(id="ms-symmetric-gradient-doubled", file="experiments/fields/matrix_sensing.py",
        find="    _gram_minus_target(A, False, x, 0, _gram(x, 0, n, k), 0, n, k, out, 0)\n",
        replace="    _gram_minus_target(A, False, x, 0, _gram(x, 0, n, k), 0, n, k, out, 0)\n"
                "    for i in range(n * k):\n"
                "        out[i] *= 2.0\n",
        why="the gradient 2 (X X^T - M*) X of 1/2 ||X X^T - M*||^2 under the 1/4 loss: every "
            "step is twice as long (the 1/T slope survives, its constant does not)",
        caught_by=("matrix-sensing-overparam", "scaledgd-lambda")),
    Bug(id="ms-asymmetric-gradient-untransposed", file="experiments/fields/matrix_sensing.py",
        find="_gram_minus_target(A, True, x, h, gram_f, 0, n, k, out, h)",
        replace="_gram_minus_target(A, False, x, h, gram_f, 0, n, k, out, h)",
        why="G's gradient with M* where M*^T belongs: invisible on a symmetric M*, wrong on an "
            "asymmetric one",
        caught_by=("matrix-sensing-asymmetric",)),
    Bug(id="ms-asymmetric-gram-of-f", file="experiments/fields/matrix_sensing.py",
        find="gram_g = _gram(x, h, n, k)",
        replace="gram_g = _gram(x, 0, n, k)",
        why="a copy-paste slip: F's gradient (F G^T - M*) G built with F^T F instead of G^T G",
        caught_by=("matrix-sensing-asymmetric",)),
    Bug(id="ms-start-imbalance-dropped", file="problems/matrix_sensing.py",
        find="[F0.ravel(), self.imbalance * F0.ravel()])",
        replace="[F0.ravel(), F0.ravel()])",
        why="the imbalance factor forgotten: G0 = F0, the balanced start the theorem excludes",
        caught_by=("matrix-sensing-asymmetric",)),
    Bug(id="scaledgd-no-back-substitution", file="experiments/scaled_gd.py",
        find="""                    for a in range(k - 1, -1, -1):
                        s = z[a]
                        for e in range(a + 1, k):
                            s -= P[e, a] * z[e]
                        z[a] = s / P[a, a]
""",
        replace="",
        why="only the forward half of the Cholesky solve: the step is g L^-T, not g (L L^T)^-1",
        caught_by=("scaledgd-lambda",)),
    Bug(id="scaledgd-gram-column-major", file="experiments/scaled_gd.py",
        find="s += x[q + i * k + a] * x[q + i * k + e]",
        replace="s += x[q + a * n + i] * x[q + e * n + i]",
        why="the factor read column-major in the Gram matrix X^T X (it is stored row-major)",
        caught_by=("scaledgd-lambda",)),
    Bug(id="scaledgd-step-damping-swapped", file="experiments/methods.py",
        find="return scaled_gd.scaled_gd(problem, self.step, self.damping, horizon, x0,",
        replace="return scaled_gd.scaled_gd(problem, self.damping, self.step, horizon, x0,",
        why="positional arguments swapped in the facade: eta = lambda, lambda = eta",
        caught_by=("scaledgd-lambda",)),
]
