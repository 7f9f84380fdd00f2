"""Layers against PyTorch with the same initial weights (copied from torch): outputs, input
gradients and parameter gradients of every layer and of the book's networks; ``LazyLinear``;
``Dropout`` in training and eval mode; ``Parameter``."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from gradkit import nn
from oracle import check, check_error, check_module, check_repr, gradcheck, import_torch

rng = np.random.default_rng(5)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float32):
    return rng.uniform(low, high, shape).astype(dtype)


LAYERS = {
    "Linear": (lambda t: t.nn.Linear(6, 4), (5, 6)),
    "Linear_3d_input": (lambda t: t.nn.Linear(6, 4), (2, 3, 6)),
    "Linear_1d_input": (lambda t: t.nn.Linear(6, 4), (6,)),
    "Linear_no_bias": (lambda t: t.nn.Linear(6, 4, bias=False), (5, 6)),
    "Flatten": (lambda t: t.nn.Flatten(), (2, 3, 4, 5)),
    "Flatten_0_2": (lambda t: t.nn.Flatten(0, 2), (2, 3, 4, 5)),
    "Unflatten": (lambda t: t.nn.Unflatten(1, (2, 3)), (4, 6)),
    "Identity": (lambda t: t.nn.Identity(), (3, 4)),
    "ReLU": (lambda t: t.nn.ReLU(), (3, 4)),
    "LeakyReLU": (lambda t: t.nn.LeakyReLU(0.1), (3, 4)),
    "Sigmoid": (lambda t: t.nn.Sigmoid(), (3, 4)),
    "Tanh": (lambda t: t.nn.Tanh(), (3, 4)),
    "Softmax": (lambda t: t.nn.Softmax(dim=1), (3, 4)),
    "Softmax_dim0": (lambda t: t.nn.Softmax(dim=0), (3, 4)),
    "LogSoftmax": (lambda t: t.nn.LogSoftmax(dim=-1), (2, 3, 4)),
    "Dropout_eval": (lambda t: t.nn.Dropout(0.5).eval(), (3, 4)),
    "Dropout_p0": (lambda t: t.nn.Dropout(0.0), (3, 4)),
    "Dropout_p1": (lambda t: t.nn.Dropout(1.0), (3, 4)),
    "softmax_regression": (lambda t: t.nn.Sequential(t.nn.Flatten(), t.nn.Linear(784, 10)),
                           (8, 1, 28, 28)),
    "mlp": (lambda t: t.nn.Sequential(t.nn.Flatten(), t.nn.Linear(784, 256), t.nn.ReLU(),
                                      t.nn.Linear(256, 10)), (8, 1, 28, 28)),
    "dropout_mlp_eval": (lambda t: t.nn.Sequential(
        t.nn.Flatten(), t.nn.Linear(784, 256), t.nn.ReLU(), t.nn.Dropout(0.2),
        t.nn.Linear(256, 256), t.nn.ReLU(), t.nn.Dropout(0.5), t.nn.Linear(256, 10)).eval(),
        (8, 1, 28, 28)),
    "deep_mixed": (lambda t: t.nn.Sequential(
        t.nn.Linear(5, 8), t.nn.Tanh(), t.nn.Linear(8, 8), t.nn.Sigmoid(), t.nn.Linear(8, 8),
        t.nn.LeakyReLU(), t.nn.Linear(8, 3), t.nn.LogSoftmax(dim=1)), (6, 5)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch_with_the_same_weights(name):
    make, shape = LAYERS[name]
    check_module(make, rand(*shape), train=not name.endswith("eval"))


def test_linear_float64_module():
    check_module(lambda t: t.nn.Linear(6, 4, dtype=t.float64), rand(5, 6, dtype=np.float64))
    check_module(lambda t: t.nn.Linear(6, 4).double(), rand(5, 6, dtype=np.float64))


def test_linear_with_a_wrong_input_raises_torch_errors():
    check_error(lambda t, x: t.nn.Linear(784, 10)(x), rand(256, 785))
    check_error(lambda t, x: t.nn.Linear(784, 10)(x), rand(256, 1, 28, 28))
    check_error(lambda t, x: t.nn.Linear(4, 2)(x), rand(3, 4, dtype=np.float64))
    check_error(lambda t, x: t.nn.Linear(4, 2)(x.long()), rand(3, 4))


def test_linear_module_gradcheck():
    layer = nn.Linear(4, 3, dtype=gradkit.float64)
    gradcheck(lambda t, x: layer(x), rand(2, 4))
    gradcheck(lambda t, w, b, x: gradkit.nn.functional.linear(x, w, b), rand(3, 4), rand(3),
              rand(2, 4))


def test_mlp_loss_gradients_match_torch():
    """A full training-step graph: MLP → cross-entropy, gradients of every parameter."""
    y = rng.integers(0, 10, 16).astype(np.int64)

    def make(t):
        class Net(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.net = t.nn.Sequential(t.nn.Flatten(), t.nn.Linear(784, 64), t.nn.ReLU(),
                                           t.nn.Linear(64, 10))
                self.loss = t.nn.CrossEntropyLoss(reduction="none")

            def forward(self, x):
                return self.loss(self.net(x), t.tensor(y))

        return Net()

    check_module(make, rand(16, 1, 28, 28))


# ---------------------------------------------------------------------------------------------
# LazyLinear
# ---------------------------------------------------------------------------------------------
def test_lazy_linear_infers_in_features():
    torch = import_torch()
    for lib in (gradkit, torch):
        net = lib.nn.Sequential(lib.nn.LazyLinear(256), lib.nn.ReLU(), lib.nn.LazyLinear(10))
        out = net(lib.ones(2, 20))
        assert tuple(out.shape) == (2, 10)
        assert tuple(net[0].weight.shape) == (256, 20) and tuple(net[2].weight.shape) == (10, 256)
        assert net[0].in_features == 20 and net[2].in_features == 256
        assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert type(net[0]).__name__ == "Linear"
        bound = 1 / np.sqrt(20)
        assert np.abs(net[0].weight.detach().numpy()).max() <= bound
        assert np.abs(net[0].bias.detach().numpy()).max() <= bound


def test_lazy_linear_takes_the_input_dtype_and_trains():
    layer = nn.LazyLinear(3)
    out = layer(gradkit.ones(4, 5, dtype=gradkit.float64))
    assert out.dtype == gradkit.float64 and layer.weight.dtype == gradkit.float64
    out.sum().backward()
    assert layer.weight.grad.shape == (3, 5)
    opt = gradkit.optim.SGD(layer.parameters(), lr=0.1)
    opt.step()


def test_lazy_linear_without_bias_and_parameters_before_the_first_call():
    torch = import_torch()
    for lib in (gradkit, torch):
        layer = lib.nn.LazyLinear(4, bias=False)
        assert layer.bias is None
        assert len(list(layer.parameters())) == 1
        layer(lib.ones(1, 3))
        assert tuple(layer.weight.shape) == (4, 3)
    check_repr(lambda t: t.nn.LazyLinear(4, bias=False))


def test_lazy_linear_loads_a_state_dict_after_materializing():
    source = nn.Linear(7, 2)
    lazy = nn.LazyLinear(2)
    lazy(gradkit.ones(1, 7))
    lazy.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), source.weight.detach().numpy())


# ---------------------------------------------------------------------------------------------
# Dropout module
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_module_in_training(p):
    layer = nn.Dropout(p)
    x = gradkit.tensor(rng.uniform(1, 2, (500, 400)).astype(np.float32))
    out = layer(x).numpy()
    kept = out != 0
    # Kept elements are scaled by exactly 1/(1−p) (in float32, as PyTorch computes it).
    np.testing.assert_allclose(out[kept], x.numpy()[kept] * np.float32(1 / (1 - p)), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.005
    assert abs(out.mean() / x.numpy().mean() - 1) < 0.01


def test_dropout_module_is_the_identity_in_eval_mode():
    layer = nn.Dropout(0.5)
    x = gradkit.tensor(rand(100, 100))
    assert layer.eval()(x) is x or np.array_equal(layer(x).numpy(), x.numpy())
    layer.train()
    assert (layer(x).numpy() == 0).any()


def test_dropout_masks_differ_between_calls_and_follow_the_seed():
    layer = nn.Dropout(0.5)
    x = gradkit.ones(1000)
    a, b = layer(x).numpy(), layer(x).numpy()
    assert not np.array_equal(a, b)
    gradkit.manual_seed(42)
    c = layer(x).numpy()
    gradkit.manual_seed(42)
    np.testing.assert_array_equal(layer(x).numpy(), c)


def test_dropout_module_errors_and_repr():
    check_error(lambda t: t.nn.Dropout(-0.1))
    check_error(lambda t: t.nn.Dropout(1.5))
    check_repr(lambda t: t.nn.Dropout())
    check_repr(lambda t: t.nn.Dropout(0.3, inplace=True))


def test_d2l_scratch_dropout_layer():
    """D2L 5.6's ``dropout_layer`` written with tensor ops matches the expected scaling."""

    def dropout_layer(X, dropout):
        assert 0 <= dropout <= 1
        if dropout == 1:
            return gradkit.zeros_like(X)
        mask = (gradkit.rand(X.shape) > dropout).float()
        return mask * X / (1.0 - dropout)

    X = gradkit.arange(16, dtype=gradkit.float32).reshape((2, 8))
    assert (dropout_layer(X, 0.0).numpy() == X.numpy()).all()
    assert (dropout_layer(X, 1.0).numpy() == 0).all()
    half = dropout_layer(X, 0.5).numpy()
    assert set(np.unique(half / np.maximum(X.numpy(), 1))) <= {0.0, 2.0}


