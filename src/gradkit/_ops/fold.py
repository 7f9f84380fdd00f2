"""Col2Im (``F.fold``): sum sliding blocks back into an image, the adjoint of ``Im2Col``.

``Im2Col`` (``F.unfold``) copies every window of ``(N, C, H, W)`` into the columns
``(N, C·KH·KW, L)``; ``Col2Im`` goes the other way, adding each column entry onto the image
position it was read from (positions covered by several windows receive the sum). The two are
adjoint linear maps, so each one's backward is the other one: that pair is what makes the
convolution, the pools and ``F.unfold`` differentiable twice (``create_graph=True``).

Example:
    >>> cols = gradkit.ones(1, 4, 9)                          # 2x2 blocks of a 4x4 image
    >>> Col2Im.apply(cols, output_size=(4, 4), kernel=(2, 2), stride=(1, 1), padding=(0, 0),
    ...              dilation=(1, 1))[0, 0, 0]
    tensor([1., 2., 2., 1.])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .conv import Im2Col, add_windows, im2col, output_size as blocks_along

__all__ = ["Col2Im", "blocks_of"]


def blocks_of(size: tuple, kernel: tuple, stride: tuple, padding: tuple,
              dilation: tuple) -> tuple:
    """Number of sliding blocks ``(OH, OW)`` along each dim of an image of ``size``."""
    return tuple(blocks_along(s, k, st, 2 * p, d)
                 for s, k, st, p, d in zip(size, kernel, stride, padding, dilation))


class Col2Im(Function):
    """``(N, C·KH·KW, L)`` columns -> ``(N, C, *output_size)``; ``padding`` ``(ph, pw)`` on
    both sides is cropped away after the sum (arguments checked by ``F.fold``)."""

    @staticmethod
    def forward(ctx, columns, *, output_size, kernel, stride, padding, dilation):
        n, k_total, _ = columns.shape
        c = k_total // (kernel[0] * kernel[1])
        out = blocks_of(output_size, kernel, stride, padding, dilation)
        padded = np.zeros((n, c, output_size[0] + 2 * padding[0],
                           output_size[1] + 2 * padding[1]), columns.dtype)
        add_windows(padded, columns.reshape(n, c, *kernel, *out), stride, dilation)
        ctx.geometry = (kernel, stride, padding, dilation, out)
        return np.ascontiguousarray(padded[:, :, padding[0]:padding[0] + output_size[0],
                                           padding[1]:padding[1] + output_size[1]])

    @staticmethod
    def backward(ctx, grad):
        # d image / d column entry = 1 at the position it lands on: read each window back.
        kernel, stride, padding, dilation, out = ctx.geometry
        n, c = grad.shape[:2]
        pads = ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1]))
        padded = np.pad(grad, pads) if any(padding) else grad
        return im2col(padded, kernel, stride, dilation, out).reshape(
            n, c * kernel[0] * kernel[1], out[0] * out[1])

    @staticmethod
    def backward_graph(ctx, grad):
        kernel, stride, padding, dilation, _ = ctx.geometry
        return Im2Col.apply(grad, kernel=kernel, stride=stride, padding=padding,
                            dilation=dilation)
