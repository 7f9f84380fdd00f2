"""A multilayer perceptron from scratch (D2L 4.2): one hidden layer of 256 ReLU units with
parameters and ReLU written by hand, trained with ``optim.SGD``."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment
from .data import load_fashion_mnist

NAME = "mlp-scratch"
SECTION = "4.2"
SUMMARY = "MLP from scratch (784-256-10, hand-written ReLU) on Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def relu(X: torch.Tensor) -> torch.Tensor:
    a = torch.zeros_like(X)
    return torch.max(X, a)


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    num_inputs, num_outputs, num_hiddens = 784, 10, 256
    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    params = [W1, b1, W2, b2]

    def net(X: torch.Tensor) -> torch.Tensor:
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)  # "@" is matrix multiplication
        return H @ W2 + b2

    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(params, lr=config.lr)
    return [Experiment(name="", net=net, loss=loss, updater=updater, train_iter=train_iter,
                       test_iter=test_iter,
                       parameters=lambda: {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, task=TASK,
                       labels=d2l.FASHION_MNIST_LABELS)]
