"""Views in the graph: in-place writes through a view update the base tensor's graph node.

A tensor made by a view op (basic indexing, reshape/view, transpose, permute, squeeze,
unsqueeze...) shares memory with its base, as in PyTorch, and remembers ``(base, view_fn)``,
where ``view_fn(array)`` re-derives the view from any array laid out like the base. When an
in-place op writes through the view, the base gets a ``ViewWrite`` node (PyTorch's
``CopySlices``): the overwritten region of the old base receives no gradient, the written values
receive the gradient of that region. The view itself is then re-derived from the new base.

Example:
    >>> a = x * 1
    >>> a[1:].mul_(2)          # a's grad_fn is now CopySlices
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.function import Function, VersionCounter

__all__ = ["ViewOf", "ViewWrite", "track_view"]

ViewFn = Callable[[np.ndarray], np.ndarray]


def _region(view_fn: ViewFn, buffer: np.ndarray) -> np.ndarray:
    region = view_fn(buffer)
    if not np.may_share_memory(region, buffer):  # pragma: no cover - guards an invariant
        raise RuntimeError("internal error: a view function did not return a view")
    return region


def _buffer_like(base: np.ndarray, fill: np.ndarray | None = None) -> np.ndarray:
    """An array with the base's memory layout, so that ``view_fn`` yields a view of it again."""
    buffer = np.empty_like(base)
    if fill is None:
        buffer[...] = 0
    else:
        buffer[...] = fill
    return buffer


class ViewOf(Function):
    """``view_fn(base)``: the gradient is scattered back into the view's region."""

    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, view_fn=None):
        ctx.view_fn, ctx.base = view_fn, base
        return view_fn(base)

    @staticmethod
    def backward(ctx, grad):
        out = _buffer_like(ctx.base)
        _region(ctx.view_fn, out)[...] = grad
        return out


class ViewWrite(Function):
    """The base after ``value`` was written into its ``view_fn`` region (already in memory):
    d/dbase = grad outside the region, d/dvalue = grad inside it."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, value, view_fn=None):
        ctx.view_fn, ctx.base = view_fn, base
        return base

    @staticmethod
    def backward(ctx, grad):
        grad_base = _buffer_like(ctx.base, grad)
        _region(ctx.view_fn, grad_base)[...] = 0
        grad_value = np.array(_region(ctx.view_fn, _buffer_like(ctx.base, grad)))
        return grad_base, grad_value


def track_view(result: Any, source: Any, view_fn: ViewFn) -> Any:
    """Mark ``result`` as a view of ``source`` (when it shares its memory): it then shares the
    root base's version counter, and in-place writes through it re-base the root's graph."""
    if not np.may_share_memory(result._data, source._data):
        return result
    parent = getattr(source, "_view", None)
    if parent is None:
        root, fn = source, view_fn
    else:
        root, parent_fn = parent
        fn = lambda array: view_fn(parent_fn(array))  # noqa: E731 - a composed view
    result._view = (root, fn)
    if root._vc is None:
        root._vc = VersionCounter()
    result._vc = root._vc
    return result
