"""Shape ops: reshape/view, transpose/permute, squeeze/unsqueeze, expand, repeat, cat and stack.

Reshapes, transposes and expands return NumPy views (memory shared with the input, as PyTorch's
views); their backward reshapes or transposes the gradient back.

Example:
    >>> Reshape.apply(gradkit.arange(6), shape=(2, 3)).shape
    gradkit.Size([2, 3])
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from .elementwise import result_dtype
from .reduction import normalize_dim


def _shape_str(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def infer_shape(shape: Sequence[int], size: int) -> tuple[int, ...]:
    """Resolve one ``-1`` in ``shape`` for ``size`` elements, with PyTorch's errors."""
    if type(shape) is tuple and -1 not in shape and min(shape, default=0) >= 0 \
            and math.prod(shape) == size:
        return shape  # already complete and valid (the common case): nothing to resolve
    shape = tuple(int(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if unknown:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {size}")
        shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    elif known != size:
        raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {size}")
    return shape


class Reshape(Function):
    """A new shape with the same elements (a view when the memory layout allows)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        out = a.reshape(infer_shape(shape, a.size))
        ctx.is_view = np.may_share_memory(out, a)  # a bounds check, not a scan
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    backward_graph = backward  # Tensor.reshape: the same body runs on Tensors

    def name(self) -> str:  # type: ignore[override]
        # PyTorch's reshape is a view when it can be, and a copy (UnsafeView) when not.
        return "ViewBackward0" if self.is_view else "UnsafeViewBackward0"


class View(Function):
    """Like ``Reshape`` but never copies: PyTorch's error when the layout does not allow a view."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        new_shape = infer_shape(shape, a.size)
        out = a.view()
        try:
            out.shape = new_shape  # raises instead of copying, unlike reshape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    backward_graph = backward  # Tensor.reshape: the same body runs on Tensors


class Transpose(Function):
    """Swap two dims (a view)."""

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        d0, d1 = normalize_dim(dim0, a.ndim), normalize_dim(dim1, a.ndim)
        ctx.dims = (d0, d1)
        if a.ndim == 0:
            return a
        return np.swapaxes(a, d0, d1)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad
        return np.swapaxes(grad, *ctx.dims)

    @staticmethod
    def backward_graph(ctx, grad):
        return grad if grad.ndim == 0 else grad.transpose(*ctx.dims)


class MatrixTranspose(Transpose):
    """``x.t()``: the transpose of a matrix (PyTorch names its node apart from transpose's)."""

    node_name = "TBackward0"


class ReverseDims(Transpose):
    """``x.T`` of a matrix: a transpose that PyTorch records as a permute."""

    node_name = "PermuteBackward0"


class Permute(Function):
    """Reorder dims (a view); backward applies the inverse permutation."""

    @staticmethod
    def forward(ctx, a, dims):
        if len(dims) != a.ndim:
            raise RuntimeError(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the "
                f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
                f"equal to len(dims) = {len(dims)}")
        axes = tuple(normalize_dim(d, a.ndim) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        ctx.inverse = tuple(np.argsort(axes))
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, ctx.inverse)

    @staticmethod
    def backward_graph(ctx, grad):
        return grad.permute(*(int(d) for d in ctx.inverse))


class Squeeze(Function):
    """Remove dims of size 1 (all of them, or those in ``dim``)."""

    @staticmethod
    def forward(ctx, a, dim=None):
        ctx.shape = a.shape
        ctx.dim = dim
        if dim is None:
            return a.reshape(tuple(s for s in a.shape if s != 1))
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {normalize_dim(d, a.ndim) for d in dims}
        return a.reshape(tuple(s for i, s in enumerate(a.shape) if not (i in axes and s == 1)))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    backward_graph = backward  # Tensor.reshape: the same body runs on Tensors

    def name(self) -> str:  # type: ignore[override]
        # One node name per PyTorch overload: squeeze(), squeeze(dim), squeeze(dims).
        if self.dim is None:
            return "SqueezeBackward0"
        return "SqueezeBackward2" if isinstance(self.dim, (tuple, list)) else "SqueezeBackward1"


class Unsqueeze(Function):
    """Insert a dim of size 1 at ``dim`` (which may be ``ndim``, after the last)."""

    @staticmethod
    def forward(ctx, a, dim):
        axis = normalize_dim(dim, a.ndim + 1)
        ctx.shape = a.shape
        return np.expand_dims(a, axis)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    backward_graph = backward  # Tensor.reshape: the same body runs on Tensors


class Expand(Function):
    """Broadcast to a larger shape without copying (``-1`` keeps a size); the engine sums the
    gradient back."""

    @staticmethod
    def forward(ctx, a, sizes):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < a.ndim:
            raise RuntimeError(
                f"expand({_type_name(a)}{{{_shape_str(a.shape)}}}, size={_shape_str(sizes)}): "
                "the number of sizes provided "
                f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
                f"tensor ({a.ndim})")
        lead = len(sizes) - a.ndim
        target = []
        for i, s in enumerate(sizes):
            if i < lead:
                if s < 0:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                        "non-existing dimension 0")
                target.append(s)
                continue
            current = a.shape[i - lead]
            if s == -1:
                s = current
            if current != s and current != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size "
                    f"({current}) at non-singleton dimension {i}.  Target sizes: "
                    f"{_shape_str(sizes)}.  Tensor sizes: {_shape_str(a.shape)}")
            target.append(s)
        return np.broadcast_to(a, tuple(target))

    @staticmethod
    def backward(ctx, grad):
        return grad  # summed to the input's shape by the engine

    backward_graph = backward


