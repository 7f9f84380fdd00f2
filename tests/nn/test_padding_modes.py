"""``F.pad`` with ``mode='reflect'``, ``'replicate'``, ``'circular'`` and the convolutions'
``padding_mode`` against PyTorch: values, gradients (edges read several times add up),
dtypes, node names, float64 finite differences and PyTorch's errors for the dims and sizes
each mode accepts."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from oracle import check, check_error, check_module, check_repr, check_same_error, gradcheck

rng = np.random.default_rng(13)
MODES = ["reflect", "replicate", "circular"]


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# (input shape, pad): 1, 2 and 3 padded dims, batched and not, asymmetric and cropping
PAD_CASES = [
    ((2, 3, 5), (2, 1)),
    ((3, 5), (1, 3)),  # an unbatched 1-D signal
    ((2, 3, 4, 5), (1, 2, 3, 0)),
    ((3, 4, 5), (2, 2, 1, 1)),
    ((1, 2, 3, 4, 5), (1, 0, 2, 1, 1, 2)),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1)),  # 3 dims of a 4-D input: unbatched 3-D
    ((2, 3, 6), (-1, 2)),  # crop one side, pad the other
    ((2, 3, 4, 6), (0, -2, 1, 0)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,pad", PAD_CASES)
def test_pad_modes_match_torch(mode, shape, pad):
    check(lambda t, x: t.nn.functional.pad(x, pad, mode=mode), rand(*shape))
    gradcheck(lambda t, x: t.nn.functional.pad(x, pad, mode=mode), rand(*shape))


@pytest.mark.parametrize("mode", MODES)
def test_pad_modes_keep_dtypes_and_name_their_nodes(mode):
    check(lambda t, x: t.nn.functional.pad(x, (1, 2), mode=mode), np.arange(10).reshape(2, 5),
          grad=False)
    check(lambda t, x: t.nn.functional.pad(x, (1, 1, 1, 1), mode=mode, value=0.0),
          rand(1, 2, 3, 3).astype(np.float64))
    x = gradkit.ones(1, 2, 4, 4, requires_grad=True)
    expected = {"reflect": "ReflectionPad2DBackward0", "replicate": "ReplicationPad2DBackward0",
                "circular": "CopySlices"}[mode]
    assert gradkit.nn.functional.pad(x, (1, 1, 1, 1), mode=mode).grad_fn.name() == expected


def test_pad_modes_on_empty_batches_and_wide_edges():
    check(lambda t, x: t.nn.functional.pad(x, (1, 1), mode="reflect"), rand(0, 2, 4))
    check(lambda t, x: t.nn.functional.pad(x, (6, 1), mode="replicate"), rand(1, 2, 5))
    check(lambda t, x: t.nn.functional.pad(x, (5, 5), mode="circular"), rand(1, 2, 5))
    check(lambda t, x: t.nn.functional.pad(x, (1, 1), mode="circular"), rand(2, 0, 5))


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.pad(t.ones(5), (2, 1), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5, 5), (2, 1), mode="replicate"),
    lambda t: t.nn.functional.pad(t.ones(5, 5), (2, 1, 1, 0), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 3, 3, 3), (1,) * 8, mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (5, 1), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 3, 5), (1, 1, 3, 0), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 3, 4, 5), (1, 1, 1, 1, 3, 1), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (-3, -3), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (-3, -3), mode="replicate"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (1, 1), mode="reflect", value=1.0),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 0), (1, 1), mode="replicate"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 0, 5), (1, 1, 1, 1), mode="reflect"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (6, 1), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 0), (1, 1), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (-3, -3), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 3, 5), (0, 0, -2, -2), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (1,), mode="circular"),
    lambda t: t.nn.functional.pad(t.ones(1, 2, 5), (1, 1), mode="foo"),
])
def test_pad_mode_errors_match_torch(call):
    check_same_error(call)


def test_pad_mode_errors_where_torchs_message_is_an_accident():
    # torch reports "numel: integer multiplication overflow" here; gradkit says what is wrong.
    error = check_error(lambda t, x: t.nn.functional.pad(x, (-3, -3, 0, 0), mode="reflect"),
                        rand(1, 2, 3, 5))
    assert "too small" in str(error)
    check_error(lambda t, x: t.nn.functional.pad(x, (0, 0, -2, -2), mode="replicate"),
                rand(1, 2, 3, 5))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make,shape", [
    (lambda t, m: t.nn.Conv2d(2, 3, 3, padding=1, padding_mode=m), (2, 2, 5, 6)),
    (lambda t, m: t.nn.Conv2d(2, 4, (2, 3), padding="same", padding_mode=m, groups=2,
                              dilation=(2, 1)), (1, 2, 6, 5)),
    (lambda t, m: t.nn.Conv2d(1, 2, 3, stride=2, padding=(2, 1), padding_mode=m), (2, 1, 7, 7)),
    (lambda t, m: t.nn.Conv1d(2, 3, 3, padding=2, padding_mode=m), (2, 2, 6)),
    (lambda t, m: t.nn.Conv1d(2, 3, 4, padding="same", padding_mode=m), (2, 6)),
])
def test_conv_padding_modes_match_torch(mode, make, shape):
    check_module(lambda t: make(t, mode), rand(*shape))


def test_conv_padding_mode_printed_and_second_order():
    check_repr(lambda t: t.nn.Conv2d(1, 6, 5, padding=2, padding_mode="reflect"))
    check_repr(lambda t: t.nn.Conv1d(1, 6, 5, padding_mode="circular"))
    conv = gradkit.nn.Conv2d(1, 1, 3, padding=1, padding_mode="replicate").double()
    x = gradkit.randn(1, 1, 4, 4, dtype=gradkit.float64, requires_grad=True)
    assert gradkit.autograd.gradgradcheck(lambda a: conv(a) ** 2, (x,))
