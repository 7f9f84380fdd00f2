"""``F.conv_transpose1d/2d`` / ``nn.ConvTranspose1d/2d`` against PyTorch: values, gradients,
dtypes for stride, padding, output_padding, groups, dilation, bias and unbatched inputs; the
graph node (``ConvolutionBackward0``); float64 finite differences (first and second order);
errors; the layers' ``output_size``, initialization and printed form."""
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
CASES_1D = [
    ((2, 4, 5), (4, 2, 3), {}),
    ((2, 4, 5), (4, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 4, 6), (4, 3, 2), {"groups": 2, "dilation": 3, "output_padding": 2}),
    ((3, 7), (3, 2, 4), {"stride": 3, "padding": 2}),  # unbatched
    ((2, 3, 4), (3, 1, 3), {"groups": 3, "stride": (2,), "padding": (1,)}),  # depthwise
]


@pytest.mark.parametrize("op,x_shape,w_shape,kwargs",
                         [("conv_transpose2d", *case) for case in CASES]
                         + [("conv_transpose1d", *case) for case in CASES_1D])
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose_matches_torch(op, x_shape, w_shape, kwargs, bias):
    b = rand(w_shape[1] * kwargs.get("groups", 1)) if bias else None
    check(lambda t, x, w, b: getattr(t.nn.functional, op)(x, w, b, **kwargs),
          rand(*x_shape), rand(*w_shape), b)
    gradcheck(lambda t, x, w, b: getattr(t.nn.functional, op)(x, w, b, **kwargs),
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


# ---------------------------------------------------------------------------------------------
# the graph node, as PyTorch's
# ---------------------------------------------------------------------------------------------
NODES = {
    "2-D": lambda t: t.nn.functional.conv_transpose2d(
        t.ones(1, 2, 3, 3, requires_grad=True), t.ones(2, 3, 2, 2, requires_grad=True),
        t.ones(3, requires_grad=True), stride=2),
    "2-D, no bias, only the input requires grad": lambda t: t.nn.functional.conv_transpose2d(
        t.ones(1, 2, 3, 3, requires_grad=True), t.ones(2, 3, 2, 2), padding=1),
    "1-D": lambda t: t.nn.functional.conv_transpose1d(
        t.ones(2, 2, 3, requires_grad=True), t.ones(2, 4, 3, requires_grad=True)),
    "unbatched 2-D (squeezed)": lambda t: t.nn.functional.conv_transpose2d(
        t.ones(2, 3, 3, requires_grad=True), t.ones(2, 3, 2, 2)),
    "unbatched 1-D (squeezed)": lambda t: t.nn.functional.conv_transpose1d(
        t.ones(2, 3, requires_grad=True), t.ones(2, 3, 2)),
    "layer": lambda t: t.nn.ConvTranspose2d(2, 3, 3, stride=2)(t.ones(1, 2, 3, 3)),
}


def _node_names(node) -> list:
    """The node's name and its inputs' (``None`` for an input without a gradient)."""
    names = [node.name()] + [None if n is None else n.name() for n, _ in node.next_functions]
    return [None if n is None else n.split("::")[-1] for n in names]  # torch::autograd::...


@pytest.mark.parametrize("name", list(NODES))
def test_conv_transpose_grad_fn_is_torchs(name):
    torch = import_torch()
    ours, theirs = NODES[name](gradkit), NODES[name](torch)
    assert _node_names(ours.grad_fn) == _node_names(theirs.grad_fn)
    assert repr(ours.grad_fn).split(" object")[0] == repr(theirs.grad_fn).split(" object")[0]


# ---------------------------------------------------------------------------------------------
# second order, dtypes, 1-D errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,bias_size", [
    # output_padding ≥ stride (allowed by the dilation): backward reads fewer rows than it gets
    (lambda a, b, c: gradkit.nn.functional.conv_transpose2d(a, b, c, stride=1, dilation=3,
                                                            output_padding=2, padding=1), 2),
    (lambda a, b, c: gradkit.nn.functional.conv_transpose2d(a, b, c, stride=(2, 3),
                                                            padding=(2, 1), output_padding=1), 2),
    (lambda a, b, c: gradkit.nn.functional.conv_transpose1d(a[..., 0], b[..., 0], c, stride=2,
                                                            output_padding=1, groups=2), 4),
], ids=["output_padding beyond the stride", "strided", "1-D grouped"])
def test_conv_transpose_second_order(call, bias_size):
    x = gradkit.randn(2, 4, 3, 3, dtype=gradkit.float64, requires_grad=True)
    w = gradkit.randn(4, 2, 3, 3, dtype=gradkit.float64, requires_grad=True)
    b = gradkit.randn(bias_size, dtype=gradkit.float64, requires_grad=True)
    assert gradkit.autograd.gradcheck(lambda a, c, d: call(a, c, d) ** 2, (x, w, b))
    assert gradkit.autograd.gradgradcheck(lambda a, c, d: call(a, c, d) ** 2, (x, w, b))


def test_conv_transpose_casts_a_bias_of_another_float_dtype_as_torch():
    for name, x_shape, w_shape in (("conv_transpose2d", (1, 2, 3, 3), (2, 3, 2, 2)),
                                   ("conv_transpose1d", (1, 2, 3), (2, 3, 2))):
        check(lambda t, x, w, b: getattr(t.nn.functional, name)(x, w, b, stride=2),
              rand(*x_shape), rand(*w_shape), rand(3, dtype=np.float64))


def test_conv_transpose_on_integers_as_torch():
    check(lambda t, x, w: t.nn.functional.conv_transpose2d(x, w, stride=2),
          np.arange(18).reshape(1, 2, 3, 3), np.ones((2, 1, 2, 2), np.int64))


