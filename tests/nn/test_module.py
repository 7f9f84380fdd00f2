"""``Module`` and the containers against PyTorch: registration of parameters, buffers and
children; traversal (``parameters``, ``named_parameters``, ``children``, ``modules``,
``named_modules``); ``apply``; ``train``/``eval``; ``zero_grad``; ``state_dict`` keys and
``load_state_dict`` errors (same type and text); ``print(net)`` of the book's networks;
``Sequential``/``ModuleList`` indexing, slicing and mutation."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import gradkit
from gradkit import nn
from oracle import check_repr, check_same_error, copy_torch_state, import_torch

rng = np.random.default_rng(11)


# ---------------------------------------------------------------------------------------------
# models written the way the book writes them, for either library
# ---------------------------------------------------------------------------------------------
def make_mlp(lib):
    """D2L 4.3's concise MLP."""
    n = lib.nn
    return n.Sequential(n.Flatten(), n.Linear(784, 256), n.ReLU(), n.Linear(256, 10))


def make_dropout_mlp(lib):
    """D2L 4.6's concise dropout MLP."""
    n = lib.nn
    return n.Sequential(n.Flatten(), n.Linear(784, 256), n.ReLU(), n.Dropout(0.2),
                        n.Linear(256, 256), n.ReLU(), n.Dropout(0.5), n.Linear(256, 10))


def make_custom(lib):
    """A subclass with a nested Sequential, a ModuleList, a buffer and a shared layer."""

    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = lib.nn.Linear(4, 8)
            self.body = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Linear(8, 8), lib.nn.Tanh())
            self.heads = lib.nn.ModuleList([lib.nn.Linear(8, 8) for _ in range(3)])
            self.out = lib.nn.Linear(8, 2)
            self.tied = self.hidden  # the same module twice: parameters listed once
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("scratch", lib.zeros(3), persistent=False)

        def forward(self, x):
            x = self.body(self.hidden(x))
            for head in self.heads:
                x = head(x).relu()
            return self.out(x) + self.running

    return Block()


BOOK_NETWORKS = {
    "softmax_regression": lambda t: t.nn.Sequential(t.nn.Flatten(), t.nn.Linear(784, 10)),
    "linear_regression": lambda t: t.nn.Sequential(t.nn.Linear(2, 1)),
    "mlp": make_mlp,
    "dropout_mlp": make_dropout_mlp,
    "nested": lambda t: t.nn.Sequential(
        t.nn.Sequential(t.nn.Linear(4, 8), t.nn.ReLU()),
        t.nn.Sequential(OrderedDict([("fc", t.nn.Linear(8, 8)), ("act", t.nn.Sigmoid())])),
        t.nn.Linear(8, 1)),
    "modulelist_compression": lambda t: t.nn.Sequential(
        t.nn.ModuleList([t.nn.Linear(2, 2) for _ in range(3)] + [t.nn.ReLU(), t.nn.ReLU()]
                        + [t.nn.Linear(2, 3), t.nn.Linear(2, 2)])),
    "custom": make_custom,
    "every_layer": lambda t: t.nn.Sequential(
        t.nn.Flatten(0, 1), t.nn.Unflatten(1, (2, 2)), t.nn.Identity(), t.nn.Linear(3, 4, False),
        t.nn.LeakyReLU(0.2), t.nn.Softmax(dim=1), t.nn.LogSoftmax(dim=-1), t.nn.Tanh(),
        t.nn.ReLU(inplace=True), t.nn.Dropout(0.1, inplace=True), t.nn.LazyLinear(5),
        t.nn.CrossEntropyLoss(), t.nn.MSELoss(reduction="sum"), t.nn.Softmax()),
}


@pytest.mark.parametrize("name", list(BOOK_NETWORKS))
def test_print_net_matches_torch(name):
    check_repr(BOOK_NETWORKS[name])


def test_issue_example_text():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert str(net) == ("Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n"
                        "  (1): Linear(in_features=784, out_features=10, bias=True)\n)")


