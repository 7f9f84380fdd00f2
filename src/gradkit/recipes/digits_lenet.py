"""Handwritten digits with LeNet: the zh 6.6 network and training (``lenet``) on MNIST."""
from __future__ import annotations

from .base import Config, Experiment
from .data import load_mnist
from .digits import LABELS
from .lenet import ch6_experiment, lenet

NAME = "digits-lenet"
SECTION = "6.6 on MNIST"
SUMMARY = "LeNet-5 (sigmoid, average pooling) on MNIST handwritten digits"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.9, "batch_size": 256}


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_mnist(config.batch_size, config.data_dir)
    return ch6_experiment(lenet(), config, train_iter, test_iter, LABELS)
