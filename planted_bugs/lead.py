"""Planted bugs in heavy ball (the momentum term of the first-order kernel, Polyak's tuning)."""

from rates.planted import Bug

BUGS = [
    Bug(id="heavy-ball-momentum-sign", file="experiments/first_order.py",
        find="step = beta * (x[j] - x_prev[j]) - gamma * g[j]",
        replace="step = beta * (x_prev[j] - x[j]) - gamma * g[j]",
        why="the momentum difference taken the wrong way round (x_{k-1} - x_k)",
        caught_by=("polyak-heavy-ball",)),
    Bug(id="polyak-tuning-step", file="experiments/methods.py",
        find="return HeavyBall(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2,",
        replace="return HeavyBall(2 / (math.sqrt(L) + math.sqrt(mu)) ** 2,",
        why="half of Polyak's step: still convergent, but no longer the optimal factor",
        caught_by=("polyak-heavy-ball",)),
]
