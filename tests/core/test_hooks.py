"""Tensor hooks as in PyTorch: ``register_hook`` on leaves and non-leaves, replacement gradients,
order, removal handles, the interplay with ``retain_grad``, post-accumulate hooks, and the
hooks' gradients under ``create_graph``."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from oracle import check, check_same_error, import_torch
from gradkit.utils.hooks import RemovableHandle


def test_leaf_hook_sees_and_replaces_the_gradient():
    def run(t, x):
        seen = []

        def hook(g):
            seen.append(g.clone())
            return g * 2

        x.register_hook(hook)
        (x * x).sum().backward()
        return x.grad, seen[0]
    check(run, np.array([1.0, -2.0, 3.0]), grad=False)


def test_hooks_run_in_registration_order_and_chain():
    def run(t, x):
        order = []
        x.register_hook(lambda g: order.append("first") or g + 1)
        x.register_hook(lambda g: order.append("second") or g * 10)
        (x * 3).sum().backward()
        assert order == ["first", "second"]
        return x.grad
    check(run, np.array([1.0, 2.0]), grad=False)


def test_non_leaf_hook_changes_what_flows_upstream_and_what_retain_grad_keeps():
    def run(t, x):
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        (y * y).sum().backward()
        return x.grad, y.grad
    check(run, np.array([1.0, 2.0]), grad=False)


def test_removed_hook_no_longer_runs():
    def run(t, x):
        handle = x.register_hook(lambda g: g * 100)
        handle.remove()
        handle.remove()  # harmless
        (x * 2).sum().backward()
        return x.grad
    check(run, np.array([1.0, 2.0]), grad=False)
    x = gradkit.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g)
    assert isinstance(handle, RemovableHandle)
    with x.register_hook(lambda g: g * 5):
        (x * 1).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    (x * 1).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_hook_returning_none_keeps_the_gradient():
    def run(t, x):
        x.register_hook(lambda g: None)
        (x * x).sum().backward()
        return x.grad
    check(run, np.array([1.0, 2.0]), grad=False)


def test_hooks_apply_to_autograd_grad_too():
    def run(t, x):
        x.register_hook(lambda g: g * 2)
        return t.autograd.grad((x * x).sum(), x)[0]
    check(run, np.array([1.0, 2.0]), grad=False)


def test_register_hook_needs_requires_grad():
    check_same_error(lambda t: t.ones(2).register_hook(lambda g: g))


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    def run(t, x):
        seen = []
        x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        return seen[0], seen[1]
    check(run, np.array([1.0, 2.0]), grad=False)
    check_same_error(lambda t: (t.ones(2, requires_grad=True) * 2)
                     .register_post_accumulate_grad_hook(lambda p: None))


def test_a_hook_cannot_alias_grad_to_a_tensor_the_user_keeps():
    x = gradkit.ones(2, requires_grad=True)
    kept = gradkit.full((2,), 7.0)
    x.register_hook(lambda g: kept)
    (x * 1).sum().backward()
    (x * 1).sum().backward()
    assert kept.tolist() == [7.0, 7.0] and x.grad.tolist() == [14.0, 14.0]


def test_hook_returning_a_wrong_shape_raises():
    x = gradkit.ones(2, requires_grad=True)
    x.register_hook(lambda g: gradkit.ones(3))
    with pytest.raises(RuntimeError, match="hook"):
        (x * 1).sum().backward()


def test_hooks_under_create_graph_are_differentiable():
    def run(t, x):
        x.register_hook(lambda g: g * g)
        (g,) = t.autograd.grad((x ** 3).sum(), x, create_graph=True)
        return t.autograd.grad(g.sum(), x)[0]
    check(run, np.array([1.0, 2.0]), grad=False)
