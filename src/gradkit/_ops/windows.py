"""``Tensor.unfold(dimension, size, step)``: the sliding windows along one dim, as a view.

The result replaces ``dimension`` (length L) by the window index (``⌊(L − size) / step⌋ + 1``
windows) and appends a last dim of length ``size``:
``out[..., w, ..., k] = x[..., w·step + k, ...]``. Forward is ``as_strided`` on the input's own
memory (no copy; a view, as in PyTorch). An input element read by several windows (step < size)
gets the sum of their gradients: backward adds the ``size`` strided slices of the gradient back
(``WindowSum``), and reading the windows is in turn ``WindowSum``'s backward, so the pair is
differentiable to any order.

Example:
    >>> gradkit.arange(5.0).unfold(0, 2, 2)
    tensor([[0., 1.],
            [2., 3.]])
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function

__all__ = ["UnfoldWindows", "WindowSum", "windows_of"]


def windows_of(x: np.ndarray, dimension: int, size: int, step: int) -> np.ndarray:
    """The window view of ``x`` (shares its memory; writeable when ``x`` is)."""
    count = (x.shape[dimension] - size) // step + 1
    shape = x.shape[:dimension] + (count,) + x.shape[dimension + 1:] + (size,)
    strides = (x.strides[:dimension] + (x.strides[dimension] * step,) +
               x.strides[dimension + 1:] + (x.strides[dimension],))
    return as_strided(x, shape, strides, writeable=x.flags.writeable)


def _window_sum(grad: np.ndarray, shape: tuple, dimension: int, step: int) -> np.ndarray:
    """The adjoint of ``windows_of``: each window entry added onto the element it views."""
    out = np.zeros(shape, grad.dtype)
    count, size = grad.shape[dimension], grad.shape[-1]
    for k in range(size):  # offset k of every window: one strided slice of the input
        target = (slice(None),) * dimension + (slice(k, k + step * (count - 1) + 1, step),)
        out[target] += grad[..., k]
    return out


class UnfoldWindows(Function):
    """``x.unfold(dimension, size, step)`` (arguments checked by ``Tensor.unfold``)."""

    node_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx, x, *, dimension, size, step):
        ctx.geometry = (x.shape, dimension, size, step)
        return windows_of(x, dimension, size, step)

    @staticmethod
    def backward(ctx, grad):
        shape, dimension, _, step = ctx.geometry
        return _window_sum(grad, shape, dimension, step)

    @staticmethod
    def backward_graph(ctx, grad):
        shape, dimension, _, step = ctx.geometry
        return WindowSum.apply(grad, shape=shape, dimension=dimension, step=step)


class WindowSum(Function):
    """``UnfoldWindows``'s backward as an op: windows ``(..., count, ..., size)`` summed onto
    an array of ``shape``; its own backward reads the windows again."""

    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, *, shape, dimension, step):
        ctx.geometry = (dimension, grad.shape[-1], step)
        return _window_sum(grad, shape, dimension, step)

    @staticmethod
    def backward(ctx, grad):
        dimension, size, step = ctx.geometry
        return np.ascontiguousarray(windows_of(grad, dimension, size, step))

    @staticmethod
    def backward_graph(ctx, grad):
        dimension, size, step = ctx.geometry
        return UnfoldWindows.apply(grad, dimension=dimension, size=size, step=step)
