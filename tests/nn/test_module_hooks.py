"""Module hooks as in PyTorch: forward pre/post hooks (with kwargs, prepend), full backward hooks
and backward pre-hooks (observing and replacing gradients), removal, and under create_graph."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from oracle import check


def _linear(t):
    t.manual_seed(0)
    layer = t.nn.Linear(3, 2)
    with t.no_grad():
        layer.weight.copy_(t.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]]))
        layer.bias.copy_(t.tensor([0.1, -0.1]))
    return layer


def test_full_backward_hook_sees_grad_input_and_grad_output():
    def run(t, x):
        layer = _linear(t)
        seen = {}

        def hook(module, grad_input, grad_output):
            assert module is layer
            seen["in"], seen["out"] = grad_input, grad_output

        layer.register_full_backward_hook(hook)
        (layer(x) ** 2).sum().backward()
        return seen["in"][0], seen["out"][0], x.grad
    check(run, np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]), grad=False)


def test_full_backward_hook_may_replace_grad_input():
    def run(t, x):
        act = t.nn.Tanh()
        act.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
        (act(x) * x).sum().backward()
        return x.grad
    check(run, np.array([0.5, -1.0, 2.0]), grad=False)


def test_backward_pre_hook_replaces_grad_output():
    def run(t, x):
        layer = _linear(t)
        layer.register_full_backward_pre_hook(lambda m, go: (go[0] * 0.5,))
        (layer(x) ** 2).sum().backward()
        return x.grad, layer.weight.grad
    check(run, np.array([[1.0, 2.0, 3.0]]), grad=False)


def test_full_backward_hook_when_no_input_requires_grad():
    def run(t, x):
        layer = _linear(t)
        seen = []
        layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer(x).sum().backward()
        assert seen[0][0] == (None,)
        return seen[0][1][0], layer.weight.grad
    check(run, np.array([[1.0, 2.0, 3.0]]), requires_grad=False, grad=False)


def test_module_with_two_inputs_reports_both_grads_at_the_end_of_the_pass():
    class Product(gradkit.nn.Module):
        def forward(self, a, b):
            return a * b

    a = gradkit.tensor([1.0, 2.0], requires_grad=True)
    b = gradkit.tensor([3.0, 4.0], requires_grad=True)
    module, seen = Product(), []
    module.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    module(a, b).sum().backward()
    assert [g.tolist() for g in seen[0]] == [[3.0, 4.0], [1.0, 2.0]]
    module.register_full_backward_hook(lambda m, gi, go: gi)
    with pytest.raises(RuntimeError, match="can only observe"):
        module(a, b).sum().backward()
    module._backward_hooks.clear()
    module(a, b).sum().backward()  # a failed pass left no callback behind


def test_removed_backward_hooks_do_not_fire_and_no_grad_skips_them():
    layer = _linear(gradkit)
    calls = []
    handle = layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    pre = layer.register_full_backward_pre_hook(lambda m, go: calls.append(2))
    x = gradkit.ones(1, 3, requires_grad=True)
    layer(x).sum().backward()
    assert calls == [2, 1]
    handle.remove()
    pre.remove()
    layer(x).sum().backward()
    assert calls == [2, 1]
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(3))
    with gradkit.no_grad():
        layer(x)
    assert calls == [2, 1]


def test_backward_hooks_under_create_graph():
    def run(t, x):
        act = t.nn.Tanh()
        act.register_full_backward_hook(lambda m, gi, go: (gi[0] * 2,))
        (g,) = t.autograd.grad((act(x) ** 3).sum(), x, create_graph=True)
        return g, t.autograd.grad(g.sum(), x)[0]
    check(run, np.array([0.5, -1.0]), grad=False)


def test_forward_hooks_with_kwargs_and_prepend():
    def run(t, x):
        layer = _linear(t)
        order = []
        layer.register_forward_pre_hook(lambda m, args: order.append("pre") or (args[0] * 2,))
        layer.register_forward_pre_hook(
            lambda m, args, kwargs: order.append("pre-first") or (args, kwargs), prepend=True,
            with_kwargs=True)
        layer.register_forward_hook(lambda m, args, kwargs, out: out + 1, with_kwargs=True)
        layer.register_forward_hook(lambda m, args, out: order.append("post") or None)
        out = layer(x)
        assert order == ["pre-first", "pre", "post"]
        return out
    check(run, np.array([[1.0, 2.0, 3.0]]))
