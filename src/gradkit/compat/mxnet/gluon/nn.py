"""``mxnet.gluon.nn``: ``Sequential``, ``Dense`` (input size deferred), ``Activation``,
``Dropout``, ``Flatten``, computed with gradkit's layers and functionals.

Example:
    >>> from mxnet.gluon import nn
    >>> net = nn.Sequential()
    >>> net.add(nn.Dense(1))
    >>> net
    Sequential(
      (0): Dense(None -> 1, linear)
    )
"""
from __future__ import annotations

from typing import Any

import gradkit
from gradkit.nn import LazyLinear
from gradkit.nn import functional as F

from .. import autograd
from ..ndarray.ndarray import NDArray, tensor_of, wrap
from .block import Block, HybridBlock
from .parameter import Parameter

__all__ = ["Block", "HybridBlock", "Sequential", "HybridSequential", "Dense", "Activation",
           "Dropout", "Flatten"]

_ACTIVATIONS = {
    "relu": F.relu,
    "sigmoid": gradkit.sigmoid,
    "tanh": gradkit.tanh,
    "softrelu": lambda x: gradkit.log(1 + x.exp()),
    "softsign": lambda x: x / (1 + x.abs()),
}


class Sequential(Block):
    """Blocks applied one after the other; ``add`` appends.

    Example:
        >>> net = nn.Sequential()
        >>> net.add(nn.Dense(256, activation='relu'), nn.Dense(10))
        >>> len(net)
        2
    """

    def add(self, *blocks: Block) -> None:
        """Append blocks."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x: Any) -> Any:
        for block in self._children.values():
            x = block(x)
        return x

    def __getitem__(self, key: Any) -> Any:
        blocks = list(self._children.values())[key]
        if isinstance(key, slice):
            net = type(self)(prefix=self._prefix)
            net.add(*blocks)
            return net
        return blocks

    def __len__(self) -> int:
        return len(self._children)


HybridSequential = Sequential


class Activation(Block):
    """An activation by name: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``,
    ``'softsign'``.

    Example:
        >>> nn.Activation('relu')(nd.array([-1, 2]))
        <BLANKLINE>
        [0. 2.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, activation: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if activation not in _ACTIVATIONS:
            raise NotImplementedError(f"mxnet.gluon.nn.Activation('{activation}') is not "
                                      "implemented in gradkit")
        self._act_type = activation

    def apply_to(self, x: gradkit.Tensor) -> gradkit.Tensor:
        """The activation on a gradkit tensor."""
        return _ACTIVATIONS[self._act_type](x)

    def forward(self, x: NDArray) -> NDArray:
        return wrap(autograd.compute(self.apply_to, tensor_of(x)))

    def __repr__(self) -> str:
        return f"Activation({self._act_type})"


class Dense(Block):
    """A fully connected layer ``act(x Wᵀ + b)``; ``in_units`` is learnt from the first input
    unless given (the weight is ``(units, in_units)``, as ``nn.Linear``'s).

    Args:
        units: output size.
        activation: an ``Activation`` name, or ``None`` for linear.
        use_bias: learn a bias (initialized to zeros).
        flatten: collapse all input axes but the first (Gluon's default).
        in_units: the input size, if known.

    Example:
        >>> dense = nn.Dense(1); dense.initialize(init.Normal(sigma=0.01))
        >>> dense(nd.ones((10, 2))).shape, dense.weight.shape
        ((10, 1), (1, 2))
    """

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 flatten: bool = True, dtype: Any = "float32", weight_initializer: Any = None,
                 bias_initializer: Any = "zeros", in_units: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._units = units
        self._flatten = flatten
        # gradkit's LazyLinear holds the parameters; the Gluon Parameters below materialize
        # them once the input size is known (here or at the first call).
        object.__setattr__(self, "_layer", LazyLinear(units, bias=use_bias))
        self.weight = Parameter(self._prefix + "weight", shape=(units, in_units), dtype=dtype,
                                init=weight_initializer, allow_deferred_init=True,
                                tensor=self._layer.weight)
        if use_bias:
            self.bias = Parameter(self._prefix + "bias", shape=(units,), dtype=dtype,
                                  init=bias_initializer, allow_deferred_init=True,
                                  tensor=self._layer.bias)
        else:
            object.__setattr__(self, "bias", None)
        self.act = Activation(activation, prefix=self._prefix + activation + "_") \
            if activation else None

    def forward(self, x: NDArray) -> NDArray:
        def dense(t: gradkit.Tensor) -> gradkit.Tensor:
            if self._flatten and t.ndim != 2:
                t = t.reshape(t.shape[0], -1) if t.ndim > 1 else t.reshape(1, -1)
            self.weight.infer_shape((self._units, t.shape[-1]))
            self.weight._check_initialized()
            if self.bias is not None:
                self.bias._check_initialized()
            self._layer.in_features = self.weight.shape[1]
            out = self._layer(t)
            return self.act.apply_to(out) if self.act is not None else out

        return wrap(autograd.compute(dense, tensor_of(x)))

    def __repr__(self) -> str:
        in_units = self.weight.shape[1] if len(self.weight.shape) > 1 else 0
        act = repr(self.act) if self.act is not None else "linear"
        return f"Dense({in_units or None} -> {self._units}, {act})"


class Dropout(Block):
    """Zero each element with probability ``rate`` while training (inside ``record()``),
    scaling the rest by 1/(1-rate); the identity otherwise.

    Example:
        >>> nn.Dropout(0.5)(nd.ones(4))    # outside record(): unchanged
    """

    def __init__(self, rate: float, axes: Any = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rate = rate

    def forward(self, x: NDArray) -> NDArray:
        return wrap(autograd.compute(F.dropout, tensor_of(x), self._rate,
                                     autograd.is_training()))

    def __repr__(self) -> str:
        return f"Dropout(p = {self._rate}, axes=())"


class Flatten(Block):
    """``(N, ...)`` to ``(N, -1)``.

    Example:
        >>> nn.Flatten()(nd.ones((2, 1, 28, 28))).shape
        (2, 784)
    """

    def forward(self, x: NDArray) -> NDArray:
        return x.flatten()

    def __repr__(self) -> str:
        return "Flatten"
