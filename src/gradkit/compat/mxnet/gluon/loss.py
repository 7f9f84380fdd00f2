"""``mxnet.gluon.loss``: per-example losses (shape ``(batch,)``), on gradkit's functionals.

Each loss averages over every axis but ``batch_axis``, then ``l.backward()`` sums over the
batch and ``trainer.step(batch_size)`` divides by it, as in Gluon.

Example:
    >>> from mxnet.gluon import loss as gloss
    >>> gloss.L2Loss()(nd.array([[1.0], [2.0]]), nd.array([3.0, 2.0]))
    <BLANKLINE>
    [2. 0.]
    <NDArray 2 @cpu(0)>
"""
from __future__ import annotations

from typing import Any

import gradkit
from gradkit.nn import functional as F

from .. import autograd
from ..ndarray.ndarray import NDArray, tensor_of, wrap
from .block import Block

__all__ = ["Loss", "L2Loss", "L1Loss", "SoftmaxCrossEntropyLoss", "SoftmaxCELoss",
           "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss"]


class Loss(Block):
    """Base class: ``weight`` scales the loss, ``batch_axis`` is kept, other axes averaged.

    Example:
        >>> class Abs(Loss):
        ...     def loss_tensor(self, pred, label):
        ...         return (pred - label.reshape(pred.shape)).abs()
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def loss_tensor(self, pred: gradkit.Tensor, label: gradkit.Tensor) -> gradkit.Tensor:
        """The elementwise loss on gradkit tensors."""
        raise NotImplementedError

    def forward(self, pred: NDArray, label: NDArray, sample_weight: Any = None) -> NDArray:
        def finish(p: gradkit.Tensor, y: gradkit.Tensor, w: Any) -> gradkit.Tensor:
            loss = self.loss_tensor(p, y)
            if w is not None:
                loss = loss * w
            if self._weight is not None:
                loss = loss * self._weight
            axes = tuple(i for i in range(loss.ndim) if i != self._batch_axis % loss.ndim)
            return loss.mean(dim=axes) if axes else loss

        return wrap(autograd.compute(finish, tensor_of(pred), tensor_of(label),
                                     tensor_of(sample_weight)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_axis={self._batch_axis}, w={self._weight})"


class L2Loss(Loss):
    """``weight/2 · (pred − label)²`` (weight 1 by default: half the squared error).

    Example:
        >>> loss = gloss.L2Loss()
        >>> l = loss(net(X), y)     # shape (batch_size,)
    """

    def __init__(self, weight: float = 1.0, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight / 2, batch_axis, **kwargs)

    def loss_tensor(self, pred: gradkit.Tensor, label: gradkit.Tensor) -> gradkit.Tensor:
        return (label.reshape(pred.shape) - pred).square()


class L1Loss(Loss):
    """``weight · |pred − label|``.

    Example:
        >>> gloss.L1Loss()(nd.array([1.0]), nd.array([3.0]))
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)

    def loss_tensor(self, pred: gradkit.Tensor, label: gradkit.Tensor) -> gradkit.Tensor:
        return (label.reshape(pred.shape) - pred).abs()


class SoftmaxCrossEntropyLoss(Loss):
    """Cross-entropy of softmax(pred) (or of ``pred`` as log-probabilities, ``from_logits``)
    against class indices (``sparse_label``) or distributions.

    Example:
        >>> loss = gloss.SoftmaxCrossEntropyLoss()
        >>> loss(nd.array([[0.0, 0.0]]), nd.array([1]))
        <BLANKLINE>
        [0.6931472]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, axis: int = -1, sparse_label: bool = True, from_logits: bool = False,
                 weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def loss_tensor(self, pred: gradkit.Tensor, label: gradkit.Tensor) -> gradkit.Tensor:
        axis = self._axis % pred.ndim
        if self._sparse_label and not self._from_logits and pred.ndim == 2 and axis == 1:
            # gradkit's fused cross_entropy: one log-softmax, backward (softmax − onehot).
            return F.cross_entropy(pred, label.reshape(-1).long(), reduction="none")
        log_prob = pred if self._from_logits else F.log_softmax(pred, dim=axis)
        if self._sparse_label:
            target = F.one_hot(label.reshape(tuple(pred.shape[:axis]) +
                                             tuple(pred.shape[axis + 1:])).long(),
                               pred.shape[axis]).to(pred.dtype)
            if axis != pred.ndim - 1:
                last = pred.ndim - 1
                target = target.permute(*range(axis), last, *range(axis, last))
        else:
            target = label.reshape(pred.shape)
        return -(log_prob * target).sum(dim=axis, keepdim=True)


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross-entropy of sigmoid(pred) (or of ``pred`` itself, ``from_sigmoid``).

    Example:
        >>> gloss.SigmoidBCELoss()(nd.array([[0.0]]), nd.array([[1.0]]))
        <BLANKLINE>
        [0.6931472]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, from_sigmoid: bool = False, weight: float | None = None,
                 batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def loss_tensor(self, pred: gradkit.Tensor, label: gradkit.Tensor) -> gradkit.Tensor:
        label = label.reshape(pred.shape)
        if not self._from_sigmoid:
            return F.binary_cross_entropy_with_logits(pred, label, reduction="none")
        eps = 1e-12
        return -(label * (pred + eps).log() + (1 - label) * (1 - pred + eps).log())


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss
