"""A multilayer perceptron, concise (D2L 4.3): ``Flatten``, ``Linear(784, 256)``, ``ReLU``,
``Linear(256, 10)``."""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from .base import Config, Experiment, concise_classifier
from .data import load_fashion_mnist

NAME = "mlp-concise"
SECTION = "4.3"
SUMMARY = "MLP with nn.Sequential (784-256-10, ReLU) on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def mlp() -> nn.Sequential:
    """784-256-10 with a ReLU hidden layer."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    return concise_classifier(mlp(), config, train_iter, test_iter, d2l.FASHION_MNIST_LABELS)
