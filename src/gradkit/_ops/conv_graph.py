"""The recorded backward (``create_graph=True``) of the convolution chapter's ops in ``conv.py``.

``Convolution.backward`` works on NumPy arrays for speed; here is the same derivative written
with differentiable gradkit ops, so that the ``create_graph`` walk records it:

    columns      = Im2Col(pad(x))                       (N, C·KH·KW, L), grouped (N, g, K, L)
    grad_weight  = Σₙ grad₂[n] @ columns[n]ᵀ            matmul, then a sum over the batch
    grad_x       = crop(Col2Im(W₂ᵀ @ grad₂))            Col2Im is Im2Col's adjoint (F.fold)
    grad_bias    = Σ grad over (N, OH, OW)

Every step is a recorded op whose own backward exists (``Im2Col`` <-> ``Col2Im``,
``ConstantPadNd`` pad <-> crop, matmul, reshape), so these gradients can be differentiated
again, to any order. ``Im2Col``'s and ``ConstantPadNd``'s recorded backwards are the adjoints
named above.

Example:
    >>> x = gradkit.randn(1, 1, 4, 4, dtype=gradkit.float64, requires_grad=True)
    >>> w = gradkit.randn(1, 1, 3, 3, dtype=gradkit.float64, requires_grad=True)
    >>> (g,) = gradkit.autograd.grad((F.conv2d(x, w) ** 2).sum(), w, create_graph=True)
    >>> g.grad_fn is not None
    True
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..autograd.higher_order import _connected
from .graph import constant

__all__ = ["convolution_backward_graph", "im2col_backward_graph", "pad_backward_graph",
           "graph_input", "pad_graph"]


def graph_input(ctx: Function, position: int, array: Any) -> Any:
    """Input ``position`` of ``ctx`` as a Tensor connected to the graph (or None).

    An input the op saved comes back from ``ctx.saved_tensors`` (rebuilt by the create_graph
    walk, with its version checked); otherwise ``array``, the input's data kept by the op, is
    linked to the input's node or leaf the same way.
    """
    if array is None:
        return None
    for index, _, _, owner in ctx.saved_versions:
        if owner == position:
            return ctx.to_save[index]
    edge = ctx.next_edges[position] if position < len(ctx.next_edges) else None
    if edge is None:
        return constant(array)
    target, _, _, is_node = edge
    return _connected(array, target) if is_node else target


def pad_graph(x: Any, padding: tuple) -> Any:
    """Zero-pad (or, with negative amounts, crop) the last dims, recorded; no-op at zero."""
    from .conv import ConstantPadNd

    if not any(b or a for b, a in padding):
        return x
    return ConstantPadNd.apply(x, pad=padding, value=0)


def _negated(padding: tuple) -> tuple:
    return tuple((-b, -a) for b, a in padding)


def convolution_backward_graph(ctx: Function, grad: Any) -> tuple:
    """``Convolution``'s gradients as recorded ops (see the module docstring)."""
    from .conv import Im2Col
    from .fold import Col2Im

    args = ctx.conv_args
    stride, padding, dilation, groups = (args["stride"], args["padding"], args["dilation"],
                                         args["groups"])
    spatial, unbatched = args["spatial"], args["unbatched"]
    arrays = args["inputs"]
    need_x, need_w, need_b = (i < len(ctx.next_edges) and ctx.next_edges[i] is not None
                              for i in range(3))
    x, weight = graph_input(ctx, 0, arrays[0]), graph_input(ctx, 1, arrays[1])
    x_shape, w_shape = tuple(arrays[0].shape), tuple(arrays[1].shape)
    # Work in (N, C, H, W) / (O, C/g, KH, KW), as the forward does.
    x4 = x.reshape(_four_d(x_shape, spatial, unbatched))
    w4 = weight.reshape(w_shape[:2] + (1,) * (2 - spatial) + w_shape[2:])
    n, c = x4.shape[:2]
    out_channels, _, kh, kw = w4.shape
    oh, ow = _out_hw(grad.shape, spatial)
    grad4 = grad.reshape(n, out_channels, oh, ow)
    grad_2d = grad4.reshape(n, groups, out_channels // groups, oh * ow)
    grad_x = grad_w = grad_b = None
    if need_w:
        padded = pad_graph(x4, ((0, 0), (0, 0)) + tuple(padding))
        columns = Im2Col.apply(padded, kernel=(kh, kw), stride=stride, padding=(0, 0),
                               dilation=dilation).reshape(n, groups, -1, oh * ow)
        grad_w = (grad_2d @ columns.transpose(2, 3)).sum(0).reshape(w_shape)
    if need_b:
        grad_b = grad4.sum((0, 2, 3))
    if need_x:
        grouped_weight = w4.reshape(groups, out_channels // groups, -1)
        grad_columns = (grouped_weight.transpose(1, 2) @ grad_2d).reshape(n, -1, oh * ow)
        (top, bottom), (left, right) = padding
        padded_hw = (x4.shape[2] + top + bottom, x4.shape[3] + left + right)
        grad_padded = Col2Im.apply(grad_columns, output_size=padded_hw, kernel=(kh, kw),
                                   stride=stride, padding=(0, 0), dilation=dilation)
        grad_x = pad_graph(grad_padded, ((0, 0), (0, 0)) + _negated(padding)).reshape(x_shape)
    return grad_x, grad_w, grad_b


def _four_d(shape: tuple, spatial: int, unbatched: bool) -> tuple:
    """The ``(N, C, H, W)`` shape the forward works on for an input of ``shape``."""
    shape = ((1,) if unbatched else ()) + tuple(shape)
    return shape[:2] + (1,) * (2 - spatial) + shape[2:]


def _out_hw(grad_shape: tuple, spatial: int) -> tuple:
    return (1, grad_shape[-1]) if spatial == 1 else tuple(grad_shape[-2:])


def im2col_backward_graph(ctx: Function, grad: Any) -> Any:
    """``Im2Col``'s gradient, recorded: ``Col2Im`` (F.fold) of the column gradient."""
    from .fold import Col2Im

    shape, _, kernel, stride, padding, dilation, _ = ctx.geometry
    return Col2Im.apply(grad, output_size=tuple(shape[2:]), kernel=kernel, stride=stride,
                        padding=padding, dilation=dilation)


def pad_backward_graph(ctx: Function, grad: Any) -> Any:
    """``ConstantPadNd``'s gradient, recorded: the same op with the amounts negated (padding
    and cropping are adjoint: what was added is cut off, what was cut is padded with zeros)."""
    dst, src, shape, _ = ctx.slices
    # The amounts, read back from where the input landed: before = dst.start − src.start.
    pads = []
    for axis, (d, s) in enumerate(zip(dst, src)):
        if d == slice(None):
            continue
        before = d.start - s.start
        pads.append((-before, -(grad.shape[axis] - shape[axis] - before)))
    return pad_graph(grad, tuple(pads))
