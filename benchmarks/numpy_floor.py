"""The benchmarks' workloads written in plain NumPy by hand: the floor for a NumPy-based system.

Each function here trains the same model on the same data, from the same initial weights, in
the same batch order as ``bench_recipes.py``'s gradkit and PyTorch runs, with the gradients
derived by hand (no graph, no tensors, no dispatch): what any framework built on NumPy pays at
the least, in NumPy's own calls and its BLAS (OpenBLAS in the wheels). The benchmarks print its
time beside gradkit's and PyTorch's, so a goal stated as a ratio to PyTorch can be read against
what NumPy itself can do on the machine: a ratio below ``floor / PyTorch`` is out of reach for
any engine that runs NumPy's kernels, however lean its Python.

The results (loss, accuracy) must agree with the libraries' to float32 rounding: a check that
the floor computes the same training, not a cheaper one.

Example:
    >>> from bench_recipes import fashion_mnist, permutations
    >>> data = fashion_mnist()
    >>> seconds, (loss, acc) = train_classifier(None, data, permutations(60000, 2))()
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

import bench_recipes


def train_classifier(hidden: int | None, data: tuple[np.ndarray, np.ndarray],
                     orders: list[np.ndarray]) -> Callable[[], tuple[float, Any]]:
    """``bench_recipes.train_classifier`` by hand: softmax regression (``hidden=None``) or the
    784-hidden-10 ReLU MLP, cross-entropy, SGD, with the book's per-batch loss and accuracy
    bookkeeping; the closure returns (seconds, (train loss, train accuracy)) of the last epoch.
    """
    images, labels = data
    flat = images.reshape(len(images), -1)
    state = bench_recipes.classifier_state(hidden)
    lr = np.float32(bench_recipes.LR)

    def go() -> tuple[float, Any]:
        params = {k: v.copy() for k, v in state.items()}
        layers = [("1.weight", "1.bias")] + ([("3.weight", "3.bias")] if hidden else [])
        start = time.perf_counter()
        for order in orders:
            loss_sum = correct = count = 0.0
            for i in range(0, len(order), bench_recipes.BATCH):
                index = order[i:i + bench_recipes.BATCH]
                x, y = flat[index], labels[index]
                n, rows = len(index), np.arange(len(index))
                # forward: z1 = x W1ᵀ + b1 (, h = relu(z1), z = h W2ᵀ + b2)
                w1, b1 = (params[k] for k in layers[0])
                z = x @ w1.T
                z += b1
                if hidden:
                    h = np.maximum(z, 0)
                    w2, b2 = (params[k] for k in layers[1])
                    z = h @ w2.T
                    z += b2
                # cross-entropy with the log-sum-exp shift; its gradient is (p − onehot) / n
                shifted = z - z.max(axis=1, keepdims=True)
                e = np.exp(shifted)
                total = e.sum(axis=1, keepdims=True)
                losses = np.log(total[:, 0]) - shifted[rows, y]
                g = e / total
                g[rows, y] -= 1
                g /= n
                # backward and the SGD step
                if hidden:
                    grad_w2, grad_b2 = g.T @ h, g.sum(axis=0)
                    g = g @ w2
                    g *= h > 0  # ReLU's derivative, read from its output
                    w2 -= lr * grad_w2
                    b2 -= lr * grad_b2
                grad_w1, grad_b1 = g.T @ x, g.sum(axis=0)
                w1 -= lr * grad_w1
                b1 -= lr * grad_b1
                loss_sum += float(losses.sum())
                correct += float((z.argmax(axis=1) == y).sum())
                count += n
        return time.perf_counter() - start, (loss_sum / count, correct / count)
    return go


def train_linreg() -> Callable[[], tuple[float, Any]]:
    """``bench_recipes.train_linreg`` by hand: 300 minibatch steps of D2L 3.2's
    ``linreg``/``squared_loss``/``sgd``; the closure returns (seconds, final mean loss)."""
    features, labels, w0, orders = bench_recipes.linreg_problem()
    batch, lr = bench_recipes.LINREG_BATCH, np.float32(bench_recipes.LINREG_LR)

    def go() -> tuple[float, Any]:
        w, b = w0.copy(), np.zeros(1, np.float32)
        start = time.perf_counter()
        for indices in orders:
            for i in range(0, len(indices), batch):
                index = np.array(indices[i:i + batch])
                x, y = features[index], labels[index]
                err = x @ w + b - y  # d(Σ (ŷ − y)² / 2)/dŷ
                w -= lr * (x.T @ err) / batch
                b -= lr * err.sum(axis=0) / batch
        seconds = time.perf_counter() - start
        final = float((((features @ w + b) - labels) ** 2 / 2).mean())
        return seconds, final
    return go
