"""Indexing: reads (``x[i]``, slices, masks, integer tensors, ``y_hat[range(n), y]``) and writes.

An index is first converted to what NumPy understands (``to_numpy_index``): tensors become arrays,
``range`` objects become integer arrays, and bounds are checked with PyTorch's error. Basic
indexing returns a view sharing memory, as PyTorch does; advanced indexing copies.

Example:
    >>> y_hat = gradkit.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    >>> y_hat[[0, 1], gradkit.tensor([0, 2])]
    tensor([0.1000, 0.5000])
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from .graph import constant

_ndarray = np.ndarray


_INDEX_DTYPE_ERROR = "tensors used as indices must be long, int, byte or bool tensors"
# PyTorch's integer index dtypes; uint8 ("byte") is read as a mask, as in its early versions.
_INTEGER_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def is_byte_mask(item: Any) -> bool:
    """Whether an index component is a uint8 tensor or array, which PyTorch reads as a mask."""
    return getattr(getattr(item, "_data", item), "dtype", None) == np.uint8


def check_byte_mask_fill(index: Any, value: Any) -> None:
    """PyTorch's error for ``x[uint8_mask] = one_value``: that assignment is a ``masked_fill_``,
    which takes bool masks only (a value of several elements is an index_put and works)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(is_byte_mask(item) for item in items) and np.size(getattr(value, "_data", value)) == 1:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")


def _byte_mask(data: np.ndarray) -> np.ndarray:
    """A uint8 index as the bool mask PyTorch reads it as, with its deprecation warning."""
    # stacklevel 5: the user's line, above Tensor.__getitem__, to_numpy_index and _convert_one.
    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                  "torch.bool instead.", UserWarning, stacklevel=5)
    return data.astype(np.bool_)


def _convert_one(item: Any) -> tuple[Any, bool]:
    """One index component as NumPy understands it, and whether it is advanced."""
    data = getattr(item, "_data", None)
    if data is not None:  # a Tensor
        if data.dtype == np.uint8:
            return _byte_mask(data), True
        if data.dtype.kind == "f":
            raise IndexError(_INDEX_DTYPE_ERROR)
        if data.ndim == 0 and data.dtype.kind in "iu":
            return int(data), False  # a 0-d tensor of any integer dtype is read as a Python int
        if data.dtype.kind in "iu" and data.dtype not in _INTEGER_INDEX_DTYPES:
            raise IndexError(_INDEX_DTYPE_ERROR)  # int8, int16, uint16, ...
        return data, True
    if item is None or item is Ellipsis or isinstance(item, slice):
        return _convert_slice(item) if isinstance(item, slice) else item, False
    if isinstance(item, (bool, np.bool_)):
        return bool(item), True
    if isinstance(item, (int, np.integer)):
        return int(item), False
    if isinstance(item, range):
        return np.arange(item.start, item.stop, item.step, dtype=np.int64), True
    if isinstance(item, (list, tuple, _ndarray)):
        array = np.asarray([getattr(x, "_data", x) for x in item] if isinstance(item, list)
                           else item)
        if array.size == 0:
            array = array.astype(np.int64)  # ``x[[]]`` selects nothing (NumPy reads [] as float)
        if array.dtype.kind == "f":
            raise IndexError(_INDEX_DTYPE_ERROR)
        if array.dtype == np.uint8:  # a NumPy uint8 array becomes a byte tensor in PyTorch
            return _byte_mask(array), True
        if array.dtype == object:
            raise IndexError(f"too many indices or unsupported index: {item!r}")
        return array, True
    if isinstance(item, str):
        # PyTorch tries to make a tensor of any sequence, and strings are sequences.
        raise TypeError("new(): invalid data type 'str'")
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(item).__name__})")


def _convert_slice(s: slice) -> slice:
    def plain(v: Any) -> Any:
        data = getattr(v, "_data", None)
        return int(data) if data is not None else v
    step = plain(s.step)
    if step is not None and step <= 0:
        raise ValueError("step must be greater than zero")
    return slice(plain(s.start), plain(s.stop), step)


def to_numpy_index(index: Any, shape: tuple) -> tuple[Any, bool]:
    """Convert a PyTorch index for a tensor of ``shape``; returns (index, is_advanced).

    Ints and slices are checked here, so the error names the dimension as PyTorch does;
    integer arrays only when NumPy refuses them (``check_array_bounds``), as a min/max over
    every index array would cost more than the indexing.
    """
    if isinstance(index, list) and _list_as_tuple(index):
        index = tuple(index)
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    advanced = False
    for item in items:
        c, is_advanced = _convert_one(item)
        advanced |= is_advanced
        converted.append(c)
    _check_bounds(converted, shape)
    if not advanced and Ellipsis not in converted:
        # A trailing Ellipsis makes NumPy return a 0-d view instead of a scalar copy, so that
        # ``x[0]`` shares memory with ``x`` as in PyTorch.
        converted.append(Ellipsis)
    return tuple(converted), advanced


def _list_as_tuple(index: list) -> bool:
    """PyTorch's (and old NumPy's) rule: a short list holding a sequence, slice, tensor, None or
    ``...`` is read as a tuple of indices (``x[[[0, 1], [2, 3]]]`` is ``x[[0, 1], [2, 3]]``)."""
    if len(index) >= 32:
        return False
    return any(item is None or item is Ellipsis or hasattr(item, "_data")
               or isinstance(item, (list, tuple, range, slice, _ndarray)) for item in index)


