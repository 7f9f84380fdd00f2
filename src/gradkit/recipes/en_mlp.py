"""Multilayer perceptron, concise, English edition (D2L 5.2): a ``d2l.Classifier`` of
``Flatten``, ``LazyLinear(256)``, ``ReLU``, ``LazyLinear(10)`` on ``d2l.FashionMNIST``, trained
by ``d2l.Trainer``."""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from . import toolkit
from .base import Config, Experiment

NAME = "en-mlp"
SECTION = "5.2 (en)"
SUMMARY = "MLP 784-256-10 as a d2l.Classifier + d2l.Trainer on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


class MLP(d2l.Classifier):
    """One hidden layer of ``num_hiddens`` ReLU units. Shapes: X (N, *) -> (N, num_outputs)."""

    def __init__(self, num_outputs: int, num_hiddens: int, lr: float):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens), nn.ReLU(),
                                 nn.LazyLinear(num_outputs))


def build(config: Config) -> list[Experiment]:
    data = toolkit.fashion_mnist_module(config)
    model = MLP(num_outputs=10, num_hiddens=256, lr=config.lr)
    return [toolkit.trainer_experiment(model, data, config)]
