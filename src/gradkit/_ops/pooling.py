"""Pooling: max and average over sliding 2-D windows, and adaptive average pooling.

All work on ``(N, C, H, W)`` (an unbatched ``(C, H, W)`` gets a batch of 1) with the windows of
``conv.window_view``. Max pooling keeps, per output, the offset of the winner inside its window
(a running max over the KH·KW offsets, so no window copy is made); backward sends each gradient
to that offset, with one strided slice-add per offset, which is also right for overlapping
windows (stride < kernel), where an input can win several windows. Average pooling sums the
KH·KW strided slices and divides by PyTorch's per-window divisor (one number when no window
leaves the input); when the windows tile the input (LeNet's 2x2, stride 2) backward writes
each share instead of adding it.

Example:
    >>> x = gradkit.arange(16.0).reshape(1, 1, 4, 4)
    >>> MaxPool2D.apply(x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1),
    ...                 ceil_mode=False)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from .conv import offset_slices, window_view

__all__ = ["pool_output_size", "MaxPool2D", "AvgPool2D", "AdaptiveAvgPool2D", "AdaptiveMaxPool2D"]


def pool_output_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                     ceil_mode: bool) -> int:
    """PyTorch's pooling output length; with ``ceil_mode`` the last window may hang over the
    end, but it must start inside the input or the left padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _batched(x: np.ndarray) -> np.ndarray:
    return x[None] if x.ndim == 3 else x


def _pad_for_windows(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple,
                     dilation: tuple, out: tuple, fill: float) -> np.ndarray:
    """``x`` padded by ``padding`` before and by whatever the last window needs after."""
    n, c, h, w = x.shape
    after = [max((o - 1) * s + d * (k - 1) + 1 - (size + p), 0)
             for o, s, d, k, size, p in zip(out, stride, dilation, kernel, (h, w), padding)]
    if not any(padding) and not any(after):
        return x
    padded = np.full((n, c, h + padding[0] + after[0], w + padding[1] + after[1]), fill,
                     x.dtype)
    padded[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w] = x
    return padded


def _crop(grad_padded: np.ndarray, padding: tuple, shape: tuple) -> np.ndarray:
    h, w = shape[-2:]
    grad = grad_padded[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]
    return np.ascontiguousarray(grad).reshape(shape)


