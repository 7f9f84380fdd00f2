"""Affine layers: ``Linear``, ``LazyLinear`` (infers ``in_features``), ``Identity``, ``Flatten``.

Example:
    >>> gradkit.nn.Linear(784, 10)
    Linear(in_features=784, out_features=10, bias=True)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import _dtype
from ...tensor import Tensor, require_cpu
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["Linear", "LazyLinear", "Identity", "Flatten", "Unflatten"]


def _empty_parameter(shape: tuple, dtype: Any) -> Parameter:
    numpy_dtype = _dtype.get_default_dtype().numpy if dtype is None else \
        _dtype.to_dtype(dtype).numpy
    return Parameter(Tensor._wrap(np.empty(shape, numpy_dtype)))


class Linear(Module):
    """``y = x Wᵀ + b``.

    Args:
        in_features: size of each input row.
        out_features: size of each output row.
        bias: learn an additive bias (default True).

    Shape:
        Input ``(*, in_features)``, output ``(*, out_features)``.

    Attributes:
        weight: ``(out_features, in_features)``, initialized from U(−1/√in, 1/√in)
            (PyTorch's ``kaiming_uniform_(a=√5)``).
        bias: ``(out_features,)``, from U(−1/√in, 1/√in).

    Example:
        >>> layer = gradkit.nn.Linear(20, 30)
        >>> layer(gradkit.randn(128, 20)).shape
        gradkit.Size([128, 30])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        require_cpu(device)  # as PyTorch: parameters on "cuda" raise here
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty_parameter((out_features, in_features), dtype)
        if bias:
            self.bias = _empty_parameter((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialization."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class LazyLinear(Linear):
    """A ``Linear`` whose ``in_features`` is taken from the first input it sees (like Gluon's
    ``Dense(units)``); it then becomes a plain ``Linear``.

    Example:
        >>> layer = gradkit.nn.LazyLinear(10)
        >>> layer(gradkit.ones(2, 784)).shape, layer
        (gradkit.Size([2, 10]), Linear(in_features=784, out_features=10, bias=True))
    """

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        require_cpu(device)  # as PyTorch: parameters on "cuda" raise here
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._dtype = dtype
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.in_features:
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if isinstance(self.weight, UninitializedParameter):
            self.in_features = input.shape[-1]
            numpy_dtype = input._data.dtype if self._dtype is None else \
                _dtype.to_dtype(self._dtype).numpy
            self.weight.materialize((self.out_features, self.in_features), numpy_dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_features,), numpy_dtype)
            self.reset_parameters()
        # Materialized here or by load_state_dict: from now on it is a plain Linear.
        self.in_features = self.weight.shape[1]
        self.__class__ = Linear
        return F.linear(input, self.weight, self.bias)


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored).

    Example:
        >>> gradkit.nn.Identity()(gradkit.ones(2))
        tensor([1., 1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:  # noqa: A002
        return input


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one.

    Shape:
        Input ``(N, *dims)``, output ``(N, ∏dims)`` with the defaults.

    Example:
        >>> gradkit.nn.Flatten()(gradkit.zeros(32, 1, 28, 28)).shape
        gradkit.Size([32, 784])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    Example:
        >>> gradkit.nn.Unflatten(1, (1, 28, 28))(gradkit.zeros(2, 784)).shape
        gradkit.Size([2, 1, 28, 28])
    """

    def __init__(self, dim: int, unflattened_size: tuple) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        shape = list(input.shape)
        dim = self.dim % len(shape)
        return input.reshape(shape[:dim] + list(self.unflattened_size) + shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