@pytest.mark.parametrize("name", list(BOOK_NETWORKS))
def test_traversal_matches_torch(name):
    torch = import_torch()
    ours, theirs = BOOK_NETWORKS[name](gradkit), BOOK_NETWORKS[name](torch)

    def shapes(pairs):
        return [(n, tuple(p.shape)) for n, p in pairs]

    if name != "every_layer":  # LazyLinear's uninitialized parameters have no shape yet
        assert shapes(ours.named_parameters()) == shapes(theirs.named_parameters())
        assert [tuple(p.shape) for p in ours.parameters()] == \
            [tuple(p.shape) for p in theirs.parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [type(m).__name__ for m in ours.modules()] == \
        [type(m).__name__ for m in theirs.modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.children()] == \
        [type(m).__name__ for m in theirs.children()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == \
        [n for n, _ in theirs.named_parameters(recurse=False)]
    assert [n for n, _ in ours.named_parameters(prefix="net")] == \
        [n for n, _ in theirs.named_parameters(prefix="net")]


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(8, 8)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.Linear(8, 1))
    assert len(list(net.parameters())) == 6
    assert [n for n, _ in net.named_parameters()] == \
        ["0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias"]
    # state_dict keeps every path (PyTorch does too), all pointing at the same values.
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight",
                                      "4.bias", "5.weight", "5.bias"]


def test_custom_module_state_dict_keys():
    net = make_custom(gradkit)
    keys = list(net.state_dict())
    assert "running" in keys and "scratch" not in keys
    # Own parameters, then own persistent buffers, then children, as in PyTorch.
    assert keys[:3] == ["running", "hidden.weight", "hidden.bias"]
    assert "heads.2.bias" in keys and "tied.weight" in keys


def test_state_dict_values_are_detached_and_share_memory():
    net = nn.Sequential(nn.Linear(2, 1))
    state = net.state_dict()
    assert not state["0.weight"].requires_grad
    assert np.shares_memory(state["0.weight"].numpy(), net[0].weight.detach().numpy())
    kept = net.state_dict(keep_vars=True)
    assert kept["0.weight"] is net[0].weight


# ---------------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------------
def test_attribute_registration_and_reassignment():
    m = nn.Module()
    m.w = nn.Parameter(gradkit.zeros(3))
    m.child = nn.Linear(2, 2)
    m.plain = gradkit.zeros(2)  # a plain tensor attribute is not registered
    assert [n for n, _ in m.named_parameters()] == ["w", "child.weight", "child.bias"]
    assert list(m.state_dict()) == ["w", "child.weight", "child.bias"]
    m.w = None
    assert list(m.state_dict()) == ["child.weight", "child.bias"] and m.w is None
    del m.child
    assert list(m.children()) == []
    with pytest.raises(AttributeError):
        m.child  # noqa: B018


def test_reassignment_keeps_the_position():
    torch = import_torch()
    for lib in (gradkit, torch):
        n = lib.nn
        net = n.Sequential(n.Linear(1, 1), n.ReLU(), n.Linear(1, 1))
        net[0] = n.Linear(1, 1)
        net.add_module("1", n.Tanh())
        assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
        layer = n.Linear(2, 2)
        layer.weight = n.Parameter(lib.zeros(2, 2))
        assert list(layer.state_dict()) == ["weight", "bias"]
        m = n.Module()
        m.a, m.b = n.Linear(1, 1), n.ReLU()
        m.a = n.Sigmoid()
        m.register_buffer("x", lib.zeros(1), persistent=False)
        m.register_buffer("y", lib.zeros(1))
        m.register_buffer("x", lib.ones(1))
        assert [k for k, _ in m.named_children()] == ["a", "b"]
        assert list(m.state_dict()) == ["x", "y"]


