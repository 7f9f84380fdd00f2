"""Dropout, concise, English edition (D2L 5.6): a ``d2l.Classifier`` with two hidden layers of
256 and dropout 0.5 after each, on ``d2l.FashionMNIST``, trained by ``d2l.Trainer``."""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from . import toolkit
from .base import Config, Experiment

NAME = "en-dropout"
SECTION = "5.6 (en)"
SUMMARY = "MLP 784-256-256-10 with dropout 0.5/0.5, d2l.Trainer, Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


class DropoutMLP(d2l.Classifier):
    """Two ReLU hidden layers, each followed by dropout. Shapes: X (N, *) -> (N, num_outputs)."""

    def __init__(self, num_outputs: int, num_hiddens_1: int, num_hiddens_2: int,
                 dropout_1: float, dropout_2: float, lr: float):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Flatten(), nn.LazyLinear(num_hiddens_1), nn.ReLU(), nn.Dropout(dropout_1),
            nn.LazyLinear(num_hiddens_2), nn.ReLU(), nn.Dropout(dropout_2),
            nn.LazyLinear(num_outputs))


def build(config: Config) -> list[Experiment]:
    data = toolkit.fashion_mnist_module(config)
    model = DropoutMLP(num_outputs=10, num_hiddens_1=256, num_hiddens_2=256, dropout_1=0.5,
                       dropout_2=0.5, lr=config.lr)
    return [toolkit.trainer_experiment(model, data, config)]
