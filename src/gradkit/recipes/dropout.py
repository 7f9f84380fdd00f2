"""Dropout, concise (D2L 4.6): a two-hidden-layer MLP with dropout 0.2 and 0.5 after the
hidden layers, on Fashion-MNIST."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment, module_parameters
from .data import load_fashion_mnist
from .softmax_concise import init_weights

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
    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=config.lr)
    return [Experiment(name="", net=net, loss=loss, updater=trainer, train_iter=train_iter,
                       test_iter=test_iter, parameters=module_parameters(net), task=TASK,
                       labels=d2l.FASHION_MNIST_LABELS)]
