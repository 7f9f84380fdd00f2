"""Batch normalization layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LazyBatchNorm2d``.

Example:
    >>> gradkit.nn.BatchNorm2d(6)
    BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import _dtype
from ...tensor import Tensor, require_cpu
from .. import functional as F
from .. import init
from ..parameter import UninitializedParameter
from .linear import _empty_parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "LazyBatchNorm2d", "UninitializedBuffer"]


class UninitializedBuffer(UninitializedParameter):
    """A buffer whose shape is not known yet (``LazyBatchNorm2d``'s running statistics); it
    becomes a plain tensor when materialized.

    Example:
        >>> gradkit.nn.LazyBatchNorm2d().running_mean
        <UninitializedBuffer>
    """

    def __init__(self, requires_grad: bool = False) -> None:
        super().__init__(requires_grad)

    def materialize(self, shape: tuple, dtype: Any = None) -> None:
        super().materialize(shape, dtype)
        self.__class__ = Tensor

    def __deepcopy__(self, memo: dict) -> "UninitializedBuffer":
        copy = UninitializedBuffer()
        memo[id(self)] = copy
        return copy

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


def _numpy_dtype(dtype: Any) -> np.dtype:
    return _dtype.get_default_dtype().numpy if dtype is None else _dtype.to_dtype(dtype).numpy


class _BatchNorm(Module):
    """What the batch-norm layers share: parameters, running statistics, forward, printing."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        require_cpu(device)  # as PyTorch: parameters on "cuda" raise here
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.register_parameter("weight", _empty_parameter((num_features,), dtype)
                                if affine else None)
        self.register_parameter("bias", _empty_parameter((num_features,), dtype)
                                if affine and bias else None)
        if track_running_stats:
            numpy_dtype = _numpy_dtype(dtype)
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features,
                                                                       numpy_dtype)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features,
                                                                     numpy_dtype)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        """Reset the running statistics, γ to 1 and β to 0."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        # As PyTorch: momentum None means a cumulative average, 1/(batches seen so far).
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._bump()
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        # Running statistics are passed only when they are used or updated.
        tracked = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if tracked else None,
                            self.running_var if tracked else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of ``(N, C)`` features or ``(N, C, L)`` sequences, per channel C.

    ``y = (x − E[x]) / √(Var[x] + eps) · γ + β``; in training E and Var are the batch's (over N
    and L) and the running statistics move towards them by ``momentum`` (None: a cumulative
    average); in eval the running statistics are used.

    Args:
        num_features: C.
        eps: added to the variance (default 1e-5).
        momentum: weight of the new batch in the running statistics (default 0.1).
        affine: learn γ (``weight``, ones) and β (``bias``, zeros) (default True).
        track_running_stats: keep ``running_mean``, ``running_var``, ``num_batches_tracked``
            buffers (default True); without them eval uses batch statistics too.

    Example:
        >>> gradkit.nn.BatchNorm1d(120)(gradkit.randn(256, 120)).shape
        gradkit.Size([256, 120])
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of ``(N, C, H, W)`` images, per channel C (statistics over N, H and
    W); arguments as ``BatchNorm1d``.

    Example:
        >>> gradkit.nn.BatchNorm2d(6)(gradkit.randn(4, 6, 28, 28)).shape
        gradkit.Size([4, 6, 28, 28])
    """

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class LazyBatchNorm2d(BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is taken from the first input (dim 1); it then
    becomes a plain ``BatchNorm2d``.

    Example:
        >>> bn = gradkit.nn.LazyBatchNorm2d()
        >>> bn(gradkit.randn(2, 6, 4, 4)).shape, bn.running_mean.shape
        (gradkit.Size([2, 6, 4, 4]), gradkit.Size([6]))
    """

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, affine, track_running_stats, device=device,
                         dtype=dtype, bias=bias)
        self._dtype = dtype
        if affine:
            self.weight = UninitializedParameter()
            if bias:
                self.bias = UninitializedParameter()
        if track_running_stats:
            self.running_mean = UninitializedBuffer()
            self.running_var = UninitializedBuffer()

    def reset_parameters(self) -> None:
        if self.num_features:
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        uninitialized = [t for t in (self.weight, self.bias, self.running_mean,
                                     self.running_var) if isinstance(t, UninitializedParameter)]
        if uninitialized and input.ndim >= 2:
            numpy_dtype = input._data.dtype if self._dtype is None else \
                _numpy_dtype(self._dtype)
            for t in uninitialized:
                t.materialize((input.shape[1],), numpy_dtype)
            self.num_features = input.shape[1]
            self.reset_parameters()
        # Materialized here or by load_state_dict: from now on it is a plain BatchNorm2d.
        if not uninitialized:
            reference = self.weight if self.weight is not None else self.running_mean
            if reference is not None:
                self.num_features = reference.shape[0]
        self.__class__ = BatchNorm2d
        return _BatchNorm.forward(self, input)
