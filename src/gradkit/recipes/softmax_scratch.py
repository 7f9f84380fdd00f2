"""Softmax regression from scratch (D2L 3.6): the naive softmax, the indexing cross-entropy
and the scratch SGD updater, on Fashion-MNIST."""
from __future__ import annotations

import gradkit as torch

from .. import d2l
from .base import Config, Experiment
from .data import load_fashion_mnist

NAME = "softmax-scratch"
SECTION = "3.6"
SUMMARY = "softmax regression from scratch on Fashion-MNIST (naive softmax, scratch SGD)"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def softmax(X: torch.Tensor) -> torch.Tensor:
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting divides each row by its sum


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -torch.log(y_hat[range(len(y_hat)), y])


def build(config: Config) -> list[Experiment]:
    train_iter, test_iter = load_fashion_mnist(config.batch_size, config.data_dir)
    num_inputs, num_outputs = 784, 10
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)
    lr = config.lr

    def net(X: torch.Tensor) -> torch.Tensor:
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def updater(batch_size: int) -> None:
        d2l.sgd([W, b], lr, batch_size)

    return [Experiment(name="", net=net, loss=cross_entropy, updater=updater,
                       train_iter=train_iter, test_iter=test_iter,
                       parameters=lambda: {"W": W, "b": b}, task=TASK,
                       labels=d2l.FASHION_MNIST_LABELS)]