# ---------------------------------------------------------------------------------------------
# Parameter
# ---------------------------------------------------------------------------------------------
def test_parameter_matches_torch():
    check_repr(lambda t: t.nn.Parameter(t.tensor([1.0, 2.0])))
    check_repr(lambda t: t.nn.Parameter(t.tensor([1.0, 2.0]), requires_grad=False))
    check(lambda t, x: t.nn.Parameter(x) * 2, rand(3), requires_grad=False, grad=False)


def test_parameter_shares_memory_and_is_a_leaf():
    data = gradkit.zeros(3)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    data[0] = 5.0
    assert p[0].item() == 5.0
    assert isinstance(p * 2, gradkit.Tensor) and not isinstance(p * 2, nn.Parameter)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.add_(1)
    with gradkit.no_grad():
        p.add_(1)
    assert p[0].item() == 6.0


def test_assigning_a_parameter_the_book_way():
    """D2L 5.2: ``net[0].weight = nn.Parameter(...)`` or ``net[0].weight.data[:] = ...``."""
    net = nn.Sequential(nn.Linear(4, 2))
    net[0].weight = nn.Parameter(gradkit.ones(2, 4))
    assert list(net.state_dict()) == ["0.weight", "0.bias"]
    assert net(gradkit.ones(1, 4))[0, 0].item() == pytest.approx(4 + net[0].bias[0].item())
    assert net[0].weight in list(net.parameters())


