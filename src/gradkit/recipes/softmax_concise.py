"""Softmax regression, concise (D2L 3.7): ``Flatten`` + ``Linear(784, 10)``, the stable
``CrossEntropyLoss`` and ``optim.SGD``, on Fashion-MNIST."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .base import Config, Experiment, module_parameters
from .data import load_fashion_mnist
from .. import d2l

NAME = "softmax-concise"
SECTION = "3.7"
SUMMARY = "softmax regression with nn.Linear and CrossEntropyLoss on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def init_weights(m: nn.Module) -> None:
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=config.lr)
    return [Experiment(name="", net=net, loss=loss, updater=trainer, train_iter=train_iter,
                       test_iter=test_iter, parameters=module_parameters(net), task=TASK,
                       labels=d2l.FASHION_MNIST_LABELS)]
