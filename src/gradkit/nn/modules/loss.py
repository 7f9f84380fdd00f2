"""Loss modules: each calls its ``gradkit.nn.functional`` counterpart with its settings.

``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'`` (one loss per element/row).

Example:
    >>> loss = gradkit.nn.CrossEntropyLoss(reduction="none")
    >>> loss(gradkit.zeros(2, 3), gradkit.tensor([0, 2])).shape
    gradkit.Size([2])
"""
from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..functional import _legacy_reduction
from .module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss",
           "BCEWithLogitsLoss"]


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits and class indices or probabilities (numerically stable).

    Shape:
        Input ``(N, C)``, target ``(N)`` class indices or ``(N, C)`` probabilities; output a
        scalar, or ``(N)`` with ``reduction='none'``.

    Example:
        >>> loss = gradkit.nn.CrossEntropyLoss()
        >>> loss(gradkit.zeros(4, 10), gradkit.tensor([0, 1, 2, 3]))
        tensor(2.3026)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at class indices.

    Shape: input ``(N, C)``, target ``(N)``.

    Example:
        >>> gradkit.nn.NLLLoss()(gradkit.tensor([[-0.5, -1.0]]), gradkit.tensor([0]))
        tensor(0.5000)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error. Shape: input and target alike (any shape).

    Example:
        >>> gradkit.nn.MSELoss()(gradkit.tensor([1.0, 3.0]), gradkit.zeros(2))
        tensor(5.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error. Shape: input and target alike.

    Example:
        >>> gradkit.nn.L1Loss()(gradkit.tensor([1.0, -3.0]), gradkit.zeros(2))
        tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Squared error below ``delta``, linear above. Shape: input and target alike.

    Example:
        >>> gradkit.nn.HuberLoss(delta=1.0)(gradkit.tensor([3.0]), gradkit.zeros(1))
        tensor(2.5000)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """``0.5·d²/β`` below ``beta``, ``|d| − β/2`` above. Shape: input and target alike.

    Example:
        >>> gradkit.nn.SmoothL1Loss()(gradkit.tensor([3.0]), gradkit.zeros(1))
        tensor(2.5000)
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (stable). Shape: input and target alike.

    Example:
        >>> gradkit.nn.BCEWithLogitsLoss()(gradkit.zeros(2), gradkit.ones(2))
        tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)
