"""Planted bugs in the worst-case (PEP) legs: the programs of rates/worst_case.py, the leg's
evaluation in rates/spec.py and the legs' curves in the claim modules.  The ``find`` texts are
those files at the time of writing."""

from rates.planted import Bug

BUGS = [
    Bug(id="pep-gd-radius-not-squared", file="rates/worst_case.py",
        find="return _result(_gd(n, h, 0.0), n, L * R**2)",
        replace="return _result(_gd(n, h, 0.0), n, L * R)",
        why="the homogeneity scale L R^2 written L R: the worst case of f(x_N) - f* shrinks by "
            "R = sqrt(d) and falls below the measured value",
        caught_by=("handbook-gd-convex",)),
    Bug(id="pep-gd-strongly-convex-measures-f", file="rates/worst_case.py",
        find="problem.set_performance_metric(f(x) - fs if q == 0.0 else (x - xs) ** 2)",
        replace="problem.set_performance_metric(f(x) - fs)",
        why="the strongly convex program measures f(x_N) - f* (<= L/2 ||x_N - x*||^2) instead "
            "of the distance the claim measures",
        caught_by=("handbook-gd-strongly-convex",)),
    Bug(id="nesterov-leg-bound-squared", file="paper_checks/nesterov.py",
        find="return 2 / q.mu * (1 - math.sqrt(q.mu / q.L)) ** n * _lyapunov0(i)",
        replace="return 2 / q.mu * (1 - math.sqrt(q.mu / q.L)) ** (2 * n) * _lyapunov0(i)",
        why="the bound's factor squared as if it bounded ||x_N - x*||, not its square: it falls "
            "below the class's worst case",
        caught_by=("nesterov-sqrt-kappa",)),
    Bug(id="egplus-leg-forgets-the-distance", file="paper_checks/comonotone.py",
        find="R=float(np.linalg.norm(np.ones(i.problem.d)\n"
             "                                                           - i.problem.x_star)))",
        replace="R=1.0)",
        why="the worst case at the default ||x_0 - x*|| = 1 instead of the instance's sqrt(d)",
        caught_by=("comonotone-eg",)),
    Bug(id="peg-ergodic-radius-not-squared", file="rates/worst_case.py",
        find="problem.set_initial_condition((u - z0) ** 2 <= m**2)",
        replace="problem.set_initial_condition((u - z0) ** 2 <= m)",
        why="the merit's ball ||u - z_1|| <= R written with R instead of R^2: a smaller ball, a "
            "worst case under the game's measured merit",
        caught_by=("eg-ergodic-gap",)),
    Bug(id="worst-case-leg-measure-dropped", file="rates/spec.py",
        find="measured = {n: self.measure(v) for n, v in got.items()}",
        replace="measured = dict(got)",
        why="the leg compares the measured norm with a squared worst case (measure ignored)",
        caught_by=("halpern",)),
]
