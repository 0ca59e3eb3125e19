"""The vector fields (gradients, operators) of each problem family, as numba functions.

One module per family; :mod:`experiments.oracles` dispatches on the problem's kind tag.
"""
