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


def _scatter(view_fn: ViewFn, base: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Zeros laid out like ``base`` with ``grad`` in the view's region."""
    out = _buffer_like(base)
    _region(view_fn, out)[...] = grad
    return out


def _gather(view_fn: ViewFn, base: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """The view's region of ``grad`` (shaped like the base), as a new array."""
    return np.array(_region(view_fn, _buffer_like(base, grad)))


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
        return _scatter(ctx.view_fn, ctx.base, grad)

    @staticmethod
    def backward_graph(ctx, grad):
        return ViewScatter.apply(grad, base=ctx.base, view_fn=ctx.view_fn)


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
        return grad_base, _gather(ctx.view_fn, ctx.base, grad)

    @staticmethod
    def backward_graph(ctx, grad):
        outside = _buffer_like(ctx.base, 1)
        _region(ctx.view_fn, outside)[...] = 0
        kept = Function.tensor_type._wrap(outside.astype(grad._data.dtype, copy=False))
        return grad * kept, ViewGather.apply(grad, base=ctx.base, view_fn=ctx.view_fn)


class ViewScatter(Function):
    """A view's gradient put into zeros laid out like the base (``ViewOf``'s backward as an
    op); its backward is ``ViewGather``, so gradients through views differentiate again."""

    node_name = "AsStridedBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, base=None, view_fn=None):
        ctx.view_fn, ctx.base = view_fn, base
        return _scatter(view_fn, base, grad)

    @staticmethod
    def backward(ctx, grad):
        return _gather(ctx.view_fn, ctx.base, grad)

    @staticmethod
    def backward_graph(ctx, grad):
        return ViewGather.apply(grad, base=ctx.base, view_fn=ctx.view_fn)


class ViewGather(Function):
    """The view's region of a base-shaped gradient (``ViewWrite``'s backward for the written
    value, as an op); its backward is ``ViewScatter``."""

    node_name = "CopySlicesBackward0"

    @staticmethod
    def forward(ctx, grad, base=None, view_fn=None):
        ctx.view_fn, ctx.base = view_fn, base
        return _gather(view_fn, base, grad)

    @staticmethod
    def backward(ctx, grad):
        return _scatter(ctx.view_fn, ctx.base, grad)

    @staticmethod
    def backward_graph(ctx, grad):
        return ViewScatter.apply(grad, base=ctx.base, view_fn=ctx.view_fn)


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
