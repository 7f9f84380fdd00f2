"""``F.conv_transpose2d`` / ``nn.ConvTranspose2d`` against PyTorch: values, gradients,
dtypes for stride, padding, output_padding, groups, dilation, bias and unbatched inputs;
float64 finite differences (first and second order: it is built from recorded ops); errors;
the layer's initialization and printed form."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from oracle import (check, check_error, check_module, check_repr, check_same_error, gradcheck,
                    import_torch)

rng = np.random.default_rng(15)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# (input shape, weight shape, keyword arguments)
CASES = [
    ((2, 4, 5, 5), (4, 2, 3, 3), {}),
    ((2, 4, 5, 5), (4, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 3, 4, 6), (3, 2, 2, 3), {"stride": (2, 1), "padding": (0, 1)}),
    ((2, 4, 3, 3), (4, 1, 3, 2), {"groups": 2, "dilation": (2, 1)}),
    ((1, 2, 4, 4), (2, 3, 3, 3), {"stride": 1, "output_padding": 1, "dilation": 2}),
    ((1, 1, 7, 7), (1, 1, 2, 2), {"stride": 2}),  # the book's 2x upsampling
    ((3, 4, 4), (3, 2, 3, 3), {"stride": 3, "padding": 1, "output_padding": 2}),  # unbatched
    ((1, 6, 3, 3), (6, 1, 3, 3), {"groups": 6, "padding": 1}),  # depthwise
]


@pytest.mark.parametrize("x_shape,w_shape,kwargs", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose2d_matches_torch(x_shape, w_shape, kwargs, bias):
    b = rand(w_shape[1] * kwargs.get("groups", 1)) if bias else None
    check(lambda t, x, w, b: t.nn.functional.conv_transpose2d(x, w, b, **kwargs),
          rand(*x_shape), rand(*w_shape), b)
    gradcheck(lambda t, x, w, b: t.nn.functional.conv_transpose2d(x, w, b, **kwargs),
              rand(*x_shape), rand(*w_shape), b)


def test_conv_transpose2d_float64_and_second_order():
    check(lambda t, x, w: t.nn.functional.conv_transpose2d(x, w, stride=2),
          rand(1, 2, 3, 3, dtype=np.float64), rand(2, 2, 2, 2, dtype=np.float64))
    x = gradkit.randn(1, 2, 3, 3, dtype=gradkit.float64, requires_grad=True)
    w = gradkit.randn(2, 2, 3, 3, dtype=gradkit.float64, requires_grad=True)
    assert gradkit.autograd.gradgradcheck(
        lambda a, b: gradkit.nn.functional.conv_transpose2d(a, b, stride=2, padding=1) ** 2,
        (x, w))


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    # <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for the same stride and padding
    x, w = gradkit.randn(1, 2, 7, 7), gradkit.randn(3, 2, 3, 3)
    y = gradkit.randn(1, 3, 4, 4)
    F = gradkit.nn.functional
    left = (F.conv2d(x, w, stride=2, padding=1) * y).sum().item()
    right = (x * F.conv_transpose2d(y, w, stride=2, padding=1)).sum().item()
    assert left == pytest.approx(right, rel=1e-4)


@pytest.mark.parametrize("call", [
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               stride=2, output_padding=2),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 3, 5, 5), t.ones(4, 2, 3, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(5, 5), t.ones(4, 2, 3, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               groups=3),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               t.ones(3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               padding=-1),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               stride=0),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               padding="same"),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5, dtype=t.float64),
                                               t.ones(4, 2, 3, 3)),
])
def test_conv_transpose2d_errors_match_torch(call):
    check_same_error(call)


def test_conv_transpose2d_output_too_small():
    check_error(lambda t, x, w: t.nn.functional.conv_transpose2d(x, w, padding=4),
                rand(1, 4, 5, 5), rand(4, 2, 3, 3))


@pytest.mark.parametrize("make,shape", [
    (lambda t: t.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
     (2, 4, 5, 5)),
    (lambda t: t.nn.ConvTranspose2d(4, 2, (3, 2), groups=2, bias=False, dilation=2),
     (1, 4, 4, 4)),
    (lambda t: t.nn.ConvTranspose2d(3, 3, 4, stride=2, padding=1), (3, 4, 4)),
])
def test_conv_transpose2d_layer_matches_torch(make, shape):
    check_module(make, rand(*shape))


def test_conv_transpose2d_layer_init_repr_and_errors():
    gradkit.manual_seed(0)
    layer = gradkit.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(layer.weight.shape) == (4, 3, 3, 3)
    bound = 1 / np.sqrt(3 * 3 * 3)  # fan_in = C_out/groups · KH · KW, PyTorch's reading
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() > 0.8 * bound
    check_repr(lambda t: t.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1))
    check_repr(lambda t: t.nn.ConvTranspose2d(4, 2, (3, 2), groups=2, bias=False, dilation=2))
    for kwargs in ({"padding_mode": "reflect"}, {"groups": 4}):
        messages = []
        for lib in (gradkit, import_torch()):
            with pytest.raises(ValueError) as info:
                lib.nn.ConvTranspose2d(4, 3, 3, **kwargs)
            messages.append(str(info.value))
        assert messages[0] == messages[1]
