"""Softmax regression, concise (D2L 3.7): ``Flatten`` + ``Linear(784, 10)``, the stable
``CrossEntropyLoss`` and ``optim.SGD``, on Fashion-MNIST."""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from .base import Config, Experiment, concise_classifier
from .data import load_fashion_mnist

NAME = "softmax-concise"
SECTION = "3.7"
SUMMARY = "softmax regression with nn.Linear and CrossEntropyLoss on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    return concise_classifier(net, config, train_iter, test_iter, d2l.FASHION_MNIST_LABELS)
