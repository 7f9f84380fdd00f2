"""The book's own ``d2l.torch`` (0.17) code, run on torch: the reference that gradkit's helpers
are compared with; and the environment of child processes that import this checkout."""
from __future__ import annotations

import os

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                   "src")


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a child Python that imports gradkit from this checkout, with no
    ``MPLBACKEND`` (so gradkit, not the environment, picks the backend)."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


# -- the book's reference code (d2l.torch 0.17), for torch ------------------------------------
class BookAccumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def book_accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def book_squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def book_sgd(torch, params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def book_evaluate_accuracy(torch, net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = BookAccumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(book_accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def book_train_epoch_ch3(torch, net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = BookAccumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), book_accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]
