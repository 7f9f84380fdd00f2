"""The Chinese edition's (d2l 2.0.0) ``#@save`` helpers of chapters 2–4: the function-style
training loop ``train_ch3`` and what it is made of.

Same names and signatures as ``d2l.torch`` 2.0.0. Where users of the book asked for it,
behaviour is kinder: ``train_ch3`` warns instead of asserting (and ``train_ch3_history``
returns the figures it drew),
``load_data_fashion_mnist`` reads the bundled data (no network).

Example:
    >>> from gradkit import d2l
    >>> features, labels = d2l.synthetic_data(gradkit.tensor([2, -3.4]), 4.2, 1000)
    >>> features.shape, labels.shape
    (gradkit.Size([1000, 2]), gradkit.Size([1000, 1]))
"""
from __future__ import annotations

import time
import warnings
from typing import Any, Callable, Iterable, Sequence

import numpy as np

import gradkit as torch

from .. import nn
from ..plot import Animator, show_images
from ..utils import data
from .aliases import argmax, astype, reduce_sum, reshape, size

__all__ = [
    "Timer", "synthetic_data", "linreg",
    "squared_loss", "sgd", "load_array", "get_fashion_mnist_labels",
    "get_dataloader_workers", "load_data_fashion_mnist", "accuracy", "evaluate_accuracy",
    "Accumulator", "train_epoch_ch3", "train_ch3", "train_ch3_history", "predict_ch3", "evaluate_loss",
    "FASHION_MNIST_LABELS",
]

#: The ten Fashion-MNIST classes, in label order.
FASHION_MNIST_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                        "sneaker", "bag", "ankle boot")


class Timer:
    """Record multiple running times.

    Example:
        >>> timer = d2l.Timer(); ...; f"{timer.stop():.5f} sec"
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start the timer."""
        self.tik = time.time()

    def stop(self) -> float:
        """Stop the timer and record the time in a list; returns it."""
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """The average time."""
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """The sum of the times."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """The accumulated times."""
        return np.array(self.times).cumsum().tolist()


# -- chapter 3.2/3.3: linear regression ---------------------------------------------------------
def synthetic_data(w: torch.Tensor, b: float, num_examples: int
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate y = Xw + b + noise (noise std 0.01).

    Returns:
        features ``(num_examples, len(w))`` and labels ``(num_examples, 1)``.

    Example:
        >>> X, y = d2l.synthetic_data(gradkit.tensor([2, -3.4]), 4.2, 1000)
    """
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model ``Xw + b``.

    Example:
        >>> d2l.linreg(gradkit.ones(3, 2), gradkit.ones(2, 1), gradkit.zeros(1)).shape
        gradkit.Size([3, 1])
    """
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared loss ``(y_hat - y)² / 2`` per example.

    Example:
        >>> d2l.squared_loss(gradkit.tensor([[1.0]]), gradkit.tensor([3.0]))
        tensor([[2.]])
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Sequence[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch stochastic gradient descent on ``params`` (gradients summed over the batch).

    Example:
        >>> d2l.sgd([w, b], lr=0.03, batch_size=10)
    """
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def load_array(data_arrays: Sequence[torch.Tensor], batch_size: int,
               is_train: bool = True) -> data.DataLoader:
    """A DataLoader over tensors (shuffled when ``is_train``).

    Example:
        >>> data_iter = d2l.load_array((features, labels), 10)
        >>> X, y = next(iter(data_iter))
    """
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


# -- chapter 3.5: the image classification data set --------------------------------------------
def get_fashion_mnist_labels(labels: Iterable[Any]) -> list[str]:
    """Text labels of Fashion-MNIST class indices.

    Example:
        >>> d2l.get_fashion_mnist_labels(gradkit.tensor([0, 9]))
        ['t-shirt', 'ankle boot']
    """
    return [FASHION_MNIST_LABELS[int(i)] for i in labels]


def get_dataloader_workers() -> int:
    """The book's number of data-loading workers (4).

    gradkit's ``DataLoader`` turns any positive number into one background thread that prepares
    batches ahead (its batches are array operations that release the GIL, so one is enough).

    Example:
        >>> data.DataLoader(dataset, 256, num_workers=d2l.get_dataloader_workers())
    """
    return 4


