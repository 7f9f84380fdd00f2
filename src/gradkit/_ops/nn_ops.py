"""Fused neural-network ops: linear, softmax/log_softmax, the losses, and dropout.

Fusing pays where a composition would build many graph nodes or lose precision: ``Linear`` is
one node for ``x @ Wᵀ + b``; ``CrossEntropy`` computes log-softmax with the log-sum-exp shift
(logits of ±1e4 stay finite) and its backward is the closed form ``(softmax − onehot) / N``.

Example:
    >>> logits = gradkit.tensor([[1e4, 0.0]], requires_grad=True)
    >>> CrossEntropy.apply(logits, gradkit.tensor([1]))
    tensor(10000., grad_fn=<NllLossBackward0>)
"""
from __future__ import annotations

import numpy as np

from .._blas import matmul
from ..autograd.function import Function
from .graph import constant, rows_back_graph, rows_last_graph, where_graph
from .reduction import normalize_dim
from .shape import check_broadcast


# ---------------------------------------------------------------------------------------------
# linear layer
# ---------------------------------------------------------------------------------------------
class Linear(Function):
    """``x @ Wᵀ + b`` for x ``(*, in)``, W ``(out, in)``, b ``(out,)``.

    d/dx = grad @ W, d/dW = gradᵀ @ x (over all leading dims), d/db = grad summed over them.
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim == 2 and weight.ndim == 2 and x.shape[1] == weight.shape[1] \
                and x.dtype is weight.dtype and (bias is None or bias.shape == weight.shape[:1]):
            # The layer's usual call, (N, in) @ (out, in)ᵀ + (out,): nothing that can fail.
            ctx.save_for_backward(x, weight)
            out = matmul(x, weight.T)
            if bias is not None:
                out += bias
            ctx.bias_is_row = bias is not None
            return out
        if weight.ndim != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {weight.ndim}-D tensor"
                               if weight.ndim < 2 else
                               f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{weight.ndim}D")
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 0}"
                f" and {weight.shape[1]}x{weight.shape[0]})")
        if x.dtype != weight.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {scalar_type_name(x)} and "
                f"{scalar_type_name(weight)}")
        ctx.save_for_backward(x, weight)
        out = matmul(x, weight.T)
        if bias is not None:
            # PyTorch adds the bias to the (rows, out) matrix of its addmm, so a bias must
            # expand to that, not merely broadcast against the output.
            check_expands(bias, (out.size // max(out.shape[-1], 1), out.shape[-1])
                          if x.ndim > 1 else out.shape)
            try:
                out += bias
            except ValueError:  # expands to (rows, out) but not to a >2-D output's shape
                check_broadcast(out, bias)
                raise
        # The usual (out_features,) bias has a one-sum gradient; any other broadcastable bias
        # gets the full gradient, which the engine sums down to its shape.
        ctx.bias_is_row = bias is not None and bias.shape == out.shape[-1:]
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = _needs(ctx, 3)
        grad_x = matmul(grad, weight) if need_x else None
        grad_2d = grad.reshape(-1, grad.shape[-1])
        grad_w = matmul(grad_2d.T, x.reshape(-1, x.shape[-1])) if need_w else None
        grad_b = None
        if need_b:
            grad_b = grad_2d.sum(axis=0) if ctx.bias_is_row else grad
        return grad_x, grad_w, grad_b

    backward_graph = backward  # @, .T, reshape and sum(axis=) run the same body on Tensors


def check_expands(array: np.ndarray, target: tuple) -> None:
    """PyTorch's error when ``array`` cannot be expanded to the shape ``target``."""
    shape = array.shape
    if len(shape) > len(target):
        raise RuntimeError(f"expand(gradkit.{scalar_type_name(array)}Tensor{{{list(shape)}}}, "
                           f"size={list(target)}): "
                           f"the number of sizes provided ({len(target)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(shape)})")
    for i in range(1, len(shape) + 1):
        if shape[-i] not in (1, target[-i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                f"({shape[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}")


def _needs(ctx: Function, n: int) -> list[bool]:
    """Which of the first ``n`` inputs need a gradient (missing inputs do not)."""
    edges = ctx.next_edges
    return [i < len(edges) and edges[i] is not None for i in range(n)]


# ---------------------------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------------------------
def max_along(x: np.ndarray, axis: int) -> np.ndarray:
    """``x.max(axis, keepdims=True)``, as a new array.

    For 2-D arrays along their last axis (a classifier's (N, C) logits) it is computed as
    argmax + take: NumPy's max over a short contiguous inner axis does not vectorize, and
    the detour is 2-3x faster for (256, 10) (the same values, NaN and -inf included).
    """
    if x.ndim == 2 and axis == 1:
        return x[np.arange(len(x)), x.argmax(axis=1)][:, None]  # (take_along_axis: 2 us more)
    return x.max(axis=axis, keepdims=True)


def log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """``x - logsumexp(x)`` along ``axis``, shifted by the max so exp never overflows."""
    if x.shape[axis] == 0:  # no classes: nothing to normalize (and max() has no identity)
        return x.copy()
    shift = max_along(x, axis)
    shift[~np.isfinite(shift)] = 0
    shifted = x - shift
    # A row of -inf gives log(0) - (-inf) = nan, as in PyTorch, silently as in PyTorch.
    with np.errstate(divide="ignore", invalid="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    """``log(softmax(x))`` along ``dim``; d/dx = grad − softmax · Σ grad."""

    @staticmethod
    def forward(ctx, x, dim):
        axis = normalize_dim(dim, x.ndim)
        if x.ndim == 0:
            out = np.zeros_like(x)
        else:
            out = log_softmax_array(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis if x.ndim else None
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.axis is None:
            return np.zeros_like(grad)
        return grad - np.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)

    @staticmethod
    def backward_graph(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.axis is None:
            return grad * 0
        return grad - out.exp() * grad.sum(dim=ctx.axis, keepdim=True)


class Softmax(Function):
    """``exp(x) / Σ exp(x)`` along ``dim``; d/dx = s · (grad − Σ grad·s)."""

    @staticmethod
    def forward(ctx, x, dim):
        axis = normalize_dim(dim, x.ndim)
        if x.ndim == 0:
            out = np.ones_like(x)
        elif x.shape[axis] == 0:
            out = x.copy()
        else:
            shift = max_along(x, axis)
            shift[~np.isfinite(shift)] = 0
            e = np.exp(x - shift)
            with np.errstate(invalid="ignore"):  # a row of -inf gives 0/0 = nan, as in PyTorch
                out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis if x.ndim else None
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.axis is None:
            return np.zeros_like(grad)
        return out * (grad - (grad * out).sum(axis=ctx.axis, keepdims=True))

    @staticmethod
    def backward_graph(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.axis is None:
            return grad * 0
        return out * (grad - (grad * out).sum(dim=ctx.axis, keepdim=True))


# ---------------------------------------------------------------------------------------------
# classification losses
# ---------------------------------------------------------------------------------------------
def rows_last(x: np.ndarray) -> np.ndarray:
    """``(N, C, d1, ...)`` as ``(N·d1·..., C)`` rows: the class dim moved last."""
    # Explicit sizes, not -1: with zero classes reshape(-1, 0) is ambiguous.
    if x.ndim <= 2:
        return x if x.ndim == 2 else x.reshape(1, x.shape[0])
    return np.moveaxis(x, 1, -1).reshape(x.size // max(x.shape[1], 1), x.shape[1])


def rows_back(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of ``rows_last`` for an array of the input's ``shape``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    moved = shape[:1] + shape[2:] + shape[1:2]
    return np.moveaxis(rows.reshape(moved), -1, 1)


def _reduce(losses: np.ndarray, reduction: str, denominator: float) -> np.ndarray:
    if reduction == "mean":
        # A zero total weight (empty batch, every target ignored) gives nan, as in PyTorch,
        # even where a label-smoothing term would make the quotient ±inf.
        if not denominator:
            return np.asarray(np.nan, dtype=losses.dtype)
        return np.asarray(losses.sum() / denominator, dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum(), dtype=losses.dtype)
    return losses


def check_reduction(reduction: str) -> None:
    """PyTorch's error for an unknown ``reduction``."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def check_class_targets(target: np.ndarray, n_classes: int, ignore_index: int) -> None:
    """Class-index targets must be int64 or uint8 (PyTorch refuses int32 and the rest) with
    values in ``[0, C)`` or equal to ``ignore_index``."""
    if target.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_type_name(target)}")
    valid = target[target != ignore_index]
    if valid.size and (valid.min() < 0 or valid.max() >= n_classes):
        bad = valid.max() if valid.max() >= n_classes else valid.min()
        raise IndexError(f"Target {int(bad)} is out of bounds.")


def check_class_weight(weight: np.ndarray | None, n_classes: int, prefix: str = "") -> None:
    """A class ``weight`` must have one entry per class, as PyTorch checks."""
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}")


_SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                      "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                      "uint8": "Byte", "bool": "Bool"}


def scalar_type_name(a: np.ndarray) -> str:
    """PyTorch's name of ``a``'s dtype in error messages (``Long``, ``Float``...)."""
    return _SCALAR_TYPE_NAMES.get(a.dtype.name, a.dtype.name)


def require_float(a: np.ndarray, kernel: str) -> None:
    """PyTorch's error for a floating-point-only kernel given integers or booleans."""
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(a)}\'')


def check_weight_dtype(weight: np.ndarray | None, x: np.ndarray) -> None:
    """Class weights must have the input's dtype (PyTorch does not convert them)."""
    if weight is not None and weight.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x)} but found "
                           f"{scalar_type_name(weight)}")


def _mean_row_scale(grad: np.ndarray, keep: np.ndarray, denominator: float) -> np.ndarray:
    """Per-row factor of a ``mean`` loss's gradient: ``grad / Σw`` for rows that count and an
    exact 0 for ignored ones, so all-ignored batches give zero gradients (and a zero total
    weight over counted rows gives nan), as in PyTorch."""
    per_row = grad / denominator if denominator else np.nan
    return np.where(keep, per_row, 0).astype(grad.dtype, copy=False)


def _plain_cross_entropy(ctx: Function, x: np.ndarray, target: np.ndarray,
                         reduction: str) -> np.ndarray:
    """``CrossEntropy.forward`` for the book's case: (N, C) logits, int64 targets all in
    range and none ignored, no class weights, no smoothing. The same values as the general
    formula with every weight 1, in a third of the NumPy calls; the ctx holds what the general
    backward and the recorded one (``create_graph``) read."""
    n_rows, n_classes = x.shape
    logp = log_softmax_array(x, 1)
    losses = -logp[np.arange(n_rows), target]
    ctx.save_for_backward(logp, x)
    ctx.plain = True
    ctx.target = target.copy()  # the labels may change in place before backward
    # (every weight is 1 and every row counts: the recorded backward makes ctx.keep, ctx.w
    # and ctx.w_target when it needs them, see plain_weights)
    ctx.smoothing, ctx.reduction, ctx.denominator = 0.0, reduction, x.dtype.type(n_rows)
    ctx.shape = x.shape
    return losses if reduction == "none" else _reduce(losses, reduction, ctx.denominator)


