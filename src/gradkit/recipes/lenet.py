"""LeNet, Chinese edition (D2L zh 6.6): sigmoid convolutions and average pooling in an
``nn.Sequential``, trained as ``d2l.train_ch6`` does it: Xavier-uniform weights
(``d2l.init_cnn``), ``CrossEntropyLoss`` and ``optim.SGD`` at lr 0.9."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from gradkit import nn, optim

from .. import d2l
from .base import Config, Experiment, module_parameters
from .data import load_fashion_mnist

NAME = "lenet"
SECTION = "6.6"
SUMMARY = "LeNet-5 (sigmoid, average pooling) as train_ch6 trains it, on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.9, "batch_size": 256}


def lenet() -> nn.Sequential:
    """The book's LeNet. Shapes: X (N, 1, 28, 28) -> (N, 10)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def ch6_experiment(net: Any, config: Config, train_iter: Iterable[Any],
                   test_iter: Iterable[Any], labels: Sequence[str]) -> list[Experiment]:
    """``train_ch6``'s setup around ``net``. The runner's epoch (``train_epoch_ch3`` with an
    optimizer: ``loss(...).mean().backward()``, ``step()``) is ``train_ch6``'s step exactly."""
    net.apply(d2l.init_cnn)
    return [Experiment(name="", net=net, loss=nn.CrossEntropyLoss(reduction="none"),
                       updater=optim.SGD(net.parameters(), lr=config.lr), train_iter=train_iter,
                       test_iter=test_iter, parameters=module_parameters(net),
                       task="classification", labels=labels)]


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    return ch6_experiment(lenet(), config, train_iter, test_iter, d2l.FASHION_MNIST_LABELS)
