"""Helpers for the ops' ``backward_graph``: the backward written with Tensor ops (recorded).

``backward`` works on NumPy arrays (the fast first-order path); ``backward_graph``, beside it in
each op, computes the same derivative with gradkit ops so that ``create_graph=True`` records it
(see ``autograd/higher_order.py``). These helpers are the Tensor counterparts of the NumPy
helpers the backward bodies use (``expand_back``, ``np.where``, ``np.flip``, ``rows_last``).

Example:
    >>> g = gradkit.ones(3, requires_grad=True)
    >>> expand_back_graph(g, (2, 3), (0,), False).shape
    gradkit.Size([2, 3])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function


def constant(array: Any) -> Any:
    """A Tensor outside the graph (masks, indices, counts: derivative zero, as intended)."""
    return Function.tensor_type._wrap(np.asarray(array))


def data_of(x: Any) -> Any:
    """The array of a Tensor, or the value itself (a Python number)."""
    return getattr(x, "_data", x)


def expand_back_graph(grad: Any, shape: tuple, axes: tuple, keepdim: bool) -> Any:
    """``expand_back`` on a Tensor: broadcast a reduction's gradient back to ``shape``."""
    if not keepdim and axes:
        kept = list(shape)
        for axis in axes:
            kept[axis] = 1
        grad = grad.reshape(tuple(kept))
    return grad.expand(*shape) if tuple(grad.shape) != tuple(shape) else grad


def where_graph(mask: np.ndarray, a: Any, b: Any) -> Any:
    """``a`` where the constant ``mask`` holds, else ``b`` (either may be a Python number)."""
    from .elementwise import Where

    return Where.apply(constant(mask), a, b)


def flip_graph(x: Any, axis: int) -> Any:
    """``np.flip(x, axis)`` as a recorded op (a reversed slice)."""
    from .indexing import GetItem

    index = (slice(None),) * axis + (slice(None, None, -1), Ellipsis)
    return GetItem.apply(x, index=index, advanced=False)


def rows_last_graph(x: Any) -> Any:
    """``rows_last`` on a Tensor: ``(N, C, d1, ...)`` as ``(N·d1·..., C)`` rows."""
    if x.ndim <= 2:
        return x if x.ndim == 2 else x.reshape(1, x.shape[0])
    order = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.permute(*order).reshape(x.numel() // max(x.shape[1], 1), x.shape[1])


def rows_back_graph(rows: Any, shape: tuple) -> Any:
    """Inverse of ``rows_last_graph`` for a Tensor of the input's ``shape``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    moved = tuple(shape[:1]) + tuple(shape[2:]) + tuple(shape[1:2])
    order = (0, len(shape) - 1) + tuple(range(1, len(shape) - 1))
    return rows.reshape(moved).permute(*order)
