"""The recipes' training, gradkit vs PyTorch side by side in one run (issue 5).

Three workloads, each run with the same data, the same initial weights, the same batch order
and the same hyperparameters in both libraries:

  * ``softmax-concise`` (D2L 3.7): 2 epochs of training (no evaluation), batch 256, lr 0.1:
    ``Flatten + Linear(784, 10)``, ``CrossEntropyLoss(reduction='none')``, ``optim.SGD``;
    goal: gradkit ≤ 0.5 × PyTorch;
  * ``mlp-concise`` (D2L 4.3): the same with ``Linear(784, 256), ReLU, Linear(256, 10)``;
    goal: ≤ 1.0 × PyTorch;
  * ``linreg-scratch`` (D2L 3.2): 300 steps of batch 10 (3 epochs of 1000 examples), lr 0.03,
    the book's ``data_iter``/``linreg``/``squared_loss``/``sgd``: pure per-op overhead;
    goal: ≤ 1/3 × PyTorch.

The training loop is the book's ``train_epoch_ch3`` (with its per-batch loss and accuracy
bookkeeping): gradkit runs ``gradkit.d2l.train_epoch_ch3`` itself, PyTorch the book's code.
Fashion-MNIST is read once from the IDX files bundled with gradkit and held in memory as float32
tensors (60000, 1, 28, 28) in both libraries; each epoch's batches are fancy-indexed from them
by one fixed permutation, shared by both. Repeats alternate between the libraries (a busy phase
of a shared machine then slows both alike); the median of each is reported, with the best.

Run:
    python benchmarks/bench_recipes.py [--repeats 5] [--threads N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable, Iterator

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import gradkit  # noqa: E402
from gradkit import d2l  # noqa: E402

BATCH, LR, EPOCHS = 256, 0.1, 2
LINREG_BATCH, LINREG_LR, LINREG_EPOCHS = 10, 0.03, 3


# -- the data, the same for both libraries -------------------------------------------------------
def fashion_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The bundled training split as float32 (60000, 1, 28, 28) in [0, 1] and int64 labels."""
    from gradkit.vision.datasets import FashionMNIST

    train = FashionMNIST(root=None, train=True)
    images = train.data.numpy().astype(np.float32)[:, None] / np.float32(255)
    return np.ascontiguousarray(images), train.targets.numpy().astype(np.int64)


def permutations(n: int, epochs: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


def batches(lib: Any, X: Any, y: Any, order: np.ndarray, batch_size: int) -> Iterator[Any]:
    """Batches by index, as a DataLoader over a TensorDataset makes them (one fancy-index per
    tensor); the index tensors are made up front, outside the timing."""
    for i in range(0, len(order), batch_size):
        index = lib.from_numpy(order[i:i + batch_size])
        yield X[index], y[index]


# -- the book's reference code, for PyTorch ------------------------------------------------------
def book_accuracy(y_hat: Any, y: Any) -> float:
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def book_train_epoch_ch3(torch: Any, net: Any, train_iter: Any, loss: Any, updater: Any
                         ) -> tuple[float, float]:
    net.train()
    metric = [0.0, 0.0, 0.0]
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741 - the book's name
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        metric[0] += float(l.sum().detach())
        metric[1] += book_accuracy(y_hat, y)
        metric[2] += y.numel()
    return metric[0] / metric[2], metric[1] / metric[2]


# -- the workloads -------------------------------------------------------------------------------
def classifier(lib: Any, hidden: int | None, state: dict[str, np.ndarray]) -> Any:
    nn = lib.nn
    layers = [nn.Flatten(), nn.Linear(784, hidden or 10)]
    if hidden:
        layers += [nn.ReLU(), nn.Linear(hidden, 10)]
    net = nn.Sequential(*layers)
    net.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return net


def classifier_state(hidden: int | None) -> dict[str, np.ndarray]:
    """The book's init: weights ~ N(0, 0.01²); biases as PyTorch's default (fixed here)."""
    rng = np.random.default_rng(1)
    shapes = [(hidden or 10, 784)] + ([(10, hidden)] if hidden else [])
    state = {}
    for i, (out, inp) in enumerate(shapes):
        key = "1" if i == 0 else "3"
        state[f"{key}.weight"] = (rng.standard_normal((out, inp)) * 0.01).astype(np.float32)
        bound = 1 / np.sqrt(inp)
        state[f"{key}.bias"] = rng.uniform(-bound, bound, out).astype(np.float32)
    return state


def train_classifier(lib: Any, hidden: int | None, data: tuple[np.ndarray, np.ndarray],
                     orders: list[np.ndarray]) -> Callable[[], tuple[float, Any]]:
    """A closure that trains a fresh model for len(orders) epochs; returns (seconds, result)."""
    X, y = lib.from_numpy(data[0]), lib.from_numpy(data[1])
    state = classifier_state(hidden)

    def go() -> tuple[float, Any]:
        net = classifier(lib, hidden, state)
        loss = lib.nn.CrossEntropyLoss(reduction="none")
        trainer = lib.optim.SGD(net.parameters(), lr=LR)
        start = time.perf_counter()
        for order in orders:
            if lib is gradkit:
                result = d2l.train_epoch_ch3(net, batches(lib, X, y, order, BATCH), loss,
                                             trainer)
            else:
                result = book_train_epoch_ch3(lib, net, batches(lib, X, y, order, BATCH), loss,
                                              trainer)
        return time.perf_counter() - start, result
    return go


def linreg_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[int]]]:
    """D2L 3.2's synthetic data: features (1000, 2), labels (1000, 1), the initial w (2, 1)
    and one example order per epoch, the same for every library."""
    rng = np.random.default_rng(2)
    features = rng.standard_normal((1000, 2)).astype(np.float32)
    labels = (features @ np.array([2, -3.4], np.float32) + np.float32(4.2)
              + rng.normal(0, 0.01, 1000).astype(np.float32)).reshape(-1, 1)
    w0 = (rng.standard_normal((2, 1)) * 0.01).astype(np.float32)
    orders = [rng.permutation(1000).tolist() for _ in range(LINREG_EPOCHS)]
    return features, labels, w0, orders