def _type_name(a: np.ndarray) -> str:
    return {"f": "torch.FloatTensor", "i": "torch.LongTensor"}.get(a.dtype.kind, "Tensor")


class Repeat(Function):
    """Tile the tensor ``repeats`` times along each dim; backward sums the tiles."""

    @staticmethod
    def forward(ctx, a, repeats):
        repeats = tuple(int(r) for r in repeats)
        if len(repeats) < a.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of "
                "dimensions of tensor")
        shape = (1,) * (len(repeats) - a.ndim) + a.shape
        ctx.shape, ctx.in_shape, ctx.repeats = shape, a.shape, repeats
        return np.tile(a.reshape(shape), repeats)

    @staticmethod
    def backward(ctx, grad):
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        summed = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape)

    backward_graph = backward  # Tensor.reshape and Tensor.sum(axis=) run the same body


class Cat(Function):
    """Join tensors along an existing dim (dtypes promoted); backward splits the gradient."""

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        if not arrays:
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        # PyTorch skips 1-D empty tensors (legacy behaviour) when others have more dims.
        reference = next((a for a in arrays if not (a.ndim == 1 and a.size == 0)), arrays[0])
        if reference.ndim == 0:
            raise RuntimeError(
                "zero-dimensional tensor (at position 0) cannot be concatenated")
        axis = normalize_dim(dim, reference.ndim)
        dtype = arrays[0].dtype
        for i, a in enumerate(arrays):
            if a.ndim == 1 and a.size == 0 and reference.ndim != 1:
                continue
            if a.ndim != reference.ndim:
                raise RuntimeError(
                    "Tensors must have same number of dimensions: got "
                    f"{reference.ndim} and {a.ndim}")
            for d in range(a.ndim):
                if d != axis and a.shape[d] != reference.shape[d]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {axis}. Expected size "
                        f"{reference.shape[d]} but got size {a.shape[d]} for tensor number {i} in "
                        "the list.")
            dtype = result_dtype(np.empty((1,), dtype), np.empty((1,), a.dtype))
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] if a.ndim == reference.ndim else 0 for a in arrays]
        kept = [a for a in arrays if a.ndim == reference.ndim]
        return np.concatenate(kept, axis=axis).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        bounds = np.cumsum(ctx.sizes)[:-1]
        return tuple(np.split(grad, bounds, axis=ctx.axis))

    @staticmethod
    def backward_graph(ctx, grad):
        from .indexing import GetItem

        pieces, start = [], 0
        for size in ctx.sizes:
            index = (slice(None),) * ctx.axis + (slice(start, start + size), Ellipsis)
            pieces.append(GetItem.apply(grad, index=index, advanced=False))
            start += size
        return tuple(pieces)


class Stack(Function):
    """Join equal-shaped tensors along a new dim; backward takes each slice."""

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        if not arrays:
            raise RuntimeError("stack expects a non-empty TensorList")
        for i, a in enumerate(arrays):
            if a.shape != arrays[0].shape:
                raise RuntimeError(
                    "stack expects each tensor to be equal size, but got "
                    f"{_shape_str(arrays[0].shape)} at entry 0 and {_shape_str(a.shape)} at "
                    f"entry {i}")
        axis = normalize_dim(dim, arrays[0].ndim + 1)
        ctx.axis = axis
        dtype = arrays[0].dtype
        for a in arrays[1:]:
            dtype = result_dtype(np.empty((1,), dtype), np.empty((1,), a.dtype))
        return np.stack(arrays, axis=axis).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.axis, 0))

    @staticmethod
    def backward_graph(ctx, grad):
        from .indexing import GetItem

        lead = (slice(None),) * ctx.axis
        return tuple(GetItem.apply(grad, index=lead + (i, Ellipsis), advanced=False)
                     for i in range(grad.shape[ctx.axis]))


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The shape the given shapes broadcast to, with PyTorch's error when they cannot."""
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(
            "shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
            f"between {', '.join(_shape_str(s) for s in shapes)}") from None


def check_broadcast(a: Any, b: Any) -> None:
    """PyTorch's message for two tensors that do not broadcast (called only on failure)."""
    sa, sb = np.shape(a), np.shape(b)
    for i in range(1, max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = max(len(sa), len(sb)) - i
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {dim}")


def check_fits(target: Sequence[int], source: Sequence[int]) -> None:
    """PyTorch's errors when a ``source`` shape does not broadcast to exactly ``target`` (an
    in-place op or ``copy_`` may broadcast its argument, but never grow its tensor)."""
    check_broadcast(np.empty(target, np.bool_), np.empty(source, np.bool_))
    shape = broadcast_shapes(target, source)
    if shape != tuple(target):
        raise RuntimeError(f"output with shape {_shape_str(target)} doesn't match the broadcast "
                           f"shape {_shape_str(shape)}")
