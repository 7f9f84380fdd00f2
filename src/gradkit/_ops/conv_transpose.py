"""Transposed convolution (``F.conv_transpose1d`` / ``conv_transpose2d``), one graph node.

The transposed convolution is the adjoint of ``Convolution`` with the same weight, stride,
padding and dilation: where the convolution reads each kernel window of its input, this op
*writes* ``x[n, c] · weight[c]`` onto each window of its output. In the convolution's
batch-innermost im2col layout (see ``conv.py``), with x₂ the input as ``(C_in, H·W·N)``:

    columns   = W₂ᵀ @ x₂                  W₂ = weight as (C_in, C_out·KH·KW), per group
    out       = crop(col2im(columns)) + bias

``col2im`` (``add_columns_chwn``) adds each kernel offset's slice of the columns onto the
positions it stands for; ``crop`` drops ``padding`` on each side, with ``output_padding`` extra
rows/columns at the bottom/right (zero there: only the bias). Backward, with g the output
gradient padded back by ``padding`` and G its windows (``columns_chwn``, the convolution's
im2col):

    grad_x    = W₂ @ G                    (the convolution of g: the adjoint's adjoint)
    grad_W    = x₂ @ Gᵀ                   (the batch summed inside the product)
    grad_bias = Σ g over (N, OH, OW)

So the node is ``ConvolutionBackward0``, as PyTorch names it, and ``next_functions`` lead to the
inputs. ``backward_graph`` writes the same derivative with recorded ops (``Convolution``,
``Im2Col``, matmul), so it can be differentiated again. 1-D arrays arrive with their 1-D shapes
and are worked on with a height of 1.

Example:
    >>> x = gradkit.ones(1, 1, 2, 2, requires_grad=True)
    >>> ConvolutionTranspose.apply(x, gradkit.ones(1, 1, 2, 2), None, stride=(2, 2),
    ...                            padding=(0, 0), output_padding=(0, 0), dilation=(1, 1),
    ...                            groups=1).grad_fn
    <ConvolutionBackward0 object at 0x...>
"""
from __future__ import annotations

import numpy as np

from .. import _blas
from ..autograd.function import Function
from .conv import add_columns_chwn, columns_chwn, to_batch_first, to_channels_first
from .conv_graph import graph_input, pad_graph
from .nn_ops import _needs

__all__ = ["ConvolutionTranspose", "transposed_output_size"]


def transposed_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                           output_padding: int) -> int:
    """Output length: ``(size − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding
    + 1``, the input length of the convolution this op is the transpose of."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _four_d(array: np.ndarray, spatial: int) -> np.ndarray:
    """A 1-D op's ``(N, C, L)`` array as ``(N, C, 1, L)`` (a view); 2-D arrays as they are."""
    return array[..., None, :] if spatial == 1 else array


