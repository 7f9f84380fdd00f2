"""``F.fold`` / ``nn.Fold``, ``nn.Unfold`` and ``Tensor.unfold`` against PyTorch: values,
gradients (overlapping blocks and windows add up), dtypes, float64 finite differences, the
errors and printed forms, and in-place writes through ``Tensor.unfold``'s view."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradkit
from oracle import check, check_module, check_repr, check_same_error, gradcheck

rng = np.random.default_rng(12)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def blocks(output_size, kernel, dilation=(1, 1), padding=(0, 0), stride=(1, 1)) -> int:
    count = 1
    for size, k, d, p, s in zip(output_size, kernel, dilation, padding, stride):
        count *= (size + 2 * p - d * (k - 1) - 1) // s + 1
    return count


# (channels, output_size, keyword arguments with kernel_size)
FOLD_CASES = [
    (1, (4, 4), {"kernel_size": 2}),  # overlapping blocks: inner pixels sum four entries
    (3, (4, 5), {"kernel_size": (2, 3), "stride": (2, 1)}),
    (2, (5, 5), {"kernel_size": 3, "padding": 1, "stride": 2}),
    (2, (6, 7), {"kernel_size": 2, "dilation": (2, 1), "padding": (1, 0)}),
    (1, (4, 4), {"kernel_size": 2, "stride": 2}),  # blocks tile the image
    (2, (3, 3), {"kernel_size": 3}),  # one block
]


def _fold_input(channels, output_size, kwargs, batch=(2,)):
    kernel = kwargs["kernel_size"]
    kernel = (kernel, kernel) if isinstance(kernel, int) else kernel
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    length = blocks(output_size, kernel, pair(kwargs.get("dilation", 1)),
                    pair(kwargs.get("padding", 0)), pair(kwargs.get("stride", 1)))
    return rand(*batch, channels * kernel[0] * kernel[1], length)


@pytest.mark.parametrize("channels,output_size,kwargs", FOLD_CASES)
def test_fold_matches_torch(channels, output_size, kwargs):
    x = _fold_input(channels, output_size, kwargs)
    check(lambda t, a: t.nn.functional.fold(a, output_size, **kwargs), x)
    gradcheck(lambda t, a: t.nn.functional.fold(a, output_size, **kwargs), x)


@pytest.mark.parametrize("channels,output_size,kwargs", FOLD_CASES[:3])
def test_fold_unbatched_and_float64(channels, output_size, kwargs):
    x = _fold_input(channels, output_size, kwargs, batch=())
    check(lambda t, a: t.nn.functional.fold(a, output_size, **kwargs), x)
    check(lambda t, a: t.nn.functional.fold(a, output_size, **kwargs), x.astype(np.float64))


def test_fold_of_unfold_counts_each_pixel_once_per_block():
    x = rand(1, 2, 5, 6)
    check(lambda t, a: t.nn.functional.fold(t.nn.functional.unfold(a, 3, padding=1, stride=2),
                                            (5, 6), 3, padding=1, stride=2), x)


def test_fold_node_name_and_empty_batch():
    x = gradkit.ones(1, 4, 9, requires_grad=True)
    assert gradkit.nn.functional.fold(x, (4, 4), 2).grad_fn.name() == "Col2ImBackward0"
    check(lambda t, a: t.nn.functional.fold(a, (4, 4), 2), rand(0, 4, 9))


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), 3),
    lambda t: t.nn.functional.fold(t.ones(1, 5, 9), (4, 4), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (5, 4), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (1, 1), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), 0),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), 2, stride=0),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), 2, dilation=(1, 0)),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), 2, padding=-1),
    lambda t: t.nn.functional.fold(t.ones(1, 1, 4, 9), (4, 4), 2),
    lambda t: t.nn.functional.fold(t.ones(9), (4, 4), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 0, 9), (4, 4), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4, 1), 2),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9), (4, 4), (2, 2, 2)),
    lambda t: t.nn.functional.fold(t.ones(1, 4, 9, dtype=t.int32), (4, 4), 2),
])
def test_fold_errors_match_torch(call):
    check_same_error(call)


def test_fold_and_unfold_layers():
    check_module(lambda t: t.nn.Fold((4, 5), (2, 3), stride=(2, 1)), rand(2, 6, 6))
    check_module(lambda t: t.nn.Unfold((2, 3), dilation=1, padding=1, stride=2),
                 rand(2, 3, 5, 6))
    check_repr(lambda t: t.nn.Fold((4, 4), 2))
    check_repr(lambda t: t.nn.Fold(4, 2, 1, 0, 2))
    check_repr(lambda t: t.nn.Unfold(kernel_size=(2, 3), padding=1))


# ---------------------------------------------------------------------------------------------
# Tensor.unfold(dimension, size, step)
# ---------------------------------------------------------------------------------------------
UNFOLD_CASES = [
    ((7,), 0, 3, 1),  # overlapping windows: inner elements get three gradients
    ((7,), 0, 2, 2),  # a leftover element is dropped
    ((7,), -1, 7, 3),  # one window of everything
    ((3, 8), 1, 3, 2),
    ((5, 2, 4), 0, 2, 1),  # the window dim lands in place, the window length last
    ((4, 6), -2, 4, 3),
    ((3, 4), 1, 0, 1),  # empty windows
]


@pytest.mark.parametrize("shape,dimension,size,step", UNFOLD_CASES)
def test_tensor_unfold_matches_torch(shape, dimension, size, step):
    x = rand(*shape)
    check(lambda t, a: (a * 1).unfold(dimension, size, step), x)
    check(lambda t, a: a.unfold(dimension, size, step) * 2, x)
    gradcheck(lambda t, a: a.unfold(dimension, size, step), x)


def test_tensor_unfold_is_a_view_with_pytorchs_node_name():
    x = gradkit.arange(6.0)
    windows = x.unfold(0, 2, 2)
    x[2] = 10.0  # the windows see the write
    assert windows.tolist() == [[0.0, 1.0], [10.0, 3.0], [4.0, 5.0]]
    a = gradkit.ones(4, requires_grad=True)
    assert (a * 1).unfold(0, 2, 1).grad_fn.name() == "UnfoldBackward0"


def test_tensor_unfold_of_a_scalar_and_integers():
    check(lambda t, a: a.unfold(0, 1, 1), np.array(3.0))
    check(lambda t, a: a.unfold(0, 3, 2), np.arange(7))


def _write_through_windows(t, a, b):
    c = a * 1
    c.unfold(0, 2, 3).mul_(b)  # non-overlapping windows: writes reach c (CopySlices)
    return c


def test_in_place_write_through_unfold_reaches_the_base():
    check(_write_through_windows, rand(8), rand(2))
    gradcheck(_write_through_windows, rand(8), rand(2))


@pytest.mark.parametrize("call", [
    lambda t: t.arange(5.0).unfold(0, 6, 1),
    lambda t: t.arange(5.0).unfold(-1, 6, 1),
    lambda t: t.arange(5.0).unfold(0, 2, 0),
    lambda t: t.arange(5.0).unfold(0, -1, 0),
    lambda t: t.arange(5.0).unfold(0, 2, -1),
    lambda t: t.arange(5.0).unfold(1, 2, 1),
    lambda t: t.tensor(3.0).unfold(0, 2, 1),
    lambda t: t.arange(5.0).unfold(0, 2.0, 1),
])
def test_tensor_unfold_errors_match_torch(call):
    check_same_error(call)


def test_tensor_of_python_floats_as_float64_is_exact():
    # Python floats go straight to float64 when that dtype is asked for (no float32 detour).
    check(lambda t: t.tensor([0.1, -0.2, 1e-9], dtype=t.float64), grad=False)
    assert gradkit.tensor([0.1], dtype=gradkit.float64).item() == 0.1


@settings(max_examples=25, deadline=None)
@given(c=st.integers(1, 2), h=st.integers(1, 6), w=st.integers(1, 6), kh=st.integers(1, 3),
       kw=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2),
       dilation=st.integers(1, 2))
def test_fold_is_unfolds_adjoint_and_matches_torch(c, h, w, kh, kw, stride, padding, dilation):
    # <unfold(x), y> = <x, fold(y)>: the identity that makes each one the other's backward
    blocks_h = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    blocks_w = (w + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    assume(blocks_h >= 1 and blocks_w >= 1)
    kwargs = dict(kernel_size=(kh, kw), dilation=dilation, padding=padding, stride=stride)
    x = rand(1, c, h, w, dtype=np.float64)
    y = rand(1, c * kh * kw, blocks_h * blocks_w, dtype=np.float64)
    F = gradkit.nn.functional
    left = (F.unfold(gradkit.tensor(x), **kwargs) * gradkit.tensor(y)).sum().item()
    right = (gradkit.tensor(x) * F.fold(gradkit.tensor(y), (h, w), **kwargs)).sum().item()
    assert left == pytest.approx(right, rel=1e-9, abs=1e-9)
    check(lambda t, a: t.nn.functional.fold(a, (h, w), **kwargs), y.astype(np.float32))
