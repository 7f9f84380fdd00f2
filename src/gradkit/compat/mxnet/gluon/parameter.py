"""Gluon's ``Parameter`` and ``ParameterDict``, holding gradkit parameters.

A Gluon parameter may not know its shape until the first forward pass (``Dense(1)`` learns its
input size from the data): until then it holds an ``UninitializedParameter`` and remembers the
initializer that ``net.initialize(...)`` gave it; the layer calls ``infer_shape`` on the first
input and the parameter is then materialized and initialized, as gradkit's ``LazyLinear`` is.

Example:
    >>> net = nn.Sequential(); net.add(nn.Dense(1)); net.initialize(init.Normal(sigma=0.01))
    >>> net(nd.ones((10, 2)))
    >>> net[0].weight
    Parameter dense0_weight (shape=(1, 2), dtype=float32)
"""
from __future__ import annotations

import re
import warnings
from collections import OrderedDict
from typing import Any, Iterator

import numpy as np

import gradkit
from gradkit.nn.parameter import UninitializedParameter

from .. import autograd
from ..context import cpu
from ..initializer import Initializer, Uniform, create
from ..ndarray.ndarray import NDArray, tensor_of

__all__ = ["Parameter", "ParameterDict", "DeferredInitializationError"]


class DeferredInitializationError(RuntimeError):
    """A parameter was read before the first forward pass gave it its shape.

    Example:
        >>> nn.Dense(1).weight.data()     # after initialize(), before net(X)
        Traceback (most recent call last):
        DeferredInitializationError: Parameter 'dense0_weight' has not been initialized yet ...
    """


