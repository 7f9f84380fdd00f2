"""``gradkit.nn.init`` against PyTorch's formulas: ``calculate_gain``, fan-in/fan-out of 2-D
and higher tensors, the bounds and moments of xavier/kaiming uniform/normal, the plain fillers,
``Linear``'s default initialization, and the book's idioms
``net[0].weight.data.normal_(0, 0.01)`` and ``net[0].bias.data.fill_(0)``."""
from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit
from gradkit import nn
from oracle import check_same_error, import_torch

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_matches_torch(nonlinearity):
    torch = import_torch()
    ours = nn.init.calculate_gain(nonlinearity)
    theirs = torch.nn.init.calculate_gain(nonlinearity)
    assert ours == theirs and type(ours) is type(theirs)


def test_calculate_gain_leaky_relu_slopes_and_errors():
    torch = import_torch()
    for slope in (0, 0.1, 0.2, 1, 5.0):
        assert nn.init.calculate_gain("leaky_relu", slope) == \
            torch.nn.init.calculate_gain("leaky_relu", slope)
    for bad in (True, "x", [0.1]):
        check_same_error(lambda t: t.nn.init.calculate_gain("leaky_relu", bad))
    check_same_error(lambda t: t.nn.init.calculate_gain("softmax"))


# Shapes: a Linear weight (out, in) and a conv-like weight (out, in, k1, k2) whose fans
# include the receptive field.
SHAPES = [(300, 200), (64, 16, 3, 3), (500, 40, 5)]


def fans(shape):
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def moments(tensor):
    values = tensor.detach().numpy().astype(np.float64)
    return values.mean(), values.std(), np.abs(values).max()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3])
def test_xavier_uniform(shape, gain):
    fan_in, fan_out = fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    t = gradkit.empty(*shape)
    assert nn.init.xavier_uniform_(t, gain=gain) is t
    mean, std, largest = moments(t)
    assert largest <= bound and largest > 0.99 * bound
    assert abs(std - bound / math.sqrt(3)) < 0.02 * bound and abs(mean) < 0.02 * bound


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2)])
def test_xavier_normal(shape, gain):
    fan_in, fan_out = fans(shape)
    expected = gain * math.sqrt(2.0 / (fan_in + fan_out))
    t = nn.init.xavier_normal_(gradkit.empty(*shape), gain=gain)
    mean, std, _ = moments(t)
    assert abs(std - expected) < 0.02 * expected and abs(mean) < 0.02 * expected


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0),
                                            ("leaky_relu", math.sqrt(5)), ("tanh", 0),
                                            ("linear", 0)])