def load_data_fashion_mnist(batch_size: int, resize: Any = None, root: str = "../data"
                            ) -> tuple[data.DataLoader, data.DataLoader]:
    """Fashion-MNIST as (shuffled train, test) DataLoaders of ``(X, y)`` batches.

    ``X`` is float32 ``(batch, 1, 28, 28)`` in [0, 1] (or ``resize``-d), ``y`` int64. The data
    comes from ``root`` if the files are there, else from the copy bundled with gradkit (no
    network), and batches are built by array operations, not per image.

    Example:
        >>> train_iter, test_iter = d2l.load_data_fashion_mnist(32, resize=64)
        >>> X, y = next(iter(train_iter))
        >>> X.shape, X.dtype, y.shape, y.dtype
        (gradkit.Size([32, 1, 64, 64]), gradkit.float32, gradkit.Size([32]), gradkit.int64)
    """
    from ..vision import datasets, transforms

    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train = datasets.FashionMNIST(root=root, train=True, transform=trans)
    mnist_test = datasets.FashionMNIST(root=root, train=False, transform=trans)
    return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                            num_workers=get_dataloader_workers()),
            data.DataLoader(mnist_test, batch_size, shuffle=False,
                            num_workers=get_dataloader_workers()))


# -- chapter 3.6: softmax regression from scratch ----------------------------------------------
def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The number of correct predictions (a float, as the book's).

    Example:
        >>> d2l.accuracy(gradkit.tensor([[0.1, 0.9], [0.8, 0.2]]), gradkit.tensor([1, 1]))
        1.0
    """
    if isinstance(y_hat, torch.Tensor) and isinstance(y, torch.Tensor):
        # The book's argmax / type / == / sum, on the arrays: the same count without four
        # tensors and a graph-free op each, in a function every training batch calls.
        predicted, labels = y_hat.detach().numpy(), y.numpy()
        if predicted.ndim > 1 and predicted.shape[1] > 1:
            predicted = predicted.argmax(axis=1)
        with np.errstate(invalid="ignore"):  # a NaN prediction counts as wrong, silently
            return float(np.count_nonzero(predicted.astype(labels.dtype) == labels))
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = argmax(y_hat, axis=1)
    cmp = astype(y_hat, y.dtype) == y
    return float(reduce_sum(astype(cmp, y.dtype)))


class Accumulator:
    """Sums over ``n`` variables.

    Example:
        >>> metric = d2l.Accumulator(2); metric.add(3, 4); metric[0]
        3.0
    """

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args: Any) -> None:
        """Add one value to each variable (numbers or one-element tensors)."""
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self) -> None:
        """Set every variable back to 0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]


def evaluate_accuracy(net: Callable[[torch.Tensor], torch.Tensor],
                      data_iter: Iterable[Any]) -> float:
    """The accuracy of ``net`` on a dataset (in eval mode, without recording the graph).

    Example:
        >>> d2l.evaluate_accuracy(net, test_iter)
        0.8312
    """
    if isinstance(net, nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), size(y))
    return metric[0] / metric[1]


def _batch_loss_sum(l: torch.Tensor, batch_size: int) -> float:
    """The summed loss of a batch, whether ``loss`` reduced it to a mean or not: the book's
    ``float(l.sum())`` would report a mean-reduced loss ``batch_size`` times too small."""
    if l.numel() == 1 and batch_size > 1:
        return float(l) * batch_size
    return float(l.detach().numpy().sum()) if isinstance(l, torch.Tensor) else float(l.sum())


def train_epoch_ch3(net: Callable[[torch.Tensor], torch.Tensor], train_iter: Iterable[Any],
                    loss: Callable[..., torch.Tensor], updater: Any) -> tuple[float, float]:
    """Train for one epoch (chapter 3): returns (mean training loss, training accuracy).

    ``updater`` is an optimizer (then ``l.mean()`` is differentiated) or the scratch
    ``updater(batch_size)`` (then ``l.sum()``), as in the book.

    Example:
        >>> train_loss, train_acc = d2l.train_epoch_ch3(net, train_iter, loss, trainer)
    """
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)
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
        metric.add(_batch_loss_sum(l, y.numel()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net: Callable[[torch.Tensor], torch.Tensor], train_iter: Iterable[Any],
              test_iter: Iterable[Any], loss: Callable[..., torch.Tensor], num_epochs: int,
              updater: Any) -> None:
    """Train a model (chapter 3), drawing the curves with an ``Animator``.

    Returns None, as the book's (a notebook cell ending with this call shows only the
    figure); :func:`train_ch3_history` is the same training returning the per-epoch figures.
    The book's final checks (train loss < 0.5, accuracies in (0.7, 1]) become warnings that
    name the bound missed, so a finished run is never lost to an assertion.

    Example:
        >>> d2l.train_ch3(net, train_iter, test_iter, loss, 10, trainer)
    """
    history = _train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)
    _check_ch3_bounds(history)


