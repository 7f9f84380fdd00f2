"""``mxnet.init`` (``mxnet.initializer``): Gluon's initializers, filling gradkit parameters
through ``gradkit.nn.init``.

Example:
    >>> from mxnet import init
    >>> net.initialize(init.Normal(sigma=0.01))
"""
from __future__ import annotations

import math
from typing import Any

import gradkit
from gradkit.nn import init as _init

__all__ = ["Initializer", "Normal", "Uniform", "Zero", "One", "Constant", "Xavier", "create"]


class Initializer:
    """Base class: ``init(name, tensor)`` fills ``tensor`` in place.

    Example:
        >>> class Halves(Initializer):
        ...     def _init_weight(self, name, tensor):
        ...         tensor.data.fill_(0.5)
    """

    def __call__(self, name: str, tensor: gradkit.Tensor) -> None:
        # Gluon initializes biases to zero whatever the global initializer is.
        if name.endswith("bias"):
            _init.zeros_(tensor)
        else:
            self._init_weight(name, tensor)

    def _init_weight(self, name: str, tensor: gradkit.Tensor) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _init_weight")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Normal(Initializer):
    """Weights from N(0, sigma²).

    Example:
        >>> init.Normal(sigma=0.01)
        Normal(sigma=0.01)
    """

    def __init__(self, sigma: float = 0.01) -> None:
        self.sigma = sigma

    def _init_weight(self, name: str, tensor: gradkit.Tensor) -> None:
        _init.normal_(tensor, 0.0, self.sigma)


class Uniform(Initializer):
    """Weights from U(-scale, scale); ``initialize()``'s default (scale 0.07).

    Example:
        >>> init.Uniform(scale=0.07)
        Uniform(scale=0.07)
    """

    def __init__(self, scale: float = 0.07) -> None:
        self.scale = scale

    def _init_weight(self, name: str, tensor: gradkit.Tensor) -> None:
        _init.uniform_(tensor, -self.scale, self.scale)


class Constant(Initializer):
    """Every element ``value`` (biases included).

    Example:
        >>> init.Constant(1.0)
        Constant(value=1.0)
    """

    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self, name: str, tensor: gradkit.Tensor) -> None:
        _init.constant_(tensor, self.value)


class Zero(Constant):
    """Zeros.

    Example:
        >>> init.Zero()
        Zero(value=0.0)
    """

    def __init__(self) -> None:
        super().__init__(0.0)


class One(Constant):
    """Ones.

    Example:
        >>> init.One()
        One(value=1.0)
    """

    def __init__(self) -> None:
        super().__init__(1.0)


class Xavier(Initializer):
    """Xavier/Glorot: ``rnd_type`` 'uniform' or 'gaussian', ``factor_type`` 'avg', 'in' or 'out',
    scale = sqrt(magnitude / factor).

    Example:
        >>> init.Xavier()
        Xavier(rnd_type='uniform', factor_type='avg', magnitude=3)
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg",
                 magnitude: float = 3) -> None:
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = magnitude

    def _init_weight(self, name: str, tensor: gradkit.Tensor) -> None:
        fan_out, fan_in = tensor.shape[0], int(tensor.numel() // max(tensor.shape[0], 1))
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[
            self.factor_type]
        scale = math.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            _init.uniform_(tensor, -scale, scale)
        else:
            _init.normal_(tensor, 0.0, scale)


_BY_NAME = {"zeros": Zero, "ones": One, "normal": Normal, "uniform": Uniform, "xavier": Xavier}


def create(init: Any) -> Initializer | None:
    """An initializer from an instance, a name (``'zeros'``) or ``None``.

    Example:
        >>> create("zeros")
        Zero(value=0.0)
    """
    if init is None or isinstance(init, Initializer):
        return init
    if isinstance(init, str) and init.lower() in _BY_NAME:
        return _BY_NAME[init.lower()]()
    raise ValueError(f"unknown initializer {init!r}")
