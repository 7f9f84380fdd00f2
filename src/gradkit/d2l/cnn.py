"""The convolution chapters' toolkit (zh 2.0.0 chapter 6, English 1.0.3 chapter 7):
``corr2d`` (the same in both editions), the zh ``evaluate_accuracy_gpu`` and ``train_ch6``, and
the English ``LeNet`` (a ``d2l.Classifier``).

Same names and signatures as both ``d2l/torch.py``. Kinder than the book: ``train_ch6`` draws
every batch when an epoch has fewer than 5 batches (the book's ``num_batches // 5`` would divide
by zero), and :func:`train_ch6_history` is the same training returning its figures.

Example:
    >>> X = gradkit.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    >>> d2l.corr2d(X, gradkit.tensor([[0.0, 1.0], [2.0, 3.0]]))
    tensor([[19., 25.],
            [37., 43.]])
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import gradkit as torch

from .. import nn
from ..plot import Animator
from .aliases import size
from .models import init_cnn
from .module import Classifier
from .zh_training import Accumulator, Timer, accuracy

__all__ = ["corr2d", "evaluate_accuracy_gpu", "train_ch6", "train_ch6_history", "LeNet"]


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (h, w) with the kernel ``K`` (kh, kw), no padding.

    Differentiable in both arguments (the book learns ``K`` through it). Returns a tensor of
    the default dtype (the book writes into ``torch.zeros``), shape (h - kh + 1, w - kw + 1).

    Example:
        >>> d2l.corr2d(gradkit.ones(6, 8), gradkit.tensor([[1.0, -1.0]])).shape
        gradkit.Size([6, 7])
    """
    if X.dim() != 2 or K.dim() != 2:
        raise RuntimeError(f"corr2d: expected a 2-D input and a 2-D kernel, got shapes "
                           f"{tuple(X.shape)} and {tuple(K.shape)}")
    h, w = K.shape
    out_h, out_w = X.shape[0] - h + 1, X.shape[1] - w + 1
    if out_h < 1 or out_w < 1:
        raise RuntimeError(f"corr2d: kernel size {tuple(K.shape)} can't be greater than the "
                           f"input size {tuple(X.shape)}")
    # One window product per output element, as the book's loop: readable, and the autograd
    # graph is the book's too. The chapters' inputs are tiny; nn.Conv2d is the fast path.
    rows = [torch.stack([(X[i:i + h, j:j + w] * K).sum() for j in range(out_w)])
            for i in range(out_h)]
    return torch.stack(rows).to(torch.get_default_dtype())


def evaluate_accuracy_gpu(net: Callable[[torch.Tensor], torch.Tensor], data_iter: Iterable[Any],
                          device: Any = None) -> float:
    """The accuracy of ``net`` on a dataset, moving each batch to ``device`` (by default the
    device of the net's first parameter). A Module is put in eval mode.

    Example:
        >>> d2l.evaluate_accuracy_gpu(net, test_iter)
        0.7791
    """
    if isinstance(net, nn.Module):
        net.eval()
        if not device:
            device = next(iter(net.parameters())).device
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            metric.add(accuracy(net(X), y), size(y))
    return metric[0] / metric[1]


def train_ch6(net: nn.Module, train_iter: Iterable[Any], test_iter: Iterable[Any],
              num_epochs: int, lr: float, device: Any) -> None:
    """Train a CNN (chapter 6): Xavier-uniform ``Linear``/``Conv2d`` weights, ``optim.SGD`` at
    ``lr``, ``CrossEntropyLoss``; draws train loss/acc five times an epoch and test acc once,
    then prints the final figures and the speed, as the book's.

    Returns None, as the book's; :func:`train_ch6_history` returns the per-epoch figures.

    Example:
        >>> d2l.train_ch6(net, train_iter, test_iter, 10, 0.9, d2l.try_gpu())
        training on cpu
        loss 0.469, train acc 0.823, test acc 0.779
        ...
    """
    _train_ch6(net, train_iter, test_iter, num_epochs, lr, device)


def train_ch6_history(net: nn.Module, train_iter: Iterable[Any], test_iter: Iterable[Any],
                      num_epochs: int, lr: float, device: Any) -> list[dict[str, float]]:
    """``train_ch6`` that returns what it drew (a gradkit addition).

    Returns:
        ``[{"epoch", "train_loss", "train_acc", "test_acc", "examples_per_sec"}, ...]``, one
        dict per epoch (``examples_per_sec`` over the epochs so far).

    Example:
        >>> history = d2l.train_ch6_history(net, train_iter, test_iter, 10, 0.9, d2l.cpu())
        >>> history[-1]["test_acc"]
        0.7791
    """
    return _train_ch6(net, train_iter, test_iter, num_epochs, lr, device)


def _train_ch6(net: nn.Module, train_iter: Iterable[Any], test_iter: Iterable[Any],
               num_epochs: int, lr: float, device: Any) -> list[dict[str, float]]:
    net.apply(init_cnn)
    print("training on", device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    # xlim [1, 1] for a one-epoch run would make matplotlib warn about a singular axis.
    animator = Animator(xlabel="epoch", xlim=[1, max(num_epochs, 2)],
                        legend=["train loss", "train acc", "test acc"])
    timer, num_batches = Timer(), len(train_iter)  # type: ignore[arg-type]
    every = max(num_batches // 5, 1)
    history: list[dict[str, float]] = []
    train_l = train_acc = test_acc = float("nan")
    metric = Accumulator(3)
    for epoch in range(num_epochs):
        metric = Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            timer.stop()
            train_l, train_acc = metric[0] / metric[2], metric[1] / metric[2]
            if (i + 1) % every == 0 or i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None))
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
        history.append({"epoch": epoch + 1, "train_loss": train_l, "train_acc": train_acc,
                        "test_acc": test_acc,
                        "examples_per_sec": metric[2] * (epoch + 1) / timer.sum()})
    animator.flush()  # the last points are on screen / on disk when training returns
    print(f"loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    if history:
        print(f"{history[-1]['examples_per_sec']:.1f} examples/sec on {str(device)}")
    return history


class LeNet(Classifier):
    """LeNet-5 (English edition 7.6): two sigmoid 5x5 convolutions with 2x2 average pooling,
    then three dense layers (120, 84, ``num_classes``), all lazy as the book's.

    Shapes: X (N, 1, 28, 28) -> (N, num_classes).

    Example:
        >>> model = d2l.LeNet()
        >>> model.layer_summary((1, 1, 28, 28))
        Conv2d output shape:	 gradkit.Size([1, 6, 28, 28])
        ...
    """

    def __init__(self, lr: float = 0.1, num_classes: int = 10) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(120), nn.Sigmoid(),
            nn.LazyLinear(84), nn.Sigmoid(),
            nn.LazyLinear(num_classes))