class MaxPool2D(Function):
    """``out[n, c, y, x] = max over the window at (y, x)``; the gradient goes to the winner
    (the first one at ties, a NaN if there is one, as in PyTorch).

    Keyword ``indices_out``: a list that receives PyTorch's ``return_indices`` (flat
    ``h·W + w`` positions in the unpadded input, int64).
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, ceil_mode, indices_out=None):
        shape = x.shape
        x = _batched(x)
        h, w = x.shape[2:]
        out = tuple(pool_output_size(size, k, s, p, d, ceil_mode)
                    for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        padded = _pad_for_windows(x, kernel, stride, padding, dilation, out, fill)
        windows = window_view(padded, kernel, stride, dilation, out)
        best = windows[:, :, 0, 0].copy()
        winner = np.zeros(best.shape, np.int64)  # flat offset i·KW + j inside the window
        for i, j, _, _ in offset_slices(kernel, stride, dilation, out):
            if i == j == 0:
                continue
            candidate = windows[:, :, i, j]
            better = candidate > best
            if x.dtype.kind == "f":
                better |= np.isnan(candidate) & ~np.isnan(best)
            np.copyto(best, candidate, where=better)
            winner[better] = i * kernel[1] + j
        ctx.geometry = (shape, padded.shape, kernel, stride, padding, dilation, out)
        ctx.winner = winner
        if indices_out is not None:
            rows = (np.arange(out[0]) * stride[0] - padding[0])[:, None] + \
                (winner // kernel[1]) * dilation[0]
            cols = (np.arange(out[1]) * stride[1] - padding[1]) + (winner % kernel[1]) * dilation[1]
            indices = rows * w + cols
            indices_out.append(indices.reshape(best.shape if len(shape) == 4 else best.shape[1:]))
        return best.reshape(best.shape if len(shape) == 4 else best.shape[1:])

    @staticmethod
    def backward(ctx, grad):
        shape, padded_shape, kernel, stride, padding, dilation, out = ctx.geometry
        winner = ctx.winner
        grad = grad.reshape(winner.shape)
        grad_padded = np.zeros(padded_shape, grad.dtype)
        # d max / d x = 1 at the winner, 0 elsewhere: each offset adds the gradients of the
        # windows it won to the input positions it read.
        for i, j, rows, cols in offset_slices(kernel, stride, dilation, out):
            grad_padded[:, :, rows, cols] += np.where(winner == i * kernel[1] + j, grad, 0)
        return _crop(grad_padded, padding, shape)

    @staticmethod
    def backward_graph(ctx, grad):
        # The same routing, recorded: each window's gradient masked to its winning offset is
        # a column of pieces, and Col2Im (F.fold) adds the pieces home.
        from .graph import where_graph

        shape, padded_shape, kernel, stride, padding, dilation, out = ctx.geometry
        winner = ctx.winner
        n, c = winner.shape[:2]
        offsets = np.arange(kernel[0] * kernel[1])[:, None, None]
        pieces = where_graph(winner[:, :, None] == offsets, grad.reshape(n, c, 1, *out), 0.0)
        return _windows_home(pieces, shape, padded_shape, kernel, stride, padding, dilation)


class AvgPool2D(Function):
    """``out = (sum over the window) / divisor``; the gradient spreads ``grad / divisor`` evenly
    over the window. The divisor is the window's size clipped to the padded input (or to the
    input itself without ``count_include_pad``), or ``divisor_override``."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
        shape = x.shape
        x = _batched(x)
        n, c, h, w = x.shape
        out = tuple(pool_output_size(size, k, s, p, 1, ceil_mode)
                    for size, k, s, p in zip((h, w), kernel, stride, padding))
        padded = _pad_for_windows(x, kernel, stride, padding, (1, 1), out, 0)
        # KH·KW strided slice-adds: ~10x faster than a sum over the window axes of a view.
        result = np.zeros((n, c, *out), x.dtype)
        for _, _, rows, cols in offset_slices(kernel, stride, (1, 1), out):
            result += padded[:, :, rows, cols]
        if padded is x:  # every window lies inside the input: one divisor for all
            divisor = divisor_override or kernel[0] * kernel[1]
            result /= x.dtype.type(divisor)
        else:
            divisor = _divisors(h, w, kernel, stride, padding, out, count_include_pad,
                                divisor_override).astype(x.dtype)
            result /= divisor
        ctx.geometry = (shape, padded.shape, divisor, kernel, stride, padding, out)
        return result.reshape(result.shape if len(shape) == 4 else result.shape[1:])

    @staticmethod
    def backward(ctx, grad):
        shape, padded_shape, divisor, kernel, stride, padding, out = ctx.geometry
        grad = grad.reshape(-1, shape[-3], *out) / np.asarray(divisor, grad.dtype)
        tiled = kernel == stride and padded_shape[2:] == (out[0] * kernel[0],
                                                         out[1] * kernel[1])
        # Windows that tile the input exactly: each input gets one window's share, written
        # (not added) per offset; otherwise the shares of overlapping windows add up.
        grad_padded = (np.empty if tiled else np.zeros)(padded_shape, grad.dtype)
        for _, _, rows, cols in offset_slices(kernel, stride, (1, 1), out):
            if tiled:
                grad_padded[:, :, rows, cols] = grad
            else:
                grad_padded[:, :, rows, cols] += grad
        return _crop(grad_padded, padding, shape)

    @staticmethod
    def backward_graph(ctx, grad):
        # Every offset of a window gets the window's share grad / divisor: Col2Im adds them.
        from .graph import constant

        shape, padded_shape, divisor, kernel, stride, padding, out = ctx.geometry
        if not np.isscalar(divisor):  # one divisor per output position
            divisor = constant(divisor.astype(grad._data.dtype))
        share = (grad / divisor).reshape(-1, shape[-3], 1, *out)
        pieces = share.expand(share.shape[0], shape[-3], kernel[0] * kernel[1], *out)
        return _windows_home(pieces, shape, padded_shape, kernel, stride, padding, (1, 1))


def _windows_home(pieces, shape: tuple, padded_shape: tuple, kernel: tuple, stride: tuple,
                  padding: tuple, dilation: tuple):
    """Recorded col2im for the pools: ``pieces`` ``(N, C, KH·KW, OH, OW)``, one value per
    window offset, added onto the padded input positions they were read from, then cropped
    to the input's ``shape``."""
    from .conv_graph import pad_graph
    from .fold import Col2Im

    n, c = pieces.shape[:2]
    columns = pieces.reshape(n, c * kernel[0] * kernel[1], -1)
    grad_padded = Col2Im.apply(columns, output_size=tuple(padded_shape[2:]), kernel=kernel,
                               stride=stride, padding=(0, 0), dilation=dilation)
    h, w = shape[-2:]
    crop = ((0, 0), (0, 0)) + tuple((-p, -(size - p - s)) for p, size, s in
                                    zip(padding, padded_shape[2:], (h, w)))
    return pad_graph(grad_padded, crop).reshape(shape)


