"""The ``gradkit.*`` function forms of tensor methods (``gradkit.exp(x)`` is ``x.exp()``), plus
the functions that have no method form: ``cat``, ``stack``, ``where``, ``broadcast_tensors``...

Each function form is made from its method by ``_from_method`` and carries the method's
docstring, so one definition serves both spellings.

Example:
    >>> gradkit.cat((gradkit.zeros(2, 3), gradkit.ones(2, 3)), dim=0).shape
    gradkit.Size([4, 3])
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from ._ops import elementwise as ew
from ._ops import shape as shape_ops
from ._creation import tensor
from .tensor import Tensor, _operand, _plain

_METHOD_FUNCTIONS = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "square", "neg", "negative", "abs", "absolute", "exp", "log",
    "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round",
    "trunc", "clamp", "clip", "maximum", "minimum", "max", "min", "amax", "amin", "sum", "mean",
    "prod", "argmax", "argmin", "cumsum", "norm", "var", "std", "logsumexp", "matmul", "mm",
    "mv", "dot", "bmm", "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "permute", "t", "split", "chunk", "unbind", "eq", "ne", "lt", "le", "gt", "ge", "equal",
    "allclose", "isclose", "all", "any", "logical_not", "logical_and", "logical_or",
    "logical_xor", "isnan", "isinf", "isfinite", "clone", "detach", "softmax", "log_softmax",
]

__all__ = _METHOD_FUNCTIONS + ["cat", "concat", "concatenate", "stack", "where",
                               "broadcast_tensors", "broadcast_shapes", "result_type"]


def _from_method(name: str) -> Callable[..., Any]:
    method = getattr(Tensor, name)

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


for _name in _METHOD_FUNCTIONS:
    globals()[_name] = _from_method(_name)
del _name


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001,A002 - PyTorch's names
    """``input ** exponent``; either may be a Python number (``gradkit.pow(2, x)``).

    Example:
        >>> gradkit.pow(gradkit.tensor([1.0, 2.0]), 2)
        tensor([1., 4.])
    """
    if isinstance(input, Tensor):
        return input.pow(exponent)
    if isinstance(exponent, Tensor):
        return exponent.__rpow__(input)
    raise TypeError(f"pow(): argument 'input' (position 1) must be Tensor, not "
                    f"{type(input).__name__}")


def _tensor_list(tensors: Any, name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return list(tensors)


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None,
        out: Any = None) -> Tensor:
    """Join tensors along an existing dim; all other dims must match.

    Args:
        tensors: a sequence of tensors, e.g. shapes ``(2, 3)`` and ``(4, 3)``.
        dim: the dim to join along (``axis`` is an alias).

    Returns:
        e.g. shape ``(6, 3)`` for ``dim=0``.

    Example:
        >>> X = gradkit.arange(12, dtype=gradkit.float32).reshape((3, 4))
        >>> gradkit.cat((X, X), dim=1).shape
        gradkit.Size([3, 8])
    """
    return shape_ops.Cat.apply(*_tensor_list(tensors, "cat"), dim=dim if axis is None else axis)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join equal-shaped tensors along a new dim.

    Example:
        >>> gradkit.stack([gradkit.zeros(3), gradkit.ones(3)]).shape
        gradkit.Size([2, 3])
    """
    return shape_ops.Stack.apply(*_tensor_list(tensors, "stack"), dim=dim)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` is True, else ``other`` (tensors or scalars, broadcast);
    with only ``condition``, the indices of its nonzero elements per dim.

    Example:
        >>> x = gradkit.tensor([-1.0, 2.0])
        >>> gradkit.where(x > 0, x, 0.0)
        tensor([0., 2.])
    """
    if input is None and other is None:
        return tuple(_plain(i.astype(np.int64)) for i in np.nonzero(condition._data))
    if getattr(condition, "_data", None) is not None and condition._data.dtype == np.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        condition = Tensor._wrap(condition._data.astype(np.bool_))
    input, other = _operand(input), _operand(other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # Two Python scalars: as 0-dim tensors they promote as PyTorch does
        # (``where(c, 1, 0)`` is int64, ``where(c, 1.0, 0)`` float32).
        input, other = tensor(input), tensor(other)
    try:
        return ew.Where.apply(condition, input, other)
    except ValueError:
        shape_ops.broadcast_shapes(np.shape(condition._data),
                                   np.shape(getattr(input, "_data", input)),
                                   np.shape(getattr(other, "_data", other)))
        raise


def broadcast_shapes(*shapes: Sequence[int]) -> Any:
    """The shape that ``shapes`` broadcast to.

    Example:
        >>> gradkit.broadcast_shapes((3, 1), (1, 2))
        gradkit.Size([3, 2])
    """
    from ._size import Size

    return Size(shape_ops.broadcast_shapes(*shapes))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Each tensor expanded to the common broadcast shape (views).

    Example:
        >>> a, b = gradkit.broadcast_tensors(gradkit.zeros(3, 1), gradkit.zeros(2))
        >>> a.shape
        gradkit.Size([3, 2])
    """
    shape = shape_ops.broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def result_type(tensor1: Any, tensor2: Any) -> Any:
    """The dtype PyTorch's promotion gives an op on these two operands.

    Example:
        >>> gradkit.result_type(gradkit.tensor([1, 2]), 1.0)
        gradkit.float32
    """
    from . import _dtype

    a = tensor1._data if isinstance(tensor1, Tensor) else tensor1
    b = tensor2._data if isinstance(tensor2, Tensor) else tensor2
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _dtype.promote_types(_dtype._scalar_dtype(a), _dtype._scalar_dtype(b))
    return _dtype.from_numpy_dtype(ew.result_dtype(a, b))


