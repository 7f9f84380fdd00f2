"""``F.adaptive_max_pool2d`` / ``nn.AdaptiveMaxPool2d`` (indices, overlapping adaptive windows,
larger outputs than inputs), ``F.max_pool1d``/``F.avg_pool1d`` and ``nn.MaxPool1d``/
``nn.AvgPool1d`` against PyTorch: values, indices, gradients, dtypes, finite differences,
errors and printed forms."""
from __future__ import annotations

import numpy as np
import pytest

from oracle import check, check_module, check_repr, check_same_error, gradcheck

rng = np.random.default_rng(14)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


ADAPTIVE_CASES = [
    ((2, 3, 8, 8), (2, 2)),  # windows tile the input
    ((2, 3, 7, 5), (3, 2)),  # uneven: neighbouring windows overlap
    ((1, 2, 5, 7), 3),
    ((3, 7, 5), (None, 2)),  # unbatched, one dim kept
    ((1, 2, 3, 4), (5, 9)),  # more outputs than inputs: inputs win several windows
    ((2, 1, 6, 6), 1),  # the global maximum
    ((0, 3, 4, 4), 2),  # an empty batch
]


@pytest.mark.parametrize("shape,size", ADAPTIVE_CASES)
def test_adaptive_max_pool2d_matches_torch(shape, size):
    x = rand(*shape)
    check(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, size), x)
    check(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, size, return_indices=True), x)
    if 0 not in shape:
        gradcheck(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, size), x)


def test_adaptive_max_pool2d_ties_float64_and_empty_output():
    check(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, (2, 3), return_indices=True),
          np.ones((1, 1, 5, 5), np.float32))
    check(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, 3), rand(2, 2, 5, 4, dtype=np.float64))
    # an empty output (torch's backward refuses one, so values only)
    check(lambda t, a: t.nn.functional.adaptive_max_pool2d(a, 0), rand(1, 2, 5, 4), grad=False)


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.adaptive_max_pool2d(t.ones(7, 5), 3),
    lambda t: t.nn.functional.adaptive_max_pool2d(t.ones(2, 3, 0, 5), 3),
    lambda t: t.nn.functional.adaptive_max_pool2d(t.ones(2, 3, 7, 5), (3, 2, 1)),
    lambda t: t.nn.functional.adaptive_max_pool2d(t.ones(2, 3, 7, 5), -1),
    lambda t: t.nn.functional.adaptive_max_pool2d(t.ones(2, 3, 7, 5, dtype=t.int32), 2),
])
def test_adaptive_max_pool2d_errors_match_torch(call):
    check_same_error(call)


def test_adaptive_max_pool2d_layer():
    check_module(lambda t: t.nn.AdaptiveMaxPool2d((3, None)), rand(2, 3, 7, 5))
    check(lambda t, a: t.nn.AdaptiveMaxPool2d(2, return_indices=True)(a), rand(2, 3, 5, 5))
    check_repr(lambda t: t.nn.AdaptiveMaxPool2d((3, None)))
    check_repr(lambda t: t.nn.AdaptiveMaxPool2d(3, return_indices=True))


POOL1D_CASES = [
    ((2, 3, 8), {"kernel_size": 2}),
    ((2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 9), {"kernel_size": 2, "ceil_mode": True}),
    ((3, 7), {"kernel_size": 3, "stride": 1}),  # unbatched, overlapping
    ((1, 2, 6), {"kernel_size": (2,), "stride": [2]}),
]


@pytest.mark.parametrize("shape,kwargs", POOL1D_CASES)
def test_max_pool1d_matches_torch(shape, kwargs):
    x = rand(*shape)
    check(lambda t, a: t.nn.functional.max_pool1d(a, **kwargs), x)
    check(lambda t, a: t.nn.functional.max_pool1d(a, return_indices=True, **kwargs), x)
    check(lambda t, a: t.nn.functional.max_pool1d(a, 2, 1, dilation=2, return_indices=True), x)
    gradcheck(lambda t, a: t.nn.functional.max_pool1d(a, **kwargs), x)


@pytest.mark.parametrize("shape,kwargs", POOL1D_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool1d_matches_torch(shape, kwargs, count_include_pad):
    x = rand(*shape)
    check(lambda t, a: t.nn.functional.avg_pool1d(a, count_include_pad=count_include_pad,
                                                  **kwargs), x)
    gradcheck(lambda t, a: t.nn.functional.avg_pool1d(a, **kwargs), x)


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.max_pool1d(t.ones(7), 2),
    lambda t: t.nn.functional.max_pool1d(t.ones(1, 2, 3, 7), 2),
    lambda t: t.nn.functional.max_pool1d(t.ones(2, 3, 7), 0),
    lambda t: t.nn.functional.max_pool1d(t.ones(2, 3, 7), 8),
    lambda t: t.nn.functional.max_pool1d(t.ones(2, 3, 7), 2, padding=2),
    lambda t: t.nn.functional.max_pool1d(t.ones(2, 3, 7), (2, 2)),
    lambda t: t.nn.functional.max_pool1d(t.ones(2, 3, 7), 2, stride=0),
    lambda t: t.nn.functional.avg_pool1d(t.ones(7), 2),
    lambda t: t.nn.functional.avg_pool1d(t.ones(1, 2, 3, 7), 2),
    lambda t: t.nn.functional.avg_pool1d(t.ones(2, 3, 7), 8),
    lambda t: t.nn.functional.avg_pool1d(t.ones(2, 3, 7), 2, padding=2),
    lambda t: t.nn.functional.avg_pool1d(t.ones(2, 3, 7), 2, stride=0),
    lambda t: t.nn.functional.avg_pool1d(t.ones(2, 3, 7), 0),
])
def test_pool1d_errors_match_torch(call):
    check_same_error(call)


def test_pool1d_layers():
    check_module(lambda t: t.nn.MaxPool1d(3, stride=2, padding=1), rand(2, 3, 9))
    check_module(lambda t: t.nn.AvgPool1d(3, 2, 1, count_include_pad=False), rand(2, 3, 9))
    check(lambda t, a: t.nn.MaxPool1d(2, return_indices=True)(a), rand(2, 3, 8))
    check_repr(lambda t: t.nn.MaxPool1d(3))
    check_repr(lambda t: t.nn.MaxPool1d(3, 2, 1, 2, True, True))
    check_repr(lambda t: t.nn.AvgPool1d(3))
    check_repr(lambda t: t.nn.AvgPool1d(3, 2, 1, True, False))
