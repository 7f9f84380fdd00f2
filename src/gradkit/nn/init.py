"""``gradkit.nn.init``: fill parameters in place, with PyTorch's formulas for fan-in/fan-out.

All run without recording the graph (like PyTorch's ``no_grad`` inside ``nn.init``).

Example:
    >>> w = gradkit.empty(256, 784)
    >>> gradkit.nn.init.xavier_uniform_(w).shape
    gradkit.Size([256, 784])
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "trunc_normal_"]


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for a nonlinearity (``'relu'`` → √2, ``'tanh'`` → 5/3, ...).

    Example:
        >>> gradkit.nn.init.calculate_gain("relu")
        1.4142135623730951
    """
    linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid"]
    if nonlinearity in linear:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.dim() > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of "
                         f"{['fan_in', 'fan_out']}")
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, array: np.ndarray) -> Tensor:
    with no_grad():
        tensor._data[...] = array
        tensor._bump()
    return tensor


def _is_empty(tensor: Tensor) -> bool:
    """PyTorch warns and does nothing for a zero-element tensor (whose fan may be 0)."""
    if tensor._data.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Any = None) -> Tensor:
    """Fill with U(a, b).

    Example:
        >>> gradkit.nn.init.uniform_(gradkit.empty(3), -1, 1).shape
        gradkit.Size([3])
    """
    return _fill(tensor, _random.uniform_array(a, b, tensor._data.shape, tensor._data.dtype,
                                               generator))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Any = None) -> Tensor:
    """Fill with N(mean, std²).

    Example:
        >>> gradkit.nn.init.normal_(layer.weight, std=0.01)
    """
    return _fill(tensor, _random.normal_array(mean, std, tensor._data.shape, tensor._data.dtype,
                                              generator))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Any = None) -> Tensor:
    """Fill with N(mean, std²) redrawn until inside ``[a, b]``.

    Example:
        >>> gradkit.nn.init.trunc_normal_(gradkit.empty(3)).abs().max() <= 2
        tensor(True)
    """
    values = _random.normal_array(mean, std, tensor._data.shape, np.float64, generator)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = _random.normal_array(mean, std, (int(outside.sum()),), np.float64,
                                               generator)
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    Example:
        >>> gradkit.nn.init.constant_(gradkit.empty(2), 0.5)
        tensor([0.5000, 0.5000])
    """
    return _fill(tensor, np.asarray(val))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0.

    Example:
        >>> gradkit.nn.init.zeros_(layer.bias)
    """
    return _fill(tensor, np.asarray(0))


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1.

    Example:
        >>> gradkit.nn.init.ones_(gradkit.empty(2))
        tensor([1., 1.])
    """
    return _fill(tensor, np.asarray(1))


def eye_(tensor: Tensor) -> Tensor:
    """Fill a matrix with the identity.

    Example:
        >>> gradkit.nn.init.eye_(gradkit.empty(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with U(−a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot).

    Example:
        >>> gradkit.nn.init.xavier_uniform_(layer.weight)
    """
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)) (Glorot).

    Example:
        >>> gradkit.nn.init.xavier_normal_(layer.weight)
    """
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """Fill with U(−b, b), b = gain·√(3 / fan) (He); ``Linear``'s default uses a = √5.

    Example:
        >>> gradkit.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
    """
    if _is_empty(tensor):
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(_fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """Fill with N(0, σ²), σ = gain / √fan (He).

    Example:
        >>> gradkit.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    """
    if _is_empty(tensor):
        return tensor
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)), generator)
