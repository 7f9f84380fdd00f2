"""Matrix products: matmul (all of PyTorch's 1-D/2-D/batched cases), mm, mv, dot, bmm.

All hand the work to NumPy's BLAS-backed ``matmul``. Shapes are checked first so that a mismatch
reads like PyTorch's (``mat1 and mat2 shapes cannot be multiplied (256x784 and 785x10)``).

Example:
    >>> Matmul.apply(gradkit.ones(2, 3), gradkit.ones(3)).shape
    gradkit.Size([2])
"""
from __future__ import annotations

import numpy as np

from .._blas import matmul
from .._dtype import _BY_NUMPY
from ..autograd.function import Function

_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def type_name(a: np.ndarray) -> str:
    """PyTorch's short name of an array's dtype (``Float``, ``Long``, ...)."""
    return _TYPE_NAMES[_BY_NUMPY[a.dtype].name]


def _check_same_dtype(a: np.ndarray, b: np.ndarray) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_BY_NUMPY[a.dtype].name} != "
            f"{_BY_NUMPY[b.dtype].name}")


def check_matmul_shapes(a: np.ndarray, b: np.ndarray) -> None:
    """Raise PyTorch's RuntimeError when ``a @ b`` is not defined for these shapes."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            "both arguments to matmul need to be at least 1D, but they are "
            f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 1 and b.ndim == 1:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
                f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
                "elements respectively")
        return
    if a.ndim == 2 and b.ndim == 2 or a.ndim == 1 and b.ndim == 2:
        rows = a.shape[0] if a.ndim == 2 else 1
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a.shape[-1]} and "
                f"{b.shape[0]}x{b.shape[1]})")
        return
    if a.ndim == 2 and b.ndim == 1:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                f"vec ({b.shape[0]})")
        return
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0] if a.ndim > 2 else 1}, {a.shape[-1]}] but got: "
            f"[{b.shape[0] if b.ndim > 2 else 1}, {inner_b}].")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({a.shape[0]}) must match the size of tensor b ({b.shape[0]}) "
            "at non-singleton dimension 0") from None


class Matmul(Function):
    """``a @ b``; d/da = grad @ bᵀ, d/db = aᵀ @ grad (vectors treated as 1-row/1-column
    matrices; the engine sums broadcast batch dims)."""

    @staticmethod
    def forward(ctx, a, b):
        if not (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]
                and a.dtype is b.dtype):  # the checks, unless a plain matrix product
            check_matmul_shapes(a, b)
            _check_same_dtype(a, b)
        ctx.save_for_backward(a, b)
        ctx.ndims = (a.ndim, b.ndim)
        return matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if a.ndim == 2 and b.ndim == 2:  # the hot path of every Linear layer
            grad_a = matmul(grad, b.T) if ctx.next_edges[0] is not None else None
            grad_b = matmul(a.T, grad) if ctx.next_edges[1] is not None else None
            return grad_a, grad_b
        if a.ndim == 1 and b.ndim == 1:
            return grad * b, grad * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        grad_a = matmul(g2, np.swapaxes(b2, -1, -2))
        grad_b = matmul(np.swapaxes(a2, -1, -2), g2)
        if a.ndim == 1:
            grad_a = grad_a.reshape(grad_a.shape[:-2] + grad_a.shape[-1:])
        if b.ndim == 1:
            grad_b = grad_b.reshape(grad_b.shape[:-1])
        return grad_a, grad_b

    @staticmethod
    def backward_graph(ctx, grad):
        # The same products as ``backward``, with Tensor ops.
        a, b = ctx.saved_tensors
        if a.ndim == 1 and b.ndim == 1:
            return grad * b, grad * a
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(1) if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        grad_a = grad_b = None
        if ctx.next_edges[0] is not None:
            grad_a = g2 @ b2.transpose(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a.reshape(tuple(grad_a.shape[:-2]) + tuple(grad_a.shape[-1:]))
        if ctx.next_edges[1] is not None:
            grad_b = a2.transpose(-1, -2) @ g2
            if b.ndim == 1:
                grad_b = grad_b.reshape(tuple(grad_b.shape[:-1]))
        return grad_a, grad_b

    def name(self) -> str:  # type: ignore[override]
        # PyTorch's matmul dispatches on the operands' dims, and names the node after the
        # product it ran (mm, mv, dot; batched products end in a reshape).
        return _MATMUL_NAMES.get(self.ndims, "UnsafeViewBackward0")


_MATMUL_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
                 (1, 2): "SqueezeBackward4"}


class Bmm(Matmul):
    """``bmm``: a batched product of two 3-D tensors (checked by ``check_bmm``)."""

    node_name = "BmmBackward0"

    def name(self) -> str:  # type: ignore[override]
        return "BmmBackward0"


def check_mm(a: np.ndarray, b: np.ndarray) -> None:
    """``mm``: both must be matrices."""
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")


def check_mv(a: np.ndarray, b: np.ndarray) -> None:
    """``mv``: a matrix and a vector."""
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")


def check_dot(a: np.ndarray, b: np.ndarray) -> None:
    """``dot``: two 1-D tensors of the same length and dtype."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{type_name(a)} and {type_name(b)}")


def check_bmm(a: np.ndarray, b: np.ndarray) -> None:
    """``bmm``: two 3-D tensors with equal batch size and matching inner dims."""
    if a.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
