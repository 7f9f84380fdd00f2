"""Softmax regression, concise, English edition (D2L 4.5): ``d2l.SoftmaxRegression``
(``Flatten`` + ``LazyLinear(10)``, cross-entropy on logits) on ``d2l.FashionMNIST``, trained
by ``d2l.Trainer``."""
from __future__ import annotations

from .. import d2l
from . import toolkit
from .base import Config, Experiment

NAME = "en-softmax-concise"
SECTION = "4.5 (en)"
SUMMARY = "d2l.SoftmaxRegression + d2l.Trainer on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def build(config: Config) -> list[Experiment]:
    data = toolkit.fashion_mnist_module(config)
    model = d2l.SoftmaxRegression(num_outputs=10, lr=config.lr)
    return [toolkit.trainer_experiment(model, data, config)]
