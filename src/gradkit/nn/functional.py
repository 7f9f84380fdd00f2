"""``gradkit.nn.functional``: layers and losses as plain functions, like ``torch.nn.functional``.

Each function checks its arguments the way PyTorch does and hands the math to a fused op in
``gradkit._ops.nn_ops``.

Example:
    >>> import gradkit.nn.functional as F
    >>> F.cross_entropy(gradkit.tensor([[2.0, 0.5]]), gradkit.tensor([0]))
    tensor(0.2014)
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .. import random as _random
from .._ops import elementwise as ew
from .._ops import nn_ops
from ..tensor import Tensor

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
           "binary_cross_entropy_with_logits", "one_hot", "relu_", "leaky_relu"]


def _check_tensor(x: Any, name: str, position: int = 1, arg: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weightᵀ + bias``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` or None.

    Returns:
        ``(*, out_features)``.

    Example:
        >>> F.linear(gradkit.ones(2, 3), gradkit.ones(4, 3)).shape
        gradkit.Size([2, 4])
    """
    _check_tensor(input, "linear")
    return nn_ops.Linear.apply(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(input, 0)`` elementwise.

    Example:
        >>> F.relu(gradkit.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    _check_tensor(input, "relu")
    return input.relu_() if inplace else ew.Relu.apply(input)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place ``relu``."""
    return input.relu_()


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope · x`` elsewhere.

    Example:
        >>> F.leaky_relu(gradkit.tensor([-1.0, 2.0]), 0.1)
        tensor([-0.1000,  2.0000])
    """
    _check_tensor(input, "leaky_relu")
    return ew.Where.apply(input > 0, input, input * negative_slope)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``1 / (1 + exp(-input))``, computed without overflow.

    Example:
        >>> F.sigmoid(gradkit.tensor([0.0]))
        tensor([0.5000])
    """
    return ew.Sigmoid.apply(_check_tensor(input, "sigmoid"))


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Hyperbolic tangent.

    Example:
        >>> F.tanh(gradkit.tensor([0.0]))
        tensor([0.])
    """
    return ew.Tanh.apply(_check_tensor(input, "tanh"))


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """``exp(x) / Σ exp(x)`` along ``dim``, shifted by the max so it never overflows.

    Example:
        >>> F.softmax(gradkit.tensor([[1.0, 1.0]]), dim=1)
        tensor([[0.5000, 0.5000]])
    """
    _check_tensor(input, "softmax")
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    _require_float_along(input, dim, "softmax")
    return nn_ops.Softmax.apply(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """``x − logsumexp(x)`` along ``dim``.

    Example:
        >>> F.log_softmax(gradkit.tensor([[0.0, 0.0]]), dim=1)
        tensor([[-0.6931, -0.6931]])
    """
    _check_tensor(input, "log_softmax")
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    _require_float_along(input, dim, "log_softmax")
    return nn_ops.LogSoftmax.apply(input, dim)


def _require_float_along(input: Tensor, dim: int, name: str) -> None:  # noqa: A002
    """PyTorch's error for a softmax of integers, naming the kernel it would have used."""
    if input._data.dtype.kind == "f":
        return
    last = input.ndim <= 1 or dim in (-1, input.ndim - 1)
    nn_ops.require_float(input._data, f"{name}{'_lastdim' if last else ''}_kernel_impl")


def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` while
    ``training``; the identity otherwise.

    Example:
        >>> F.dropout(gradkit.ones(4), p=0.0)
        tensor([1., 1., 1., 1.])
    """
    _check_tensor(input, "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{nn_ops.scalar_type_name(data)}")
    if p == 1.0:
        mask = np.zeros(data.shape, dtype=data.dtype)
    else:
        keep = _random.uniform_array(0.0, 1.0, data.shape, data.dtype, None) >= p
        mask = keep * data.dtype.type(1.0 / (1.0 - p))
    out = nn_ops.Dropout.apply(input, mask=mask)
    if inplace:
        return input._inplace_unary(out)
    return out


def _check_batch(input: Tensor, target: Tensor) -> None:  # noqa: A002
    shape, target_shape = input._data.shape, target._data.shape
    if len(shape) >= 2 and len(target_shape) >= 1 and shape[0] != target_shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({target_shape[0]}).")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits and class indices (or class probabilities), computed
    from log-softmax with the log-sum-exp shift, so logits of ±1e4 give finite losses.

    Args:
        input: logits ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``.
        target: class indices ``(N)`` (int64) or probabilities with ``input``'s shape.
        weight: per-class weights ``(C,)``.
        ignore_index: class index whose rows count neither in the loss nor the mean.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        label_smoothing: ε in [0, 1]: mixes the target with the uniform distribution.

    Returns:
        A scalar, or ``(N)`` / ``(N, d1, ...)`` with ``reduction='none'``.

    Example:
        >>> F.cross_entropy(gradkit.tensor([[0.0, 0.0]]), gradkit.tensor([1]))
        tensor(0.6931)
    """
    _check_tensor(input, "cross_entropy")
    _check_tensor(target, "cross_entropy", 2, "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    nn_ops.check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise RuntimeError("cross_entropy: input must have at least one dimension (classes)")
    weight_data = None if weight is None else weight._data
    _require_float_along(input, 1 if input.ndim > 1 else 0, "log_softmax")
    # Shapes as NumPy tuples: this runs once per training step, and gradkit.Size objects
    # cost more than the checks themselves.
    shape, target_shape = input._data.shape, target._data.shape
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    # PyTorch decides by shape, not dtype: a target shaped like the input holds probabilities
    # (and must be float); any other shape holds class indices (and must be int64 or uint8).
    if target_shape == shape:
        nn_ops.check_class_weight(weight_data, n_classes, "cross_entropy: ")
        return nn_ops.CrossEntropyProbs.apply(input, target, weight=weight_data,
                                              reduction=reduction,
                                              label_smoothing=label_smoothing)
    nn_ops.check_class_weight(weight_data, n_classes)
    nn_ops.check_weight_dtype(weight_data, input._data)
    _check_batch(input, target)
    expected = shape[:1] + shape[2:] if len(shape) > 1 else ()
    if target_shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target_shape)}"
                           if len(shape) > 2 else
                           "0D or 1D target tensor expected, multi-target not supported")
    return nn_ops.CrossEntropy.apply(input, target, weight=weight_data,
                                     ignore_index=ignore_index, reduction=reduction,
                                     label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``.

    Args:
        input: log-probabilities ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``.
        target: class indices ``(N)`` / ``(N, d1, ...)``.

    Example:
        >>> F.nll_loss(gradkit.tensor([[-0.5, -1.0]]), gradkit.tensor([1]))
        tensor(1.)
    """
    _check_tensor(input, "nll_loss")
    _check_tensor(target, "nll_loss", 2, "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    nn_ops.check_reduction(reduction)
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    _check_batch(input, target)
    weight_data = None if weight is None else weight._data
    nn_ops.check_class_weight(weight_data, input.shape[1] if input.ndim > 1 else input.shape[0])
    nn_ops.require_float(input._data, "nll_loss_out_frame")
    nn_ops.check_weight_dtype(weight_data, input._data)
    expected = tuple(input.shape[:1]) + tuple(input.shape[2:]) if input.ndim > 1 else ()
    if tuple(target.shape) != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}"
                           if input.ndim > 2 else
                           "0D or 1D target tensor expected, multi-target not supported")
    return nn_ops.NllLoss.apply(input, target, weight=weight_data, ignore_index=ignore_index,
                                reduction=reduction)


def _pointwise(kind: str, input: Tensor, target: Tensor, reduction: str,  # noqa: A002
               delta: float = 1.0) -> Tensor:
    _check_tensor(input, f"{kind}_loss")
    _check_tensor(target, f"{kind}_loss", 2, "target")
    nn_ops.check_reduction(reduction)
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
    dtype = _dtype.result_type(input, target).numpy
    if dtype.kind != "f":
        if kind == "l1":  # PyTorch's l1_loss is abs().mean(), which needs a float
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               "a floating point or complex dtype. Got: "
                               f"{nn_ops.scalar_type_name(np.empty(0, dtype))}")
        nn_ops.require_float(np.empty(0, dtype), f"{kind}_cpu")
    try:
        return nn_ops.POINTWISE_LOSSES[kind].apply(input, target, kind=kind,
                                                   reduction=reduction, delta=delta,
                                                   dtype=dtype)
    except ValueError:
        from .._ops.shape import check_broadcast

        check_broadcast(input._data, target._data)
        raise


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    # The pre-1.0 arguments still work in PyTorch (with a warning); map them the same way.
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean' instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input − target)²``, reduced.

    Example:
        >>> F.mse_loss(gradkit.tensor([1.0, 3.0]), gradkit.tensor([0.0, 0.0]))
        tensor(5.)
    """
    return _pointwise("mse", input, target, _legacy_reduction(size_average, reduce, reduction))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
            reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|input − target|``, reduced.

    Example:
        >>> F.l1_loss(gradkit.tensor([1.0, -3.0]), gradkit.tensor([0.0, 0.0]))
        tensor(2.)
    """
    return _pointwise("l1", input, target, _legacy_reduction(size_average, reduce, reduction))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """Squared error below ``delta``, linear (``δ·(|d| − δ/2)``) above it.

    Example:
        >>> F.huber_loss(gradkit.tensor([0.5, 3.0]), gradkit.zeros(2))
        tensor(1.3125)
    """
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise("huber", input, target, reduction, delta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5·d²/β`` below ``beta``, ``|d| − β/2`` above it.

    Example:
        >>> F.smooth_l1_loss(gradkit.tensor([0.5, 3.0]), gradkit.zeros(2))
        tensor(1.3125)
    """
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise("smooth_l1", input, target,
                      _legacy_reduction(size_average, reduce, reduction), beta)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of logits against targets in [0, 1], stable for any logit.

    Args:
        input: logits, any shape.
        target: same shape as ``input``.
        weight: rescales each element's loss (broadcast).
        pos_weight: weight of positive examples, per class (broadcast over the last dim).

    Example:
        >>> F.binary_cross_entropy_with_logits(gradkit.tensor([0.0]), gradkit.tensor([1.0]))
        tensor(0.6931)
    """
    _check_tensor(input, "binary_cross_entropy_with_logits")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    nn_ops.check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if target._data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{nn_ops.scalar_type_name(target._data)}")
    nn_ops.require_float(input._data, "log_sigmoid_cpu")
    from .._ops.shape import check_fits

    for extra in (weight, pos_weight):
        if extra is not None:  # must broadcast to the input's shape without enlarging it
            check_fits(tuple(input.shape), tuple(extra.shape))
    return nn_ops.BinaryCrossEntropyWithLogits.apply(
        input, target, weight=None if weight is None else weight._data,
        pos_weight=None if pos_weight is None else pos_weight._data, reduction=reduction)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices ``(*)`` as one-hot rows ``(*, num_classes)`` (int64).

    Example:
        >>> F.one_hot(gradkit.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    data = _check_tensor(tensor, "one_hot", arg="tensor")._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    elif data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(data.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, data[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._wrap(out)
