"""``Parameter``: a tensor that a ``Module`` registers as one of its learnable weights.

Example:
    >>> w = gradkit.nn.Parameter(gradkit.zeros(2))
    >>> w.requires_grad
    True
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "reset_grads"]


def reset_grads(tensors: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Clear the ``.grad`` of each tensor: drop it (default) or zero it in place.

    Example:
        >>> reset_grads(net.parameters())
    """
    for t in tensors:
        if t._grad is None:
            continue
        if set_to_none:
            t._grad = None
        else:
            t._grad._data[...] = 0


class Parameter(Tensor):
    """A leaf tensor that requires grad and is collected by ``Module.parameters()``.

    Args:
        data: the initial values (a tensor; shares its memory).
        requires_grad: default True.

    Example:
        >>> layer.weight = gradkit.nn.Parameter(gradkit.randn(10, 784) * 0.01)
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        array = np.empty((0,), np.float32) if data is None else (
            data._data if isinstance(data, Tensor) else np.asarray(data))
        self._data = array
        self._grad = None
        self._requires_grad = False
        self.grad_fn = None
        self._vc = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        copy = Parameter(Tensor._wrap(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            copy._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))


def _rebuild_parameter(array: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(array), requires_grad)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (``LazyLinear`` before its first call).

    Example:
        >>> gradkit.nn.LazyLinear(10).weight
        <UninitializedParameter>
    """

    def __init__(self, requires_grad: bool = True) -> None:
        super().__init__(None, requires_grad)

    def materialize(self, shape: tuple, dtype: Any = None) -> None:
        """Give the parameter its shape (filled later by the layer's initializer, or by
        ``load_state_dict``) and the default dtype unless ``dtype`` is given."""
        from .. import _dtype

        self._data = np.zeros(shape, dtype=_dtype.get_default_dtype().numpy if dtype is None
                              else dtype)
        self.__class__ = Parameter

    # Reading the shape of a parameter that has none is a mistake PyTorch reports, rather
    # than answering with a placeholder's shape.
    _NO_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                 "usually happens in `load_state_dict` when trying to load an uninitialized "
                 "parameter into an initialized one. Call `forward` to initialize the "
                 "parameters before accessing their attributes.")

    @property
    def shape(self) -> Any:  # (PyTorch's size() still answers Size([0]); so does gradkit's)
        raise RuntimeError(self._NO_SHAPE)

    def __deepcopy__(self, memo: dict) -> "UninitializedParameter":
        copy = UninitializedParameter(self._requires_grad)
        memo[id(self)] = copy
        return copy

    def __repr__(self) -> str:
        return "<UninitializedParameter>"
