"""Convolutions against PyTorch: ``F.conv2d``/``F.conv1d`` over a grid of configurations
(values, gradients of input, weight and bias, dtype, shape), float64 finite differences,
PyTorch's errors, and the ``Conv2d``/``Conv1d``/``LazyConv2d`` layers (init, print, state)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradkit
from gradkit import nn
from oracle import (check, check_error, check_module, check_repr, check_same_error, gradcheck,
                    import_torch)

rng = np.random.default_rng(12)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# (input shape, weight shape, keyword arguments)
CONV2D_CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 9, 8), (4, 3, 3, 2), {"stride": 2, "padding": (1, 0)}),
    ((2, 3, 9, 8), (4, 3, 3, 3), {"stride": (2, 3), "padding": 2, "dilation": 2}),
    ((1, 4, 8, 8), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 8, 8), (4, 1, 3, 3), {"groups": 4, "stride": 2}),  # depthwise
    ((2, 3, 5, 5), (2, 3, 1, 1), {}),  # 1x1 kernel
    ((2, 3, 5, 5), (2, 3, 5, 5), {}),  # kernel = input: a 1x1 output
    ((3, 6, 6), (2, 3, 3, 3), {"padding": 1}),  # unbatched
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 7, 6), (4, 3, 4, 2), {"padding": "same", "dilation": (1, 2)}),  # even kernel
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": "valid"}),
    ((2, 1, 28, 28), (6, 1, 5, 5), {"padding": 2}),  # LeNet's first layer (long outputs)
    ((2, 6, 14, 14), (16, 6, 5, 5), {}),  # and its second
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV2D_CASES)
def test_conv2d_matches_torch(x_shape, w_shape, kwargs, bias):
    b = rand(w_shape[0]) if bias else None
    check(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, **kwargs),
          rand(*x_shape), rand(*w_shape), b, atol=1e-4)


@pytest.mark.parametrize("x_shape,w_shape,kwargs", [
    ((2, 3, 10), (4, 3, 3), {}),
    ((2, 3, 10), (4, 3, 3), {"stride": 2, "padding": 1, "dilation": 2}),
    ((2, 4, 9), (6, 2, 2), {"groups": 2, "padding": "same"}),
    ((3, 10), (4, 3, 5), {"padding": 2}),  # unbatched
    ((1, 3, 5), (2, 3, 1), {}),
])
def test_conv1d_matches_torch(x_shape, w_shape, kwargs):
    check(lambda t, x, w, b: t.nn.functional.conv1d(x, w, b, **kwargs),
          rand(*x_shape), rand(*w_shape), rand(w_shape[0]), atol=1e-4)


def test_conv_float64_keeps_its_dtype_and_grad_fn_name():
    out = check(lambda t, x, w: t.nn.functional.conv2d(x, w, stride=2),
                rand(2, 3, 6, 6, dtype=np.float64), rand(4, 3, 3, 3, dtype=np.float64))
    assert out.dtype == gradkit.float64
    assert out.grad_fn.name() == "ConvolutionBackward0"


def test_conv_grad_of_input_only_or_weight_only():
    check(lambda t, x, w: t.nn.functional.conv2d(x, w, padding=1), rand(2, 3, 5, 5),
          rand(4, 3, 3, 3), requires_grad={0})
    check(lambda t, x, w: t.nn.functional.conv2d(x, w, padding=1), rand(2, 3, 5, 5),
          rand(4, 3, 3, 3), requires_grad={1})


@pytest.mark.parametrize("kwargs", [
    {}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": (2, 1)}, {"groups": 2},
    {"padding": "same"}])
def test_conv2d_gradcheck(kwargs):
    gradcheck(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, **kwargs),
              rand(2, 4, 6, 5), rand(2, 4 // kwargs.get("groups", 1), 3, 2), rand(2))


def test_conv1d_gradcheck_and_unbatched():
    gradcheck(lambda t, x, w, b: t.nn.functional.conv1d(x, w, b, stride=2, padding=1),
              rand(2, 3, 7), rand(2, 3, 3), rand(2))
    gradcheck(lambda t, x, w: t.nn.functional.conv2d(x, w), rand(2, 4, 4), rand(3, 2, 2, 2))


def test_conv_gradcheck_non_contiguous_input():
    base = rand(2, 3, 6, 5)
    gradcheck(lambda t, x, w: t.nn.functional.conv2d(x.transpose(2, 3), w, padding=1),
              base, rand(2, 3, 3, 3))


def test_conv2d_wrong_channels_message_is_pytorchs():
    check_same_error(lambda t: t.nn.functional.conv2d(t.zeros(256, 3, 28, 28),
                                                      t.zeros(6, 1, 5, 5)))
    check_same_error(lambda t: t.nn.Conv2d(1, 6, 5)(t.zeros(256, 3, 28, 28)))
    check_same_error(lambda t: t.nn.functional.conv2d(t.zeros(3, 28, 28), t.zeros(6, 1, 5, 5)))
    check_same_error(lambda t: t.nn.functional.conv1d(t.zeros(2, 2, 8), t.zeros(6, 1, 3)))


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.conv2d(t.zeros(2, 1, 3, 3), t.zeros(6, 1, 5, 5)),  # kernel > input
    lambda t: t.nn.functional.conv2d(t.zeros(2, 1, 8, 8), t.zeros(6, 1, 5, 5), dilation=2),
    lambda t: t.nn.functional.conv2d(t.zeros(8, 8), t.zeros(6, 1, 5, 5)),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5), padding="foo"),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5), padding="same",
                                     stride=2),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5), stride=0),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5), padding=-1),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5),
                                     stride=(1, 1, 1)),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5), t.zeros(5)),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8, dtype=t.float64), t.zeros(6, 1, 5, 5)),
    lambda t: t.nn.functional.conv2d(t.zeros(1, 1, 8, 8), t.zeros(6, 1, 5, 5),
                                     t.zeros(6, dtype=t.float64)),
])
def test_conv2d_errors_are_pytorchs(call):
    check_same_error(call)


@pytest.mark.parametrize("call", [
    lambda t: t.nn.Conv2d(1, 6, 5, padding="same", stride=2),
    lambda t: t.nn.Conv2d(3, 6, 5, groups=2),
    lambda t: t.nn.Conv2d(4, 6, 5, groups=4),
])
def test_conv2d_layer_argument_errors_are_pytorchs(call):
    check_same_error(call)


@pytest.mark.parametrize("kwargs", [{"padding_mode": "bad"}, {"padding": "foo"}])
def test_conv2d_bad_padding_strings_are_value_errors_listing_the_choices(kwargs):
    # PyTorch prints the choices as a set, whose order changes between processes: compare the
    # words, in any order.
    torch = import_torch()
    messages = []
    for lib in (gradkit, torch):
        with pytest.raises(ValueError) as info:
            lib.nn.Conv2d(1, 6, 5, **kwargs)
        messages.append(str(info.value))
    ours, theirs = (m.replace("{", "").replace("}", "").replace(",", "").split() for m in messages)
    assert sorted(ours) == sorted(theirs)


def test_conv_errors_never_leak_numpy_messages():
    check_error(lambda t, x, w: t.nn.functional.conv2d(x, w), rand(1, 2, 4, 4), rand(3, 3, 2, 2))


@pytest.mark.parametrize("make,shape", [
    (lambda t: t.nn.Conv2d(1, 6, kernel_size=5, padding=2), (4, 1, 28, 28)),
    (lambda t: t.nn.Conv2d(6, 16, kernel_size=5), (4, 6, 14, 14)),
    (lambda t: t.nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1,
                           dilation=(1, 2), groups=2, bias=False), (2, 4, 9, 9)),
    (lambda t: t.nn.Conv2d(3, 2, 3, padding="same"), (3, 6, 6)),
    (lambda t: t.nn.Conv1d(3, 5, 3, stride=2), (2, 3, 11)),
])
def test_conv_layers_match_torch(make, shape):
    check_module(make, rand(*shape), atol=1e-4)


def test_conv_layer_printed_forms():
    for make in [lambda t: t.nn.Conv2d(1, 6, kernel_size=5, padding=2),
                 lambda t: t.nn.Conv2d(6, 16, kernel_size=5),
                 lambda t: t.nn.Conv2d(1, 6, 5, padding="same", bias=False, dilation=2),
                 lambda t: t.nn.Conv2d(4, 6, (3, 5), stride=2, groups=2),
                 lambda t: t.nn.Conv1d(1, 6, 5),
                 lambda t: t.nn.LazyConv2d(6, 5, padding=1),
                 lambda t: t.nn.Sequential(t.nn.Conv2d(1, 6, 5, padding=2), t.nn.Sigmoid())]:
        check_repr(make)


def test_conv2d_default_init_matches_pytorchs_bounds():
    conv = nn.Conv2d(6, 16, 5)
    bound = 1 / np.sqrt(6 * 25)  # kaiming_uniform(a=√5) gives U(−1/√fan_in, 1/√fan_in)
    weight, bias = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    assert np.abs(weight).max() > 0.99 * bound  # 2,400 uniform draws reach near the bound
    assert abs(weight.std() - bound / np.sqrt(3)) < 0.05 * bound  # the std of U(−b, b)
    assert conv.weight.shape == (16, 6, 5, 5) and conv.weight.dtype == gradkit.float32
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert nn.Conv2d(2, 4, 3, dtype=gradkit.float64).weight.dtype == gradkit.float64


def test_lazy_conv2d_infers_in_channels_and_becomes_conv2d():
    torch = import_torch()
    conv = nn.LazyConv2d(6, 5, padding=2)
    assert repr(conv.weight) == "<UninitializedParameter>"
    out = conv(gradkit.zeros(2, 3, 28, 28))
    assert out.shape == (2, 6, 28, 28)
    assert type(conv) is nn.Conv2d and conv.in_channels == 3
    assert conv.weight.shape == (6, 3, 5, 5)
    assert repr(conv) == repr(torch.nn.Conv2d(3, 6, 5, padding=2))
    # a lazy network takes its shapes from a checkpoint, too
    net = nn.Sequential(nn.LazyConv2d(6, 5), nn.Sigmoid())
    net.load_state_dict(nn.Sequential(nn.Conv2d(1, 6, 5), nn.Sigmoid()).state_dict())
    assert net(gradkit.zeros(1, 1, 8, 8)).shape == (1, 6, 4, 4)


def test_conv_layer_float64_and_integer_inputs():
    check_module(lambda t: t.nn.Conv2d(2, 3, 3, dtype=t.float64), rand(1, 2, 5, 5,
                                                                        dtype=np.float64))
    torch = import_torch()
    x = np.arange(2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=np.int64)
    ours = gradkit.nn.functional.conv2d(gradkit.tensor(x), gradkit.tensor(w))
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w))
    assert ours.dtype == gradkit.int64 and ours.tolist() == theirs.tolist()


def test_conv_saved_input_modified_in_place_raises():
    x = gradkit.randn(1, 1, 4, 4, requires_grad=True)
    w = gradkit.randn(1, 1, 2, 2, requires_grad=True)
    y = gradkit.nn.functional.conv2d(x, w)
    with gradkit.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("stride,padding,dilation", itertools.product([1, 2], [0, 1], [1, 2]))
def test_conv2d_grid_with_odd_sizes(stride, padding, dilation):
    check(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, stride=stride, padding=padding,
                                                    dilation=dilation),
          rand(1, 2, 7, 9), rand(3, 2, 3, 2), rand(3), atol=1e-4)


def test_top_level_aliases_as_in_torch():
    check(lambda t, x, w: t.conv2d(x, w, padding=1), rand(1, 2, 5, 5), rand(3, 2, 3, 3))
    check(lambda t, x, w: t.conv1d(x, w, stride=2), rand(1, 2, 9), rand(3, 2, 3))
    check(lambda t, x: t.max_pool2d(x, 2), rand(1, 2, 6, 6))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 3}, {"kernel_size": (2, 3), "stride": 2,
                                                         "padding": 1, "dilation": (1, 2)}])
def test_unfold_matches_torch_and_gradcheck(kwargs):
    check(lambda t, x: t.nn.functional.unfold(x, **kwargs), rand(2, 3, 6, 7))
    check(lambda t, x: t.nn.functional.unfold(x, **kwargs), rand(3, 6, 7))
    gradcheck(lambda t, x: t.nn.functional.unfold(x, **kwargs), rand(1, 2, 5, 6))
    x = gradkit.ones(1, 1, 4, 4, requires_grad=True)
    assert gradkit.nn.functional.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"


def test_unfold_errors():
    check_error(lambda t, x: t.nn.functional.unfold(x, 5), rand(1, 1, 3, 3))
    check_error(lambda t, x: t.nn.functional.unfold(x, 2), rand(3, 3))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), groups=st.sampled_from([1, 2]), c_per_group=st.integers(1, 2),
       h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2))
def test_conv2d_random_configurations_match_torch(n, groups, c_per_group, h, w, kh, kw, stride,
                                                  padding, dilation):
    # includes configurations PyTorch rejects (kernel larger than the padded input): then both
    # must raise the same error type, with a message of gradkit's own
    x, weight = rand(n, groups * c_per_group, h, w), rand(2 * groups, c_per_group, kh, kw)
    out = check(lambda t, x, w: t.nn.functional.conv2d(x, w, stride=stride, padding=padding,
                                                       dilation=dilation, groups=groups),
                x, weight, atol=1e-4)
    if isinstance(out, Exception):
        assert "Kernel size can't be greater than actual input size" in str(out)


def test_conv1d_weight_modified_in_place_raises():
    x = gradkit.randn(1, 1, 6, requires_grad=True)
    w = gradkit.randn(1, 1, 3, requires_grad=True)
    y = gradkit.nn.functional.conv1d(x, w)
    with gradkit.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_lazy_conv2d_draws_its_weights_only_once_it_knows_their_shape():
    gradkit.manual_seed(0)
    lazy = nn.LazyConv2d(6, 5)
    lazy(gradkit.zeros(1, 3, 8, 8))
    gradkit.manual_seed(0)
    plain = nn.Conv2d(3, 6, 5)
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), plain.weight.detach().numpy())
    np.testing.assert_array_equal(lazy.bias.detach().numpy(), plain.bias.detach().numpy())


# Batches of 64, 128, ... take the padded batch stride inside the convolution (batch_stride):
# the unused entries must never reach a value or a gradient.
@pytest.mark.parametrize("x_shape,w_shape,kwargs", [
    ((64, 1, 12, 12), (6, 1, 5, 5), {"padding": 2}),
    ((128, 4, 9, 8), (6, 2, 3, 3), {"groups": 2, "stride": 2, "padding": 1, "dilation": 2}),
    ((64, 3, 10), (4, 3, 3), {"padding": 1}),  # conv1d
])
def test_conv_padded_batch_stride_matches_torch(x_shape, w_shape, kwargs):
    conv = (gradkit.nn.functional.conv1d if len(w_shape) == 3 else gradkit.nn.functional.conv2d)
    name = conv.__name__
    # A weight-gradient entry sums N·OH·OW (here up to 9,216) float32 products of size ~1:
    # the two libraries' summation orders differ by ~1e-4 absolute where the sum cancels to a
    # few units (seen: 4e-4 on a value of 2.6), so the bound is 1e-3, not the default.
    check(lambda t, x, w, b: getattr(t.nn.functional, name)(x, w, b, **kwargs),
          rand(*x_shape), rand(*w_shape), rand(w_shape[0]), atol=1e-3)


def test_conv_padded_batch_stride_gradcheck():
    gradcheck(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1),
              rand(64, 2, 4, 4), rand(3, 2, 3, 3), rand(3))


def test_conv_output_is_contiguous_in_batch_first_order():
    from gradkit._ops.conv import batch_stride
    assert batch_stride(256) > 256 and batch_stride(100) == 100  # the padded case is exercised
    x = gradkit.randn(64, 2, 6, 6, requires_grad=True)
    out = gradkit.nn.functional.conv2d(x, gradkit.randn(3, 2, 3, 3))
    assert out.is_contiguous() and out.stride() == (3 * 4 * 4, 4 * 4, 4, 1)
    out.sum().backward()
    assert x.grad.is_contiguous() and x.grad.stride() == x.stride()


@pytest.mark.parametrize("create_graph", [False, True])
def test_conv_input_modified_in_place_after_forward_raises_as_in_torch(create_graph):
    def run(t):
        x = t.randn(1, 1, 4, 4).requires_grad_()
        h = x * 1  # a non-leaf input, changed in place after the convolution read it
        w = t.randn(1, 1, 2, 2, requires_grad=True)
        y = t.nn.functional.conv2d(h, w)
        with t.no_grad():
            h.mul_(2)
        t.autograd.grad(y.sum(), (x, w), create_graph=create_graph)
    for lib in (gradkit, import_torch()):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            run(lib)
