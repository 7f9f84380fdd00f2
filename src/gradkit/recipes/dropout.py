"""Dropout, concise (D2L 4.6): a two-hidden-layer MLP with dropout 0.2 and 0.5 after the
hidden layers, on Fashion-MNIST."""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from .base import Config, Experiment, concise_classifier
from .data import load_fashion_mnist

NAME = "dropout"
SECTION = "4.6"
SUMMARY = "MLP 784-256-256-10 with dropout 0.2/0.5 on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.5, "batch_size": 256}
DROPOUT1, DROPOUT2 = 0.2, 0.5


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    net = nn.Sequential(nn.Flatten(),
                        nn.Linear(784, 256), nn.ReLU(),
                        nn.Dropout(DROPOUT1),  # dropout after the first hidden layer
                        nn.Linear(256, 256), nn.ReLU(),
                        nn.Dropout(DROPOUT2),  # and after the second
                        nn.Linear(256, 10))
    return concise_classifier(net, config, train_iter, test_iter, d2l.FASHION_MNIST_LABELS)