def test_lazy_linear_loads_a_state_dict_before_its_first_call():
    torch = import_torch()
    results = []
    for lib in (gradkit, torch):
        layer = lib.nn.LazyLinear(3)
        layer.load_state_dict({"weight": lib.ones(3, 5), "bias": lib.zeros(3)})
        out = layer(lib.ones(1, 5))
        results.append((repr(layer), out.detach().numpy().tolist(), type(layer).__name__))
    assert results[0] == results[1]


def test_uninitialized_parameters_have_no_shape_like_torch():
    from oracle import check_same_error

    check_same_error(lambda t: t.nn.LazyLinear(3).weight.shape)
    assert tuple(nn.LazyLinear(3).weight.size()) == (0,)  # PyTorch's answer too


def test_deepcopy_of_a_lazy_layer_stays_lazy():
    import copy

    torch = import_torch()
    for lib in (gradkit, torch):
        layer = lib.nn.LazyLinear(3)
        clone = copy.deepcopy(layer)
        assert tuple(clone(lib.ones(2, 4)).shape) == (2, 3)
        assert tuple(clone.weight.shape) == (3, 4)
        assert repr(layer) == "LazyLinear(in_features=0, out_features=3, bias=True)"
        layer(lib.ones(1, 6))
        assert tuple(layer.weight.shape) == (3, 6)


def test_deepcopy_of_a_trained_network():
    import copy

    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    net(gradkit.ones(2, 3)).sum().backward()
    clone = copy.deepcopy(net)
    for (name, p), (_, q) in zip(net.named_parameters(), clone.named_parameters()):
        assert p is not q and isinstance(q, nn.Parameter) and q.requires_grad, name
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    with gradkit.no_grad():
        clone[0].weight.fill_(0)
    assert not (net[0].weight.detach().numpy() == 0).all()