def plain_weights(ctx: Function) -> None:
    """The general formula's per-class weights, per-row weights and kept rows for a
    :func:`_plain_cross_entropy` ctx: all ones (made only when a recorded backward reads them)."""
    n_rows, n_classes = ctx.shape
    dtype = type(ctx.denominator)
    ctx.keep = np.ones(n_rows, bool)
    ctx.w, ctx.w_target = np.ones(n_classes, dtype), np.ones(n_rows, dtype)


class CrossEntropy(Function):
    """Cross-entropy of logits ``x`` ``(N, C)`` or ``(N, C, d1, ...)`` against class indices,
    with class ``weight``, ``ignore_index``, ``label_smoothing`` ε and ``reduction``.

    Per row: L = (1−ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c), p = softmax(x);
    d/dx = (1−ε)·w_y·(p − e_y) + (ε/C)·(Σw·p − w), divided by Σ w_y for ``mean``.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0):
        if weight is None and not label_smoothing and x.ndim == 2 and x.size \
                and target.ndim == 1 and target.dtype == np.int64:
            low, high = target.min(), target.max()
            if 0 <= low and high < x.shape[1] and not low <= ignore_index <= high:
                return _plain_cross_entropy(ctx, x, target, reduction)
        ctx.plain = False
        rows = rows_last(x)
        flat_target = target.reshape(-1)
        n_classes = rows.shape[1]
        check_class_targets(flat_target, n_classes, ignore_index)
        keep = flat_target != ignore_index
        safe_target = np.where(keep, flat_target, 0)
        logp = log_softmax_array(rows, 1)
        w = np.ones(n_classes, dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        # (With zero classes every target is ignored: nothing to pick.)
        w_target = w[safe_target] * keep if n_classes else np.zeros(len(rows), x.dtype)
        picked = logp[np.arange(len(rows)), safe_target] if n_classes else \
            np.zeros(len(rows), logp.dtype)
        losses = -(1 - label_smoothing) * w_target * picked
        if label_smoothing:
            losses -= (label_smoothing / n_classes) * (logp * w).sum(axis=1) * keep
        denominator = w_target.sum()
        ctx.save_for_backward(logp, x)  # x: the recorded backward recomputes logp from it
        ctx.target, ctx.keep, ctx.w, ctx.w_target = safe_target, keep, w, w_target
        ctx.smoothing, ctx.reduction, ctx.denominator = label_smoothing, reduction, denominator
        ctx.shape = x.shape
        losses = losses.astype(x.dtype, copy=False)
        if reduction == "none":
            return losses.reshape(target.shape)
        return _reduce(losses, reduction, denominator)

    @staticmethod
    def backward(ctx, grad):
        logp = ctx.saved_tensors[0]
        probs = np.exp(logp)
        n_rows, n_classes = probs.shape
        if ctx.plain:  # softmax − onehot, scaled: the general formula with every w = 1, ε = 0
            probs[np.arange(n_rows), ctx.target] -= 1
            if ctx.reduction == "none":
                probs *= grad[:, None]
            elif ctx.reduction == "mean":
                probs *= grad / ctx.denominator
            else:
                probs *= grad
            return probs, None, None
        # (1−ε)·w_y·(p − e_y)
        out = probs * ((1 - ctx.smoothing) * ctx.w_target)[:, None]
        if n_classes:
            out[np.arange(n_rows), ctx.target] -= (1 - ctx.smoothing) * ctx.w_target
        if ctx.smoothing:
            out += (ctx.smoothing / n_classes) * (
                probs * ctx.w.sum() - ctx.w[None, :]) * ctx.keep[:, None]
        if ctx.reduction == "none":
            out *= grad.reshape(-1)[:, None]
        elif ctx.reduction == "mean":
            out *= _mean_row_scale(grad, ctx.keep, ctx.denominator)[:, None]
        else:
            out *= grad
        return rows_back(out, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.saved_tensors[1]
        if ctx.plain:
            plain_weights(ctx)
        probs = LogSoftmax.apply(rows_last_graph(x), 1).exp()
        n_rows, n_classes = probs.shape
        dtype = probs._data.dtype
        hit = (1 - ctx.smoothing) * ctx.w_target
        onehot = np.zeros((n_rows, n_classes), dtype)
        if n_classes:
            onehot[np.arange(n_rows), ctx.target] = hit
        out = probs * constant(hit[:, None].astype(dtype)) - constant(onehot)
        if ctx.smoothing:
            out = out + (ctx.smoothing / n_classes) * (
                probs * float(ctx.w.sum()) - constant(ctx.w[None, :])) * constant(
                    ctx.keep[:, None].astype(dtype))
        if ctx.reduction == "none":
            out = out * grad.reshape(-1, 1)
        elif ctx.reduction == "mean":
            per_row = np.where(ctx.keep, 1 / ctx.denominator if ctx.denominator else np.nan, 0)
            out = out * (grad * constant(per_row.astype(dtype)[:, None]))
        else:
            out = out * grad
        return rows_back_graph(out, ctx.shape), None, None


class CrossEntropyProbs(Function):
    """Cross-entropy of logits against class probabilities ``target`` (same shape):
    L = −Σ_c w_c·t_c·log p_c with t smoothed as t·(1−ε) + ε/C; ``mean`` divides by N."""

    node_name = "DivBackward0"
    promotes = True  # the recorded backward needs x and target of one dtype (see higher_order)

    @staticmethod
    def forward(ctx, x, target, weight=None, reduction="mean", label_smoothing=0.0):
        if target.shape != x.shape:
            raise RuntimeError(
                "Expected target size equal to input size for probability targets, got "
                f"{list(target.shape)} and {list(x.shape)}")
        if target.dtype.kind != "f":
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got "
                f"{scalar_type_name(target)}")
        dtype = np.promote_types(x.dtype, target.dtype)
        x = x.astype(dtype, copy=False)
        rows, t = rows_last(x), rows_last(target.astype(dtype, copy=False))
        n_classes = rows.shape[1]
        if label_smoothing:
            t = t * (1 - label_smoothing) + label_smoothing / n_classes
        w = np.ones(n_classes, dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        logp = log_softmax_array(rows, 1)
        losses = -(logp * t * w).sum(axis=1)
        ctx.save_for_backward(logp, x, target)  # x, target: for the recorded backward
        ctx.t, ctx.w, ctx.reduction, ctx.shape = t, w, reduction, x.shape
        ctx.smoothing = label_smoothing
        ctx.out_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
        ctx.count = len(rows)
        if reduction == "none":
            return losses.reshape(ctx.out_shape)
        return _reduce(losses, reduction, ctx.count)

    @staticmethod
    def backward(ctx, grad):
        logp = ctx.saved_tensors[0]
        wt = ctx.t * ctx.w
        grad_x = np.exp(logp) * wt.sum(axis=1, keepdims=True) - wt
        grad_t = -(logp * ctx.w) * (1 - ctx.smoothing)
        if ctx.reduction == "none":
            scale = grad.reshape(-1)[:, None]
        elif ctx.reduction == "mean":
            scale = grad / ctx.count
        else:
            scale = grad
        return (rows_back(grad_x * scale, ctx.shape), rows_back(grad_t * scale, ctx.shape),
                None)

    @staticmethod
    def backward_graph(ctx, grad):
        _, x, target = ctx.saved_tensors
        rows, t = rows_last_graph(x), rows_last_graph(target)
        if ctx.smoothing:
            t = t * (1 - ctx.smoothing) + ctx.smoothing / rows.shape[1]
        w = constant(ctx.w)
        logp = LogSoftmax.apply(rows, 1)
        wt = t * w
        grad_x = logp.exp() * wt.sum(dim=1, keepdim=True) - wt
        grad_t = -(logp * w) * (1 - ctx.smoothing)
        if ctx.reduction == "none":
            scale = grad.reshape(-1, 1)
        elif ctx.reduction == "mean":
            scale = grad / ctx.count
        else:
            scale = grad
        return (rows_back_graph(grad_x * scale, ctx.shape),
                rows_back_graph(grad_t * scale, ctx.shape), None)


class NllLoss(Function):
    """Negative log-likelihood of log-probabilities ``x`` at class indices ``target``:
    L = −w_y·x_y; ``mean`` divides by Σ w_y over the rows not ignored."""

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        rows = rows_last(x)
        flat_target = target.reshape(-1)
        n_classes = rows.shape[1]
        check_class_targets(flat_target, n_classes, ignore_index)
        keep = flat_target != ignore_index
        safe_target = np.where(keep, flat_target, 0)
        w = np.ones(n_classes, dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        # (With zero classes every target is ignored: nothing to pick.)
        w_target = w[safe_target] * keep if n_classes else np.zeros(len(rows), x.dtype)
        picked = rows[np.arange(len(rows)), safe_target] if n_classes else \
            np.zeros(len(rows), x.dtype)
        losses = (-w_target * picked).astype(x.dtype)
        ctx.target, ctx.w_target, ctx.shape, ctx.reduction = safe_target, w_target, x.shape, \
            reduction
        ctx.keep = keep
        ctx.denominator = w_target.sum()
        if reduction == "none":
            return losses.reshape(target.shape)
        return _reduce(losses, reduction, ctx.denominator)

    @staticmethod
    def backward(ctx, grad):
        n_rows = len(ctx.target)
        n_classes = ctx.shape[1] if len(ctx.shape) > 1 else ctx.shape[0]
        out = np.zeros((n_rows, n_classes), dtype=grad.dtype)
        scale = -ctx.w_target
        if ctx.reduction == "none":
            scale = scale * grad.reshape(-1)
        elif ctx.reduction == "mean":
            scale = scale * _mean_row_scale(grad, ctx.keep, ctx.denominator)
        else:
            scale = scale * grad
        if n_classes:
            out[np.arange(n_rows), ctx.target] = scale
        return rows_back(out, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        from .indexing import IndexScatter

        n_rows = len(ctx.target)
        n_classes = ctx.shape[1] if len(ctx.shape) > 1 else ctx.shape[0]
        dtype = grad._data.dtype
        scale = constant((-ctx.w_target).astype(dtype))
        if ctx.reduction == "none":
            scale = scale * grad.reshape(-1)
        elif ctx.reduction == "mean":
            per_row = np.where(ctx.keep, 1 / ctx.denominator if ctx.denominator else np.nan, 0)
            scale = scale * (grad * constant(per_row.astype(dtype)))
        else:
            scale = scale * grad
        out = IndexScatter.apply(scale, shape=(n_rows, n_classes),
                                 index=(np.arange(n_rows), ctx.target), advanced=True)
        return rows_back_graph(out, ctx.shape), None, None


class BinaryCrossEntropyWithLogits(Function):
    """Binary cross-entropy on logits, stable for any x:
    L = (1−y)·x + (1 + (pw−1)·y)·softplus(−x), times ``weight``; d/dx = w·((1−y) − lw·σ(−x))."""

    @staticmethod
    def forward(ctx, x, y, weight=None, pos_weight=None, reduction="mean"):
        softplus_neg = np.logaddexp(0, -x)  # log(1 + exp(−x)) without overflow
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        losses = (1 - y) * x + log_weight * softplus_neg
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        ctx.log_weight, ctx.softplus_neg = log_weight, softplus_neg
        ctx.count = losses.size
        losses = np.asarray(losses, dtype=x.dtype)
        if reduction == "none":
            return losses
        return _reduce(losses, reduction, ctx.count)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        sigmoid_neg = np.exp(-np.logaddexp(0, x))  # σ(−x) computed stably
        grad_x = (1 - y) - ctx.log_weight * sigmoid_neg
        grad_y = -x + (0 if ctx.pos_weight is None else (ctx.pos_weight - 1) * ctx.softplus_neg)
        if ctx.weight is not None:
            grad_x, grad_y = grad_x * ctx.weight, grad_y * ctx.weight
        scale = grad / ctx.count if ctx.reduction == "mean" else grad
        return grad_x * scale, grad_y * scale, None, None

    @staticmethod
    def backward_graph(ctx, grad):
        x, y = ctx.saved_tensors
        pos_weight = None if ctx.pos_weight is None else constant(ctx.pos_weight)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        grad_x = (1 - y) - log_weight * (-x).sigmoid()
        grad_y = -x
        if pos_weight is not None:
            grad_y = grad_y - (pos_weight - 1) * x.sigmoid().log()  # softplus(−x) = −log σ(x)
        if ctx.weight is not None:
            weight = constant(ctx.weight)
            grad_x, grad_y = grad_x * weight, grad_y * weight
        scale = grad / ctx.count if ctx.reduction == "mean" else grad
        return grad_x * scale, grad_y * scale, None, None


# ---------------------------------------------------------------------------------------------
# regression losses: one class, four pointwise shapes
# ---------------------------------------------------------------------------------------------
class PointwiseLoss(Function):
    """Losses of ``d = input − target`` elementwise, then reduced: ``kind`` is ``"mse"``
    (d²), ``"l1"`` (|d|), ``"huber"`` (δ) or ``"smooth_l1"`` (β); ``dtype`` is the promoted
    dtype (float32 for float32 input and int64 target, as PyTorch, not NumPy's float64).
    Use the subclasses, which carry PyTorch's node names."""

    @staticmethod
    def forward(ctx, a, b, kind="mse", reduction="mean", delta=1.0, dtype=None):
        d = np.subtract(a, b, dtype=dtype)
        absolute = np.abs(d)
        if kind == "mse":
            losses = d * d
        elif kind == "l1":
            losses = absolute
        elif kind == "huber":
            losses = np.where(absolute <= delta, 0.5 * d * d, delta * (absolute - 0.5 * delta))
        elif delta == 0:  # smooth_l1 with beta 0 is l1
            losses = absolute
        else:
            losses = np.where(absolute < delta, 0.5 * d * d / delta, absolute - 0.5 * delta)
        ctx.save_for_backward(d, a, b)  # a, b: the recorded backward recomputes d from them
        ctx.kind, ctx.reduction, ctx.delta, ctx.count = kind, reduction, delta, losses.size
        losses = np.asarray(losses, dtype=d.dtype)
        if reduction == "none":
            return losses
        return _reduce(losses, reduction, ctx.count)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.saved_tensors[0]
        kind, delta = ctx.kind, ctx.delta
        if kind == "mse":
            local = 2 * d
        elif kind == "l1" or (kind == "smooth_l1" and delta == 0):
            local = np.sign(d)
        elif kind == "huber":
            local = np.where(np.abs(d) <= delta, d, delta * np.sign(d))
        else:
            local = np.where(np.abs(d) < delta, d / delta, np.sign(d))
        scale = grad / ctx.count if ctx.reduction == "mean" else grad
        g = local * scale
        return g, -g

    @staticmethod
    def backward_graph(ctx, grad):
        d_array, a, b = ctx.saved_tensors
        d = a - b
        if d._data.dtype != d_array._data.dtype:
            d = d.to(grad.dtype)
        kind, delta = ctx.kind, ctx.delta
        sign = constant(np.sign(d_array._data))
        if kind == "mse":
            local = 2 * d
        elif kind == "l1" or (kind == "smooth_l1" and delta == 0):
            local = sign
        elif kind == "huber":
            local = where_graph(np.abs(d_array._data) <= delta, d, delta * sign)
        else:
            local = where_graph(np.abs(d_array._data) < delta, d / delta, sign)
        scale = grad / ctx.count if ctx.reduction == "mean" else grad
        g = local * scale
        return g, -g


class MseLoss(PointwiseLoss):
    """Mean squared error: (input − target)²."""

    node_name = "MseLossBackward0"


class L1Loss(PointwiseLoss):
    """Mean absolute error: |input − target|."""

    node_name = "MeanBackward0"  # PyTorch composes l1_loss from abs and mean


class HuberLoss(PointwiseLoss):
    """Huber loss: ½d² below δ, δ·(|d| − ½δ) above."""

    node_name = "HuberLossBackward0"


class SmoothL1Loss(PointwiseLoss):
    """Smooth L1 loss: ½d²/β below β, |d| − ½β above."""

    node_name = "SmoothL1LossBackward0"


POINTWISE_LOSSES = {"mse": MseLoss, "l1": L1Loss, "huber": HuberLoss, "smooth_l1": SmoothL1Loss}


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
class Dropout(Function):
    """Zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout);
    the gradient flows through the same mask."""

    node_name = "MulBackward0"  # PyTorch's CPU dropout is a multiplication by the mask

    @staticmethod
    def forward(ctx, x, mask=None):
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None

    backward_graph = backward
