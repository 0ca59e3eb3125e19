"""Planted bugs for Adam / AMSGrad (experiments/adaptive.py, the methods facade) and their problems
(the stochastic quadratics' laws, Reddi et al.'s online linear losses and their projection).

Each is a small edit that a careful person could make; the claims named must break under it.
"""

from rates.planted import Bug

SYMMETRY_FAMILY = ("adam-symmetry", "adam-rate-batch", "adam-rate-beta2", "adam-rate-lr")

BUGS = [
    Bug(id="adam-bias-correction-power", file="experiments/adaptive.py",
        find="root_c2 = math.sqrt(1.0 - power2)", replace="root_c2 = 1.0 - power2",
        why="the second-moment correction divides sqrt(v_t) by 1 - beta2^t instead of its root: "
            "a changed power, which shrinks the early steps and leaves every limit untouched",
        caught_by=SYMMETRY_FAMILY),
    Bug(id="adam-first-moment-weight", file="experiments/adaptive.py",
        find="mj = beta1 * m[i, j] + (1.0 - beta1) * gj",
        replace="mj = beta1 * m[i, j] + (1.0 - beta2) * gj",
        why="the first moment weighted with the second moment's 1 - beta2 (a copy-paste slip): m "
            "is 10 times too small, and so are the steps; the zero of the Adam field is not moved",
        caught_by=SYMMETRY_FAMILY),
    Bug(id="amsgrad-max-indented", file="experiments/adaptive.py",
        find="                            vj = vmax[i, j]\n                        vmax[i, j] = vj",
        replace="                            vj = vmax[i, j]\n"
                "                            vmax[i, j] = vj",
        why="the running maximum is stored only inside the 'if' (one indentation level too "
            "deep), so it never leaves 0 and AMSGrad is Adam",
        caught_by=("adam-nonconvergence",)),
    Bug(id="adam-runs-share-a-stream", file="experiments/adaptive.py",
        find="rng[i, 0] = stream(seed, r0 + i)[0]", replace="rng[i, 0] = stream(seed, r0)[0]",
        why="every run of a chunk draws the chunk's stream: the runs are copies of a few, and an "
            "interval over them is too narrow (or empty)",
        caught_by=(*SYMMETRY_FAMILY, "adam-nonconvergence")),
    Bug(id="adam-projection-dropped", file="experiments/methods.py",
        find="amsgrad=self.amsgrad, box=self.box,", replace="amsgrad=self.amsgrad,",
        why="the facade forgets to pass the box: Reddi et al.'s Adam is no longer projected onto "
            "[-1, 1] and runs off past +1 (so its mean iterate exceeds 0.9 all the more)",
        caught_by=("adam-nonconvergence",)),
    Bug(id="gamma-batch-shape", file="experiments/fields/stochastic.py",
        find="return p[0] + p[2] / batch * gamma(rng, p[1] * batch)",
        replace="return p[0] + p[2] / batch * gamma(rng, p[1])",
        why="the mean of M Gamma(k, s) draws is Gamma(M k, s/M): with the factor M left out of "
            "the shape, Xbar has mean k s/M and the data no longer average to x* at M > 1",
        caught_by=("adam-rate-batch",)),
    Bug(id="marsaglia-tsang-scale", file="experiments/random.py",
        find="c = 1.0 / np.sqrt(9.0 * d)", replace="c = 1.0 / np.sqrt(3.0 * d)",
        why="Marsaglia & Tsang's c = 1/sqrt(9d) written 1/sqrt(3d): the draws of Gamma(a), a > 1, "
            "are no longer Gamma (their mean and skewness move), as the mini-batch means of the "
            "exponential law at M > 1 show",
        caught_by=("adam-rate-batch",)),
    Bug(id="reddi-parameter-order", file="problems/stochastic.py",
        find='{"large": large, "small": small, "prob": prob}',
        replace='{"small": small, "large": large, "prob": prob}',
        why="oracle_data hands the kernel the parameters by position (list(params.values())): "
            "reordering the dict swaps the rare and the frequent gradient, E c_t = -1000",
        caught_by=("adam-nonconvergence",)),
]