ERRORS_1D = [
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), stride=2,
                                               output_padding=2),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 3, 5), t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(3, 5), t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(5), t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3, 3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), groups=3),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), t.ones(3)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), padding=-1),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), padding=4),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), stride=0),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), dilation=0),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3), groups=0),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3),
                                               output_padding=-1),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3),
                                               stride=(1, 2)),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5), t.ones(4, 2, 3),
                                               padding="same"),
    lambda t: t.nn.functional.conv_transpose1d(t.ones(1, 4, 5, dtype=t.float64),
                                               t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose1d([1.0], t.ones(4, 2, 3)),
    # 2-D errors the 1-D work made PyTorch's too
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               dilation=0),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               output_padding=-1),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 1, 4, 5, 5), t.ones(4, 2, 3, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3),
                                               output_padding=(0, 0, 0)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 4, 5, 5, dtype=t.bool),
                                               t.ones(4, 2, 3, 3, dtype=t.bool)),
]


@pytest.mark.parametrize("call", ERRORS_1D)
def test_conv_transpose1d_errors_match_torch(call):
    check_same_error(call)


# ---------------------------------------------------------------------------------------------
# the layers: ConvTranspose1d, output_size
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make,shape", [
    (lambda t: t.nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1),
     (2, 4, 5)),
    (lambda t: t.nn.ConvTranspose1d(4, 6, 2, groups=2, bias=False, dilation=2), (1, 4, 4)),
    (lambda t: t.nn.ConvTranspose1d(3, 3, 4, stride=2, padding=1), (3, 4)),
])
def test_conv_transpose1d_layer_matches_torch(make, shape):
    layer = check_module(make, rand(*shape))
    assert layer.weight.grad is not None


def test_conv_transpose1d_layer_init_and_repr():
    gradkit.manual_seed(0)
    layer = gradkit.nn.ConvTranspose1d(4, 6, 3, groups=2)
    assert tuple(layer.weight.shape) == (4, 3, 3)
    bound = 1 / np.sqrt(3 * 3)  # fan_in = C_out/groups · K
    assert 0.8 * bound < np.abs(layer.weight.detach().numpy()).max() <= bound
    check_repr(lambda t: t.nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1,
                                              dilation=2, bias=False))
    check_repr(lambda t: t.nn.ConvTranspose1d(4, 2, 3, groups=2))
    check_same_error(lambda t: t.nn.ConvTranspose1d(4, 3, 3, padding_mode="circular"))


OUTPUT_SIZES = {
    "the smallest": ([7, 7], (1, 3, 4, 4)),
    "the largest": ([8, 8], (1, 3, 4, 4)),
    "one of each": ((8, 7), (1, 3, 4, 4)),
    "with batch and channels": ([1, 2, 8, 8], (1, 3, 4, 4)),
    "a Size": (None, (1, 3, 4, 4)),
    "unbatched": ([8, 8], (3, 4, 4)),
    "unbatched, with channels": ([2, 8, 7], (3, 4, 4)),
}


@pytest.mark.parametrize("name", list(OUTPUT_SIZES))
def test_output_size_picks_output_padding_as_torch(name):
    size, shape = OUTPUT_SIZES[name]

    def run(t, x):
        layer = t.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
        with t.no_grad():  # the same weights in both libraries
            layer.weight.copy_(t.tensor(np.linspace(-1, 1, 54, dtype=np.float32)
                                        .reshape(3, 2, 3, 3)))
            layer.bias.copy_(t.tensor([0.5, -0.5]))
        return layer(x, output_size=t.Size([8, 8]) if size is None else size)

    out = check(run, rand(*shape))
    assert tuple(out.shape[-2:]) == tuple(size[-2:] if size else (8, 8))


def test_output_size_of_a_1d_layer_and_its_gradients():
    check_module(lambda t: t.nn.ConvTranspose1d(3, 2, 3, stride=3), rand(2, 3, 5), [15])
    check_module(lambda t: t.nn.ConvTranspose1d(3, 2, 3, stride=3), rand(3, 5), [2, 16])


@pytest.mark.parametrize("call", [
    lambda t: t.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)(t.ones(1, 3, 4, 4),
                                                                 output_size=[9, 9]),
    lambda t: t.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)(t.ones(1, 3, 4, 4),
                                                                 output_size=(6, 8)),
    lambda t: t.nn.ConvTranspose2d(3, 2, 3, stride=2)(t.ones(1, 3, 4, 4), output_size=[2, 9, 9]),
    lambda t: t.nn.ConvTranspose2d(3, 2, 3, stride=2)(t.ones(3, 4, 4), output_size=[1, 2, 9, 9]),
    lambda t: t.nn.ConvTranspose2d(3, 2, 3)(t.ones(1, 3, 4, 4), output_size=[8]),
    lambda t: t.nn.ConvTranspose1d(3, 2, 3, stride=2)(t.ones(1, 3, 5), output_size=[14]),
    lambda t: t.nn.ConvTranspose1d(3, 2, 3, stride=2)(t.ones(1, 3, 5), output_size=[1, 12]),
    lambda t: t.nn.ConvTranspose1d(3, 2, 3)(t.ones(1, 3, 5), output_size=12),
], ids=["too large", "too small", "3 sizes for 4-D", "4 sizes for 3-D", "one size for 2-D",
        "1-D too large", "1-D: 2 sizes for 3-D", "an int"])
def test_impossible_output_sizes_raise_torchs_error(call):
    error = check_same_error(call)
    assert isinstance(error, (ValueError, TypeError))
