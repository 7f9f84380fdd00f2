"""Softmax regression from scratch, English edition (D2L 4.4): a ``d2l.Classifier`` with its
own ``W``, ``b``, softmax and cross-entropy, on ``d2l.FashionMNIST``, trained by
``d2l.Trainer``."""
from __future__ import annotations

import gradkit as torch

from .. import d2l
from . import toolkit
from .base import Config, Experiment

NAME = "en-softmax-scratch"
SECTION = "4.4 (en)"
SUMMARY = "softmax regression from scratch as a d2l.Classifier, d2l.Trainer, Fashion-MNIST"
TASK = "classification"
DEFAULTS = {"epochs": 10, "lr": 0.1, "batch_size": 256}


def softmax(X: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax, written out as the chapter does (exp, then divide by the row sum)."""
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean of ``-log`` of the probability each example gives its true class."""
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()


class SoftmaxRegressionScratch(d2l.Classifier):
    """``softmax(X.reshape(-1, num_inputs) @ W + b)`` with W ~ N(0, sigma²), b = 0.

    Shapes: X (N, 1, 28, 28) -> probabilities (N, num_outputs).
    """

    def __init__(self, num_inputs: int, num_outputs: int, lr: float, sigma: float = 0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def parameters(self):  # the chapter lists its two tensors itself
        return [self.W, self.b]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = X.reshape((-1, self.W.shape[0]))
        return softmax(torch.matmul(X, self.W) + self.b)

    def loss(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return cross_entropy(y_hat, y)


def build(config: Config) -> list[Experiment]:
    data = toolkit.fashion_mnist_module(config)
    model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=config.lr)
    return [toolkit.trainer_experiment(model, data, config,
                                       parameters=lambda: {"W": model.W, "b": model.b})]
