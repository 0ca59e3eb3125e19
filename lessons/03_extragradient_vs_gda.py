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
# # Lesson 3: extragradient against gradient descent-ascent on a bilinear game
#
# A bilinear game min_x max_y x^T A y has a saddle at 0, and its field V(x, y) = (A y, -A^T x)
# is a rotation.  Simultaneous gradient descent-ascent (GDA) steps along the rotation and spirals
# *out*; extragradient (EG) and its single-call variant (Popov's past extragradient, PEG) look
# ahead and converge, their averages at the rate O(1/t) (Hsieh, Iutzeler, Malick, Mertikopoulos,
# arXiv 1908.08465, Theorem 1).  The catalogue's claim `eg-ergodic-gap`.

# %%
from figures import teaching

RESULTS = {}

# %%
print(teaching.theorem("eg-ergodic-gap"))

# %% [markdown]
# ## PEG converges, GDA diverges
#
# Look for the blue curve (the restricted gap of PEG's average) falling with slope -1 under the
# bound, and the grey control, GDA with the same step, growing until it diverges.

# %%
game = teaching.run("eg-ergodic-gap")
RESULTS["peg_slope"] = game.measured
RESULTS["gda_diverged_at"] = game.control.measurement.diverged_at
teaching.show(game, "03-eg-vs-gda")

# %% [markdown]
# ## Exercises
#
# **1. Extragradient instead of PEG (`method = eg`).**  Two oracle calls a step instead of one:
# does the rate change?

# %%
eg = teaching.run("eg-ergodic-gap", control=False, method="eg")
RESULTS["eg_slope"] = eg.measured

# %% [markdown]
# *Answer:* no: the same O(1/t) (the theorem covers both); the single call saves half the work.
#
# **2. Make the game strongly monotone (`mu = 0.1`).**  Predict the slope.

# %%
strong = teaching.run("eg-ergodic-gap", control=False, mu=0.1, horizon=10_000)
RESULTS["strong_slope"], RESULTS["strong_verdict"] = strong.measured, strong.outcome.verdict
teaching.show(strong, "03-ex2-strongly-monotone")

# %% [markdown]
# *Answer:* 2: with mu I added the average's error falls like 1/N and the gap is quadratic in
# it, so 1/N^2.  The claim is *tight* (the bilinear game attains 1/N), so a faster rate fails it.
#
# **3. Halve the step (`gamma_L = 0.2`).**  Slope, and the gap at the end?

# %%
slow = teaching.run("eg-ergodic-gap", control=False, gamma_L=0.2)
ratio = (slow.outcome.measurement.trace.values[0, -1]
         / game.outcome.measurement.trace.values[0, -1])
RESULTS["half_step_slope"], RESULTS["half_step_gap_ratio"] = slow.measured, ratio
print(f"slope {slow.measured:.3f}; last gap / last gap at gamma_L = 0.4: {ratio:.2f}")

# %% [markdown]
# *Answer:* the slope stays about 1 and the gap is about twice as large, as the bound
# (R^2 + ||z_1 - z_{1/2}||^2)/(2 gamma N) says (a little more here: at half the step the
# slowest rotation, period 2 pi/(gamma sigma_min), is twice as long and has not averaged out
# in the window, which also tilts the slope up to about 1.09).
