"""Reductions: sum, mean, prod, max/min, cumsum, norm, var/std and logsumexp.

``dim`` may be None (all dimensions), an int, a tuple or a list; ``normalize_dims`` turns it
into positive axes and raises PyTorch's IndexError for out-of-range dims. Backward passes expand
the gradient back over the reduced axes (``expand_back``).

Example:
    >>> Sum.apply(gradkit.ones(2, 3), dim=(1,))
    tensor([3., 3.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._dtype import _BY_NUMPY
from ..autograd.function import Function
from .graph import constant, expand_back_graph, flip_graph, where_graph


def dim_error(dim: int, ndim: int) -> IndexError:
    """PyTorch's error for a dim outside ``[-ndim, ndim - 1]`` (a 0-d tensor accepts -1 and 0)."""
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    return IndexError(
        f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")


def normalize_dim(dim: Any, ndim: int) -> int:
    """One dim as a positive axis; ``ndim`` is the number of dimensions it indexes into."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise dim_error(dim, ndim)
    return int(dim) % bound


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, int, tuple or list) as a tuple of positive axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        axes = tuple(normalize_dim(d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
        if not axes:
            return tuple(range(ndim))  # PyTorch: an empty dim list reduces over everything
        return axes if ndim else ()
    return (normalize_dim(dim, ndim),) if ndim else ()


def expand_back(grad: np.ndarray, shape: tuple, axes: tuple, keepdim: bool) -> np.ndarray:
    """Broadcast a reduction's gradient back to the input shape: a fresh array for small
    inputs (filling a few KB costs less than NumPy's Python-level ``broadcast_to``), a
    read-only view for large ones (no memory for a gradient that is one value repeated)."""
    if not keepdim and axes:
        kept = list(shape)
        for axis in axes:
            kept[axis] = 1
        grad = grad.reshape(kept)
    if _count(shape, range(len(shape))) > 65536:
        return np.broadcast_to(grad, shape)
    out = np.empty(shape, grad.dtype)
    out[...] = grad
    return out


def _count(shape: tuple, axes: tuple) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _dtype_name(array: np.ndarray) -> str:
    return {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[_BY_NUMPY[array.dtype].name]


class Sum(Function):
    """Sum over ``dim``; bools and ints sum to int64 as in PyTorch. d/da = 1."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        axes = normalize_dims(dim, a.ndim)
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.over_dims = dim is not None
        # The ufunc itself, not np.sum: a NumPy warning (inf + -inf) is then raised from this
        # module, where gradkit._ops' filter silences it (np.errstate would cost more than the
        # sum of a loss), and the Python wrapper is skipped.
        return np.asarray(np.add.reduce(a, axis=axes, dtype=dtype, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim)

    @staticmethod
    def backward_graph(ctx, grad):
        return expand_back_graph(grad, ctx.shape, ctx.axes, ctx.keepdim)

    def name(self) -> str:  # type: ignore[override]
        # PyTorch names the node after the overload: sum() vs sum(dim).
        return "SumBackward1" if self.over_dims else "SumBackward0"


class Mean(Function):
    """Mean over ``dim`` (floating point only, as in PyTorch). d/da = 1/N."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        if dtype is None and a.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_dtype_name(a)}")
        axes = normalize_dims(dim, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.count = _count(a.shape, axes)
        ctx.over_dims = dim is not None
        if ctx.count == 0:
            # The mean of nothing is nan, silently (NumPy would warn "Mean of empty slice").
            with np.errstate(invalid="ignore"):
                return np.asarray(np.sum(a, axis=axes, keepdims=keepdim, dtype=dtype) / 0)
        if dtype is None and a.dtype.type in (np.float32, np.float64):
            # np.mean's own steps (sum in the input's dtype, divide by the count) without its
            # Python wrapper: the same bits, 2.5 us less on every training step's l.mean().
            total = np.add.reduce(a, axis=axes, keepdims=keepdim)
            return np.asarray(np.true_divide(total, a.dtype.type(ctx.count)))
        return np.asarray(np.mean(a, axis=axes, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        if ctx.count == 0:
            return np.zeros(ctx.shape, grad.dtype)  # no element received anything
        return expand_back(grad / ctx.count, ctx.shape, ctx.axes, ctx.keepdim)

    @staticmethod
    def backward_graph(ctx, grad):
        if ctx.count == 0:
            return np.zeros(ctx.shape, grad._data.dtype)
        return expand_back_graph(grad / ctx.count, ctx.shape, ctx.axes, ctx.keepdim)

    def name(self) -> str:  # type: ignore[override]
        return "MeanBackward1" if self.over_dims else "MeanBackward0"


def _product_of_others(a: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the other elements along ``axis`` (exact with zeros)."""
    ones = np.ones_like(np.take(a, [0], axis=axis))
    left = np.cumprod(np.concatenate([ones, np.delete(a, -1, axis=axis)], axis=axis), axis=axis)
    flipped = np.flip(a, axis=axis)
    right = np.cumprod(np.concatenate([ones, np.delete(flipped, -1, axis=axis)], axis=axis),
                       axis=axis)
    return left * np.flip(right, axis=axis)


class Prod(Function):
    """Product over all elements or one ``dim``; d/da_i = product of the others."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        ctx.save_for_backward(a)
        ctx.dim, ctx.keepdim = dim, keepdim
        if dim is None:
            return np.asarray(np.prod(a, dtype=dtype))
        axis = normalize_dim(dim, a.ndim)
        ctx.axis = axis
        return np.asarray(np.prod(a, axis=axis if a.ndim else None, keepdims=keepdim,
                                  dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.dim is None or a.ndim == 0:
            others = _product_of_others(a.reshape(-1), 0).reshape(a.shape)
            return grad * others
        others = _product_of_others(a, ctx.axis)
        return expand_back(grad, a.shape, (ctx.axis,), ctx.keepdim) * others

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        if (a._data == 0).any():
            # The product of the others is then not prod / a; its exact form (cumprod) has no
            # recorded backward yet.
            raise RuntimeError("create_graph=True through prod of a tensor holding zeros is not "
                               "supported by gradkit")
        if ctx.dim is None or a.ndim == 0:
            return grad * (a.prod() / a)
        others = a.prod(ctx.axis, keepdim=True) / a
        return expand_back_graph(grad, tuple(a.shape), (ctx.axis,), ctx.keepdim) * others

    def name(self) -> str:  # type: ignore[override]
        return "ProdBackward0" if self.dim is None else "ProdBackward1"


class MaxAll(Function):
    """``a.max()`` / ``a.min()`` over all elements (or ``amax``/``amin`` over dims); the
    gradient is shared evenly among elements equal to the result, as PyTorch does."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, largest=True):
        axes = normalize_dims(dim, a.ndim)
        if a.size == 0:
            name = ("max" if largest else "min") if dim is None else ("amax" if largest
                                                                      else "amin")
            if dim is None:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument.")
            for axis in axes:
                if a.shape[axis] == 0:  # a max over nothing has no value
                    raise IndexError(
                        f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        out = (np.amax if largest else np.amin)(a, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(a, np.asarray(out))
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.largest, ctx.over_dims = largest, dim is not None
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        out_full = expand_back(out, a.shape, ctx.axes, ctx.keepdim)
        mask = a == out_full
        if out.dtype.kind == "f" and not ctx.over_dims:
            # max() of a tensor holding NaN is NaN, and PyTorch sends the gradient to the NaNs
            # (its amax(dim) does not: 0/0 there, as here).
            mask |= np.isnan(a) & np.isnan(out_full)
        count = mask.sum(axis=ctx.axes, keepdims=True)
        grad_full = expand_back(grad, a.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):  # amax over NaNs: 0/0, as PyTorch
            return grad_full * mask / count

    @staticmethod
    def backward_graph(ctx, grad):
        a, out = (x._data for x in ctx.saved_tensors)
        mask = a == expand_back(out, a.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (mask / mask.sum(axis=ctx.axes, keepdims=True)).astype(grad._data.dtype)
        return expand_back_graph(grad, a.shape, ctx.axes, ctx.keepdim) * constant(share)

    def name(self) -> str:  # type: ignore[override]
        # max() is PyTorch's MaxBackward1; amax(dim) its own node.
        if self.over_dims:
            return "AmaxBackward0" if self.largest else "AminBackward0"
        return "MaxBackward1" if self.largest else "MinBackward1"


class MaxDim(Function):
    """Values of ``a.max(dim)`` / ``a.min(dim)``; the gradient goes to the selected index."""

    @staticmethod
    def forward(ctx, a, dim, keepdim=False, largest=True):
        axis = normalize_dim(dim, a.ndim)
        ctx.largest = largest
        if a.ndim and a.shape[axis] == 0:
            raise IndexError(
                f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have "
                "non-zero size.")
        if a.ndim == 0:
            ctx.indices = np.zeros((), dtype=np.int64)
            ctx.shape, ctx.axis, ctx.keepdim = a.shape, None, keepdim
            return a.copy()
        indices = (np.argmax if largest else np.argmin)(a, axis=axis, keepdims=True)
        values = np.take_along_axis(a, indices, axis=axis)
        if not keepdim:
            values = np.squeeze(values, axis)
        ctx.indices = indices  # (..., 1, ...): kept with the reduced axis
        ctx.shape, ctx.axis, ctx.keepdim = a.shape, axis, keepdim
        return values

    def name(self) -> str:  # type: ignore[override]
        return "MaxBackward0" if self.largest else "MinBackward0"

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is None:
            return grad
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        if not ctx.keepdim:
            grad = np.expand_dims(grad, ctx.axis)
        np.put_along_axis(out, ctx.indices, grad, axis=ctx.axis)
        return out

    @staticmethod
    def backward_graph(ctx, grad):
        from .indexing import IndexScatter

        if ctx.axis is None:
            return grad
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.axis)
        index = list(np.indices(ctx.indices.shape, sparse=True))
        index[ctx.axis] = ctx.indices
        return IndexScatter.apply(grad, shape=ctx.shape, index=tuple(index), advanced=True)


def max_dim_indices(ctx: MaxDim) -> np.ndarray:
    """The int64 indices that go with ``MaxDim``'s values."""
    indices = ctx.indices
    if ctx.axis is not None and not ctx.keepdim:
        indices = np.squeeze(indices, ctx.axis)
    return indices.astype(np.int64, copy=False)


class Cumsum(Function):
    """Cumulative sum along ``dim``; d/da is the reversed cumulative sum of the gradient."""

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        axis = normalize_dim(dim, a.ndim)
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.int64
        ctx.axis = axis if a.ndim else None
        if a.ndim == 0:
            return a.astype(dtype or a.dtype)
        return np.cumsum(a, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is None:
            return grad
        return np.flip(np.cumsum(np.flip(grad, ctx.axis), axis=ctx.axis), ctx.axis)

    @staticmethod
    def backward_graph(ctx, grad):
        if ctx.axis is None:
            return grad
        return flip_graph(Cumsum.apply(flip_graph(grad, ctx.axis), dim=ctx.axis), ctx.axis)


class Norm(Function):
    """The p-norm over ``dim``: p=2 (vector 2-norm, matrix Frobenius), p=1, or p=inf."""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, p=2, dim=None, keepdim=False):
        if a.dtype.kind != "f":
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                f"Got {_dtype_name(a)}")
        axes = normalize_dims(dim, a.ndim)
        if p == "fro":
            # The Frobenius norm is a matrix norm: over all elements, one dim or two.
            if isinstance(dim, (tuple, list)) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2
        elif isinstance(p, str):
            raise RuntimeError(f"norm: p='{p}' is not supported (use 'fro', 1, 2 or inf)")
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
        elif p == 1:
            out = np.sum(np.abs(a), axis=axes, keepdims=keepdim)
        elif p == float("inf"):
            out = np.amax(np.abs(a), axis=axes, keepdims=keepdim)
        else:
            out = np.sum(np.abs(a) ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        out_full = expand_back(out, a.shape, ctx.axes, ctx.keepdim)
        grad_full = expand_back(grad, a.shape, ctx.axes, ctx.keepdim)
        p = ctx.p
        if p == 1:
            return grad_full * np.sign(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                scale = np.where(out_full == 0, 0, a / out_full)
            elif p == float("inf"):
                mask = np.abs(a) == out_full
                scale = np.sign(a) * mask / mask.sum(axis=ctx.axes, keepdims=True)
            else:
                scale = np.where(out_full == 0, 0,
                                 np.sign(a) * np.abs(a) ** (p - 1) / out_full ** (p - 1))
        return grad_full * scale

    @staticmethod
    def backward_graph(ctx, grad):
        a, out = ctx.saved_tensors
        shape = tuple(a.shape)
        grad_full = expand_back_graph(grad, shape, ctx.axes, ctx.keepdim)
        sign = np.sign(a._data)
        p = ctx.p
        if p == 1:
            return grad_full * constant(sign)
        zero = expand_back(out._data, shape, ctx.axes, ctx.keepdim) == 0
        if p == float("inf"):
            mask = np.abs(a._data) == expand_back(out._data, shape, ctx.axes, ctx.keepdim)
            share = sign * mask / mask.sum(axis=ctx.axes, keepdims=True)
            return grad_full * constant(share.astype(a._data.dtype))
        # Divide by 1 where the norm is 0, so the masked branch has no 0/0 to differentiate.
        out_full = where_graph(zero, 1.0, expand_back_graph(out, shape, ctx.axes, ctx.keepdim))
        if p == 2:
            return grad_full * where_graph(zero, 0.0, a / out_full)
        scale = constant(sign) * a.abs() ** (p - 1) / out_full ** (p - 1)
        return grad_full * where_graph(zero, 0.0, scale)


class Var(Function):
    """Variance over ``dim`` with ``correction`` (1 = unbiased, PyTorch's default);
    d/da = 2 (a - mean) / (N - correction)."""

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        if a.dtype.kind != "f":
            raise RuntimeError(f"std and var only support floating point and complex dtypes")
        axes = normalize_dims(dim, a.ndim)
        n = _count(a.shape, axes)
        mean = np.mean(a, axis=axes, keepdims=True)
        centered = a - mean
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sum(centered * centered, axis=axes, keepdims=keepdim) / max(n - correction, 0)
        # The input too: a recorded backward recomputes ``centered`` from it.
        ctx.save_for_backward(centered, a)
        ctx.axes, ctx.keepdim, ctx.denominator = axes, keepdim, n - correction
        return np.asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        centered = ctx.saved_tensors[0]
        grad_full = expand_back(grad, centered.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):  # N <= correction: inf/nan
            return grad_full * 2 * centered / ctx.denominator

    @staticmethod
    def backward_graph(ctx, grad):
        centered = _centered_graph(ctx)
        grad_full = expand_back_graph(grad, tuple(centered.shape), ctx.axes, ctx.keepdim)
        return grad_full * 2 * centered / ctx.denominator


def _centered_graph(ctx: Function) -> object:
    """``a - mean(a)`` over the reduced axes, recomputed from the saved input as Tensors."""
    a = ctx.saved_tensors[1]
    return a - a.mean(dim=ctx.axes, keepdim=True) if ctx.axes else a - a


class Std(Function):
    """Standard deviation: sqrt of ``Var``; d/da = (a - mean) / ((N - correction)·std)."""

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        variance = Var.forward(ctx, a, dim=dim, correction=correction, keepdim=keepdim)
        out = np.sqrt(variance)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, grad):
        centered = ctx.saved_tensors[0]
        grad_full = expand_back(grad, centered.shape, ctx.axes, ctx.keepdim)
        out_full = expand_back(ctx.out, centered.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = centered / (ctx.denominator * out_full)
        # Where std is 0 every centered value is 0 too: PyTorch takes the gradient as 0 there.
        return grad_full * np.where(out_full == 0, 0, scale)

    @staticmethod
    def backward_graph(ctx, grad):
        centered = _centered_graph(ctx)
        shape = tuple(centered.shape)
        zero = expand_back(ctx.out, shape, ctx.axes, ctx.keepdim) == 0
        variance = (centered * centered).sum(dim=ctx.axes, keepdim=True) / ctx.denominator
        std = where_graph(zero, 1.0, variance.sqrt().expand(*shape))
        scale = where_graph(zero, 0.0, centered / (ctx.denominator * std))
        return expand_back_graph(grad, shape, ctx.axes, ctx.keepdim) * scale


class LogSumExp(Function):
    """``log(sum(exp(a)))`` over ``dim``, shifted by the max so it never overflows;
    d/da = softmax(a)."""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, a, dim, keepdim=False):
        if a.dtype.kind != "f":
            a = a.astype(np.float32)
        axes = normalize_dims(dim, a.ndim)
        if not axes:
            ctx.save_for_backward(a, a)
            ctx.axes, ctx.keepdim = axes, keepdim
            return a.copy()
        # ``initial`` makes an empty reduction -inf (log of a sum of nothing), as in PyTorch.
        shift = np.amax(a, axis=axes, keepdims=True, initial=-np.inf)
        shift = np.where(np.isfinite(shift), shift, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(a - shift), axis=axes, keepdims=True)) + shift
        ctx.save_for_backward(a, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out if keepdim else np.squeeze(out, axes)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if not ctx.axes:
            return grad
        grad_full = expand_back(grad, a.shape, ctx.axes, ctx.keepdim)
        with np.errstate(invalid="ignore"):  # -inf - (-inf) where every term was -inf
            return grad_full * np.exp(a - out)

    @staticmethod
    def backward_graph(ctx, grad):
        # ``out`` was saved with its reduced dims kept (not the result): recompute it.
        a = ctx.saved_tensors[0]
        if not ctx.axes:
            return grad
        grad_full = expand_back_graph(grad, tuple(a.shape), ctx.axes, ctx.keepdim)
        return grad_full * (a - LogSumExp.apply(a, dim=ctx.axes, keepdim=True)).exp()