def train_linreg(lib: Any) -> Callable[[], tuple[float, Any]]:
    """D2L 3.2 from scratch: 3 epochs x 100 minibatches of 10, the book's code."""
    features, labels, w0, orders = linreg_problem()
    features, labels = lib.from_numpy(features), lib.from_numpy(labels)

    def linreg(X: Any, w: Any, b: Any) -> Any:
        return lib.matmul(X, w) + b

    def squared_loss(y_hat: Any, y: Any) -> Any:
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params: Any, lr: float, batch_size: int) -> None:
        with lib.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    if lib is gradkit:  # gradkit runs its own d2l helpers
        linreg, squared_loss, sgd = d2l.linreg, d2l.squared_loss, d2l.sgd  # noqa: F811

    def data_iter(indices: list[int]) -> Iterator[Any]:
        for i in range(0, len(indices), LINREG_BATCH):
            batch_indices = lib.tensor(indices[i: i + LINREG_BATCH])
            yield features[batch_indices], labels[batch_indices]

    def go() -> tuple[float, Any]:
        w = lib.tensor(w0.copy(), requires_grad=True)
        b = lib.zeros(1, requires_grad=True)
        start = time.perf_counter()
        for indices in orders:
            for X, y in data_iter(indices):
                l = squared_loss(linreg(X, w, b), y)  # noqa: E741
                l.sum().backward()
                sgd([w, b], LINREG_LR, LINREG_BATCH)
        seconds = time.perf_counter() - start
        with lib.no_grad():
            final = float(squared_loss(linreg(features, w, b), labels).mean())
        return seconds, final
    return go


def measure(runs: list[Callable[[], tuple[float, Any]]], repeats: int
            ) -> list[tuple[float, float, Any]]:
    """(median, best, result) per run; one warm-up each, then alternating repeats."""
    results = [run()[1] for run in runs]
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for i, run in enumerate(runs):
            samples[i].append(run()[0])
    return [(statistics.median(s), min(s), r) for s, r in zip(samples, results)]


def describe(result: Any) -> str:
    if isinstance(result, tuple):
        return f"train loss {result[0]:.4f}, acc {result[1]:.4f}"
    return f"loss {result:.2e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: PyTorch's own choice)")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    data = fashion_mnist()
    orders = permutations(len(data[0]), EPOCHS)
    import numpy_floor

    workloads = [
        ("softmax-concise, 2 epochs", 0.5,
         [train_classifier(lib, None, data, orders) for lib in (gradkit, torch)]
         + [numpy_floor.train_classifier(None, data, orders)]),
        ("mlp-concise, 2 epochs", 1.0,
         [train_classifier(lib, 256, data, orders) for lib in (gradkit, torch)]
         + [numpy_floor.train_classifier(256, data, orders)]),
        ("linreg-scratch, 300 steps", 1 / 3, [train_linreg(lib) for lib in (gradkit, torch)]
         + [numpy_floor.train_linreg()]),
    ]
    print(f"gradkit {gradkit.__version__} (NumPy {np.__version__}) vs PyTorch {torch.__version__}"
          f" ({torch.get_num_threads()} threads), {os.cpu_count()} CPUs, "
          f"median of {args.repeats} (best in brackets)")
    print("NumPy: the same training in plain NumPy by hand (benchmarks/numpy_floor.py), the floor "
          "for an engine on NumPy; floor = NumPy / PyTorch")
    print(f"{'workload':<28}{'gradkit':>18}{'PyTorch':>18}{'NumPy':>18}{'ratio':>8}{'floor':>7}"
          f"{'goal':>8}")
    for name, goal, runs in workloads:
        (g_med, g_best, g_res), (t_med, t_best, t_res), (n_med, n_best, n_res) = \
            measure(runs, args.repeats)
        ratio = g_med / t_med
        print(f"{name:<28}{g_med:>9.3f}s [{g_best:.3f}]{t_med:>9.3f}s [{t_best:.3f}]"
              f"{n_med:>9.3f}s [{n_best:.3f}]{ratio:>8.2f}{n_med / t_med:>7.2f}"
              f"{'≤ ' + format(goal, '.2f'):>8}  {'met' if ratio <= goal else 'MISSED'}")
        print(f"{'':<28}gradkit {describe(g_res)}; PyTorch {describe(t_res)}; "
              f"NumPy {describe(n_res)}")

if __name__ == "__main__":
    main()
