"""Batch normalization: ``y = (x − μ) / √(σ² + ε) · γ + β`` per channel (dim 1).

Training normalizes by the batch's own mean and (biased) variance over every dim but the
channel, so the gradient flows through μ and σ² too; evaluation uses fixed running statistics,
so it is an affine map per channel. The running statistics are updated by
``gradkit.nn.functional.batch_norm`` from the batch statistics this op reports.

Example:
    >>> x = gradkit.randn(8, 3, requires_grad=True)
    >>> NativeBatchNorm.apply(x, None, None, None, None, training=True, eps=1e-5).shape
    gradkit.Size([8, 3])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .nn_ops import _needs

__all__ = ["NativeBatchNorm"]


def _channel_shape(x: np.ndarray) -> tuple:
    """Shape that broadcasts a ``(C,)`` vector along dim 1 of ``x``."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


class NativeBatchNorm(Function):
    """Inputs ``x (N, C, *)``, ``running_mean``/``running_var`` ``(C,)`` (used when not
    ``training``), ``weight`` γ and ``bias`` β ``(C,)`` or None.

    Keyword ``stats_out``: a list that receives the batch ``(mean, unbiased variance)`` in
    training, for the running statistics.
    """

    @staticmethod
    def forward(ctx, x, running_mean, running_var, weight, bias, *, training, eps,
                stats_out=None):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = _channel_shape(x)
        if training:
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            var = np.mean(np.square(centered), axis=axes)
            if stats_out is not None:
                count = x.size // x.shape[1]
                stats_out.append((mean, var * (count / max(count - 1, 1))))
        else:
            centered = x - running_mean.reshape(shape).astype(x.dtype, copy=False)
            var = running_var.astype(x.dtype, copy=False)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        normalized = centered * inv_std.reshape(shape)
        out = normalized if weight is None else normalized * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        # x only for the recorded backward (create_graph), which differentiates through μ, σ²
        # of x; PyTorch's native_batch_norm saves its input too.
        ctx.save_for_backward(normalized, inv_std, weight, x)
        ctx.training, ctx.eps = training, eps
        return out

    @staticmethod
    def backward(ctx, grad):
        normalized, inv_std, weight, _ = ctx.saved_tensors
        need_x, _, _, need_w, need_b = _needs(ctx, 5)
        axes = (0,) + tuple(range(2, grad.ndim))
        shape = _channel_shape(grad)
        grad_x = grad_w = grad_b = None
        if need_w:  # dy/dγ = x̂
            grad_w = np.sum(grad * normalized, axis=axes)
        if need_b:  # dy/dβ = 1
            grad_b = grad.sum(axis=axes)
        if need_x:
            grad_normalized = grad if weight is None else grad * weight.reshape(shape)
            scale = inv_std.reshape(shape)
            if ctx.training:
                # x̂ = (x − μ)·s depends on x directly and through μ and σ²; with m values per
                # channel: dx = s · (g − mean(g) − x̂ · mean(g · x̂)), g = dy/dx̂.
                mean_g = grad_normalized.mean(axis=axes, keepdims=True)
                mean_gx = np.mean(grad_normalized * normalized, axis=axes, keepdims=True)
                grad_x = scale * (grad_normalized - mean_g - normalized * mean_gx)
            else:  # fixed statistics: an affine map, dx = g · s
                grad_x = grad_normalized * scale
        return grad_x, None, None, grad_w, grad_b

    @staticmethod
    def backward_graph(ctx, grad):
        # The same formulas on Tensors, with x̂ rebuilt from x (the saved x̂ is a constant) so
        # that the second derivative sees how x̂, μ and σ² move with x.
        from .graph import constant

        normalized, inv_std, weight, x = ctx.saved_tensors
        need_x, _, _, need_w, need_b = _needs(ctx, 5)
        axes = (0,) + tuple(range(2, grad.ndim))
        shape = _channel_shape(grad)
        if ctx.training:
            centered = x - x.mean(axes, keepdim=True)
            scale = 1 / ((centered * centered).mean(axes, keepdim=True) + ctx.eps).sqrt()
            normalized = centered * scale
        else:  # fixed statistics: x̂ = (x − running mean)·s, exactly x̂ + (x − x)·s
            scale = constant(inv_std._data.reshape(shape))
            normalized = normalized + (x - constant(x._data)) * scale
        grad_x = grad_w = grad_b = None
        if need_w:
            grad_w = (grad * normalized).sum(axes)
        if need_b:
            grad_b = grad.sum(axes)
        if need_x:
            grad_normalized = grad if weight is None else grad * weight.reshape(shape)
            if ctx.training:
                mean_g = grad_normalized.mean(axes, keepdim=True)
                mean_gx = (grad_normalized * normalized).mean(axes, keepdim=True)
                grad_x = scale * (grad_normalized - mean_g - normalized * mean_gx)
            else:
                grad_x = grad_normalized * scale
        return grad_x, None, None, grad_w, grad_b
