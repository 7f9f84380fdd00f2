"""Linear regression from scratch (D2L 3.2): tensors, autograd and minibatch SGD only.

Fits y = Xw + b + ε on 1000 synthetic examples with w = [2, -3.4], b = 4.2, and reports the
SGD estimate next to the closed-form least-squares solution of 3.1.1.3.
"""
from __future__ import annotations

import random
from typing import Any, Iterator

import gradkit as torch

from .. import d2l
from .base import Config, Experiment
from .regression import closed_form_report

NAME = "linreg-scratch"
SECTION = "3.2"
SUMMARY = "linear regression from scratch: autograd + minibatch SGD on synthetic data"
TASK = "regression"
DEFAULTS = {"epochs": 3, "lr": 0.03, "batch_size": 10}
TRUE_W, TRUE_B = [2, -3.4], 4.2


def data_iter(batch_size: int, features: torch.Tensor, labels: torch.Tensor
              ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The book's reader: shuffle the indices, then yield minibatches."""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # the examples are read at random, in no particular order
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


class _Batches:
    """A fresh ``data_iter`` per epoch, with a length for the progress bar."""

    def __init__(self, batch_size: int, features: torch.Tensor, labels: torch.Tensor) -> None:
        self.batch_size, self.features, self.labels = batch_size, features, labels

    def __iter__(self) -> Iterator[Any]:
        return data_iter(self.batch_size, self.features, self.labels)

    def __len__(self) -> int:
        return -(-len(self.features) // self.batch_size)


def build(config: Config) -> list[Experiment]:
    true_w = torch.tensor(TRUE_W)
    features, labels = d2l.synthetic_data(true_w, TRUE_B, 1000)
    held_out = d2l.synthetic_data(true_w, TRUE_B, 1000)  # the test loss is measured on it
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = config.lr

    def net(X: torch.Tensor) -> torch.Tensor:
        return d2l.linreg(X, w, b)

    def updater(batch_size: int) -> None:
        d2l.sgd([w, b], lr, batch_size)

    return [Experiment(
        name="", net=net, loss=d2l.squared_loss, updater=updater,
        train_iter=_Batches(config.batch_size, features, labels),
        test_iter=[held_out], parameters=lambda: {"w": w, "b": b}, task=TASK,
        summary=lambda: closed_form_report(features, labels, w.reshape(-1), b, TRUE_W, TRUE_B))]
