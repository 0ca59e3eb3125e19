# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1: gradient descent's 1/k and linear rates
#
# Two theorems of the handbook of Garrigos & Gower (arXiv 2301.11235), checked by measurement:
# on a convex L-smooth function gradient descent's gap falls like 1/k, on a mu-strongly convex
# one the distance contracts by a constant factor per step.  Both are claims of the catalogue
# (`rates explain handbook-gd-convex`); this lesson runs them with a shorter horizon.
#
# Run it as a script (`python lessons/01_gd_rates.py`) or open it as a notebook
# (`jupytext --to notebook lessons/01_gd_rates.py`, the `lessons` extra).  Figures go to
# `figures/custom/lessons/` (or `$RATES_LESSON_OUT`).

# %%
from figures import teaching

RESULTS = {}

# %% [markdown]
# ## The theorem, as the claim states it

# %%
print(teaching.theorem("handbook-gd-convex"))

# %% [markdown]
# ## Measure it
#
# 10^4 steps instead of 10^5, the fit window from k = 100.  Look for a straight line of slope -1
# on log-log axes under the dash-dotted bound, and the grey control (a step 2.1/L) diverging.

# %%
convex = teaching.run("handbook-gd-convex", horizon=10_000, window_start=100)
RESULTS["convex_slope"] = convex.measured
RESULTS["convex_status"] = convex.status
teaching.show(convex, "01-gd-convex")

# %% [markdown]
# ## The strongly convex case: a factor per step
#
# On semi-log axes a geometric rate is a straight line; the theorem's factor is 1 - gamma mu.

# %%
print(teaching.theorem("handbook-gd-strongly-convex"))
strong = teaching.run("handbook-gd-strongly-convex")
RESULTS["strong_rho"], RESULTS["strong_stated"] = strong.measured, strong.stated
teaching.show(strong, "01-gd-strongly-convex")

# %% [markdown]
# ## Exercises
#
# Predict the figure first, then run the cell.
#
# **1. Halve the step (`gamma_L = 0.5`).**  Does the slope change?  By what factor does the gap
# at the last iteration change?

# %%
half = teaching.run("handbook-gd-convex", control=False, horizon=10_000, window_start=100,
                    gamma_L=0.5)
ratio = (half.outcome.measurement.trace.values[0, -1]
         / convex.outcome.measurement.trace.values[0, -1])
RESULTS["half_step_slope"], RESULTS["half_step_gap_ratio"] = half.measured, ratio
print(f"slope {half.measured:.3f}; last gap / last gap at gamma_L = 1: {ratio:.2f}")
teaching.show(half, "01-ex1-half-step")

# %% [markdown]
# *Answer:* the slope stays 1 (the rate is in k), the curve moves up by about 2: at this
# spectrum the gap is about d/(4 gamma ln(L/mu) k), so halving gamma doubles it, as the bound
# ||x_0 - x*||^2/(2 gamma k) does.
#
# **2. Raise the smallest eigenvalue to `mu = 1e-3`.**  The theorem still applies.  What does
# the measured slope do, and why does the claim now *fail*?

# %%
edge = teaching.run("handbook-gd-convex", control=False, horizon=10_000, window_start=100,
                    mu=1e-3)
RESULTS["mu_edge_slope"], RESULTS["mu_edge_verdict"] = edge.measured, edge.outcome.verdict
teaching.show(edge, "01-ex2-spectrum-edge")

# %% [markdown]
# *Answer:* once k passes 1/mu = 1000 the function is strongly convex in every direction and GD
# converges linearly: the log-log curve bends down and the slope is far above 1.  The bound
# still holds, but the claim is that 1/k is *attained* (tight), which needs mu << 1/k.
#
# **3. Strongly convex with `mu = 0.1` (100 steps).**  The theorem says rho <= 1 - gamma mu =
# 0.9.  What will the measured factor be on a quadratic?

# %%
fast = teaching.run("handbook-gd-strongly-convex", control=False, mu=0.1, horizon=100)
RESULTS["mu_0.1_rho"] = fast.measured
print(f"measured rho {fast.measured:.4f}; (1 - gamma mu)^2 = {(1 - 0.1) ** 2:.4f}")

# %% [markdown]
# *Answer:* about 0.81 = (1 - gamma mu)^2 (a little below: the faster directions have not
# quite died out in the window [50, 100]): on a quadratic the slowest direction contracts the
# *distance* by 1 - gamma mu, so the squared distance by its square.  The theorem is an upper
# bound ("at least as fast"), and it holds with room to spare.
