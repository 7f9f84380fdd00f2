"""The leanest reverse-mode autograd on NumPy we could write, to price Python's own cost per op.

Not part of gradkit: a benchmark reference. It keeps only what the scratch linear regression
(D2L 3.2) needs, with the fewest Python objects per op: a ``__slots__`` tensor holding its array,
its gradient and one backward closure; no dtype rules, no version counters, no hooks, no
error checks, no broadcasting beyond summing a gradient back to its shape. Whatever a full
engine does per op (PyTorch's API, its checks and errors) costs at least this much, so its
time / PyTorch's bounds from below what any Python engine on NumPy can reach on per-op-bound
workloads.

Example:
    >>> w = Tensor(np.ones((2, 1), np.float32), requires_grad=True)
    >>> x = Tensor(np.ones((3, 2), np.float32))
    >>> ((x @ w) ** 2).sum().backward(); w.grad.ravel().tolist()
    [12.0, 12.0]
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

import numpy as np

import bench_recipes


class Tensor:
    """An array, its gradient, and how to send a gradient to its inputs."""

    __slots__ = ("data", "grad", "requires_grad", "parents", "back")

    def __init__(self, data: np.ndarray, requires_grad: bool = False,
                 parents: tuple = (), back: Optional[Callable] = None) -> None:
        self.data, self.grad, self.requires_grad = data, None, requires_grad
        self.parents, self.back = parents, back

    def _make(self, data: np.ndarray, others: tuple, back: Callable) -> "Tensor":
        parents = (self, *others)
        if any(t.requires_grad for t in parents):
            return Tensor(data, True, parents, back)
        return Tensor(data)

    def __matmul__(self, other: "Tensor") -> "Tensor":
        a, b = self.data, other.data
        return self._make(a @ b, (other,), lambda g: (g @ b.T, a.T @ g))

    def __add__(self, other: "Tensor") -> "Tensor":
        return self._make(self.data + other.data, (other,), lambda g: (g, g))

    def __sub__(self, other: "Tensor") -> "Tensor":
        return self._make(self.data - other.data, (other,), lambda g: (g, -g))

    def __pow__(self, p: float) -> "Tensor":
        a = self.data
        return self._make(a ** p, (), lambda g: (g * p * a ** (p - 1),))

    def __truediv__(self, c: float) -> "Tensor":
        return self._make(self.data / c, (), lambda g: (g / c,))

    def __getitem__(self, index: "Tensor") -> "Tensor":
        return Tensor(self.data[index.data])  # the data never needs a gradient here

    def reshape(self, shape: tuple) -> "Tensor":
        old = self.data.shape
        return self._make(self.data.reshape(shape), (), lambda g: (g.reshape(old),))

    def sum(self) -> "Tensor":
        shape = self.data.shape
        return self._make(self.data.sum(), (), lambda g: (np.broadcast_to(g, shape),))

    def backward(self) -> None:
        """Gradients of this scalar into every leaf that requires one."""
        order, seen = [], set()

        def visit(t: "Tensor") -> None:  # post-order: inputs before the ops that use them
            if id(t) not in seen:
                seen.add(id(t))
                for p in t.parents:
                    if p.requires_grad:
                        visit(p)
                order.append(t)
        visit(self)
        grads = {id(self): np.ones_like(self.data)}
        for t in reversed(order):
            g = grads.pop(id(t))
            if t.back is None:  # a leaf: accumulate into .grad
                t.grad = g if t.grad is None else t.grad + g
                continue
            for p, pg in zip(t.parents, t.back(g)):
                if p.requires_grad:
                    pg = _unbroadcast(pg, p.data.shape)
                    grads[id(p)] = grads[id(p)] + pg if id(p) in grads else pg


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape``."""
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def train_linreg() -> Callable[[], tuple[float, Any]]:
    """``bench_recipes.train_linreg`` on this engine: the book's ``data_iter``, ``linreg``,
    ``squared_loss`` and ``sgd`` unchanged but for the tensor type; (seconds, final loss)."""
    features, labels, w0, orders = bench_recipes.linreg_problem()
    features, labels = Tensor(features), Tensor(labels)
    batch, lr = bench_recipes.LINREG_BATCH, bench_recipes.LINREG_LR

    def go() -> tuple[float, Any]:
        w = Tensor(w0.copy(), requires_grad=True)
        b = Tensor(np.zeros(1, np.float32), requires_grad=True)
        start = time.perf_counter()
        for indices in orders:
            for i in range(0, len(indices), batch):
                index = Tensor(np.array(indices[i:i + batch]))
                X, y = features[index], labels[index]
                y_hat = X @ w + b
                l = (y_hat - y.reshape(y_hat.data.shape)) ** 2 / 2  # noqa: E741
                l.sum().backward()
                for param in (w, b):  # sgd, in place, as under no_grad
                    param.data -= lr * param.grad / batch
                    param.grad = None  # (cheaper than the book's zero_: no buffer kept)
        seconds = time.perf_counter() - start
        final = float((((features.data @ w.data + b.data) - labels.data) ** 2 / 2).mean())
        return seconds, final
    return go