def check_array_bounds(index: tuple, shape: tuple) -> None:
    """Raise PyTorch's IndexError for an out-of-range integer array in ``index`` (called once
    NumPy has refused the index, to say it in the user's terms)."""
    _check_bounds(list(index), shape, arrays=True)


def _check_bounds(items: list, shape: tuple, arrays: bool = False) -> None:
    # A bool scalar (``x[True]``) adds a dim of size 1 or 0 and consumes none.
    consumed = sum(1 if not (i is None or i is Ellipsis or type(i) is bool) else 0 for i in items
                   if not (type(i) is _ndarray and i.dtype == np.bool_))
    consumed += sum(i.ndim for i in items if type(i) is _ndarray and i.dtype == np.bool_)
    if consumed > len(shape):
        raise IndexError(
            f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for position, item in enumerate(items):
        if item is Ellipsis:
            rest = sum(1 for i in items[position + 1:] if i is not None)
            dim = len(shape) - rest
            continue
        if item is None or type(item) is bool:
            continue
        if type(item) is _ndarray and item.dtype == np.bool_:
            if item.shape != shape[dim:dim + item.ndim] and item.ndim:
                for k, (m, s) in enumerate(zip(item.shape, shape[dim:])):
                    if m != s:
                        raise IndexError(
                            f"The shape of the mask {list(item.shape)} at index {k} does not "
                            f"match the shape of the indexed tensor {list(shape)} at index "
                            f"{dim + k}")
            dim += item.ndim
            continue
        size = shape[dim]
        if isinstance(item, int):
            if not -size <= item < size:
                raise IndexError(
                    f"index {item} is out of bounds for dimension {dim} with size {size}")
        elif arrays and type(item) is _ndarray and item.size:
            low, high = item.min(), item.max()
            if high >= size or low < -size:
                bad = int(high if high >= size else low)
                raise IndexError(
                    f"index {bad} is out of bounds for dimension {dim} with size {size}")
        dim += 1


class GetItem(Function):
    """``a[index]``; backward scatters the gradient into zeros (adding up repeated indices)."""

    @staticmethod
    def forward(ctx, a, index=None, advanced=False):
        ctx.shape, ctx.index, ctx.advanced = a.shape, index, advanced
        try:
            return a[index]
        except IndexError:
            check_array_bounds(index, a.shape)
            raise

    def name(self) -> str:  # type: ignore[override]
        # PyTorch applies a basic index one component at a time; the node is the last one's.
        if self.advanced:
            return "IndexBackward0"
        for item in reversed(self.index):
            if item is None:
                return "UnsqueezeBackward0"
            if isinstance(item, slice):
                return "SliceBackward0"
            if item is not Ellipsis:
                return "SelectBackward0"
        return "AliasBackward0"

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        if ctx.advanced:
            np.add.at(out, ctx.index, grad)
        else:
            out[ctx.index] = grad
        return out

    @staticmethod
    def backward_graph(ctx, grad):
        return IndexScatter.apply(grad, shape=ctx.shape, index=ctx.index, advanced=ctx.advanced)


class IndexScatter(Function):
    """``GetItem``'s backward as an op: zeros of ``shape`` with ``grad`` added at ``index``.

    Its own backward is ``GetItem`` again (the two are adjoint linear maps), so gradients
    through indexing can be differentiated to any order.
    """

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape=(), index=None, advanced=False):
        ctx.index, ctx.advanced = index, advanced
        out = np.zeros(shape, dtype=grad.dtype)
        if advanced:
            np.add.at(out, index, grad)
        else:
            out[index] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]

    @staticmethod
    def backward_graph(ctx, grad):
        return GetItem.apply(grad, index=ctx.index, advanced=ctx.advanced)


class IndexPut(Function):
    """``a[index] = value`` recorded in the graph: the overwritten part of ``a`` gets no
    gradient, ``value`` gets the gradient of the positions it was written to."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, value, index=None):
        out = a.copy()
        assign(out, index, value)
        ctx.index, ctx.value_ndim = index, np.ndim(value)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.index] = 0
        grad_value = grad[ctx.index]
        missing = ctx.value_ndim - grad_value.ndim
        if missing > 0:
            # The value had leading dims of size 1 that the assignment dropped (a (1,) value
            # into a 0-d slot): give them back so the gradient has the value's shape.
            grad_value = grad_value.reshape((1,) * missing + grad_value.shape)
        return grad_a, grad_value

    @staticmethod
    def backward_graph(ctx, grad):
        kept = np.ones(grad.shape, dtype=grad._data.dtype)
        kept[ctx.index] = 0
        index = ctx.index if isinstance(ctx.index, tuple) else (ctx.index,)
        advanced = any(isinstance(i, (np.ndarray, list, bool)) for i in index)
        grad_value = GetItem.apply(grad, index=ctx.index, advanced=advanced)
        missing = ctx.value_ndim - grad_value.ndim
        if missing > 0:
            grad_value = grad_value.reshape((1,) * missing + tuple(grad_value.shape))
        return grad * constant(kept), grad_value


def assign(target: np.ndarray, index: Any, value: Any) -> None:
    """``target[index] = value`` with PyTorch's error when ``value`` does not broadcast."""
    try:
        target[index] = value
    except IndexError:
        check_array_bounds(index, target.shape)
        raise
    except ValueError:
        slot = np.empty(target.shape, dtype=np.bool_)[index].shape
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(np.shape(value))} cannot be broadcast "
            f"to indexing result of shape {list(slot)}") from None
