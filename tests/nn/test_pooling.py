"""Pooling and padding against PyTorch: ``F.max_pool2d`` (indices, ceil_mode, overlapping
windows), ``F.avg_pool2d`` (count_include_pad, divisor_override), ``F.adaptive_avg_pool2d``,
``F.pad``; float64 finite differences; errors; the layers and their printed forms."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from oracle import check, check_error, check_module, check_repr, check_same_error, gradcheck

rng = np.random.default_rng(7)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# (input shape, keyword arguments shared by max and avg pooling)
POOL_CASES = [
    ((2, 3, 8, 8), {"kernel_size": 2}),  # LeNet's: windows tile the input
    ((2, 3, 9, 7), {"kernel_size": 2}),  # a leftover row and column are dropped
    ((2, 3, 9, 7), {"kernel_size": 2, "ceil_mode": True}),  # ... or make partial windows
    ((2, 3, 8, 8), {"kernel_size": 3, "stride": 1}),  # overlapping windows
    ((2, 3, 8, 8), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 8, 6), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0)}),
    ((3, 6, 6), {"kernel_size": 2}),  # unbatched
    ((1, 1, 4, 4), {"kernel_size": 4}),  # one window
    ((1, 2, 5, 5), {"kernel_size": 1}),
]


@pytest.mark.parametrize("shape,kwargs", POOL_CASES)
def test_max_pool2d_matches_torch(shape, kwargs):
    check(lambda t, x: t.nn.functional.max_pool2d(x, **kwargs), rand(*shape))


@pytest.mark.parametrize("shape,kwargs", POOL_CASES)
def test_max_pool2d_indices_match_torch(shape, kwargs):
    check(lambda t, x: t.nn.functional.max_pool2d(x, return_indices=True, **kwargs),
          rand(*shape))


@pytest.mark.parametrize("dilation", [2, (1, 2)])
def test_max_pool2d_dilation(dilation):
    check(lambda t, x: t.nn.functional.max_pool2d(x, 2, 1, 1, dilation, return_indices=True),
          rand(2, 3, 7, 8))


def test_max_pool2d_ties_and_nan_go_where_pytorchs_do():
    ties = np.ones((1, 1, 4, 4), np.float32)  # every window is a tie: the first one wins
    check(lambda t, x: t.nn.functional.max_pool2d(x, 2, 1, return_indices=True), ties)
    with_nan = rand(1, 1, 4, 4)
    with_nan[0, 0, 1, 2] = np.nan
    check(lambda t, x: t.nn.functional.max_pool2d(x, 2), with_nan)


@pytest.mark.parametrize("shape,kwargs", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch(shape, kwargs, count_include_pad):
    check(lambda t, x: t.nn.functional.avg_pool2d(x, count_include_pad=count_include_pad,
                                                  **kwargs), rand(*shape))


@pytest.mark.parametrize("shape,kwargs", [((2, 3, 8, 8), {"kernel_size": 2}),
                                          ((2, 3, 7, 7), {"kernel_size": 3, "padding": 1,
                                                          "ceil_mode": True, "stride": 2})])
def test_avg_pool2d_divisor_override(shape, kwargs):
    check(lambda t, x: t.nn.functional.avg_pool2d(x, divisor_override=3, **kwargs),
          rand(*shape))


@pytest.mark.parametrize("output_size", [1, (1, 1), 3, (2, 4), (5, 3), (None, 2), 7])
def test_adaptive_avg_pool2d_matches_torch(output_size):
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, output_size), rand(2, 3, 7, 5))


def test_adaptive_avg_pool2d_unbatched_and_grad_fn_names():
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (3, 2)), rand(3, 6, 6))
    x = gradkit.randn(2, 3, 6, 6, requires_grad=True)
    F = gradkit.nn.functional
    assert F.adaptive_avg_pool2d(x, 3).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert F.adaptive_avg_pool2d(x, 1).grad_fn.name() == "MeanBackward1"
    assert F.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"


@pytest.mark.parametrize("fn", [
    lambda t, x: t.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
    lambda t, x: t.nn.functional.max_pool2d(x, 2, 1),
    lambda t, x: t.nn.functional.avg_pool2d(x, 2),
    lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda t, x: t.nn.functional.avg_pool2d(x, 3, 1, 1),
    lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (3, 2)),
    lambda t, x: t.nn.functional.pad(x, (1, 2, 0, 1), value=0.5),
    lambda t, x: t.nn.functional.pad(x, (-1, 2, 1, -2)),
])
def test_pooling_and_pad_gradcheck(fn):
    # distinct values, so that no max-pooling window holds a tie
    x = rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0
    gradcheck(fn, x)


def test_pooling_float64_keeps_its_dtype():
    x = rand(1, 2, 6, 6, dtype=np.float64)
    for fn in (lambda t, x: t.nn.functional.max_pool2d(x, 2),
               lambda t, x: t.nn.functional.avg_pool2d(x, 3, 1, 1),
               lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, 4)):
        assert check(fn, x).dtype == gradkit.float64


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.max_pool2d(t.zeros(2, 3, 8, 8), 3, padding=2),
    lambda t: t.nn.functional.avg_pool2d(t.zeros(2, 3, 8, 8), 3, padding=2),
    lambda t: t.nn.functional.max_pool2d(t.zeros(2, 3, 8, 8), 10),
    lambda t: t.nn.functional.avg_pool2d(t.zeros(2, 3, 8, 8), 10),
    lambda t: t.nn.functional.max_pool2d(t.zeros(8, 8), 2),
    lambda t: t.nn.functional.pad(t.zeros(2, 3), (1, 1, 2)),
])
def test_pooling_errors_are_pytorchs(call):
    check_same_error(call)


def test_pooling_errors_never_leak_numpy_messages():
    check_error(lambda t, x: t.nn.functional.max_pool2d(x, 5), rand(1, 1, 4, 4))
    check_error(lambda t, x: t.nn.functional.avg_pool2d(x, 2, stride=0), rand(1, 1, 4, 4))


@pytest.mark.parametrize("pad,value", [((1, 1), None), ((1, 2, 3, 0), 2.0), ((0, 0, 0, 0, 1, 1), None),
                                       ((-1, 1), None), ((2, -3, -1, 0), 1.5)])
def test_pad_constant_matches_torch(pad, value):
    check(lambda t, x: t.nn.functional.pad(x, pad, value=value), rand(2, 3, 4, 5))


@pytest.mark.parametrize("make,shape", [
    (lambda t: t.nn.MaxPool2d(2), (2, 3, 8, 8)),
    (lambda t: t.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 7, 7)),
    (lambda t: t.nn.AvgPool2d(2, stride=2), (2, 6, 28, 28)),
    (lambda t: t.nn.AvgPool2d(3, 1, 1, count_include_pad=False), (2, 3, 5, 5)),
    (lambda t: t.nn.AdaptiveAvgPool2d((1, 1)), (2, 3, 7, 7)),
    (lambda t: t.nn.AdaptiveAvgPool2d(3), (2, 3, 7, 7)),
])
def test_pooling_layers_match_torch(make, shape):
    check_module(make, rand(*shape))


def test_max_pool2d_layer_returns_indices():
    check(lambda t, x: t.nn.MaxPool2d(2, return_indices=True)(x), rand(1, 2, 4, 4))


def test_pooling_layer_printed_forms():
    for make in [lambda t: t.nn.MaxPool2d(2), lambda t: t.nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                 lambda t: t.nn.MaxPool2d((2, 3), stride=(1, 2)), lambda t: t.nn.AvgPool2d(2),
                 lambda t: t.nn.AvgPool2d(kernel_size=2, stride=2),
                 lambda t: t.nn.AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=False),
                 lambda t: t.nn.AdaptiveAvgPool2d((1, 1)), lambda t: t.nn.AdaptiveAvgPool2d(1)]:
        check_repr(make)