def test_kaiming_uniform_and_normal(shape, mode, nonlinearity, a):
    torch = import_torch()
    fan = fans(shape)[0 if mode == "fan_in" else 1]
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    t = nn.init.kaiming_uniform_(gradkit.empty(*shape), a=a, mode=mode,
                                 nonlinearity=nonlinearity)
    mean, std, largest = moments(t)
    assert bound * 0.99 < largest <= bound
    assert abs(std - bound / math.sqrt(3)) < 0.02 * bound
    t = nn.init.kaiming_normal_(gradkit.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    mean, std, _ = moments(t)
    assert abs(std - gain / math.sqrt(fan)) < 0.02 * gain / math.sqrt(fan)
    # The same distribution as PyTorch's (compared through its moments).
    theirs = torch.nn.init.kaiming_normal_(torch.empty(*shape), a=a, mode=mode,
                                           nonlinearity=nonlinearity).numpy()
    assert abs(std - theirs.std()) < 0.03 * theirs.std()


def test_init_errors_match_torch():
    check_same_error(lambda t: t.nn.init.xavier_uniform_(t.empty(3)))
    check_same_error(lambda t: t.nn.init.kaiming_normal_(t.empty(3)))
    check_same_error(lambda t: t.nn.init.kaiming_uniform_(t.empty(3, 3), mode="fan_avg"))
    check_same_error(lambda t: t.nn.init.kaiming_uniform_(t.empty(3, 3), nonlinearity="soft"))
    check_same_error(lambda t: t.nn.init.eye_(t.empty(3)))


def test_zero_element_tensors_warn_and_stay_as_they_are():
    for fn in (nn.init.kaiming_uniform_, nn.init.kaiming_normal_):
        for shape in ((0, 3), (3, 0)):
            t = gradkit.empty(*shape)
            with pytest.warns(UserWarning, match="zero-element"):
                assert fn(t) is t


@pytest.mark.parametrize("dtype", [gradkit.float32, gradkit.float64])
def test_plain_fillers(dtype):
    t = gradkit.empty(400, 500, dtype=dtype)
    assert nn.init.uniform_(t, -2, 3) is t and t.dtype == dtype
    values = t.numpy()
    assert values.min() >= -2 and values.max() < 3 and abs(values.mean() - 0.5) < 0.02
    nn.init.normal_(t, mean=1.5, std=0.01)
    assert abs(t.numpy().mean() - 1.5) < 0.001 and abs(t.numpy().std() - 0.01) < 0.0005
    nn.init.constant_(t, 0.25)
    assert (t.numpy() == 0.25).all()
    nn.init.zeros_(t)
    assert (t.numpy() == 0).all()
    nn.init.ones_(t)
    assert (t.numpy() == 1).all() and t.dtype == dtype
    nn.init.trunc_normal_(t, std=1.0, a=-0.5, b=0.5)
    assert np.abs(t.numpy()).max() <= 0.5 and t.dtype == dtype
    np.testing.assert_array_equal(nn.init.eye_(gradkit.empty(2, 3)).numpy(), np.eye(2, 3))


def test_initializers_do_not_record_a_graph_and_keep_the_parameter_a_leaf():
    layer = nn.Linear(20, 30)
    weight = layer.weight
    for fn in (nn.init.normal_, nn.init.uniform_, nn.init.zeros_, nn.init.ones_,
               nn.init.xavier_uniform_, nn.init.xavier_normal_, nn.init.kaiming_uniform_,
               nn.init.kaiming_normal_, lambda w: nn.init.constant_(w, 0.3)):
        assert fn(layer.weight) is weight
        assert weight.is_leaf and weight.grad_fn is None and weight.requires_grad
    # Training still works after re-initialization.
    layer(gradkit.ones(2, 20)).sum().backward()
    assert weight.grad.shape == (30, 20)


def test_initializers_draw_from_the_global_seed():
    gradkit.manual_seed(5)
    first = nn.init.normal_(gradkit.empty(5)).numpy().copy()
    gradkit.manual_seed(5)
    np.testing.assert_array_equal(nn.init.normal_(gradkit.empty(5)).numpy(), first)


def test_book_idioms_data_normal_and_fill():
    net = nn.Sequential(nn.Linear(784, 256))
    weight = net[0].weight
    assert net[0].weight.data.normal_(0, 0.01) is not None
    assert net[0].bias.data.fill_(0) is not None
    assert net[0].weight is weight and weight.requires_grad and weight.is_leaf
    values = weight.detach().numpy()
    assert abs(values.std() - 0.01) < 0.0005 and abs(values.mean()) < 0.0005
    assert (net[0].bias.detach().numpy() == 0).all()
    # .data shares memory with the parameter, so the change is the parameter's.
    net[0].weight.data[0, 0] = 7.0
    assert net[0].weight[0, 0].item() == 7.0


def test_book_init_functions_with_apply():
    """D2L 5.2's init_normal / init_constant / init_xavier / my_init."""
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))

    def init_constant(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.constant_(m.weight, 1)
            nn.init.zeros_(m.bias)

    net.apply(init_constant)
    assert (net[0].weight.detach().numpy() == 1).all() and net[0].bias.data[0].item() == 0

    def my_init(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.uniform_(m.weight, -10, 10)
            m.weight.data *= m.weight.data.abs() >= 5

    net.apply(my_init)
    values = net[0].weight.detach().numpy()
    assert ((values == 0) | (np.abs(values) >= 5)).all()
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    assert net[0].weight.data[0, 0].item() == 42


@pytest.mark.parametrize("in_features,out_features", [(784, 10), (2, 1), (20, 256)])
def test_linear_default_initialization_bounds(in_features, out_features):
    torch = import_torch()
    bound = 1 / math.sqrt(in_features)
    gradkit.manual_seed(0)
    weights, biases = [], []
    for _ in range(max(1, 4000 // (in_features * out_features))):
        layer = nn.Linear(in_features, out_features)
        weights.append(layer.weight.detach().numpy().ravel())
        biases.append(layer.bias.detach().numpy())
    weights, biases = np.concatenate(weights), np.concatenate(biases)
    assert np.abs(weights).max() <= bound and np.abs(biases).max() <= bound
    # kaiming_uniform_(a=√5) is U(−1/√in, 1/√in): std bound/√3.
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.05 * bound
    theirs = torch.nn.Linear(in_features, out_features).weight.detach().numpy()
    assert np.abs(theirs).max() <= bound
    assert nn.Linear(in_features, out_features).weight.dtype == gradkit.float32


def test_linear_dtype_argument_and_reset_parameters():
    layer = nn.Linear(3, 2, dtype=gradkit.float64)
    assert layer.weight.dtype == layer.bias.dtype == gradkit.float64
    before = layer.weight.detach().numpy().copy()
    layer.reset_parameters()
    assert not np.array_equal(before, layer.weight.detach().numpy())
    assert nn.Linear(3, 2, bias=False).bias is None
