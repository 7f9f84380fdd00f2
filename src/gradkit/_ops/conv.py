"""Convolution (1-D and 2-D, with stride, padding, dilation and groups) and constant padding.

Layout: im2col with the batch as the innermost axis, and one matmul per layer.

The input ``(N, C, H, W)`` is copied once, zero-padded, to ``(C, H, W, N)``
(:func:`to_channels_first`). The columns are then ``(C, KH, KW, OH, OW, N)``,
``columns[c, i, j, y, x, n] = padded[c, s·y + d·i, s·x + d·j, n]``, built by one copy per kernel
offset (:func:`columns_chwn`); and

    out₂ = W₂ @ columns₂        W₂ = weight as (C_out, C·KH·KW), columns₂ as (C·KH·KW, OH·OW·N)

is one ``np.matmul``, whose ``(C_out, OH, OW, N)`` result is copied back to ``(N, C_out, OH, OW)``
with the bias added on the way (:func:`to_batch_first`). Backward, with grad₂ the output gradient
in the same ``(C_out, OH·OW·N)`` layout:

    grad_weight  = (columns₂ @ grad₂ᵀ)ᵀ       (the batch summed inside the product)
    grad_columns = W₂ᵀ @ grad₂

and ``col2im`` (:func:`add_columns_chwn`) adds each of the KH·KW slices of ``grad_columns`` back
onto the padded input positions it was read from: 25 slice-adds for a 5x5 kernel, no
``np.add.at``. Put differently, grad_input is the "full" correlation of the output gradient with the flipped kernel;
the slice-adds compute exactly that sum, term by term. With ``groups`` the channel is the outer
index of a column, so ``(g, C_out/g, K)`` weights meet ``(g, K, OH·OW·N)`` columns in one batched
matmul.

Why the batch innermost: every copy (im2col, col2im, the two transposes) then moves runs of
``OW·N`` contiguous values instead of ``OW``, and the layer is one matrix product instead of N.
Measured on LeNet (batch 256): im2col 0.8 ms instead of 3.7, col2im 1.2 ms instead of 8, a training
step 23 ms instead of 34. The tensors the op returns are still contiguous ``(N, C, H, W)``, as
PyTorch's: only the op's own temporaries have the other order.

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

from .. import _blas
from ..autograd.function import Function
from .nn_ops import _needs, scalar_type_name
from . import conv_graph

__all__ = ["Convolution", "Im2Col", "ConstantPadNd", "output_size", "window_view", "offset_slices",
           "im2col", "add_windows", "batch_stride", "to_channels_first", "to_batch_first",
           "columns_chwn", "add_columns_chwn"]


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


def batch_stride(n: int) -> int:
    """The stride, in elements, of the batch axis when it is the innermost one.

    A batch of 256 float32 values is a 1 KiB row: transposing copies between ``(C, H, W, N)``
    and ``(N, C, H, W)`` then hit the same cache sets over and over and run 10x slower (8 ms
    instead of 0.7 for LeNet's first layer). A few unused elements per row break the pattern.
    """
    return n + 8 if n >= 64 and n % 64 == 0 else n


def to_channels_first(x: np.ndarray, padding: tuple) -> np.ndarray:
    """``(N, C, H, W)`` -> zero-padded ``(C, H + pads, W + pads, N')``, the batch innermost.

    ``N'`` is ``batch_stride(N)``; the extra entries are zero, so that products over them add
    nothing. One transposing copy.
    """
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    out = np.zeros((c, h + top + bottom, w + left + right, batch_stride(n)), x.dtype)
    out[:, top:top + h, left:left + w, :n] = x.transpose(1, 2, 3, 0)
    return out


def to_batch_first(x: np.ndarray, out: np.ndarray, bias: np.ndarray | None = None) -> None:
    """Copy ``x`` ``(C, H, W, N')`` into ``out`` ``(N, C, H, W)``, dropping the unused batch
    entries and adding ``bias`` ``(C,)`` on the way (one pass instead of two)."""
    source = x[..., :out.shape[0]].transpose(3, 0, 1, 2)
    if bias is None:
        out[...] = source
    else:
        np.add(source, bias[:, None, None], out=out)


def columns_chwn(padded: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
                 out: tuple) -> np.ndarray:
    """im2col in the batch-innermost layout: ``(C, KH, KW, OH, OW, N')`` of ``(C, H, W, N')``.

    One copy per kernel offset; each moves runs of ``OW·N'`` contiguous values, 4-5x faster
    than the batch-first copy's runs of ``OW``.
    """
    c, n = padded.shape[0], padded.shape[3]
    columns = np.empty((c, *kernel, *out, n), padded.dtype)
    for i, j, rows, cols in offset_slices(kernel, stride, dilation, out):
        columns[:, i, j] = padded[:, rows, cols]
    return columns


def add_columns_chwn(target: np.ndarray, columns: np.ndarray, stride: tuple,
                     dilation: tuple) -> None:
    """col2im in the batch-innermost layout, the adjoint of :func:`columns_chwn`: add each
    offset's ``columns[:, i, j]`` onto the positions of ``target`` ``(C, H, W, N')`` it was read
    from."""
    for i, j, rows, cols in offset_slices(columns.shape[1:3], stride, dilation,
                                          columns.shape[3:5]):
        target[:, rows, cols] += columns[:, i, j]


class Convolution(Function):
    """Cross-correlation ``out[n, o] = Σ_c Σ_ij weight[o, c, i, j] · x[n, c, s·y + d·i, s·x + d·j]
    + bias[o]`` (what deep learning calls convolution), 1-D or 2-D.

    Args (keywords): ``stride``, ``dilation``: 2-tuples; ``padding``: ``((top, bottom),
    (left, right))`` (asymmetric for ``padding='same'`` with an even kernel); ``groups``.
    Inputs are checked by ``gradkit.nn.functional``; 1-D arrays arrive with a height of 1.

    How (see the module docstring): the images are copied to ``(C, H, W, N)``, their columns
    are one ``(C·KH·KW, OH·OW·N)`` matrix, and the layer is one matmul ``W₂ @ columns`` whose
    ``(C_out, OH, OW, N)`` result is copied back to ``(N, C_out, OH, OW)``. Backward mirrors it.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        spatial = weight.ndim - 2
        # For create_graph (conv_graph): the geometry, and the inputs to rebuild the graph from.
        ctx.conv_args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                             spatial=spatial, unbatched=x.ndim == spatial + 1,
                             inputs=(x, weight, bias))
        ctx.input_shape = x.shape
        # Saved as given, so that in-place changes to them are seen (PyTorch saves both too;
        # the columns are what backward reads, x is what create_graph rebuilds them from).
        original_x, original_weight = x, weight
        # Work on (N, C, H, W) / (O, C/g, KH, KW): 1-D gets a height of 1, unbatched a batch of 1.
        if spatial == 1:
            x, weight = x[..., None, :], weight[:, :, None, :]
        if x.ndim == 3:
            x = x[None]
        n, c, h, w = x.shape
        out_channels, _, kh, kw = weight.shape
        oh = output_size(h, kh, stride[0], sum(padding[0]), dilation[0])
        ow = output_size(w, kw, stride[1], sum(padding[1]), dilation[1])
        padded = to_channels_first(x, padding)
        n_stride = padded.shape[3]
        columns = columns_chwn(padded, (kh, kw), stride, dilation, (oh, ow))
        # (g, C_out/g, K) weights against (g, K, OH·OW·N') columns: (g, C_out/g, OH·OW·N').
        grouped_weight = weight.reshape(groups, out_channels // groups, -1)
        product = _blas.matmul(grouped_weight, columns.reshape(groups, -1, oh * ow * n_stride))
        out = np.empty((n, out_channels, oh, ow), x.dtype)
        to_batch_first(product.reshape(out_channels, oh, ow, -1), out, bias)
        ctx.save_for_backward(columns, original_weight, original_x)
        ctx.geometry = (padded.shape, n, stride, padding, dilation, groups)
        if spatial == 1:
            out = out[:, :, 0]
        return out[0] if ctx.conv_args["unbatched"] else out  # unbatched: no batch dim

    @staticmethod
    def backward(ctx, grad):
        columns, weight, _ = ctx.saved_tensors
        if weight.ndim == 3:  # conv1d: the weight with a height of 1, as in forward
            weight = weight[:, :, None, :]
        padded_shape, n, stride, padding, dilation, groups = ctx.geometry
        need_x, need_w, need_b = _needs(ctx, 3)
        c, hp, wp, _ = padded_shape
        out_channels, _, kh, kw = weight.shape
        grad = grad.reshape(n, out_channels, -1, grad.shape[-1])
        grad_x = grad_w = grad_b = None
        if need_b:  # the bias is added to every position of its channel
            grad_b = grad.sum(axis=(0, 2, 3))
        if not (need_x or need_w):
            return grad_x, grad_w, grad_b
        # grad₂: (g, C_out/g, OH·OW·N'), the layout of the forward matmul's result.
        grad_2d = to_channels_first(grad, ((0, 0), (0, 0)))
        grad_2d = grad_2d.reshape(groups, out_channels // groups, -1)
        grouped_columns = columns.reshape(groups, -1, grad_2d.shape[-1])
        if need_w:  # d out / d W₂ = columnsᵀ; the batch is summed inside the product
            # As (columns @ grad₂ᵀ)ᵀ: the same numbers, but OpenBLAS runs this orientation of a
            # long contraction into a tiny result 1.5-2x faster (LeNet: 6x25 over 207k).
            grad_w = _blas.matmul(grouped_columns, grad_2d.transpose(0, 2, 1))
            grad_w = grad_w.transpose(0, 2, 1).reshape(ctx.next_edges[1][1])
        if need_x:  # d out / d columns = W₂ᵀ, then col2im sends each entry home
            grouped_weight = weight.reshape(groups, out_channels // groups, -1)
            grad_columns = _blas.matmul(grouped_weight.transpose(0, 2, 1), grad_2d)
            grad_padded = np.zeros(padded_shape, grad.dtype)
            add_columns_chwn(grad_padded, grad_columns.reshape(columns.shape), stride, dilation)
            (top, bottom), (left, right) = padding
            grad_x = np.empty((n, c, hp - top - bottom, wp - left - right), grad.dtype)
            to_batch_first(grad_padded[:, top:hp - bottom, left:wp - right], grad_x)
            grad_x = grad_x.reshape(ctx.input_shape)
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