class ConvolutionTranspose(Function):
    """``out[n, o, s·y + d·i − p, s·x + d·j − p] += Σ_c x[n, c, y, x] · weight[c, o, i, j]``
    (groups: each group's input channels meet its own slice of output channels), + bias.

    Args (keywords): ``stride``, ``padding``, ``output_padding``, ``dilation``: 2-tuples (a 1-D
    op's with a leading 1, 0, 0, 1); ``groups``. Inputs are batched (``(N, C_in, H, W)`` or
    ``(N, C_in, L)``) and checked by ``gradkit.nn.functional``; weight ``(C_in, C_out/groups,
    KH, KW)`` or ``(C_in, C_out/groups, K)``.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, output_padding, dilation,
                groups):
        spatial = weight.ndim - 2
        ctx.geometry = (stride, padding, output_padding, dilation, groups, spatial)
        ctx.inputs = (x, weight)  # for create_graph (backward_graph) and the gradients' shapes
        # Saved as given, so that in-place changes to them are seen, as PyTorch sees them.
        ctx.save_for_backward(x, weight)
        x4, weight4 = _four_d(x, spatial), _four_d(weight, spatial)
        n, c_in, h, w = x4.shape
        _, group_out, kh, kw = weight4.shape
        out_hw = tuple(transposed_output_size(*args) for args in
                       zip((h, w), (kh, kw), stride, padding, dilation, output_padding))
        # columns: (g, C_out/g·KH·KW, C_in/g) @ (g, C_in/g, H·W·N') per group.
        x_2d = to_channels_first(x4, ((0, 0), (0, 0))).reshape(groups, c_in // groups, -1)
        grouped_weight = weight4.reshape(groups, c_in // groups, -1)
        columns = _blas.matmul(grouped_weight.transpose(0, 2, 1), x_2d)
        n_stride = x_2d.shape[-1] // (h * w)
        columns = columns.reshape(group_out * groups, kh, kw, h, w, n_stride)
        # The area the windows reach, plus room for output_padding beyond it when it exceeds
        # padding; cropping ``padding`` off the top/left then leaves the output.
        reached = [(i - 1) * s + d * (k - 1) + 1 for i, s, d, k in
                   zip((h, w), stride, dilation, (kh, kw))]
        canvas = np.zeros((columns.shape[0], *(max(r, p + o) for r, p, o in
                                               zip(reached, padding, out_hw)), n_stride),
                          columns.dtype)
        add_columns_chwn(canvas, columns, stride, dilation)
        out = np.empty((n, columns.shape[0], *out_hw), columns.dtype)
        (top, left), (oh, ow) = padding, out_hw
        to_batch_first(canvas[:, top:top + oh, left:left + ow], out,
                       None if bias is None else bias.astype(out.dtype, copy=False))
        return out[:, :, 0] if spatial == 1 else out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        stride, padding, _, dilation, groups, spatial = ctx.geometry
        need_x, need_w, need_b = _needs(ctx, 3)
        x4, weight4, grad4 = _four_d(x, spatial), _four_d(weight, spatial), _four_d(grad, spatial)
        grad_x = grad_w = grad_b = None
        if need_b:  # the bias is added to every position of its channel
            grad_b = grad4.sum(axis=(0, 2, 3))
        if not (need_x or need_w):
            return grad_x, grad_w, grad_b
        n, c_in, h, w = x4.shape
        kernel = weight4.shape[2:]
        # G: the windows of the output gradient, padded back by ``padding``: exactly the
        # H x W windows the forward wrote to (rows past them, from output_padding, unread).
        padded = to_channels_first(grad4, tuple((p, p) for p in padding))
        windows = columns_chwn(padded, kernel, stride, dilation, (h, w))
        windows = windows.reshape(groups, -1, h * w * padded.shape[3])
        if need_x:  # d out / d x₂ = W₂ᵀ read backwards: W₂ @ G
            grouped_weight = weight4.reshape(groups, c_in // groups, -1)
            grad_x = np.empty(x4.shape, grad.dtype)
            to_batch_first(_blas.matmul(grouped_weight, windows).reshape(c_in, h, w, -1),
                           grad_x)
            grad_x = grad_x.reshape(x.shape)
        if need_w:  # d out / d W₂: x₂ against G, as (G @ x₂ᵀ)ᵀ (see Convolution.backward)
            x_2d = to_channels_first(x4, ((0, 0), (0, 0))).reshape(groups, c_in // groups, -1)
            grad_w = _blas.matmul(windows, x_2d.transpose(0, 2, 1)).transpose(0, 2, 1)
            grad_w = grad_w.reshape(weight.shape)
        return grad_x, grad_w, grad_b

    @staticmethod
    def backward_graph(ctx, grad):
        """The same gradients as recorded ops, for ``create_graph=True``."""
        from .conv import Convolution, Im2Col

        stride, padding, output_padding, dilation, groups, spatial = ctx.geometry
        need_x, need_w, need_b = _needs(ctx, 3)
        x_array, w_array = ctx.inputs
        x, weight = graph_input(ctx, 0, x_array), graph_input(ctx, 1, w_array)
        n, c_in, h, w = _four_d(x_array, spatial).shape
        w_shape = tuple(w_array.shape)
        weight4 = weight.reshape(w_shape[:2] + (1,) * (2 - spatial) + w_shape[2:])
        grad4 = grad.reshape(n, -1, *((1,) if spatial == 1 else ()), *grad.shape[2:])
        grad_x = grad_w = grad_b = None
        if need_b:
            grad_b = grad4.sum((0, 2, 3))
        if need_x:  # the convolution of g; output_padding ≥ stride (with dilation) adds rows
            grad_x = Convolution.apply(grad4, weight4, None, stride=stride,
                                       padding=tuple((p, p) for p in padding),
                                       dilation=dilation, groups=groups)
            if tuple(grad_x.shape[2:]) != (h, w):
                grad_x = grad_x[:, :, :h, :w]
            grad_x = grad_x.reshape(x_array.shape)
        if need_w:  # G as Im2Col of g padded back (less the output_padding rows nobody read)
            padded = pad_graph(grad4, ((0, 0), (0, 0)) + tuple(
                (p, p - o) for p, o in zip(padding, output_padding)))
            windows = Im2Col.apply(padded, kernel=tuple(weight4.shape[2:]), stride=stride,
                                   padding=(0, 0), dilation=dilation)
            windows = windows.reshape(n, groups, -1, h * w)
            grouped_x = x.reshape(n, groups, c_in // groups, h * w)
            grad_w = (grouped_x @ windows.transpose(2, 3)).sum(0).reshape(w_shape)
        return grad_x, grad_w, grad_b
