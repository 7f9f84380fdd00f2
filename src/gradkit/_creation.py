"""Factories: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``/``ones``/``full``/``empty``,
their ``*_like`` forms, ``arange``, ``linspace`` and ``eye``.

dtypes follow PyTorch: Python floats make the default float dtype (float32), Python ints make
int64, bools make bool, and a NumPy array keeps its dtype.

Example:
    >>> gradkit.tensor([[1, 2], [3, 4]]).dtype, gradkit.arange(3.0)
    (gradkit.int64, tensor([0., 1., 2.]))
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

from . import _dtype
from ._size import Size
from .tensor import Tensor, _size_args

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "legacy_new", "tensor", "as_tensor", "from_numpy", "asarray", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "linspace", "eye",
           "is_tensor", "numel"]


def _check_requires_grad(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


_NUMBER_TYPES = frozenset({int, float, bool})


def _from_sequence(data: Any) -> np.ndarray:
    """A nested Python sequence (possibly holding tensors or NumPy scalars) as an array."""
    if type(data) is list and all(type(x) in _NUMBER_TYPES for x in data):
        return np.array(data)  # the common case (the book's batch indices): no checks needed
    if isinstance(data, (list, tuple)):
        items = [_from_sequence(x) if isinstance(x, (list, tuple)) else
                 (x._data if isinstance(x, Tensor) else x) for x in data]
        for x in items:
            _check_element(x)
        lengths = {np.shape(x) for x in items}
        if len(lengths) > 1:
            shapes = [np.shape(x) for x in items]
            first = shapes[0]
            for s in shapes:
                if bool(s) != bool(first):
                    # A number where a sequence is expected (or the other way round).
                    raise TypeError("not a sequence")
                if s != first:
                    raise ValueError(f"expected sequence of length {first[0]} at dim 1 "
                                     f"(got {s[0]})")
        return np.array(items)
    _check_element(data)
    return np.array(data)


def _check_element(x: Any) -> None:
    """PyTorch's errors for values that are not numbers."""
    if x is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _python_dtype(data: Any) -> Any:
    """The dtype PyTorch infers from Python data (before any ``dtype=`` argument)."""
    array = _from_sequence(data)
    # Python floats arrive as float64 and become the default dtype; NumPy scalars of other
    # types (np.float32, np.int32) keep theirs, as in PyTorch.
    if array.dtype == np.float64:
        return array.astype(_dtype.get_default_dtype().numpy, copy=False)
    if array.dtype.kind == "O":
        raise TypeError("new(): could not infer dtype of the given data")
    return array


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor copying ``data`` (a number, nested list, NumPy array or tensor).

    Args:
        data: the values; Python floats make float32, ints int64, bools bool.
        dtype: the element type (default: inferred).
        requires_grad: record operations on the result for autograd (floats only).

    Example:
        >>> gradkit.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        tensor([[1., 2.],
                [3., 4.]], requires_grad=True)
    """
    if device is not None:
        from .tensor import require_cpu

        require_cpu(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.clone().detach() or sourceTensor.clone().detach().requires_grad_(True), "
            "rather than tensor(sourceTensor).", UserWarning, stacklevel=2)
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        _dtype.from_numpy_dtype(data.dtype)  # raises TypeError for unsupported dtypes
        array = np.array(data)
    else:
        array = _python_dtype(data)
        if dtype is not None and array.dtype == np.float32 and \
                _dtype.to_dtype(dtype).numpy == np.float64:
            array = np.array(data, np.float64)  # Python floats straight to float64, as torch
    if dtype is not None:
        array = array.astype(_dtype.to_dtype(dtype).numpy, copy=False)
    elif array.dtype.kind not in "biuf":
        raise TypeError(f"can't convert data of type {array.dtype} to a tensor")
    if not array.flags.writeable or not array.flags.c_contiguous:
        array = np.ascontiguousarray(array).copy()
    return _check_requires_grad(Tensor._wrap(array), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when the dtype allows.

    Example:
        >>> a = np.ones(3); t = gradkit.as_tensor(a); a[0] = 5; t[0]
        tensor(5., dtype=gradkit.float64)
    """
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        if dtype is not None:
            data = data.astype(_dtype.to_dtype(dtype).numpy, copy=False)
        return Tensor._wrap(data)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (changes to one show in the other).

    Example:
        >>> gradkit.from_numpy(np.arange(3))
        tensor([0, 1, 2])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a gradkit tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of ``input``."""
    return input.numel()


def _shape(size: tuple, name: str, keyword: Any = None) -> tuple:
    """The shape given to factory ``name`` (as varargs, one sequence, or the ``size=``
    keyword), checked as PyTorch checks it."""
    if keyword is not None and not size:
        size = (keyword,)
    if not size:
        # ``zeros()`` is an error; ``zeros(())`` is a 0-dim tensor.
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    shape = _size_args(size)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _factory_dtype(dtype: Any, device: Any = None) -> np.dtype:
    """The NumPy dtype for a factory's ``dtype=``; also rejects devices other than the CPU."""
    if device is not None:
        from .tensor import require_cpu

        require_cpu(device)
    return _dtype.to_dtype(dtype).numpy


def zeros(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, out: Any = None, layout: Any = None) -> Tensor:
    """A tensor of zeros; the size as varargs (``zeros(2, 3)``), one sequence or ``size=``.

    Example:
        >>> gradkit.zeros((2, 3, 4)).shape
        gradkit.Size([2, 3, 4])
    """
    array = np.zeros(_shape(sizes, "zeros", size), _factory_dtype(dtype, device))
    return _check_requires_grad(Tensor._wrap(array), requires_grad)


