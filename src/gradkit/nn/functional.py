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
    a, b = getattr(input, "_data", None), getattr(target, "_data", None)
    if type(a) is np.ndarray and type(b) is np.ndarray and a.shape == b.shape \
            and a.dtype is b.dtype and a.dtype.kind == "f" and reduction in ("mean", "sum", "none"):
        # Two float tensors of one shape and dtype (every regression step): nothing to check.
        return nn_ops.POINTWISE_LOSSES[kind].apply(input, target, kind=kind, reduction=reduction,
                                                   delta=delta, dtype=a.dtype)
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


# ---------------------------------------------------------------------------------------------
# convolution, pooling, padding, batch norm (math in gradkit._ops.conv / pooling / normalization)
# ---------------------------------------------------------------------------------------------
__all__ += ["conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad",
            "batch_norm", "unfold"]


def _tuple(value: Any, n: int, name: str, op: str = "convolution") -> tuple:
    """An int or a sequence of ``n`` ints as an ``n``-tuple, with PyTorch's error otherwise."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the {op} dimensions, but got {name}={list(value)}")
    return value


def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,  # noqa: A002
          padding: Any, dilation: Any, groups: int, spatial: int) -> Tensor:
    from .._ops.conv import Convolution, check_conv_dtypes

    name = f"conv{spatial}d"
    _check_tensor(input, name)
    _check_tensor(weight, name, 2, "weight")
    x, w = input._data, weight._data
    if x.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(x.shape)}")
    if w.ndim != spatial + 2:
        raise RuntimeError(f"Expected {spatial + 2}-dimensional input for {spatial + 2}-"
                           f"dimensional weight {list(w.shape)}, but got {x.ndim}-dimensional "
                           f"input of size {list(x.shape)} instead")
    stride = _tuple(stride, spatial, "stride")
    dilation = _tuple(dilation, spatial, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # 'same' pads d·(k−1) in total, the odd one at the end (bottom/right), as PyTorch.
        totals = [d * (k - 1) if padding == "same" else 0 for d, k in zip(dilation, kernel)]
        pads = tuple((t // 2, t - t // 2) for t in totals)
    else:
        amounts = _tuple(padding, spatial, "padding")
        if any(p < 0 for p in amounts):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((p, p) for p in amounts)
    channels = x.shape[1] if x.ndim == spatial + 2 else x.shape[0]
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size {list(w.shape)} "
                           f"instead")
    if channels != w.shape[1] * groups:
        shown = x.shape if x.ndim == spatial + 2 else (1,) + x.shape
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{list(shown)} to have {w.shape[1] * groups} channels, but "
                           f"got {channels} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != w.shape[0]):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be "
                           f"1-dimensional with {w.shape[0]} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    sizes = [s + sum(p) for s, p in zip(x.shape[-spatial:], pads)]
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(s < k for s, k in zip(sizes, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, sizes))}). Kernel size: "
                           f"({' x '.join(map(str, effective))}). Kernel size can't be greater "
                           f"than actual input size")
    check_conv_dtypes(x, w, None if bias is None else bias._data)
    if spatial == 1:  # the op works in 2-D: a 1-D convolution is one with a height of 1
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    return Convolution.apply(input, weight, bias, stride=stride, padding=pads,
                             dilation=dilation, groups=groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of ``input`` with ``weight`` (see ``gradkit._ops.conv``).

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, KH, KW)``.
        bias: ``(C_out,)`` or None.
        stride, dilation: int or ``(h, w)``.
        padding: int, ``(h, w)``, ``'valid'`` (none) or ``'same'`` (output size = input size).
        groups: split the channels into this many independent convolutions.

    Returns:
        ``(N, C_out, OH, OW)`` with ``OH = ⌊(H + 2p − d·(KH − 1) − 1) / s⌋ + 1``.

    Example:
        >>> F.conv2d(gradkit.ones(1, 1, 5, 5), gradkit.ones(2, 1, 3, 3), padding=1).shape
        gradkit.Size([1, 2, 5, 5])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: ``input (N, C_in, L)`` or ``(C_in, L)``, ``weight
    (C_out, C_in / groups, K)``; arguments as ``conv2d``.

    Example:
        >>> F.conv1d(gradkit.ones(1, 1, 5), gradkit.ones(1, 1, 3)).shape
        gradkit.Size([1, 1, 3])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def _pool_arguments(input: Tensor, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
                    dilation: Any, name: str) -> tuple:
    _check_tensor(input, name)
    x = input._data
    if x.ndim not in (3, 4) or x.size == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = _tuple(kernel_size, 2, "kernel_size", "pooling")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _tuple(stride, 2, "stride", "pooling")
    padding, dilation = _tuple(padding, 2, "padding", "pooling"), \
        _tuple(dilation, 2, "dilation", "pooling")
    if any(k <= 0 for k in kernel):
        raise RuntimeError("kernel size should be greater than zero, but got "
                           f"kH: {kernel[0]} kW: {kernel[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} "
                           f"dW: {stride[1]}")
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    return kernel, stride, padding, dilation


def _check_pool_output(x: np.ndarray, out: tuple) -> None:
    if min(out) < 1:
        c, h, w = x.shape[-3:]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The maximum over each ``kernel_size`` window (padding counts as −∞).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        stride: defaults to ``kernel_size``.
        padding: at most half the kernel.
        ceil_mode: round the output size up (a last, partial window).
        return_indices: also return each maximum's flat position ``h·W + w`` (int64).

    Example:
        >>> F.max_pool2d(gradkit.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    from .._ops.pooling import MaxPool2D, pool_output_size

    kernel, stride, padding, dilation = _pool_arguments(input, kernel_size, stride, padding,
                                                        dilation, "max_pool2d")
    _check_pool_output(input._data, tuple(
        pool_output_size(s, k, st, p, d, ceil_mode)
        for s, k, st, p, d in zip(input._data.shape[-2:], kernel, stride, padding, dilation)))
    indices: list = []
    out = MaxPool2D.apply(input, kernel=kernel, stride=stride, padding=padding,
                          dilation=dilation, ceil_mode=ceil_mode,
                          indices_out=indices if return_indices else None)
    return (out, Tensor._wrap(indices[0])) if return_indices else out


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean over each ``kernel_size`` window.

    Args:
        count_include_pad: padded zeros count in the divisor (default True).
        divisor_override: divide every window's sum by this instead.

    Example:
        >>> F.avg_pool2d(gradkit.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    from .._ops.pooling import AvgPool2D, pool_output_size

    kernel, stride, padding, _ = _pool_arguments(input, kernel_size, stride, padding, 1,
                                                 "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_pool_output(input._data, tuple(
        pool_output_size(s, k, st, p, 1, ceil_mode)
        for s, k, st, p in zip(input._data.shape[-2:], kernel, stride, padding)))
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"avg_pool2d" not implemented for '
                                  f"'{nn_ops.scalar_type_name(input._data)}'")
    return AvgPool2D.apply(input, kernel=kernel, stride=stride, padding=padding,
                           ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                           divisor_override=divisor_override)


def _adaptive_size(x: np.ndarray, output_size: Any) -> tuple:
    """An adaptive pool's ``output_size`` (int, pair, None keeps that dim) as a pair."""
    size = (output_size, output_size) if isinstance(output_size, int) or output_size is None \
        else tuple(output_size)
    return tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(size))


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling into a fixed ``output_size`` (int or ``(h, w)``; None keeps that dim).

    Example:
        >>> F.adaptive_avg_pool2d(gradkit.ones(2, 3, 7, 7), 1).shape
        gradkit.Size([2, 3, 1, 1])
    """
    from .._ops.pooling import AdaptiveAvgPool2D

    _check_tensor(input, "adaptive_avg_pool2d")
    x = input._data
    if x.ndim not in (3, 4) or 0 in x.shape[-3:]:
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(x.shape)}")
    size = _adaptive_size(x, output_size)
    if size == (1, 1):  # as in PyTorch, the global average is a mean (MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, output_size=size)


def pad(input: Tensor, pad: Any, mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)`` from the
    last dim backwards; negative amounts crop. ``mode``: ``'constant'`` (``value``, default 0),
    or, for the last 1, 2 or 3 dims of a (batched) input, ``'reflect'`` (mirror without
    repeating the edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around).

    Example:
        >>> F.pad(gradkit.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    from .._ops.conv import ConstantPadNd

    _check_tensor(input, "pad")
    pad = tuple(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.ndim}")
    if mode != "constant":
        if mode in ("reflect", "replicate", "circular"):
            return _pad_by_mode(input, pad, mode, value)
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pairs = tuple(reversed([(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)]))
    lead = input.ndim - len(pairs)
    for size, (before, after) in zip(input._data.shape[lead:], pairs):
        if size + before + after < 0:
            raise RuntimeError(f"The input size {size}, plus negative padding {before} and "
                               f"{after} resulted in a negative output size, which is invalid."
                               f" Check dimension {input.ndim - len(pairs)} of your input.")
    return ConstantPadNd.apply(input, pad=pairs, value=0 if value is None else value)


_PAD_NODE_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
                   "circular": "CopySlices"}  # torch pads circularly with slice copies


def _pad_by_mode(input: Tensor, pad: tuple, mode: str, value: Any) -> Tensor:  # noqa: A002
    """``F.pad`` for the gathering modes (see ``gradkit._ops.padding``), with PyTorch's checks."""
    from .._ops.padding import PadGather, pad_sources

    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    ndim, dims = input.ndim, len(pad) // 2
    if dims not in (1, 2, 3) or ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    shape = tuple(input.shape)
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)]  # last dim first
    axes = [ndim - 1 - i for i in range(dims)]
    if mode == "circular":
        for axis, (before, after) in zip(axes, pairs):
            if before > shape[axis] or after > shape[axis]:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if shape[axis] + before + after <= 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    else:
        checked = shape[1:] if ndim == dims + 2 else shape  # a batch may be empty
        if 0 in checked:
            raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                               f"possibly 0 batch size and other non-zero dimensions for "
                               f"input, but got: {list(shape)}")
        if mode == "reflect":
            for k, (axis, (before, after)) in enumerate(zip(axes, pairs)):
                if before >= shape[axis] or after >= shape[axis]:
                    raise RuntimeError(
                        f"Argument #{4 + 2 * k}: Padding size should be less than the "
                        f"corresponding input dimension, but got: padding ({before}, {after}) "
                        f"at dimension {axis} of input {list(shape)}")
        outputs = [shape[axis] + before + after for axis, (before, after) in zip(axes, pairs)]
        if min(outputs) < 1:
            names = "DHW"[3 - dims:]
            sizes = ", ".join(f"{n}: {shape[a]}" for n, a in zip(names, reversed(axes)))
            calculated = " ".join(f"{n}: {o}" for n, o in zip(names, reversed(outputs)))
            raise RuntimeError(f"input ({sizes}) is too small. Calculated output {calculated}")
    sources = tuple((axis, pad_sources(shape[axis], before, after, mode))
                    for axis, (before, after) in zip(axes, pairs))
    return PadGather.apply(input, sources=sources,
                             node_name=_PAD_NODE_NAMES[mode].format(dims))


