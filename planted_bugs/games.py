"""Planted bugs in the constraints-games-distributed code: compressed distributed GD, monotone
Frank-Wolfe, the Krum kernel, Nash mirror prox and the preference games' reference equilibrium.
The ``find`` texts are those of experiments/compressed_gd.py, experiments/frank_wolfe.py,
experiments/krum.py, experiments/mirror_prox.py and problems/preference_game.py at the time of
writing."""

from rates.planted import Bug

BUGS = [
    # --- compressed distributed GD --------------------------------------------------------------
    Bug(id="topk-keeps-smallest", file="experiments/compressed_gd.py",
        find="keep = np.argmax(np.abs(messages), axis=1)",
        replace="keep = np.argmin(np.abs(messages), axis=1)",
        why="Top-1 keeps the smallest-magnitude coordinate (argmin for argmax)",
        caught_by=("biased-compression-divergence",)),
    Bug(id="ef14-forgets-the-error", file="experiments/compressed_gd.py",
        find="messages = error + step * grads", replace="messages = step * grads",
        why="error feedback without the memory: EF14 degenerates to naive compression",
        caught_by=("biased-compression-divergence",)),
    # --- Frank-Wolfe ----------------------------------------------------------------------------
    Bug(id="fw-lmo-argmax", file="experiments/frank_wolfe.py",
        find="if g[j] < g[best]:", replace="if g[j] > g[best]:",
        why="the linear minimisation oracle maximises: FW heads for the worst vertex",
        caught_by=("frank-wolfe-self-concordant",)),
    Bug(id="fw-monotone-test-inverted", file="experiments/frank_wolfe.py",
        find="if monotone and not f_new <= f:", replace="if monotone and not f_new >= f:",
        why="the monotone rule's comparison reversed: only steps that increase f are taken",
        caught_by=("frank-wolfe-self-concordant",)),
    # --- Krum -----------------------------------------------------------------------------------
    Bug(id="krum-largest-score", file="experiments/krum.py",
        find="if score < best_score:", replace="if score > best_score:",
        why="the comparison reversed: against the initial inf no score wins, Krum keeps vector "
            "0 (a Byzantine one)",
        caught_by=("krum-byzantine",)),
    Bug(id="mean-over-honest-only", file="experiments/krum.py",
        find="                    for i in range(n):\n                        s += V[i, c]",
        replace="                    for i in range(f, n):\n                        s += V[i, c]",
        why="the mean aggregation's loop starts at f: it averages the honest vectors only (an "
            "oracle no server has), so the mean arm is not stuck",
        caught_by=("krum-byzantine",)),
    # --- Nash mirror prox -----------------------------------------------------------------------
    Bug(id="nash-mp-denominator-without-eta", file="experiments/mirror_prox.py",
        find="+ eta * acc) / (1.0 + eta * beta)", replace="+ eta * acc) / (1.0 + beta)",
        why="the prox's normalisation 1 + eta beta written 1 + beta: another fixed point",
        caught_by=("nash-mirror-prox",)),
    Bug(id="nash-reference-too-few-steps", file="problems/preference_game.py",
        find="REFERENCE_STEPS = 300", replace="REFERENCE_STEPS = 30",
        why="the reference equilibrium from 30 steps: KL to it stalls at its error",
        caught_by=("nash-mirror-prox",)),
]
