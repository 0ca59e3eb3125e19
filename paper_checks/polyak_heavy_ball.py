"""Heavy ball: f = 1/2 x^T A x, spectrum in [mu, L], kappa = L/mu; x_{k+1} = x_k - alpha grad
f(x_k) + beta (x_k - x_{k-1}), alpha = 4/(sqrt L + sqrt mu)^2, beta = ((sqrt kappa - 1)/(sqrt
kappa + 1))^2.
Tight [1, Section 3]: the iteration's spectral radius is sqrt(beta) = (sqrt kappa - 1)/(sqrt
kappa + 1), optimal over (alpha, beta). Both ends of the spectrum are double roots, so ||x_k - x*||
~ k rho^k: the fit is of ||x_k - x*||/k. Control: beta = 0, alpha = 2/(L + mu), (kappa-1)/(kappa+1).
[1] B. T. Polyak, Some methods of speeding up the convergence of iteration methods, USSR Comput.
    Math. Math. Phys. 4(5), 1964 (no arXiv)."""
import sympy as sp

from experiments.methods import GradientDescent, polyak_heavy_ball
from problems import quadratic
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Spec, contraction_window, distance_over_k, gaussian_start

kappa, C = sp.symbols("kappa C", positive=True)
CLAIM = Claim(
    id="polyak-heavy-ball", mode=Mode.TIGHT,
    title="Heavy ball at Polyak's tuning contracts by (sqrt kappa - 1)/(sqrt kappa + 1) per step",
    paper=Paper("B. T. Polyak", "Some methods of speeding up the convergence of iteration "
                "methods", 1964, None, "Section 3", venue="USSR Comput. Math. Math. Phys. 4(5)"),
    statement="On a quadratic with spectrum in [mu, L], heavy ball at Polyak's (alpha, beta) "
              "converges like ((sqrt kappa - 1)/(sqrt kappa + 1))^k, optimal for such methods.",
    tolerance=Tolerance(0.01, 0.01, "with k rho^k divided out the fit is straight; 1% of -ln rho"
                        " admits its end effects, not GD's (kappa-1)/(kappa+1)", relative=True),
    parameters=(P("kappa", 1e3, "condition number L/mu", 10.0, 1e6),
                P("d", 200, "dimension", 2, 10**5), P("runs", 10, "x0 ~ N(x*, I)", 1, 1000),
                P("momentum", True, "Polyak's momentum (false: GD at 2/(L + mu))")),
    experiment=Spec(
        problem=lambda p, seed: quadratic(p["d"], L=1.0, mu=1 / p["kappa"], spacing="log"),
        constants=lambda q, p: {kappa: q.L / q.mu},
        method=lambda i: polyak_heavy_ball(i.problem.L, i.problem.mu) if i["momentum"]
        else GradientDescent(2 / (i.problem.L + i.problem.mu)),
        bound=Bound(C * ((sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)) ** k, law="geometric"),
        quantity=distance_over_k, x0=gaussian_start, runs="runs", horizon="window",
        window=contraction_window(1e-3, 1e-10)),
    control=Control({"momentum": False}, "no momentum: GD's factor (kappa - 1)/(kappa + 1)"),
)
