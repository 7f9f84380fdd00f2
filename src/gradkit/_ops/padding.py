"""``F.pad`` with ``mode='reflect'``, ``'replicate'`` or ``'circular'``: padding by gathering.

Every non-constant mode reads each output position from some input position along each padded
dim, so each dim's padding is one index array ``source`` and ``out = x.take(source, axis)``:

    reflect    (L = 4, pad 2, 1):   source = [2, 1 | 0, 1, 2, 3 | 2]   (mirror, edge not repeated)
    replicate  (L = 4, pad 2, 1):   source = [0, 0 | 0, 1, 2, 3 | 3]
    circular   (L = 4, pad 2, 1):   source = [2, 3 | 0, 1, 2, 3 | 0]   (wrap around)

(negative amounts crop, as ``mode='constant'`` does). The gradient adds each output gradient
back onto its source (``np.add.at``: the edges are read several times); ``PadGather`` and
its adjoint ``PadScatter`` are each other's backward, so padding is differentiable to any
order.

Example:
    >>> PadGather.apply(gradkit.arange(4.0), sources=((0, pad_sources(4, 2, 1, "reflect")),))
    tensor([2., 1., 0., 1., 2., 3., 2.])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function

__all__ = ["pad_sources", "PadGather", "PadScatter"]


def pad_sources(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position of a dim of ``size`` padded by ``(before, after)``, the input
    position it copies (the amounts are checked by ``F.pad``)."""
    position = np.arange(-before, size + after)
    if mode == "reflect":
        position = np.abs(position)
        return np.where(position >= size, 2 * (size - 1) - position, position)
    if mode == "replicate":
        return np.clip(position, 0, size - 1)
    # circular, as PyTorch: crop first, then wrap around what is left (a crop at one end and
    # padding at the other wrap onto the cropped signal)
    low, high = max(-before, 0), size - max(-after, 0)
    return low + np.arange(-max(before, 0), high - low + max(after, 0)) % (high - low)


def _gather(x: np.ndarray, sources: tuple) -> np.ndarray:
    for axis, source in sources:
        x = np.take(x, source, axis=axis)
    return x


def _scatter(grad: np.ndarray, sources: tuple, shape: tuple) -> np.ndarray:
    """The adjoint of ``_gather``: undo the dims in reverse order, adding repeated reads."""
    sizes = list(grad.shape)
    for (axis, source), size in reversed(list(zip(sources, _sizes_before(sources, shape)))):
        sizes[axis] = size
        out = np.zeros(sizes, grad.dtype)
        np.add.at(out, (slice(None),) * axis + (source,), grad)
        grad = out
    return grad


def _sizes_before(sources: tuple, shape: tuple) -> list:
    """The length of each gathered dim before its gather (the input's own)."""
    return [shape[axis] for axis, _ in sources]


class PadGather(Function):
    """``x`` gathered along each ``(axis, source)`` of ``sources`` in turn (the padding)."""

    @staticmethod
    def forward(ctx, x, *, sources, node_name=None):
        ctx.sources, ctx.shape = sources, x.shape
        if node_name is not None:
            ctx.node_name = node_name  # PyTorch's name for the mode (ReflectionPad2DBackward0)
        return _gather(x, sources)

    @staticmethod
    def backward(ctx, grad):
        return _scatter(grad, ctx.sources, ctx.shape)

    @staticmethod
    def backward_graph(ctx, grad):
        return PadScatter.apply(grad, sources=ctx.sources, shape=ctx.shape)


class PadScatter(Function):
    """``PadGather``'s backward as an op: each value added onto its source position."""

    @staticmethod
    def forward(ctx, grad, *, sources, shape):
        ctx.sources = sources
        return _scatter(grad, sources, shape)

    @staticmethod
    def backward(ctx, grad):
        return _gather(grad, ctx.sources)

    @staticmethod
    def backward_graph(ctx, grad):
        return PadGather.apply(grad, sources=ctx.sources)