def batch_norm(input: Tensor, running_mean: Tensor | None,  # noqa: A002
               running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) to zero mean and unit variance, then scale by ``weight``
    and shift by ``bias``. In ``training`` the batch statistics are used and the running ones
    (when given) move towards them: ``running = (1 − momentum)·running + momentum·batch``
    (the variance unbiased); otherwise the running statistics are used.

    Args:
        input: ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``.
        running_mean, running_var: ``(C,)`` or None (then ``training`` must be True).

    Example:
        >>> x = gradkit.tensor([[1.0], [3.0]])
        >>> F.batch_norm(x, None, None, training=True).flatten()
        tensor([-1.0000,  1.0000])
    """
    from .._ops.normalization import NativeBatchNorm

    _check_tensor(input, "batch_norm")
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {x.ndim}D input)")
    channels = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t._data.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t._data.size}")
    if training:
        if x.size // channels <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    stats: list = []
    out = NativeBatchNorm.apply(input, running_mean, running_var, weight, bias,
                                training=training, eps=eps, stats_out=stats)
    if training and running_mean is not None:
        mean, var = stats[0]
        for buffer, batch in ((running_mean, mean), (running_var, var)):
            data = buffer._data
            data *= 1 - momentum
            data += momentum * batch.astype(data.dtype, copy=False)
            buffer._bump()
    return out


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """Sliding blocks as columns (im2col): ``(N, C, H, W)`` -> ``(N, C·KH·KW, L)``, L the
    number of blocks; ``conv2d`` is ``weight.view(C_out, -1) @ unfold(input)``.

    Example:
        >>> F.unfold(gradkit.ones(1, 2, 4, 4), 3).shape
        gradkit.Size([1, 18, 4])
    """
    from .._ops.conv import Im2Col

    _check_tensor(input, "unfold")
    if input.ndim < 3:  # PyTorch reads the channel dim from the end first
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got "
                         f"{input.ndim})")
    if input.ndim > 4:
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    kernel = _tuple(kernel_size, 2, "kernel_size", "im2col")
    dilation, padding, stride = (_tuple(a, 2, name, "im2col") for a, name in
                                 ((dilation, "dilation"), (padding, "padding"),
                                  (stride, "stride")))
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    h, w = batched._data.shape[2:]
    blocks = [(size + 2 * p - d * (k - 1) - 1) // s + 1
              for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)]
    if min(blocks) < 1 or min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 \
            or min(padding) < 0:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, stride={stride}: the "
                           f"calculated shape of the array of sliding blocks is "
                           f"({blocks[0]}, {blocks[1]}), but its components must be at "
                           f"least one.")
    out = Im2Col.apply(batched, kernel=kernel, stride=stride, padding=padding,
                       dilation=dilation)
    return out if input.ndim == 4 else out.squeeze(0)


__all__ += ["fold"]


def _pair_argument(value: Any, name: str) -> tuple:
    """``fold``'s int-or-pair arguments, with PyTorch's error for a sequence of another size."""
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    value = tuple(value)
    if len(value) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    return value


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum sliding blocks back into an image (col2im), the adjoint of ``unfold``:
    ``(N, C·KH·KW, L)`` -> ``(N, C, *output_size)``; entries of overlapping blocks add up
    (see ``gradkit._ops.fold``).

    Args:
        input: ``(N, C·KH·KW, L)`` or unbatched ``(C·KH·KW, L)``, L the number of blocks that
            ``unfold`` gives for an image of ``output_size``.
        output_size, kernel_size, dilation, padding, stride: int or ``(h, w)``.

    Example:
        >>> F.fold(gradkit.ones(1, 4, 9), (4, 4), 2)[0, 0, 1]
        tensor([2., 4., 4., 2.])
    """
    from .._ops.fold import Col2Im, blocks_of

    _check_tensor(input, "fold")
    output_size, kernel, dilation, padding, stride = (
        _pair_argument(a, name) for a, name in
        ((output_size, "output_size"), (kernel_size, "kernel_size"), (dilation, "dilation"),
         (padding, "padding"), (stride, "stride")))
    for name, pair, bad in (("kernel size", kernel, min(kernel) <= 0),
                            ("stride", stride, min(stride) <= 0),
                            ("dilation", dilation, min(dilation) <= 0)):
        if bad:
            first, second = ("kernel_height", "kernel_width") if name == "kernel size" else \
                (f"{name}_height", f"{name}_width")
            raise RuntimeError(f"{name} should be greater than zero, but got {first}: "
                               f"{pair[0]} {second}: {pair[1]}")
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    shape = tuple(input.shape)
    if not ((len(shape) == 2 and 0 not in shape) or (len(shape) == 3 and 0 not in shape[1:])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    planes, length = shape[-2:]
    if planes % (kernel[0] * kernel[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={planes} and "
                           f"kernel_size=({kernel[0]}, {kernel[1]}).")
    blocks = blocks_of(output_size, kernel, stride, padding, dilation)
    where = (f"Given output_size=({output_size[0]}, {output_size[1]}), kernel_size="
             f"({kernel[0]}, {kernel[1]}), dilation=({dilation[0]}, {dilation[1]}), padding="
             f"({padding[0]}, {padding[1]}), stride=({stride[0]}, {stride[1]}), ")
    if length != blocks[0] * blocks[1]:
        raise RuntimeError(f"{where}expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    if min(blocks) < 1:
        raise RuntimeError(f"{where}calculated shape of the array of sliding blocks as "
                           f"({blocks[0]}, {blocks[1]}), which is too small (non-positive)")
    nn_ops.require_float(input._data, "col2im_out_cpu")
    batched = input if len(shape) == 3 else input.unsqueeze(0)
    out = Col2Im.apply(batched, output_size=output_size, kernel=kernel, stride=stride,
                       padding=padding, dilation=dilation)
    return out if len(shape) == 3 else out.squeeze(0)


__all__ += ["adaptive_max_pool2d", "max_pool1d", "avg_pool1d"]


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Max pooling into a fixed ``output_size`` (int or ``(h, w)``; None keeps that dim):
    output (i, j) is the maximum over rows ``[⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉)`` and the same for
    columns (see ``gradkit._ops.pooling``).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        return_indices: also return each maximum's flat position ``h·W + w`` (int64).

    Example:
        >>> F.adaptive_max_pool2d(gradkit.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    from .._ops.pooling import AdaptiveMaxPool2D

    _check_tensor(input, "adaptive_max_pool2d")
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(x.shape)}")
    for dim in range(x.ndim - 3, x.ndim):
        if x.shape[dim] == 0:
            raise RuntimeError(f"adaptive_max_pool2d(): Expected input to have non-zero size "
                               f"for non-batch dimensions, but input has sizes "
                               f"{list(x.shape)} with dimension {dim} being empty")
    if not isinstance(output_size, int) and output_size is not None and \
            len(tuple(output_size)) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must "
                           "be 2")
    size = _adaptive_size(x, output_size)
    if min(size) < 0:
        shown = list(x.shape[:-2]) + list(size)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{shown}")
    nn_ops.require_float(x, "adaptive_max_pool2d")
    indices: list = []
    out = AdaptiveMaxPool2D.apply(input, output_size=size,
                                  indices_out=indices if return_indices else None)
    return (out, Tensor._wrap(indices[0])) if return_indices else out


def _single(value: Any, name: str, op: str) -> int:
    """A 1-D pool's int-or-1-sequence argument, with PyTorch's error otherwise."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{op}() {name} must be an int, list of ints or tuple of ints of "
                           f"size 1 but got size {len(value)}")
    return value[0]


def _pool1d_arguments(kernel_size: Any, stride: Any, padding: Any, op: str) -> tuple:
    """A 1-D pool's kernel, stride (default: the kernel) and padding as ints."""
    kernel = _single(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _single(stride, "stride", op)
    return kernel, stride, _single(padding, "padding", op)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The maximum over each ``kernel_size`` window of ``(N, C, L)`` or ``(C, L)``: the 2-D
    max pool on a height of 1 (arguments as ``max_pool2d``, ints).

    Example:
        >>> F.max_pool1d(gradkit.tensor([[1.0, 3.0, 2.0, 5.0]]), 2)
        tensor([[3., 5.]])
    """
    _check_tensor(input, "max_pool1d")
    if input.ndim not in (2, 3) or 0 in tuple(input.shape)[-2:]:
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    kernel, stride, padding = _pool1d_arguments(kernel_size, stride, padding, "max_pool1d")
    dilation = _single(dilation, "dilation", "max_pool1d")
    for name, value, low in (("kernel_size", kernel, 1), ("stride", stride, 1),
                             ("padding", padding, 0), ("dilation", dilation, 1)):
        if value < low:
            what = "non-negative" if low == 0 else "greater than zero"
            raise RuntimeError(f"max_pool1d() {name} must be {what}, but got {value}")
    if padding > kernel // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={padding} and kernel_size={kernel}")
    from .._ops.pooling import pool_output_size

    out = pool_output_size(input.shape[-1], kernel, stride, padding, dilation, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    result = max_pool2d(input.unsqueeze(-2), (1, kernel), (1, stride), (0, padding),
                        (1, dilation), ceil_mode, return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean over each ``kernel_size`` window of ``(N, C, L)`` or ``(C, L)``: the 2-D
    average pool on a height of 1 (arguments as ``avg_pool2d``, ints).

    Example:
        >>> F.avg_pool1d(gradkit.tensor([[1.0, 3.0, 2.0, 6.0]]), 2)
        tensor([[2., 4.]])
    """
    _check_tensor(input, "avg_pool1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"avg_pool1d)")
    kernel, stride, padding = _pool1d_arguments(kernel_size, stride, padding, "avg_pool1d")
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    return avg_pool2d(input.unsqueeze(-2), (1, kernel), (1, stride), (0, padding), ceil_mode,
                      count_include_pad).squeeze(-2)


__all__ += ["conv_transpose1d", "conv_transpose2d"]


def _conv_transpose(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                    stride: Any, padding: Any, output_padding: Any, groups: int,
                    dilation: Any, spatial: int) -> Tensor:
    """``conv_transpose1d`` / ``conv_transpose2d``: PyTorch's checks, then one
    ``ConvolutionTranspose`` node (a 1-D op's messages speak of a height of 1, as PyTorch's
    do: it runs 1-D as 2-D too)."""
    from .._ops.conv import check_conv_dtypes
    from .._ops.conv_transpose import ConvolutionTranspose, transposed_output_size

    name = f"conv_transpose{spatial}d"
    _check_tensor(input, name)
    _check_tensor(weight, name, 2, "weight")
    x, w = input._data, weight._data
    if x.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(x.shape)}")
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if w.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")

    def geometry(value: Any, what: str) -> tuple:
        # PyTorch first makes an int one value per dim of the op, then matches the weight.
        if isinstance(value, int) and spatial == 2:
            value = (value, value)
        return _tuple(value, w.ndim - 2, what)

    stride, padding, dilation, output_padding = (
        geometry(value, what) for value, what in ((stride, "stride"), (padding, "padding"),
                                                  (dilation, "dilation"),
                                                  (output_padding, "output_padding")))
    batched = input if x.ndim == spatial + 2 else input.unsqueeze(0)
    if w.ndim != batched.ndim:
        raise RuntimeError(f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional "
                           f"weight {list(w.shape)}, but got {batched.ndim}-dimensional input "
                           f"of size {list(batched.shape)} instead")
    if spatial == 1:  # from here on as the 2-D op with a height of 1
        stride, padding, dilation, output_padding = ((1,) + stride, (0,) + padding,
                                                     (1,) + dilation, (0,) + output_padding)
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(output_padding) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{dilation[0]}, dilation_width: {dilation[1]}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                           f"but got output_padding_height: {output_padding[0]} "
                           f"output_padding_width: {output_padding[1]} stride_height: "
                           f"{stride[0]} stride_width: {stride[1]} dilation_height: "
                           f"{dilation[0]} dilation_width: {dilation[1]}")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    channels = batched.shape[1]
    if channels != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                           f"input{list(batched.shape)} to have {w.shape[0]} channels, but got "
                           f"{channels} channels instead")
    out_channels = w.shape[1] * groups
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias "
                           f"to be 1-dimensional with {out_channels} elements, but got bias of "
                           f"size {list(bias.shape)} instead")
    check_conv_dtypes(x, w, None)  # a bias of another float dtype is cast, as in PyTorch
    if x.dtype == np.bool_:
        raise NotImplementedError("\"slow_conv_transpose2d_out_cpu\" not implemented for 'Bool'")
    size_in = ((1,) if spatial == 1 else ()) + tuple(batched.shape[2:])
    kernel = ((1,) if spatial == 1 else ()) + tuple(w.shape[2:])
    size = [transposed_output_size(*args) for args in
            zip(size_in, kernel, stride, padding, dilation, output_padding)]
    if min(size) < 1:
        raise RuntimeError(f"Given input size per channel: ({size_in[0]} x {size_in[1]}). "
                           f"Calculated output size per channel: ({size[0]} x {size[1]}). "
                           f"Output size is too small")
    out = ConvolutionTranspose.apply(batched, weight, bias, stride=stride, padding=padding,
                                     output_padding=output_padding, dilation=dilation,
                                     groups=groups)
    return out if x.ndim == spatial + 2 else out.squeeze(0)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution, the adjoint of ``conv2d``: each input pixel adds
    ``x[n, c] · weight[c]`` onto a ``stride``-spaced grid of the output (see
    ``gradkit._ops.conv_transpose``; the result's node is ``ConvolutionBackward0``).

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_in, C_out / groups, KH, KW)``.
        bias: ``(C_out,)`` or None.
        stride, padding, output_padding, dilation: int or ``(h, w)``.

    Returns:
        ``(N, C_out, OH, OW)``, ``OH = (H − 1)·s − 2p + d·(KH − 1) + output_padding + 1``.

    Example:
        >>> F.conv_transpose2d(gradkit.ones(1, 1, 2, 2), gradkit.ones(1, 1, 2, 2), stride=2)[0, 0]
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.],
                [1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution, the adjoint of ``conv1d``: ``input (N, C_in, L)`` or
    ``(C_in, L)``, ``weight (C_in, C_out / groups, K)``; arguments as ``conv_transpose2d``.

    Returns:
        ``(N, C_out, OL)``, ``OL = (L − 1)·s − 2p + d·(K − 1) + output_padding + 1``.

    Example:
        >>> F.conv_transpose1d(gradkit.ones(1, 1, 3), gradkit.ones(1, 1, 2), stride=2)
        tensor([[[1., 1., 1., 1., 1., 1.]]])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)
