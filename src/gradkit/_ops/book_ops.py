"""Ops that the real ``d2l`` 1.0.3 package calls and the rest of gradkit did not need:
``sinh``/``cosh`` (differentiable), ``repeat_interleave`` (differentiable in its input) and the
index computations behind ``argsort`` and ``nonzero`` (never differentiable).

Example:
    >>> Sinh.apply(gradkit.zeros(2))
    tensor([0., 0.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from .elementwise import to_float
from .graph import constant
from .reduction import normalize_dim

__all__ = ["Sinh", "Cosh", "RepeatInterleave", "repeat_counts", "argsort_indices",
           "nonzero_indices"]


class _Hyperbolic(Function):
    """``sinh`` and ``cosh``, whose derivatives are each other: a subclass names its function
    (``value``) and its derivative (``slope``, a NumPy ufunc, and ``slope_method``, the Tensor
    method computing the same for ``create_graph``)."""

    value: Any
    slope: Any
    slope_method: str

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):  # overflow to inf, as PyTorch, without a warning
            return ctx.value(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * ctx.slope(a)

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * getattr(a, ctx.slope_method)()


class Sinh(_Hyperbolic):
    """``sinh(a)``; d/da = cosh(a)."""

    value, slope, slope_method = np.sinh, np.cosh, "cosh"


class Cosh(_Hyperbolic):
    """``cosh(a)``; d/da = sinh(a)."""

    value, slope, slope_method = np.cosh, np.sinh, "sinh"


def repeat_counts(repeats: Any, length: int, dim: int) -> np.ndarray:
    """``repeats`` (an int, or a 0-d/1-d integer array) as one count per slice along the dim,
    with PyTorch's errors."""
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu":
        raise NotImplementedError(
            f'"repeat_interleave_cpu" not implemented for \'{_dtype_word(counts.dtype)}\'')
    if counts.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if counts.ndim == 1 and counts.shape[0] not in (1, length):
        raise RuntimeError(
            f"repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{counts.shape[0]} and input.size({dim}) = {length}")
    if (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    return np.broadcast_to(counts.reshape(-1), (length,)).astype(np.int64)


def _dtype_word(dtype: np.dtype) -> str:
    return {"f": "Float", "b": "Bool", "c": "ComplexFloat"}.get(dtype.kind, str(dtype))


class RepeatInterleave(Function):
    """Each slice of ``a`` along ``axis`` repeated ``counts[i]`` times (``np.repeat``); the
    gradient of a slice is the sum of the gradients of its copies."""

    @staticmethod
    def forward(ctx, a, counts, axis):
        ctx.counts, ctx.axis, ctx.length = counts, axis, a.shape[axis]
        return np.repeat(a, counts, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        # Copy j of the output came from slice source[j]; add the copies' gradients back.
        source = np.repeat(np.arange(ctx.length), ctx.counts)
        moved = np.moveaxis(grad, ctx.axis, 0)
        out = np.zeros((ctx.length,) + moved.shape[1:], dtype=grad.dtype)
        np.add.at(out, source, moved)
        return np.moveaxis(out, 0, ctx.axis), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        # The same sum of copies as a product with the 0/1 matrix copies[j, i] = (source[j] == i),
        # a recorded op whose own derivative repeats the gradient again.
        source = np.repeat(np.arange(ctx.length), ctx.counts)
        copies = constant((source[:, None] == np.arange(ctx.length)).astype(grad._data.dtype))
        moved = grad.transpose(ctx.axis, -1)
        return (moved @ copies).transpose(ctx.axis, -1), None, None


def argsort_indices(array: np.ndarray, dim: int, descending: bool, stable: bool) -> np.ndarray:
    """int64 indices that sort ``array`` along ``dim``, NaN counted as the largest value (as
    PyTorch does); ties keep their order (PyTorch's ``stable=True``; its default makes no
    promise, so a stable order is always a valid answer)."""
    del stable  # NumPy's stable sort serves both
    if array.ndim == 0:
        normalize_dim(dim, 0)
        return np.zeros((), np.int64)
    axis = normalize_dim(dim, array.ndim)
    if not descending:
        return np.argsort(array, axis=axis, kind="stable").astype(np.int64)
    moved = np.moveaxis(array, axis, -1)
    if moved.dtype.kind == "b":
        moved = moved.astype(np.int8)
    elif moved.dtype.kind == "u":
        moved = moved.astype(np.int64)
    if moved.dtype.kind == "f":
        nan = np.isnan(moved)
        key = np.where(nan, 0, -moved)
        # lexsort sorts by its last key first: NaNs (key False) before every number.
        order = np.lexsort((key, ~nan), axis=-1)
    else:
        order = np.argsort(-moved, axis=-1, kind="stable")
    return np.moveaxis(order, -1, axis).astype(np.int64)


def nonzero_indices(array: np.ndarray, as_tuple: bool) -> Any:
    """The indices of the nonzero elements: an ``(n, ndim)`` int64 array, or (``as_tuple``) one
    int64 vector per dimension (a 0-d array counts as a 1-d one, as in PyTorch)."""
    if as_tuple:
        return tuple(index.astype(np.int64) for index in np.nonzero(np.atleast_1d(array)))
    return np.argwhere(array).astype(np.int64)
