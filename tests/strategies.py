"""Hypothesis strategies for tensors: shapes, broadcasting pairs, dims and float arrays.

Shapes stay small (at most 3 dims of at most 4) so that each example costs a few milliseconds and
finite differences stay cheap.

Example:
    >>> @given(pair=broadcast_pair())
    ... def test_add(pair):
    ...     check(lambda t, a, b: a + b, *pair)
"""
from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Finite and of moderate size: float32 results then agree with PyTorch to ~1e-6 relative.
# Magnitudes below 1e-6 become 0: near float32's smallest normal number, squares underflow and
# the two libraries' roundings legitimately part ways (e.g. std of [1e-38, 0]).
FLOATS = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                   width=32).map(lambda v: 0.0 if abs(v) < 1e-6 else v)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[tuple]:
    """Array shapes such as ``()``, ``(3,)``, ``(2, 1, 4)``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def float_arrays(shape: Any = None, dtype: Any = np.float32,
                 elements: st.SearchStrategy | None = None) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` (a shape or a shape strategy; default ``shapes()``)."""
    return hnp.arrays(dtype, shapes() if shape is None else shape,
                      elements=FLOATS if elements is None else elements)


def positive_arrays(shape: Any = None, dtype: Any = np.float32) -> st.SearchStrategy[np.ndarray]:
    """Arrays with values in [0.1, 3] (for log, sqrt, division, powers)."""
    return float_arrays(shape, dtype, st.floats(0.125, 3.0, width=32))


@st.composite
def broadcast_pair(draw: Any, dtype: Any = np.float32, positive_second: bool = False,
                   max_dims: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Two arrays whose shapes broadcast, e.g. ``(3, 1)`` and ``(4,)``."""
    shape_a, shape_b = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, max_side=4)).input_shapes
    a = draw(float_arrays(shape_a, dtype))
    b = draw(positive_arrays(shape_b, dtype) if positive_second else float_arrays(shape_b, dtype))
    return a, b


@st.composite
def array_and_dim(draw: Any, min_dims: int = 1, dtype: Any = np.float32,
                  elements: st.SearchStrategy | None = None) -> tuple[np.ndarray, int]:
    """An array and a valid dim of it (negative dims included)."""
    array = draw(float_arrays(shapes(min_dims=min_dims), dtype, elements))
    ndim = max(array.ndim, 1)
    return array, draw(st.integers(-ndim, ndim - 1))


@st.composite
def array_and_dims(draw: Any, dtype: Any = np.float32) -> tuple[np.ndarray, Any]:
    """An array and a ``dim`` argument: None, an int, or a tuple/list of distinct dims."""
    array = draw(float_arrays(shapes(min_dims=1), dtype))
    ndim = array.ndim
    kind = draw(st.sampled_from(["none", "int", "tuple", "list"]))
    if kind == "none":
        return array, None
    if kind == "int":
        return array, draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    # Mix in negative spellings of the same dims.
    axes = [a - ndim if draw(st.booleans()) else a for a in axes]
    return array, tuple(axes) if kind == "tuple" else list(axes)


def away_from(values: np.ndarray, points: tuple = (0.0,), margin: float = 0.05) -> np.ndarray:
    """``values`` nudged at least ``margin`` away from kinks (for finite differences)."""
    values = np.array(values, dtype=np.float64)
    for p in points:
        close = np.abs(values - p) < margin
        values[close] = p + np.where(values[close] >= p, margin, -margin) * 2
    return values