def _divisors(h: int, w: int, kernel: tuple, stride: tuple, padding: tuple, out: tuple,
              count_include_pad: bool, divisor_override: int | None) -> np.ndarray:
    """Per-output divisor ``(OH, OW)`` of average pooling, as PyTorch counts it."""
    if divisor_override:
        return np.full(out, divisor_override, np.float64)
    counts = []
    for size, k, s, p, o in zip((h, w), kernel, stride, padding, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)  # windows never count the overhang of ceil_mode
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts.append(end - start)
    return np.outer(counts[0], counts[1]).astype(np.float64)


def adaptive_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """``(out, size)`` averaging matrix: row i averages PyTorch's adaptive window
    ``[⌊i·size/out⌋, ⌈(i+1)·size/out⌉)``."""
    matrix = np.zeros((out, size), dtype)
    for i in range(out):
        start, end = (i * size) // out, math.ceil((i + 1) * size / out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAvgPool2D(Function):
    """Average over ``output_size`` windows that tile the input. A rectangle's mean is the mean
    of its rows' means, so the op is separable: ``out = A_h @ x @ A_wᵀ`` with averaging
    matrices, and its gradient is ``A_hᵀ @ grad @ A_w``."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        rows = adaptive_matrix(x.shape[-2], output_size[0], x.dtype)
        cols = adaptive_matrix(x.shape[-1], output_size[1], x.dtype)
        ctx.matrices = (rows, cols)
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.matrices
        return rows.T @ grad @ cols

    @staticmethod
    def backward_graph(ctx, grad):
        from .graph import constant

        rows, cols = ctx.matrices
        return constant(rows.T) @ grad @ constant(cols)


def adaptive_windows(size: int, out: int) -> list:
    """PyTorch's adaptive windows ``[⌊i·size/out⌋, ⌈(i+1)·size/out⌉)`` as ``(start, end)``."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


class AdaptiveMaxPool2D(Function):
    """The maximum over each of ``output_size`` adaptive windows (which may overlap when the
    sizes do not divide). A rectangle's maximum is the maximum of its rows' maxima, so the op
    is separable: a max over each column window, then over each row window, each keeping its
    winner (the first one in row-major order at ties, as PyTorch). The gradient goes to the
    winner, added up where one input wins several windows.

    Keyword ``indices_out``: a list that receives the flat ``h·W + w`` winners (int64).
    """

    @staticmethod
    def forward(ctx, x, *, output_size, indices_out=None):
        shape = x.shape
        x = _batched(x)
        n, c, h, w = x.shape
        oh, ow = output_size
        across = np.empty((n, c, h, ow), x.dtype)  # max over each column window, per row
        across_at = np.empty((n, c, h, ow), np.int64)
        for j, (start, end) in enumerate(adaptive_windows(w, ow)):
            at = x[..., start:end].argmax(axis=-1)
            across[..., j] = np.take_along_axis(x[..., start:end], at[..., None], -1)[..., 0]
            across_at[..., j] = start + at
        best = np.empty((n, c, oh, ow), x.dtype)
        indices = np.empty((n, c, oh, ow), np.int64)
        for i, (start, end) in enumerate(adaptive_windows(h, oh)):
            at = across[:, :, start:end].argmax(axis=2)[:, :, None]
            best[:, :, i] = np.take_along_axis(across[:, :, start:end], at, 2)[:, :, 0]
            columns = np.take_along_axis(across_at[:, :, start:end], at, 2)[:, :, 0]
            indices[:, :, i] = (start + at[:, :, 0]) * w + columns
        ctx.shape, ctx.indices = shape, indices
        if indices_out is not None:
            indices_out.append(indices.reshape(indices.shape[len(x.shape) - len(shape):]))
        return best.reshape(best.shape[len(x.shape) - len(shape):])

    @staticmethod
    def _offsets(ctx) -> np.ndarray:
        """Each output's winner as a flat position in the whole input."""
        n, c, oh, ow = ctx.indices.shape
        plane = ctx.shape[-1] * ctx.shape[-2]
        return (np.arange(n * c)[:, None] * plane + ctx.indices.reshape(n * c, oh * ow)).ravel()

    @staticmethod
    def backward(ctx, grad):
        total = int(np.prod(ctx.shape))
        # d max / d x = 1 at the winner: add every output's gradient there
        grad_x = np.bincount(AdaptiveMaxPool2D._offsets(ctx), weights=grad.ravel(),
                             minlength=total)
        return grad_x.astype(grad.dtype, copy=False).reshape(ctx.shape)

    @staticmethod
    def backward_graph(ctx, grad):
        from .indexing import IndexScatter

        total = int(np.prod(ctx.shape))
        return IndexScatter.apply(grad.reshape(-1), shape=(total,),
                                  index=AdaptiveMaxPool2D._offsets(ctx),
                                  advanced=True).reshape(ctx.shape)