class Parameter:
    """A learnable array of a Gluon block: ``data()``, ``grad()``, ``initialize()``.

    Args:
        name: e.g. ``"dense0_weight"``.
        grad_req: ``'write'`` (default), ``'add'`` or ``'null'``.
        shape: the shape; a 0 marks a size learnt from the first input.
        init: this parameter's own initializer (``'zeros'`` for biases), else the one given
            to ``initialize``.
        tensor: the gradkit tensor to hold (a layer's ``UninitializedParameter``).

    Example:
        >>> dense.weight.data()
        <BLANKLINE>
        [[ 1.9999468 -3.4000072]]
        <NDArray 1x2 @cpu(0)>
    """

    def __init__(self, name: str, grad_req: str = "write", shape: Any = None,
                 dtype: Any = "float32", init: Any = None, allow_deferred_init: bool = False,
                 differentiable: bool = True, tensor: gradkit.Tensor | None = None) -> None:
        self.name = name
        self._grad_req = grad_req if differentiable else "null"
        self._shape = tuple(shape) if shape is not None else ()
        self.dtype = np.dtype(dtype)
        self.init = create(init)
        self._allow_deferred_init = allow_deferred_init
        self._var: gradkit.Tensor = tensor if tensor is not None else UninitializedParameter()
        self._initialized = False
        self._pending: Initializer | None = None  # initializer waiting for the shape
        self.lr_mult = 1.0
        self.wd_mult = 1.0

    # -- shape and initialization ------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, with 0 where it is not known yet."""
        return self._shape

    def _shape_known(self) -> bool:
        return bool(self._shape) and all(s > 0 for s in self._shape)

    def initialize(self, init: Any = None, ctx: Any = None, default_init: Any = None,
                   force_reinit: bool = False) -> None:
        """Initialize now, or at the first forward pass if the shape is not known yet.

        Example:
            >>> param.initialize(init.Normal(0.01))
        """
        if self._initialized and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. Set "
                          "force_reinit=True to re-initialize.", UserWarning, stacklevel=2)
            return
        initializer = create(init) or self.init or create(default_init) or Uniform()
        if self._shape_known():
            self._finish_init(initializer)
        elif self._allow_deferred_init:
            self._pending = initializer
        else:
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid "
                             f"shape: {self._shape}.")

    def infer_shape(self, shape: tuple[int, ...]) -> None:
        """Complete the shape from the first input and run the deferred initialization.

        Example:
            >>> dense.weight.infer_shape((1, 2))     # what Dense does on its first call
        """
        if self._shape_known():
            return
        self._shape = tuple(int(s) for s in shape)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._finish_init(pending)

    def _finish_init(self, initializer: Initializer) -> None:
        if isinstance(self._var, UninitializedParameter):
            self._var.materialize(self._shape, self.dtype)
        elif tuple(self._var.shape) != self._shape:
            self._var.data = gradkit.zeros(self._shape, dtype=gradkit._dtype.to_dtype(self.dtype))
        with gradkit.no_grad():
            initializer(self.name, self._var)
        autograd.attach(self._var, self._grad_req)
        self._initialized = True

    def _check_initialized(self) -> gradkit.Tensor:
        if self._initialized:
            return self._var
        if self._pending is not None:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization "
                "was deferred. Actual initialization happens during the first forward pass. "
                "Please pass one batch of data through the network before accessing "
                "Parameters. You can also avoid deferred initialization by specifying "
                "in_units, num_features, etc., for network layers.")
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should initialize "
            "parameters and create Trainer with Block.collect_params() instead of Block.params "
            "because the later does not include Parameters of nested child Blocks")

    # -- values -------------------------------------------------------------------------------
    def data(self, ctx: Any = None) -> NDArray:
        """The values (the array the network computes with, not a copy).

        Example:
            >>> dense.bias.data()
            <BLANKLINE>
            [4.1993876]
            <NDArray 1 @cpu(0)>
        """
        return NDArray(self._check_initialized())

    def list_data(self) -> list[NDArray]:
        """``[data()]`` (one context)."""
        return [self.data()]

    def grad(self, ctx: Any = None) -> NDArray:
        """The gradient buffer that backward writes.

        Example:
            >>> dense.weight.grad()
        """
        var = self._check_initialized()
        if self._grad_req == "null" or var.grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return NDArray(var.grad)

    def list_grad(self) -> list[NDArray]:
        """``[grad()]`` (one context)."""
        return [self.grad()]

    def list_ctx(self) -> list[Any]:
        """``[cpu(0)]``."""
        return [cpu()]

    def set_data(self, data: Any) -> None:
        """Overwrite the values."""
        var = self._check_initialized()
        with gradkit.no_grad():
            var.copy_(gradkit.as_tensor(tensor_of(data)).to(var.dtype).reshape(var.shape))

    def zero_grad(self) -> None:
        """Set the gradient buffer to zeros."""
        if self._initialized and self._var.grad is not None:
            self._var.grad.zero_()

    @property
    def grad_req(self) -> str:
        """``'write'``, ``'add'`` or ``'null'``; settable."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, value: str) -> None:
        self._grad_req = value
        if self._initialized:
            autograd.attach(self._var, value)

    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self._shape}, dtype={self.dtype})"


class ParameterDict:
    """An ordered name -> Parameter mapping, as ``block.collect_params()`` returns.

    Example:
        >>> params = net.collect_params()
        >>> list(params.keys())
        ['dense0_weight', 'dense0_bias']
    """

    def __init__(self, prefix: str = "", params: Any = None) -> None:
        self.prefix = prefix
        self._params: OrderedDict[str, Parameter] = OrderedDict(params or {})

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def keys(self) -> Any:
        """The parameter names."""
        return self._params.keys()

    def values(self) -> Any:
        """The parameters."""
        return self._params.values()

    def items(self) -> Any:
        """(name, parameter) pairs."""
        return self._params.items()

    def get(self, name: str, **kwargs: Any) -> Parameter:
        """The parameter ``prefix + name``, created with ``kwargs`` if it does not exist."""
        full = self.prefix + name
        if full not in self._params:
            self._params[full] = Parameter(full, **kwargs)
        return self._params[full]

    def update(self, other: "ParameterDict") -> None:
        """Add the parameters of ``other``."""
        for name, param in other.items():
            self._params.setdefault(name, param)

    def select(self, pattern: str | None) -> "ParameterDict":
        """The parameters whose names match the regular expression ``pattern``."""
        if pattern is None:
            return self
        regex = re.compile(pattern)
        return ParameterDict(self.prefix, [(k, v) for k, v in self.items() if regex.match(k)])

    def initialize(self, init: Any = None, ctx: Any = None, verbose: bool = False,
                   force_reinit: bool = False) -> None:
        """Initialize every parameter (``init`` is the default for those without their own).

        Example:
            >>> net.collect_params().initialize(init.Normal(sigma=0.01))
        """
        default = create(init) or Uniform()
        for param in self.values():
            param.initialize(None, ctx, default, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        """Zero every gradient buffer."""
        for param in self.values():
            param.zero_grad()

    def setattr(self, name: str, value: Any) -> None:
        """Set an attribute on every parameter (``setattr('grad_req', 'add')``)."""
        for param in self.values():
            setattr(param, name, value)

    def __repr__(self) -> str:
        body = "\n".join(f"  {param!r}" for param in self.values())
        return f"{self.prefix} (\n{body}\n)"
