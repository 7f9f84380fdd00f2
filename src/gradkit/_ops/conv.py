"""Convolution (1-D and 2-D, with stride, padding, dilation and groups) and constant padding.

Layout: im2col into per-image column matrices ``(N, C·KH·KW, OH·OW)``, and one (batched) matmul
per layer.

The input ``(N, C, H, W)`` is zero-padded, and ``as_strided`` gives a read-only view of every
window, ``(N, C, KH, KW, OH, OW)``: ``view[n, c, i, j, y, x] = x[n, c, s·y + d·i, s·x + d·j]``.
Copying that view to a contiguous array is the one im2col copy (the "columns"); then

    out[n] = W₂ @ columns[n]       W₂ = weight as (C_out, C·KH·KW)       -> (N, C_out, OH·OW)

is a single ``np.matmul`` (NumPy loops BLAS over the batch). Why batch-first columns rather
than one ``(C·KH·KW, N·OH·OW)`` matrix: the output comes out in ``(N, C_out, OH, OW)`` order
(no transpose copy), the copy that builds the columns follows the input's own order, and the
backward col2im adds straight into ``(N, C, H, W)``. Measured on LeNet's two layers (one
thread), this layout's forward+backward is 1.1-3x faster than the single-matrix one, mostly
because the big transposing copies disappear. With ``groups`` the channel is the outer index
of a column, so ``(g, C_out/g, K)`` weights meet ``(N, g, K, L)`` columns in the same matmul.
Backward, per image, with grad₂ = grad as ``(N, C_out, OH·OW)``:

    grad_weight  = Σₙ grad₂[n] @ columns[n]ᵀ                        (one matmul, then a sum)
    grad_columns = W₂ᵀ @ grad₂[n]                                    (one matmul)

and ``col2im`` adds each of the KH·KW slices of ``grad_columns`` back onto the (padded) input
positions it was read from: 25 strided slice-adds for a 5x5 kernel, no ``np.add.at``. Put
differently, grad_input is the "full" correlation of the output gradient with the flipped
kernel; the slice-adds compute exactly that sum, term by term.

1-D convolutions and unbatched inputs are the same op on a view with a height (or batch) of 1.

Example:
    >>> x = gradkit.ones(1, 1, 4, 4, requires_grad=True)
    >>> Convolution.apply(x, gradkit.ones(1, 1, 3, 3), None, stride=(1, 1),
    ...                   padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1).shape
    gradkit.Size([1, 1, 2, 2])
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from .nn_ops import _needs, scalar_type_name
from . import conv_graph

__all__ = ["Convolution", "Im2Col", "ConstantPadNd", "output_size", "window_view", "offset_slices", "im2col",
           "add_windows"]


def output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length of a sliding window: ``⌊(size + pad − d·(k−1) − 1) / s⌋ + 1``."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def window_view(padded: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
                out: tuple) -> np.ndarray:
    """Read-only view ``(N, C, KH, KW, OH, OW)`` of the windows of ``padded`` ``(N, C, H, W)``:
    ``view[n, c, i, j, y, x] = padded[n, c, y·sh + i·dh, x·sw + j·dw]``."""
    sn, sc, sh, sw = padded.strides
    return as_strided(padded, (*padded.shape[:2], *kernel, *out),
                      (sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0],
                       sw * stride[1]), writeable=False)


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """For each kernel offset (i, j): ``(i, j, rows, cols)``, the strided slices of the
    (padded) input that the offset reads across all ``out`` windows."""
    for i in range(kernel[0]):
        top = i * dilation[0]
        rows = slice(top, top + stride[0] * (out[0] - 1) + 1, stride[0])
        for j in range(kernel[1]):
            left = j * dilation[1]
            yield i, j, rows, slice(left, left + stride[1] * (out[1] - 1) + 1, stride[1])


def add_windows(target: np.ndarray, pieces: np.ndarray, stride: tuple, dilation: tuple) -> None:
    """The adjoint of ``window_view``: for each kernel offset (i, j), add
    ``pieces[..., i, j, :, :]`` onto the strided positions of ``target`` it was read from.

    ``target`` is ``(A, B, H, W)``, ``pieces`` ``(A, B, KH, KW, OH, OW)``.
    """
    for i, j, rows, cols in offset_slices(pieces.shape[2:4], stride, dilation, pieces.shape[4:]):
        target[:, :, rows, cols] += pieces[:, :, i, j]


def _pad2d(x: np.ndarray, padding: tuple) -> np.ndarray:
    """Zero-pad the last two dims by ``((top, bottom), (left, right))`` (no copy when zero)."""
    if not any(padding[0]) and not any(padding[1]):
        return x
    (top, bottom), (left, right) = padding
    out = np.zeros((*x.shape[:2], x.shape[2] + top + bottom, x.shape[3] + left + right),
                   x.dtype)
    out[:, :, top:top + x.shape[2], left:left + x.shape[3]] = x
    return out


class Convolution(Function):
    """Cross-correlation ``out[n, o] = Σ_c Σ_ij weight[o, c, i, j] · x[n, c, s·y + d·i, s·x + d·j]
    + bias[o]`` (what deep learning calls convolution), 1-D or 2-D.

    Args (keywords): ``stride``, ``dilation``: 2-tuples; ``padding``: ``((top, bottom),
    (left, right))`` (asymmetric for ``padding='same'`` with an even kernel); ``groups``.
    Inputs are checked by ``gradkit.nn.functional``; 1-D arrays arrive with a height of 1.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        ctx.conv_args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, spatial=weight.ndim - 2, unbatched=x.ndim == weight.ndim - 1, inputs=(x, weight, bias))  # noqa: E501 (conv_graph)
        ctx.input_shape = x.shape
        original_weight = weight  # saved as given, so that in-place changes to it are seen
        # Work on (N, C, H, W) / (O, C/g, KH, KW): 1-D gets a height of 1, unbatched a batch of 1.
        spatial = weight.ndim - 2
        if spatial == 1:
            x, weight = x[..., None, :], weight[:, :, None, :]
        if x.ndim == 3:
            x = x[None]
        n, c, h, w = x.shape
        out_channels, _, kh, kw = weight.shape
        oh = output_size(h, kh, stride[0], sum(padding[0]), dilation[0])
        ow = output_size(w, kw, stride[1], sum(padding[1]), dilation[1])
        padded = _pad2d(x, padding)
        columns = im2col(padded, (kh, kw), stride, dilation, (oh, ow))
        # (N, g, K, L) columns against (g, C_out/g, K) weights: (N, g, C_out/g, L).
        grouped_weight = weight.reshape(groups, out_channels // groups, -1)
        out = np.matmul(grouped_weight, columns.reshape(n, groups, -1, oh * ow))
        out = out.reshape(n, out_channels, oh, ow)
        if bias is not None:
            out += bias[:, None, None]
        ctx.save_for_backward(columns, original_weight)
        ctx.geometry = (padded.shape, stride, padding, dilation, groups)
        if spatial == 1:
            out = out[:, :, 0]
        return out[0] if len(ctx.input_shape) == spatial + 1 else out  # unbatched: no batch dim

    @staticmethod
    def backward(ctx, grad):
        columns, weight = ctx.saved_tensors
        if weight.ndim == 3:  # conv1d: the weight with a height of 1, as in forward
            weight = weight[:, :, None, :]
        padded_shape, stride, padding, dilation, groups = ctx.geometry
        need_x, need_w, need_b = _needs(ctx, 3)
        n, c, hp, wp = padded_shape
        out_channels, _, kh, kw = weight.shape
        grad = grad.reshape(n, out_channels, -1, grad.shape[-1])
        oh, ow = grad.shape[2:]
        # grad₂: (N, g, C_out/g, OH·OW), the layout of the forward matmul's result.
        grad_2d = grad.reshape(n, groups, out_channels // groups, oh * ow)
        grouped_columns = columns.reshape(n, groups, -1, oh * ow)
        grad_x = grad_w = grad_b = None
        if need_w:  # d out[n] / d W₂ = columns[n]ᵀ, summed over the batch
            grad_w = np.matmul(grad_2d, grouped_columns.transpose(0, 1, 3, 2)).sum(axis=0)
            grad_w = grad_w.reshape(ctx.next_edges[1][1])
        if need_b:  # the bias is added to every position of its channel
            grad_b = grad.sum(axis=(0, 2, 3))
        if need_x:  # d out[n] / d columns[n] = W₂ᵀ, then col2im sends each entry home
            grouped_weight = weight.reshape(groups, out_channels // groups, -1)
            grad_columns = np.matmul(grouped_weight.transpose(0, 2, 1), grad_2d)
            grad_padded = np.zeros(padded_shape, grad.dtype)
            add_windows(grad_padded, grad_columns.reshape(n, c, kh, kw, oh, ow), stride,
                        dilation)
            (top, bottom), (left, right) = padding
            grad_x = grad_padded[:, :, top:hp - bottom, left:wp - right]
            grad_x = np.ascontiguousarray(grad_x).reshape(ctx.input_shape)
        return grad_x, grad_w, grad_b

    backward_graph = staticmethod(conv_graph.convolution_backward_graph)


def im2col(padded: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
           out: tuple) -> np.ndarray:
    """The columns ``(N, C, KH, KW, OH, OW)`` (contiguous) of ``padded`` ``(N, C, H, W)``.

    Two ways to make the same copy: one strided copy of the whole window view, or one copy per
    kernel offset; the latter moves contiguous runs of OH·OW values and is 2-4x faster when
    those runs are long (LeNet's first layer: 784), the former when they are short.
    """
    if out[0] * out[1] < 256:
        return np.ascontiguousarray(window_view(padded, kernel, stride, dilation, out))
    n, c = padded.shape[:2]
    columns = np.empty((n, c, *kernel, *out), padded.dtype)
    for i, j, rows, cols in offset_slices(kernel, stride, dilation, out):
        columns[:, :, i, j] = padded[:, :, rows, cols]
    return columns


class Im2Col(Function):
    """``F.unfold``: the columns ``(N, C·KH·KW, L)`` of ``x`` ``(N, C, H, W)`` (sliding blocks,
    L = OH·OW); backward is col2im, the same slice-adds as the convolution's input gradient.
    ``padding`` is ``(ph, pw)`` on both sides."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation):
        n, c, h, w = x.shape
        pads = ((padding[0], padding[0]), (padding[1], padding[1]))
        out = (output_size(h, kernel[0], stride[0], 2 * padding[0], dilation[0]),
               output_size(w, kernel[1], stride[1], 2 * padding[1], dilation[1]))
        padded = _pad2d(x, pads)
        ctx.geometry = (x.shape, padded.shape, kernel, stride, padding, dilation, out)
        columns = im2col(padded, kernel, stride, dilation, out)
        return columns.reshape(n, c * kernel[0] * kernel[1], out[0] * out[1])

    @staticmethod
    def backward(ctx, grad):
        shape, padded_shape, kernel, stride, padding, dilation, out = ctx.geometry
        grad_padded = np.zeros(padded_shape, grad.dtype)
        add_windows(grad_padded, grad.reshape(*shape[:2], *kernel, *out), stride, dilation)
        return np.ascontiguousarray(
            grad_padded[:, :, padding[0]:padding[0] + shape[2], padding[1]:padding[1] + shape[3]])

    backward_graph = staticmethod(conv_graph.im2col_backward_graph)


_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "int64": "long", "int32": "int", "int16": "short", "int8": "signed char",
                 "uint8": "unsigned char", "bool": "bool"}


def check_conv_dtypes(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> None:
    """PyTorch's errors for mixed dtypes among input, weight and bias."""
    if x.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x)} but found "
                           f"{scalar_type_name(weight)}")
    if bias is not None and bias.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_C_TYPE_NAMES.get(x.dtype.name, x.dtype.name)}) and "
                           f"bias type ({_C_TYPE_NAMES.get(bias.dtype.name, bias.dtype.name)}) "
                           f"should be the same")


