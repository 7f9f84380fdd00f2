"""Activation layers: ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``LogSoftmax``,
``LeakyReLU``.

Example:
    >>> gradkit.nn.ReLU()(gradkit.tensor([-1.0, 1.0]))
    tensor([0., 1.])
"""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "LeakyReLU"]


class ReLU(Module):
    """``max(x, 0)`` elementwise. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.ReLU()
        ReLU()
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope·x`` elsewhere. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.LeakyReLU(0.1)
        LeakyReLU(negative_slope=0.1)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                           else "")


class Sigmoid(Module):
    """``1 / (1 + exp(−x))``. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.Sigmoid()(gradkit.zeros(1))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.Tanh()(gradkit.zeros(1))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.tanh(input)


class Softmax(Module):
    """``exp(x) / Σ exp(x)`` along ``dim``. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.Softmax(dim=1)(gradkit.zeros(1, 2))
        tensor([[0.5000, 0.5000]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``x − logsumexp(x)`` along ``dim``. Shape: any, unchanged.

    Example:
        >>> gradkit.nn.LogSoftmax(dim=1)(gradkit.zeros(1, 2))
        tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
