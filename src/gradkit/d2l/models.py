"""The English edition's (d2l 1.0.3) models of chapters 3–4 and its scratch ``SGD``, plus the
CNN initializer of chapter 7.

Example:
    >>> model = d2l.LinearRegression(lr=0.03)
    >>> d2l.Trainer(max_epochs=3).fit(model, d2l.SyntheticRegressionData(w, b))
    >>> w, b = model.get_w_b()
"""
from __future__ import annotations

from typing import Any, Sequence

import gradkit as torch

from .. import nn
from .aliases import matmul, normal, reduce_mean, zeros
from .hyperparameters import HyperParameters
from .module import Classifier, Module

__all__ = ["LinearRegressionScratch", "SGD", "LinearRegression", "SoftmaxRegression",
           "init_cnn"]


class LinearRegressionScratch(Module):
    """Linear regression from scratch: ``X @ w + b`` with w ~ N(0, sigma²), b = 0, half the
    mean squared error, and the scratch ``SGD``.

    Shapes: X (N, num_inputs) -> (N, 1).

    Example:
        >>> model = d2l.LinearRegressionScratch(2, lr=0.03)
        >>> model(gradkit.ones(4, 2)).shape
        gradkit.Size([4, 1])
    """

    def __init__(self, num_inputs: int, lr: float, sigma: float = 0.01) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.w = normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = zeros(1, requires_grad=True)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """``X @ w + b``."""
        return matmul(X, self.w) + self.b

    def loss(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """``mean((y_hat - y)² / 2)``."""
        l = (y_hat - y) ** 2 / 2
        return reduce_mean(l)

    def configure_optimizers(self) -> "SGD":
        """The scratch ``SGD`` over ``[w, b]``."""
        return SGD([self.w, self.b], self.lr)


class SGD(HyperParameters):
    """Minibatch stochastic gradient descent from scratch: ``param -= lr * param.grad``.

    ``step`` updates in place, so call it under ``no_grad`` (``Trainer.fit_epoch`` does).

    Example:
        >>> optim = d2l.SGD([w, b], lr=0.03)
        >>> with gradkit.no_grad(): optim.step()
    """

    def __init__(self, params: Sequence[torch.Tensor], lr: float) -> None:
        self.save_hyperparameters()

    def step(self) -> None:
        """Take one step against the gradients."""
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self) -> None:
        """Set the gradients to zero (those that exist)."""
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


class LinearRegression(Module):
    """Linear regression with the high-level API: ``nn.LazyLinear(1)`` (weights N(0, 0.01²),
    bias 0), ``nn.MSELoss`` and ``optim.SGD``.

    Example:
        >>> model = d2l.LinearRegression(lr=0.03)
        >>> model(gradkit.ones(4, 2)).shape
        gradkit.Size([4, 1])
    """

    def __init__(self, lr: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.LazyLinear(1)
        self.net.weight.data.normal_(0, 0.01)
        self.net.bias.data.fill_(0)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """``self.net(X)``."""
        return self.net(X)

    def loss(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The mean squared error."""
        fn = nn.MSELoss()
        return fn(y_hat, y)

    def configure_optimizers(self) -> Any:
        """``optim.SGD(self.parameters(), self.lr)``."""
        return torch.optim.SGD(self.parameters(), self.lr)

    def get_w_b(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The learned weight ``(1, num_inputs)`` and bias ``(1,)``."""
        return (self.net.weight.data, self.net.bias.data)


class SoftmaxRegression(Classifier):
    """Softmax regression: ``Flatten`` + ``LazyLinear(num_outputs)``, cross-entropy on logits.

    Shapes: X (N, *) -> (N, num_outputs).

    Example:
        >>> model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
        >>> model(gradkit.ones(2, 1, 28, 28)).shape
        gradkit.Size([2, 10])
    """

    def __init__(self, num_outputs: int, lr: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """The logits."""
        return self.net(X)


def init_cnn(module: Any) -> None:
    """Xavier-uniform weights for ``Linear`` and ``Conv2d`` layers (use with ``apply_init``).

    Example:
        >>> model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    """
    kinds = tuple(k for k in (nn.Linear, getattr(nn, "Conv2d", None)) if k is not None)
    if type(module) in kinds:
        nn.init.xavier_uniform_(module.weight)