def test_registration_errors_match_torch():
    def assign_tensor_to_parameter(t):
        layer = t.nn.Linear(2, 2)
        layer.weight = t.zeros(2, 2)

    def assign_int_to_child(t):
        net = t.nn.Sequential(t.nn.Linear(2, 2))
        net.__setattr__("0", 5)

    def parameter_before_init(t):
        class Early(t.nn.Module):
            def __init__(self):
                self.w = t.nn.Parameter(t.zeros(1))

        Early()

    def module_before_init(t):
        class Early(t.nn.Module):
            def __init__(self):
                self.fc = t.nn.Linear(1, 1)

        Early()

    for fn in (assign_tensor_to_parameter, assign_int_to_child, parameter_before_init,
               module_before_init,
               lambda t: t.nn.Module().add_module("a.b", None),
               lambda t: t.nn.Module().add_module("", None),
               lambda t: t.nn.Module().add_module("x", 3),
               lambda t: t.nn.Module().register_buffer("x", 3),
               lambda t: t.nn.Module().register_buffer("training", t.zeros(1)),
               lambda t: t.nn.Module().register_parameter("w", t.zeros(1)),
               lambda t: t.nn.Module()(1),
               lambda t: t.nn.Module().train("yes"),
               lambda t: t.nn.Linear(2, 3).nope):
        check_same_error(fn)


def test_add_module_and_register_buffer():
    torch = import_torch()
    for lib in (gradkit, torch):
        m = lib.nn.Module()
        m.add_module("fc", lib.nn.Linear(3, 2))
        m.register_buffer("mean", lib.ones(2))
        m.register_buffer("tmp", lib.ones(1), persistent=False)
        m.register_buffer("empty", None)
        m.register_parameter("scale", lib.nn.Parameter(lib.ones(1)))
        assert list(m.state_dict()) == ["scale", "mean", "fc.weight", "fc.bias"]
        assert [n for n, _ in m.named_buffers()] == ["mean", "tmp"]
        assert m.fc is m._modules["fc"] and m.mean is m._buffers["mean"]
        m.mean = lib.zeros(2)  # reassigning a buffer keeps it a buffer
        assert m.state_dict()["mean"].sum().item() == 0
        with pytest.raises(TypeError):
            m.mean = 3


def test_buffers_are_not_parameters_and_move_with_the_dtype():
    m = nn.Module()
    m.register_buffer("b", gradkit.zeros(2))
    m.fc = nn.Linear(2, 2)
    m.double()
    assert m.b.dtype == gradkit.float64 and m.fc.weight.dtype == gradkit.float64
    assert len(list(m.parameters())) == 2
    m.float()
    assert m.b.dtype == gradkit.float32


def test_type_checks_of_the_book_work():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.LazyLinear(2))
    assert type(net[0]) == nn.Linear  # noqa: E721 - the book's idiom
    assert type(net[1]) == nn.ReLU  # noqa: E721
    assert type(net[2]) != nn.Linear  # noqa: E721 - lazy until its first call
    net(gradkit.ones(1, 4))
    assert type(net[2]) == nn.Linear  # noqa: E721 - as PyTorch: LazyLinear becomes Linear
    assert isinstance(net[0].weight, nn.Parameter) and isinstance(net[0].weight, gradkit.Tensor)
    assert isinstance(net, nn.Module)


# ---------------------------------------------------------------------------------------------
# apply, train/eval, zero_grad
# ---------------------------------------------------------------------------------------------
def test_apply_visits_children_first_and_returns_the_module():
    torch = import_torch()
    orders = []
    for lib in (gradkit, torch):
        net = make_custom(lib)
        visited = []
        assert net.apply(lambda m: visited.append(type(m).__name__)) is net
        orders.append(visited)
    assert orders[0] == orders[1]


def test_apply_init_weights_idiom():
    net = make_mlp(gradkit)

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721
            nn.init.normal_(m.weight, std=0.01)
            nn.init.zeros_(m.bias)

    assert net.apply(init_weights) is net
    assert abs(net[1].weight.detach().numpy().std() - 0.01) < 0.001
    assert (net[3].bias.detach().numpy() == 0).all()


def test_train_and_eval_reach_every_descendant():
    net = make_dropout_mlp(gradkit)
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not net.training and not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    net.train(False)
    assert not net[3].training
    net[3].train()  # a child alone
    assert net[3].training and not net.training