def ones(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, out: Any = None, layout: Any = None) -> Tensor:
    """A tensor of ones.

    Example:
        >>> gradkit.ones(2)
        tensor([1., 1.])
    """
    array = np.ones(_shape(sizes, "ones", size), _factory_dtype(dtype, device))
    return _check_requires_grad(Tensor._wrap(array), requires_grad)


def empty(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, out: Any = None, layout: Any = None,
          memory_format: Any = None) -> Tensor:
    """An uninitialized tensor (its values are whatever the memory held).

    Example:
        >>> gradkit.empty(2, 3).shape
        gradkit.Size([2, 3])
    """
    array = np.empty(_shape(sizes, "empty", size), _factory_dtype(dtype, device))
    return _check_requires_grad(Tensor._wrap(array), requires_grad)


def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, out: Any = None, layout: Any = None) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from it: int → int64, float →
    float32, bool → bool).

    Example:
        >>> gradkit.full((2, 2), 7)
        tensor([[7, 7],
                [7, 7]])
    """
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype._scalar_dtype(fill_value)
    array = np.full(_shape((size,), "full"), fill_value, _factory_dtype(dtype, device))
    return _check_requires_grad(Tensor._wrap(array), requires_grad)


def _like(input: Tensor, dtype: Any, device: Any = None) -> tuple:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor as input, got {type(input).__name__}")
    target = _factory_dtype(dtype, device)
    return input._data.shape, (input._data.dtype if dtype is None else target)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, layout: Any = None,
               memory_format: Any = None) -> Tensor:
    """Zeros with ``input``'s shape and dtype.

    Example:
        >>> gradkit.zeros_like(gradkit.ones(2, dtype=gradkit.int64))
        tensor([0, 0])
    """
    shape, dt = _like(input, dtype, device)
    return _check_requires_grad(Tensor._wrap(np.zeros(shape, dt)), requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, layout: Any = None,
              memory_format: Any = None) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype, device)
    return _check_requires_grad(Tensor._wrap(np.ones(shape, dt)), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, layout: Any = None,
               memory_format: Any = None) -> Tensor:
    """An uninitialized tensor with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype, device)
    return _check_requires_grad(Tensor._wrap(np.empty(shape, dt)), requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False, layout: Any = None,
              memory_format: Any = None) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype, device)
    return _check_requires_grad(Tensor._wrap(np.full(shape, fill_value, dt)), requires_grad)


def _number(x: Any) -> Any:
    return x.item() if isinstance(x, Tensor) else x


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False, out: Any = None,
           layout: Any = None) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``; int64 when all three
    are ints, else the default float dtype.

    Example:
        >>> gradkit.arange(12).reshape(3, 4)[1]
        tensor([4, 5, 6, 7])
    """
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        all_ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in (start, end, step))
        dtype = _dtype.int64 if all_ints else _dtype.get_default_dtype()
    target = _factory_dtype(dtype, device)
    length = max(0, math.ceil((end - start) / step))
    values = start + step * np.arange(length, dtype=np.float64 if target.kind == "f"
                                      else np.int64)
    return _check_requires_grad(Tensor._wrap(values.astype(target)), requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, out: Any = None, layout: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example:
        >>> gradkit.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.linspace(_number(start), _number(end), int(steps))
    return _check_requires_grad(Tensor._wrap(values.astype(_factory_dtype(dtype, device))),
                                requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False, out: Any = None, layout: Any = None) -> Tensor:
    """The ``n × m`` identity matrix (``m`` defaults to ``n``).

    Example:
        >>> gradkit.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {min(n, m or 0)}")
    return _check_requires_grad(Tensor._wrap(np.eye(n, m, dtype=_factory_dtype(dtype, device))),
                                requires_grad)


def legacy_new(dtype: _dtype.dtype, args: tuple) -> Tensor:
    """What the legacy constructors (``Tensor(...)``, ``FloatTensor(...)``) make: ints are a
    size (uninitialized values), one sequence or array is data; nothing is an empty tensor."""
    if not args:
        return Tensor._wrap(np.empty((0,), dtype.numpy))
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        return empty(*args, dtype=dtype)
    if len(args) > 1:
        raise TypeError(f"new(): invalid arguments {args!r}: expected sizes or one sequence")
    return tensor(args[0], dtype=dtype)


class _LegacyTensorType(type):
    """``gradkit.FloatTensor`` and kin: calling one builds a tensor of its dtype, and
    ``isinstance(t, gradkit.FloatTensor)`` checks the dtype, as in PyTorch."""

    dtype: _dtype.dtype

    def __call__(cls, *args: Any) -> Tensor:  # type: ignore[override]
        return legacy_new(cls.dtype, args)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype


def _legacy_type(name: str, dtype: _dtype.dtype) -> type:
    kind = _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": (
        f"The legacy constructor of {dtype} tensors: ``{name}(2, 3)`` (uninitialized) or "
        f"``{name}([1, 2])``; ``isinstance(t, {name})`` checks the dtype.")})
    return kind


FloatTensor = _legacy_type("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_type("HalfTensor", _dtype.float16)
LongTensor = _legacy_type("LongTensor", _dtype.int64)
IntTensor = _legacy_type("IntTensor", _dtype.int32)
ShortTensor = _legacy_type("ShortTensor", _dtype.int16)
CharTensor = _legacy_type("CharTensor", _dtype.int8)
ByteTensor = _legacy_type("ByteTensor", _dtype.uint8)
BoolTensor = _legacy_type("BoolTensor", _dtype.bool_)
