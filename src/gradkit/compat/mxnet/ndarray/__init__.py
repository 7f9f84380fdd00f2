"""``mxnet.nd`` (``mxnet.ndarray``): NDArray creation and math functions, on gradkit.

Arrays are float32 unless a dtype is given (``nd.array([1, 2])`` too, as in MXNet).

Example:
    >>> from mxnet import nd
    >>> X = nd.random.normal(scale=1, shape=(10, 2))
    >>> nd.dot(X, nd.ones((2, 1))).shape
    (10, 1)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import gradkit

from .. import autograd
from . import random
from .ndarray import NDArray, _call, _dtype, tensor_of, wrap

__all__ = ["NDArray", "array", "zeros", "ones", "full", "empty", "arange", "zeros_like",
           "ones_like", "dot", "concat", "stack", "exp", "log", "sqrt", "square", "abs", "sign",
           "relu", "sigmoid", "tanh", "sum", "mean", "prod", "max", "min", "argmax", "argmin",
           "norm", "maximum", "minimum", "softmax", "log_softmax", "pick", "one_hot", "where",
           "clip", "reshape", "transpose", "flatten", "expand_dims", "broadcast_add",
           "broadcast_sub", "broadcast_mul", "broadcast_div", "waitall", "random"]


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


def array(source_array: Any, ctx: Any = None, dtype: Any = None) -> NDArray:
    """An NDArray from a list, NumPy array or NDArray (float32 unless ``dtype`` says otherwise;
    an NDArray keeps its dtype).

    Example:
        >>> nd.array([1, 2, 3])
        <BLANKLINE>
        [1. 2. 3.]
        <NDArray 3 @cpu(0)>
    """
    if isinstance(source_array, NDArray):
        values = source_array.asnumpy()
        dtype = values.dtype if dtype is None else dtype
    else:
        values = source_array
        dtype = np.float32 if dtype is None else dtype
    return NDArray(gradkit.tensor(np.array(values, dtype=np.dtype(dtype))))


def zeros(shape: Any, ctx: Any = None, dtype: Any = "float32", **kwargs: Any) -> NDArray:
    """Zeros of ``shape`` (an int or a tuple).

    Example:
        >>> nd.zeros(shape=(1,))
        <BLANKLINE>
        [0.]
        <NDArray 1 @cpu(0)>
    """
    return NDArray(gradkit.zeros(_shape(shape), dtype=_dtype(dtype)))


def ones(shape: Any, ctx: Any = None, dtype: Any = "float32", **kwargs: Any) -> NDArray:
    """Ones of ``shape`` (an int or a tuple).

    Example:
        >>> nd.ones(shape=3) + 10
        <BLANKLINE>
        [11. 11. 11.]
        <NDArray 3 @cpu(0)>
    """
    return NDArray(gradkit.ones(_shape(shape), dtype=_dtype(dtype)))


def full(shape: Any, val: float, ctx: Any = None, dtype: Any = "float32") -> NDArray:
    """``shape`` filled with ``val``.

    Example:
        >>> nd.full((2,), 7).asnumpy()
        array([7., 7.], dtype=float32)
    """
    return NDArray(gradkit.full(_shape(shape), val, dtype=_dtype(dtype)))


def empty(shape: Any, ctx: Any = None, dtype: Any = "float32") -> NDArray:
    """An array of ``shape`` (zero-filled here).

    Example:
        >>> nd.empty((2, 3)).shape
        (2, 3)
    """
    return zeros(shape, dtype=dtype)


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           ctx: Any = None, dtype: Any = "float32") -> NDArray:
    """Evenly spaced values in [start, stop), float32 by default (MXNet's, unlike NumPy's).

    Example:
        >>> nd.arange(4)
        <BLANKLINE>
        [0. 1. 2. 3.]
        <NDArray 4 @cpu(0)>
    """
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if repeat != 1:
        values = np.repeat(values, repeat)
    return NDArray(gradkit.tensor(values.astype(np.dtype(dtype))))


def zeros_like(data: NDArray) -> NDArray:
    """Zeros shaped like ``data``.

    Example:
        >>> nd.zeros_like(nd.ones((2, 2))).sum().asscalar()
        0.0
    """
    return data.zeros_like()


def ones_like(data: NDArray) -> NDArray:
    """Ones shaped like ``data``.

    Example:
        >>> nd.ones_like(nd.zeros(3)).sum().asscalar()
        3.0
    """
    return data.ones_like()


def dot(lhs: NDArray, rhs: NDArray, transpose_a: bool = False,
        transpose_b: bool = False) -> NDArray:
    """Matrix product; on N-d arrays it contracts the last axis of ``lhs`` with the first of
    ``rhs`` (MXNet's ``dot``, not batched ``matmul``).

    Example:
        >>> nd.dot(nd.ones((10, 2)), nd.ones((2, 1))).shape
        (10, 1)
    """
    def product(a: gradkit.Tensor, b: gradkit.Tensor) -> gradkit.Tensor:
        if transpose_a:
            a = a.permute(*reversed(range(a.ndim)))
        if transpose_b:
            b = b.permute(*reversed(range(b.ndim)))
        if a.ndim <= 2 and b.ndim <= 2:
            return gradkit.matmul(a, b)
        shape = tuple(a.shape[:-1]) + tuple(b.shape[1:])
        return gradkit.matmul(a.reshape(-1, a.shape[-1]), b.reshape(b.shape[0], -1)).reshape(shape)

    return _call(product, lhs, rhs)


def concat(*data: NDArray, dim: int = 1) -> NDArray:
    """Join arrays along ``dim`` (axis 1 by default, MXNet's).

    Example:
        >>> nd.concat(nd.zeros((2, 1)), nd.ones((2, 1)), dim=1).shape
        (2, 2)
    """
    return wrap(autograd.compute(gradkit.cat, [tensor_of(d) for d in data], dim))


def stack(*data: NDArray, axis: int = 0) -> NDArray:
    """Join equal-shaped arrays along a new axis.

    Example:
        >>> nd.stack(nd.ones(2), nd.zeros(2)).shape
        (2, 2)
    """
    return wrap(autograd.compute(gradkit.stack, [tensor_of(d) for d in data], axis))


def _method(name: str) -> Any:
    def function(data: NDArray, *args: Any, **kwargs: Any) -> Any:
        return getattr(data, name)(*args, **kwargs)
    function.__name__ = name
    function.__doc__ = f"``data.{name}(...)``.\n\n    Example:\n        >>> nd.{name}(x)\n"
    return function


exp, log, sqrt, square, abs, sign = (_method(n) for n in  # noqa: A001
                                     ("exp", "log", "sqrt", "square", "abs", "sign"))
relu, sigmoid, tanh, softmax, log_softmax = (_method(n) for n in (
    "relu", "sigmoid", "tanh", "softmax", "log_softmax"))
sum, mean, prod, max, min, argmax, argmin, norm = (_method(n) for n in (  # noqa: A001
    "sum", "mean", "prod", "max", "min", "argmax", "argmin", "norm"))
pick, clip, reshape, transpose, flatten, expand_dims = (_method(n) for n in (
    "pick", "clip", "reshape", "transpose", "flatten", "expand_dims"))


def maximum(lhs: Any, rhs: Any) -> NDArray:
    """Elementwise maximum (arrays or numbers, broadcast).

    Example:
        >>> nd.maximum(nd.array([-1, 2]), 0).asnumpy()
        array([0., 2.], dtype=float32)
    """
    return _call(lambda a, b: gradkit.maximum(*_tensors(a, b)), lhs, rhs)


def minimum(lhs: Any, rhs: Any) -> NDArray:
    """Elementwise minimum (arrays or numbers, broadcast).

    Example:
        >>> nd.minimum(nd.array([-1, 2]), 0).asnumpy()
        array([-1.,  0.], dtype=float32)
    """
    return _call(lambda a, b: gradkit.minimum(*_tensors(a, b)), lhs, rhs)


def _tensors(a: Any, b: Any) -> tuple[gradkit.Tensor, gradkit.Tensor]:
    like = a if isinstance(a, gradkit.Tensor) else b
    return tuple(x if isinstance(x, gradkit.Tensor) else gradkit.full_like(like, x)
                 for x in (a, b))  # type: ignore[return-value]


def one_hot(indices: NDArray, depth: int, on_value: float = 1.0, off_value: float = 0.0,
            dtype: Any = "float32") -> NDArray:
    """One-hot rows of length ``depth``.

    Example:
        >>> nd.one_hot(nd.array([0, 2]), 3)
        <BLANKLINE>
        [[1. 0. 0.]
         [0. 0. 1.]]
        <NDArray 2x3 @cpu(0)>
    """
    hot = gradkit.nn.functional.one_hot(tensor_of(indices).long(), depth).to(_dtype(dtype))
    return NDArray(hot * (on_value - off_value) + off_value)


def where(condition: NDArray, x: NDArray, y: NDArray) -> NDArray:
    """``x`` where ``condition`` is non-zero, else ``y``.

    Example:
        >>> nd.where(nd.array([1, 0]), nd.ones(2), nd.zeros(2)).asnumpy()
        array([1., 0.], dtype=float32)
    """
    return _call(lambda c, a, b: gradkit.where(c != 0, a, b), condition, x, y)


broadcast_add = NDArray.__add__
broadcast_sub = NDArray.__sub__
broadcast_mul = NDArray.__mul__
broadcast_div = NDArray.__truediv__


def waitall() -> None:
    """Nothing to wait for: gradkit computes eagerly.

    Example:
        >>> nd.waitall()
    """