def test_dropout_mlp_is_deterministic_in_eval_mode():
    net = make_dropout_mlp(gradkit).eval()
    x = gradkit.randn(4, 1, 28, 28)
    np.testing.assert_array_equal(net(x).detach().numpy(), net(x).detach().numpy())
    net.train()
    assert not np.array_equal(net(x).detach().numpy(), net(x).detach().numpy())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    net = make_mlp(gradkit)
    net(gradkit.randn(2, 784)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=set_to_none)
    for p in net.parameters():
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is not None and (p.grad.numpy() == 0).all()
    nn.Linear(2, 2).zero_grad()  # no gradient yet: nothing to do


def test_gradients_accumulate_until_zero_grad():
    net = nn.Sequential(nn.Linear(3, 1))
    x = gradkit.randn(5, 3)
    net(x).sum().backward()
    first = net[0].weight.grad.numpy().copy()
    net(x).sum().backward()
    np.testing.assert_allclose(net[0].weight.grad.numpy(), 2 * first, rtol=1e-6)


def test_requires_grad_and_hooks():
    net = nn.Sequential(nn.Linear(3, 2))
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    handle = net[0].register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape)))
    net(gradkit.ones(4, 3))
    handle.remove()
    net(gradkit.ones(4, 3))
    assert seen == [(4, 2)]


# ---------------------------------------------------------------------------------------------
# state_dict / load_state_dict
# ---------------------------------------------------------------------------------------------
def test_state_dict_round_trip_copies_values_in_place():
    source, target = make_custom(gradkit), make_custom(gradkit)
    weight = target.hidden.weight
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert target.hidden.weight is weight  # copied in place: optimizers keep working
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key].numpy(), value.numpy())