class ConstantPadNd(Function):
    """Pad (or, with negative amounts, crop) the last dims with a constant.

    ``pad`` is ``((before, after), ...)`` for the last ``len(pad)`` dims; the gradient is the
    slice of ``grad`` that lies over the input (padding positions get none, cropped ones zero).
    """

    @staticmethod
    def forward(ctx, x, *, pad, value):
        lead = x.ndim - len(pad)
        out_shape = x.shape[:lead] + tuple(s + b + a for s, (b, a) in zip(x.shape[lead:], pad))
        out = np.full(out_shape, value, dtype=x.dtype)
        # Where the input lands in the output, and which part of the input survives cropping.
        dst = [slice(None)] * lead + [slice(max(b, 0), max(b, 0) + s + min(b, 0) + min(a, 0))
                                      for s, (b, a) in zip(x.shape[lead:], pad)]
        src = [slice(None)] * lead + [slice(-min(b, 0), s - max(-a, 0))
                                      for s, (b, a) in zip(x.shape[lead:], pad)]
        out[tuple(dst)] = x[tuple(src)]
        ctx.slices = (tuple(dst), tuple(src), x.shape, any(b < 0 or a < 0 for b, a in pad))
        return out

    @staticmethod
    def backward(ctx, grad):
        dst, src, shape, crops = ctx.slices
        if not crops:
            return np.ascontiguousarray(grad[dst])
        grad_x = np.zeros(shape, grad.dtype)
        grad_x[src] = grad[dst]
        return grad_x

    backward_graph = staticmethod(conv_graph.pad_backward_graph)
