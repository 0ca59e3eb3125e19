"""Property tests of the command line's parsers: ``--set``, ``--grid``, ``--seeds``, ``--seed``.

For any input they return exactly what was meant or raise a one-line usage error; they never
raise anything else, and they never build a list they were told is too long.
"""

import argparse
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rates import registry
from rates.cli import (
    MAX_SEED,
    UsageError,
    iter_seeds,
    parse_grid,
    parse_seeds,
    parse_sets,
    seed_arg,
)

CLAIMS = list(registry.all_claims().values())
PARAMETERS = [(c, p) for c in CLAIMS for p in c.parameters]


def _in_range(p):
    """A strategy of the values parameter ``p`` accepts."""
    if p.choices:
        return st.sampled_from(p.choices)
    if p.type is bool:
        return st.booleans()
    lo = -1e12 if p.low is None else p.low
    hi = 1e12 if p.high is None else p.high
    if p.type is int:
        return st.integers(math.ceil(lo), math.floor(hi))
    return st.floats(lo, hi, allow_nan=False)


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(
        value, float) else str(value)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), index=st.integers(0, len(PARAMETERS) - 1))
def test_set_parses_every_accepted_value_back_to_itself(data, index):
    claim, p = PARAMETERS[index]
    value = data.draw(_in_range(p))
    parsed = parse_sets([claim], [f"{p.name}={_text(value)}"])[claim.id][p.name]
    assert parsed == value and type(parsed) is p.type


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(PARAMETERS) - 1), text=st.text(max_size=12))
def test_set_with_any_text_gives_a_value_or_a_usage_error(index, text):
    claim, p = PARAMETERS[index]
    try:
        parsed = parse_sets([claim], [f"{p.name}={text}"])[claim.id][p.name]
    except UsageError as e:
        assert p.name in str(e) and "\n" not in str(e)
        return
    assert p.validate(parsed) == parsed  # whatever was accepted is in range


@settings(max_examples=100, deadline=None)
@given(index=st.integers(0, len(PARAMETERS) - 1),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-10**30, 10**30)))
def test_set_refuses_values_outside_the_range_by_name(index, value):
    claim, p = PARAMETERS[index]
    if p.choices or p.type is bool or p.type is str:
        return
    ok = math.isfinite(value) and (p.low is None or value >= p.low) and (
        p.high is None or value <= p.high) and (p.type is float or float(value).is_integer())
    try:
        parse_sets([claim], [f"{p.name}={value!r}"])
    except UsageError as e:
        assert f"parameter {p.name} must be" in str(e)
        assert not ok or abs(value) > 2**53  # an int beyond a float's precision
    else:
        assert ok


@settings(max_examples=100, deadline=None)
@given(name=st.text(min_size=1, max_size=8).filter(lambda s: "=" not in s))
def test_set_of_an_unknown_name_lists_the_known_ones(name):
    claim = registry.get("handbook-gd-strongly-convex")
    if name.strip() in claim.parameter_map:
        return
    with pytest.raises(UsageError, match="unknown parameter|NAME=VALUE"):
        parse_sets([claim], [f"{name}=1"])


@settings(max_examples=100, deadline=None)
@given(data=st.data(), index=st.integers(0, len(PARAMETERS) - 1))
def test_grid_axes_hold_the_parsed_values_in_order(data, index):
    claim, p = PARAMETERS[index]
    values = data.draw(st.lists(_in_range(p), min_size=1, max_size=5))
    ((name, parsed),) = parse_grid(claim, [f"{p.name}={','.join(map(_text, values))}"])
    assert name == p.name and parsed == values


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=20))
def test_grid_with_any_text_gives_axes_or_a_usage_error(text):
    claim = registry.get("handbook-sgd-switching")
    try:
        axes = parse_grid(claim, [text])
    except UsageError as e:
        assert "\n" not in str(e)
        return
    ((name, values),) = axes
    assert all(claim.parameter_map[name].validate(v) == v for v in values)


pieces = st.one_of(
    st.integers(0, MAX_SEED).map(lambda a: (a, a)),
    st.tuples(st.integers(0, MAX_SEED - 50), st.integers(0, 50)).map(lambda t: (t[0],
                                                                                 t[0] + t[1])))


@settings(max_examples=100, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=6))
def test_seeds_are_the_listed_ranges_in_order_each_once(ranges):
    text = ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)
    expected: list[int] = []
    for a, b in ranges:
        expected += [s for s in range(a, b + 1) if s not in expected]
    assert parse_seeds(text) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789-, x", max_size=25))
def test_seeds_from_any_text_are_valid_seeds_or_a_usage_error(text):
    try:
        seeds = parse_seeds(text, limit=10_000)
    except UsageError as e:
        assert "--seeds" in str(e) and "\n" not in str(e)
        return
    assert seeds and len(set(seeds)) == len(seeds)
    assert all(0 <= s <= MAX_SEED for s in seeds) and len(seeds) <= 10_000


@given(st.integers(10_001, MAX_SEED + 1))
def test_too_many_seeds_are_counted_not_built(n):
    start = time.perf_counter()
    with pytest.raises(UsageError, match=f"names {n} seeds"):
        list(iter_seeds(f"0-{n - 1}", limit=10_000))
    assert time.perf_counter() - start < 0.5


@given(st.integers(-10**25, 10**25))
def test_seed_accepts_exactly_the_64_bit_range(seed):
    if 0 <= seed <= MAX_SEED:
        assert seed_arg(str(seed)) == seed
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=r"\[0, 2\^64 - 1\]"):
            seed_arg(str(seed))