def test_load_torch_weights_into_gradkit():
    torch = import_torch()
    theirs, ours = make_mlp(torch), make_mlp(gradkit)
    copy_torch_state(ours, theirs)
    x = rng.standard_normal((3, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(ours(gradkit.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


LOAD_ERRORS = {
    "missing": lambda t: {"0.weight": t.zeros(3, 2)},
    "unexpected": lambda t: {"0.weight": t.zeros(3, 2), "0.bias": t.zeros(3),
                             "1.x": t.zeros(1)},
    "wrong_shape": lambda t: {"0.weight": t.zeros(3, 3), "0.bias": t.zeros(3)},
    "all_three": lambda t: {"0.weight": t.zeros(3, 3), "1.bias": t.zeros(3), "2.w": t.zeros(1)},
    "not_a_tensor": lambda t: {"0.weight": t.zeros(3, 2), "0.bias": [1.0, 2.0, 3.0]},
    "several_missing": lambda t: {},
}


@pytest.mark.parametrize("case", list(LOAD_ERRORS))
def test_load_state_dict_errors_match_torch_text(case):
    check_same_error(lambda t: t.nn.Sequential(t.nn.Linear(2, 3)).load_state_dict(
        LOAD_ERRORS[case](t)))


def test_load_state_dict_errors_for_nested_and_custom_modules():
    check_same_error(lambda t: make_mlp(t).load_state_dict({"1.weight": t.zeros(256, 784)}))
    check_same_error(lambda t: make_custom(t).load_state_dict(
        {k: v for k, v in make_custom(t).state_dict().items() if k != "running"}))
    check_same_error(lambda t: t.nn.Linear(2, 3).load_state_dict([1]))
    check_same_error(lambda t: t.nn.Linear(2, 3).load_state_dict({"weight": t.zeros(3, 2)}))


def test_load_state_dict_non_strict_reports_keys_like_torch():
    torch = import_torch()
    results = []
    for lib in (gradkit, torch):
        net = lib.nn.Sequential(lib.nn.Linear(2, 3))
        results.append(net.load_state_dict({"0.weight": lib.ones(3, 2), "9.x": lib.ones(1)},
                                           strict=False))
        assert net[0].weight.sum().item() == 6
    ours, theirs = results
    assert ours.missing_keys == theirs.missing_keys == ["0.bias"]
    assert ours.unexpected_keys == theirs.unexpected_keys == ["9.x"]
    assert repr(ours) == repr(theirs)
    # A shape mismatch raises even when not strict.
    check_same_error(lambda t: t.nn.Linear(2, 3).load_state_dict(
        {"weight": t.zeros(1)}, strict=False))


def test_load_state_dict_leaves_the_model_unchanged_on_error():
    net = nn.Sequential(nn.Linear(2, 3))
    before = net[0].weight.detach().numpy().copy()
    with pytest.raises(RuntimeError):
        net.load_state_dict({"0.weight": gradkit.zeros(3, 2), "0.bias": gradkit.zeros(4)})
    np.testing.assert_array_equal(net[0].weight.detach().numpy(), before)


# ---------------------------------------------------------------------------------------------
# Sequential and ModuleList
# ---------------------------------------------------------------------------------------------
def test_sequential_indexing_slicing_len_iter():
    torch = import_torch()
    for lib in (gradkit, torch):
        n = lib.nn
        net = n.Sequential(n.Linear(2, 4), n.ReLU(), n.Linear(4, 1))
        assert len(net) == 3
        assert type(net[0]).__name__ == "Linear" and net[-1] is net[2]
        assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
        head = net[:2]
        assert type(head) is n.Sequential and len(head) == 2 and head[0] is net[0]
        assert list(head.state_dict()) == ["0.weight", "0.bias"]
        tail = net[1:]
        assert list(tail.state_dict()) == ["2.weight", "2.bias"]  # PyTorch keeps the names
        assert net.append(n.Sigmoid()) is net and len(net) == 4
        assert list(net._modules) == ["0", "1", "2", "3"]
        net[1] = n.Tanh()
        assert type(net[1]).__name__ == "Tanh"
        del net[1]
        assert list(net._modules) == ["0", "1", "2"]
        with pytest.raises(IndexError):
            net[3]  # noqa: B018
        with pytest.raises(IndexError):
            net[-4]  # noqa: B018
        with pytest.raises(TypeError):
            net["a"]  # noqa: B018


def test_sequential_indexing_errors_match_torch():
    check_same_error(lambda t: t.nn.Sequential()[0])
    check_same_error(lambda t: t.nn.Sequential(t.nn.ReLU())[3])
    check_same_error(lambda t: t.nn.ModuleList([t.nn.ReLU()])[-2])


def test_sequential_forward_and_ordered_dict():
    net = nn.Sequential(OrderedDict([("hidden", nn.Linear(3, 4)), ("act", nn.ReLU()),
                                     ("out", nn.Linear(4, 1))]))
    assert list(net.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert net.hidden is net[0]
    x = gradkit.randn(2, 3)
    expected = net.out(net.act(net.hidden(x)))
    np.testing.assert_array_equal(net(x).detach().numpy(), expected.detach().numpy())


def test_modulelist():
    torch = import_torch()
    for lib in (gradkit, torch):
        n = lib.nn
        layers = n.ModuleList([n.Linear(2, 2) for _ in range(3)])
        assert len(layers) == 3 and len(list(layers.parameters())) == 6
        layers.append(n.ReLU())
        layers.extend([n.Tanh()])
        layers.insert(0, n.Sigmoid())
        assert [type(m).__name__ for m in layers] == ["Sigmoid", "Linear", "Linear", "Linear",
                                                      "ReLU", "Tanh"]
        assert [n for n, _ in layers.named_parameters()][:2] == ["1.weight", "1.bias"]
        assert type(layers[1:3]) is n.ModuleList and len(layers[1:3]) == 2
        layers += [n.Identity()]
        assert len(layers) == 7
        del layers[0]
        assert list(layers._modules)[:2] == ["0", "1"]


def test_lazy_linear_repr_before_and_after():
    check_repr(lambda t: t.nn.LazyLinear(10))

    def materialized(t):
        layer = t.nn.LazyLinear(10)
        layer(t.ones(2, 7))
        return layer

    check_repr(materialized)
