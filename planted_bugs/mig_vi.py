"""Planted bugs in the variational-inequality methods: the extragradient family (EG, EG+, PEG, OG
and their ergodic averages), accelerated optimistic gradient, proximal point and Halpern (with
its variance-reduced estimator).  The ``find`` texts are those of experiments/vi.py and
experiments/halpern.py at the time of writing."""

from rates.planted import Bug

BUGS = [
    # --- the extragradient family ---------------------------------------------------------------
    Bug(id="eg-extrapolation-dropped", file="experiments/vi.py",
        find="""                _operator(kind, A, b, p, z, stochastic, rng, g)
                for j in range(d):
                    lead[j] = z[j] - gamma * g[j]""",
        replace="""                _operator(kind, A, b, p, z, stochastic, rng, g)
                for j in range(d):
                    lead[j] = z[j]""",
        why="EG without its extrapolation is gradient descent-ascent (both calls at z_t)",
        caught_by=("eg-ergodic-gap", "eg-stochastic-last-iterate", "comonotone-eg")),
    Bug(id="ergodic-average-of-base-points", file="experiments/vi.py",
        find="""        z[j] -= gamma * g[j]
        avg[j] += w * (lead[j] - avg[j])""",
        replace="""        z[j] -= gamma * g[j]
        avg[j] += w * (z[j] - avg[j])""",
        why="the ergodic average taken over the base points z_{t+1} instead of the leading "
            "points z_{t+1/2} (EG, PEG, RG, GDA share the update)",
        caught_by=("eg-ergodic-gap",)),
    Bug(id="og-past-gradient-sign", file="experiments/vi.py",
        find="z[j] += -(gamma_past + gamma_next) * g[j] + gamma_past * g_past[j]",
        replace="z[j] += -(gamma_past + gamma_next) * g[j] - gamma_past * g_past[j]",
        why="optimism's correction added instead of subtracted (a sign slip)",
        caught_by=("eg-ergodic-gap", "comonotone-eg")),
    Bug(id="egplus-steps-swapped", file="experiments/vi.py",
        find="gamma = schedules.step_size(k2, p2, t)  # the update step",
        replace="gamma = schedules.step_size(k1, p1, t)",
        why="EG+ updates with the extrapolation step: plain EG at gamma1, which the extreme "
            "comonotone rotation does not survive",
        caught_by=("comonotone-eg",)),
    # --- accelerated optimistic gradient --------------------------------------------------------
    Bug(id="aog-anchor-weight", file="experiments/vi.py",
        find="z[j] += (z0[j] - z[j]) / (t + 2.0)",
        replace="z[j] += (z0[j] - z[j]) / (t + 1.0)",
        why="Halpern's weight off by one: 1/(k+1) instead of 1/(k+2)",
        caught_by=("aog-last-iterate",)),
    Bug(id="aog-anchor-at-origin", file="experiments/vi.py",
        find="z[j] += (z0[j] - z[j]) / (t + 2.0)",
        replace="z[j] += -z[j] / (t + 2.0)",
        why="the anchor z_0 forgotten (anchored at 0, which is z* on the test games)",
        caught_by=("aog-last-iterate",)),
    Bug(id="aog-optimism-dropped", file="experiments/vi.py",
        find="""                    z[j] += (z0[j] - z[j]) / (t + 2.0)
                    lead[j] = z[j] - gamma * g[j]""",
        replace="""                    z[j] += (z0[j] - z[j]) / (t + 2.0)
                    lead[j] = z[j]""",
        why="the leading point without the past operator value: anchored GDA",
        caught_by=("aog-last-iterate",)),
    # --- proximal point -------------------------------------------------------------------------
    Bug(id="pp-forward-step", file="experiments/vi.py",
        find="P = np.linalg.inv(lhs)", replace="P = np.eye(M.shape[0]) - gamma * M",
        why="an explicit step I - gamma F for the resolvent (I + gamma F)^-1",
        caught_by=("comonotone-pp",)),
    Bug(id="pp-resolvent-sign", file="experiments/vi.py",
        find="lhs = np.eye(M.shape[0]) + gamma * M", replace="lhs = np.eye(M.shape[0]) - gamma * M",
        why="the resolvent of -F: (I - gamma F)^-1",
        caught_by=("comonotone-pp",)),
    # --- Halpern and its variance-reduced estimator ---------------------------------------------
    Bug(id="halpern-weight-off-by-one", file="experiments/halpern.py",
        find="""        lam = 1.0 / (k + 2.0)
        sq = 0.0
        for j in range(d):
            x[j] = lam * x0[j] + (1.0 - lam) * (x[j] - eta * g[j])
            sq += x[j] * x[j]
        if diverging(sq):
            diverged_at[0] = k + 1""",
        replace="""        lam = 1.0 / (k + 1.0)
        sq = 0.0
        for j in range(d):
            x[j] = lam * x0[j] + (1.0 - lam) * (x[j] - eta * g[j])
            sq += x[j] * x[j]
        if diverging(sq):
            diverged_at[0] = k + 1""",
        why="Lieder's weight 1/(k+2) written 1/(k+1): the first step returns x_0",
        caught_by=("halpern",)),
    Bug(id="vr-halpern-no-replay", file="experiments/halpern.py",
        find="rng[0] = saved  # replay: the same component at the previous point",
        replace="pass  # (the replay forgotten)",
        why="the difference F_i(x_k) - F_j(x_{k-1}) of two different components: the "
            "estimator's variance is no longer reduced",
        caught_by=("halpern",)),
    Bug(id="vr-halpern-refresh-inverted", file="experiments/halpern.py",
        find="if uniform(rng) < prob:", replace="if uniform(rng) > prob:",
        why="a full pass with probability 1 - p instead of p: nearly every step costs n",
        caught_by=("halpern",)),
]
