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
# # Lesson 5: heavy ball against gradient descent
#
# On a quadratic with spectrum in [mu, L], kappa = L/mu, gradient descent at its best step
# contracts by (kappa - 1)/(kappa + 1) per step; Polyak's heavy ball (1964), with momentum, by
# (sqrt kappa - 1)/(sqrt kappa + 1).  At kappa = 1000 that is 0.998 against 0.939: the
# difference between ~7000 and ~220 steps per factor 1e-6.  The catalogue's claim
# `polyak-heavy-ball`.

# %%
import math

from figures import teaching

RESULTS = {}

# %%
print(teaching.theorem("polyak-heavy-ball"))

# %% [markdown]
# ## Measure both
#
# The claim fits ||x_k - x*||/k (both ends of the spectrum are double roots of the iteration,
# which adds a factor k) on semi-log axes; the control is gradient descent (no momentum).

# %%
hb = teaching.run("polyak-heavy-ball")
gd = hb.control.measurement.measured
RESULTS["heavy_ball_rho"], RESULTS["stated"], RESULTS["gd_rho"] = hb.measured, hb.stated, gd
for name, rho in (("heavy ball", hb.measured), ("gradient descent", gd)):
    print(f"{name}: rho = {rho:.5f}, steps per factor 1e-6: {math.log(1e-6) / math.log(rho):.0f}")
teaching.show(hb, "05-heavy-ball")

# %% [markdown]
# ## Exercises
#
# **1. Ten times the condition number (`kappa = 1e4`).**  Predict both factors, and how many
# more steps each method needs.

# %%
hard = teaching.run("polyak-heavy-ball", kappa=1e4)
RESULTS["hard_rho"], RESULTS["hard_gd_rho"] = hard.measured, hard.control.measurement.measured
print(f"predicted: heavy ball {(100 - 1) / (100 + 1):.5f}, GD {(1e4 - 1) / (1e4 + 1):.5f}; "
      f"measured GD in the claim's window: {hard.control.measurement.measured:.5f}")

# %% [markdown]
# *Answer:* 0.9802 for heavy ball, measured to four digits: it needs about sqrt(10) = 3.2 times
# more steps (-1/ln rho is about sqrt(kappa)/2).  Gradient descent's asymptotic factor is 0.9998
# (kappa/2 steps per factor e); the control measures less (it is fitted in the window sized for
# heavy ball, before GD's slowest direction dominates), but still far from heavy ball's.
#
# **2. Run the claim without momentum (`momentum = False`).**  What does the verdict say?

# %%
plain = teaching.run("polyak-heavy-ball", control=False, momentum=False)
RESULTS["plain_rho"], RESULTS["plain_verdict"] = plain.measured, plain.outcome.verdict

# %% [markdown]
# *Answer:* it fails: the measured factor is gradient descent's (about 0.992 in this window;
# 0.998 asymptotically), far outside the tolerance around 0.9387; the claim is *tight*, so a
# slower rate (and a faster one) is a failure.
