"""LeNet, English edition (D2L 7.6): ``d2l.LeNet`` (a ``d2l.Classifier`` of lazy layers) with
``d2l.init_cnn``, trained by ``d2l.Trainer`` on ``d2l.FashionMNIST(batch_size=128)``."""
from __future__ import annotations

from .. import d2l
from . import toolkit
from .base import Config, Experiment

NAME = "en-lenet"
SECTION = "7.6 (en)"
SUMMARY = "d2l.LeNet (a d2l.Classifier) + d2l.Trainer on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 128}


def build(config: Config) -> list[Experiment]:
    data = toolkit.fashion_mnist_module(config)
    model = d2l.LeNet(lr=config.lr)
    experiment = toolkit.trainer_experiment(model, data, config)
    # The book's apply_init(..., init_cnn): the lazy layers have their shapes now; the
    # optimizer holds the same tensors, initialised in place.
    model.apply(d2l.init_cnn)
    return [experiment]
