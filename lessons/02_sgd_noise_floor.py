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
# # Lesson 2: SGD's noise floor, and the decreasing steps that get under it
#
# Two theorems of the handbook of Garrigos & Gower (arXiv 2301.11235) on least squares with
# noisy labels: with a constant step SGD stalls at a floor proportional to the step
# (Theorem 5.3), and steps that switch from constant to about 2/(mu k) reach E||x_k - x*||^2 =
# O(1/k) (Theorem 5.9).  The catalogue's claims `handbook-sgd-noise-floor` and
# `handbook-sgd-switching`, run here with 20 runs instead of 100 and 2e4 steps.

# %%
from figures import teaching

RESULTS = {}
SMALL = {"runs": 20, "horizon": 20_000}

# %% [markdown]
# ## The floor is linear in the step

# %%
print(teaching.theorem("handbook-sgd-noise-floor"))
floor = teaching.run("handbook-sgd-noise-floor", **SMALL)
RESULTS["floor_slope"] = floor.measured
teaching.show(floor, "02-sgd-noise-floor")

# %% [markdown]
# Each point is the plateau of E||x_k - x*||^2 at one step size; on log-log axes they lie on a
# line of slope 1 (the fitted p), under the bound 2 gamma sigma*/mu.  The control, noiseless
# labels, has no floor at all: its "plateau" keeps falling with more steps.
#
# ## Decreasing steps: O(1/k)

# %%
print(teaching.theorem("handbook-sgd-switching"))
switching = teaching.run("handbook-sgd-switching", window_start=1000, **SMALL)
RESULTS["switching_slope"] = switching.measured
RESULTS["constant_slope"] = switching.control.measurement.measured
teaching.show(switching, "02-sgd-switching")

# %% [markdown]
# The blue curve follows the constant step until k = 4 ceil(L_max/mu), then bends into slope -1;
# the grey control (the constant step throughout) flattens at its floor.
#
# ## Exercises
#
# **1. Double the label noise (`noise = 1.0`) in the floor experiment.**  What happens to the
# slope, and by what factor do the plateaus rise?

# %%
loud = teaching.run("handbook-sgd-noise-floor", control=False, noise=1.0, **SMALL)
rise = (loud.outcome.measurement.trace.values.mean(axis=0)[-1]
        / floor.outcome.measurement.trace.values.mean(axis=0)[-1])
RESULTS["loud_slope"], RESULTS["loud_floor_ratio"] = loud.measured, rise
print(f"slope {loud.measured:.3f}; plateau at gamma_max, noise 1.0 / noise 0.5: {rise:.2f}")

# %% [markdown]
# *Answer:* the slope stays 1; the plateaus rise about 4-fold: sigma* = E||grad f_i(x*)||^2
# grows with the square of the label noise, and the floor is 2 gamma sigma*/mu.
#
# **2. Remove the noise from the switching experiment (`noise = 0`).**  Predict the slope and
# the control's verdict.

# %%
clean = teaching.run("handbook-sgd-switching", noise=0.0, window_start=1000, **SMALL)
RESULTS["clean_slope"], RESULTS["clean_control"] = clean.measured, clean.control.verdict
RESULTS["clean_status"] = clean.status
teaching.show(clean, "02-ex2-no-noise")

# %% [markdown]
# *Answer:* without label noise sigma* = 0 and SGD converges linearly with either schedule: the
# slope is far above 1, and the **control holds** too, so the check as a whole fails: an
# experiment whose control passes cannot tell the schedules apart.  That is why every claim
# carries a control.
#
# **3. Use the constant step in the claim (`schedule = constant`).**  What slope?

# %%
stalled = teaching.run("handbook-sgd-switching", control=False, schedule="constant",
                       window_start=1000, **SMALL)
RESULTS["stalled_slope"], RESULTS["stalled_verdict"] = stalled.measured, stalled.outcome.verdict

# %% [markdown]
# *Answer:* about 0: the run sits on its noise floor through the whole window, and the claim
# (slope >= 0.9) fails.
