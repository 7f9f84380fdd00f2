"""Deep and wide graphs: a chain of 100,000 ops goes backward and is freed without recursion."""
from __future__ import annotations

import gc
import sys
import weakref

import numpy as np

import gradkit
from oracle import check

DEPTH = 100_000


def _chain(x: gradkit.Tensor, depth: int = DEPTH) -> gradkit.Tensor:
    y = x
    for _ in range(depth):
        y = y * 1.00001
    return y


def test_backward_through_a_chain_of_100000_ops():
    limit = sys.getrecursionlimit()
    x = gradkit.tensor([1.0, 2.0], dtype=gradkit.float64, requires_grad=True)
    y = _chain(x)
    y.sum().backward()
    expected = 1.00001 ** DEPTH
    np.testing.assert_allclose(x.grad.numpy(), [expected, expected], rtol=1e-9)
    assert sys.getrecursionlimit() == limit  # no one raised the limit to get through
    del y
    gc.collect()


def test_a_deep_chain_is_freed_without_backward():
    x = gradkit.ones(2, requires_grad=True)
    y = _chain(x)
    node = weakref.ref(y.grad_fn)
    del y  # dropping the head must not recurse 100,000 levels deep
    gc.collect()
    assert node() is None


def test_a_deep_chain_is_freed_after_backward_with_retain_graph():
    x = gradkit.ones(2, requires_grad=True)
    y = _chain(x, 50_000).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 1.00001 ** 50_000, rtol=1e-3)
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_deep_chain_of_mixed_ops_and_autograd_grad():
    x = gradkit.tensor([0.5], dtype=gradkit.float64, requires_grad=True)
    y = x
    for i in range(30_000):
        y = (y + 0.001).sin() if i % 2 else y * 1.0001
    (g,) = gradkit.autograd.grad(y.sum(), x)
    assert np.isfinite(g.item()) and g.item() != 0.0
    assert x.grad is None


def test_a_wide_graph():
    def fn(t, a):
        total = a[0] * 0
        for i in range(2_000):
            total = total + a[i % 5] * (i % 7)
        return total
    check(fn, np.arange(5, dtype=np.float32) / 5)