def train_ch3_history(net: Callable[[torch.Tensor], torch.Tensor], train_iter: Iterable[Any],
                      test_iter: Iterable[Any], loss: Callable[..., torch.Tensor],
                      num_epochs: int, updater: Any) -> list[dict[str, float]]:
    """``train_ch3`` that returns what it drew (a gradkit addition).

    Returns:
        The per-epoch history: ``[{"epoch", "train_loss", "train_acc", "test_acc"}, ...]``.

    Example:
        >>> history = d2l.train_ch3_history(net, train_iter, test_iter, loss, 10, trainer)
        >>> history[-1]["test_acc"]
        0.8312
    """
    history = _train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)
    _check_ch3_bounds(history)
    return history


def _train_ch3(net: Callable[[torch.Tensor], torch.Tensor], train_iter: Iterable[Any],
               test_iter: Iterable[Any], loss: Callable[..., torch.Tensor], num_epochs: int,
               updater: Any) -> list[dict[str, float]]:
    # xlim [1, 1] for a one-epoch run would make matplotlib warn about a singular axis.
    animator = Animator(xlabel="epoch", xlim=[1, max(num_epochs, 2)], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    history = []
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, train_metrics + (test_acc,))
        history.append({"epoch": epoch + 1, "train_loss": train_metrics[0],
                        "train_acc": train_metrics[1], "test_acc": test_acc})
    animator.flush()  # the last epoch's point is on screen / on disk when training returns
    return history


def _check_ch3_bounds(history: list[dict[str, float]]) -> None:
    """Warn (at the caller of the public function) for each of the book's bounds missed."""
    if not history:
        return
    last = history[-1]
    checks = [("train loss", last["train_loss"], last["train_loss"] < 0.5, "< 0.5"),
              ("train accuracy", last["train_acc"], 0.7 < last["train_acc"] <= 1, "in (0.7, 1]"),
              ("test accuracy", last["test_acc"], 0.7 < last["test_acc"] <= 1, "in (0.7, 1]")]
    for name, value, ok, bound in checks:
        if not ok:
            warnings.warn(f"train_ch3: final {name} {value:.4f} is not {bound} (the book "
                          "expects it; try more epochs or another learning rate)",
                          RuntimeWarning, stacklevel=3)


def predict_ch3(net: Callable[[torch.Tensor], torch.Tensor], test_iter: Iterable[Any],
                n: int = 6) -> None:
    """Show ``n`` test images with their true and predicted labels (returns None, as the
    book's: a notebook cell ending with this call shows only the figure).

    Example:
        >>> d2l.predict_ch3(net, test_iter)
    """
    for X, y in test_iter:
        break
    trues = get_fashion_mnist_labels(y)
    preds = get_fashion_mnist_labels(argmax(net(X), axis=1))
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    show_images(reshape(X[0:n], (n, 28, 28)), 1, n, titles=titles[0:n])


# -- chapter 4.4: model selection --------------------------------------------------------------
def evaluate_loss(net: Callable[[torch.Tensor], torch.Tensor], data_iter: Iterable[Any],
                  loss: Callable[..., torch.Tensor]) -> float:
    """The mean loss of ``net`` on a dataset.

    Example:
        >>> d2l.evaluate_loss(net, test_iter, nn.MSELoss(reduction="none"))
    """
    metric = Accumulator(2)
    for X, y in data_iter:
        out = net(X)
        y = reshape(y, out.shape)
        l = loss(out, y)
        metric.add(reduce_sum(l), size(l))
    return metric[0] / metric[1]
