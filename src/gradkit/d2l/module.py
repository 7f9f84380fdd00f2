"""The English edition's (d2l 1.0.3) model side: ``Module`` (a model that knows its loss, its
optimizer and how to plot its progress) and ``Classifier``.

The training loop that drives them is ``Trainer.fit`` in ``trainer.py``.

Example:
    >>> class Linear(d2l.Module):
    ...     def __init__(self, lr):
    ...         super().__init__()
    ...         self.save_hyperparameters()
    ...         self.net = gradkit.nn.LazyLinear(1)
    >>> Linear(0.1).lr
    0.1
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import gradkit as torch

from .. import nn
from ..nn import functional as F
from .aliases import argmax, astype, float32, numpy, randn, reduce_mean, reshape, to
from .boards import ProgressBoard
from .devices import cpu
from .hyperparameters import HyperParameters

__all__ = ["Module", "Classifier"]


class Module(nn.Module, HyperParameters):
    """The base class of the book's models: an ``nn.Module`` with its loss, its optimizer,
    training/validation steps and a ``ProgressBoard`` of the curves.

    Args:
        plot_train_per_epoch: training-loss points drawn per epoch (each the mean of
            ``num_train_batches / plot_train_per_epoch`` batches).
        plot_valid_per_epoch: validation points drawn per epoch.

    Example:
        >>> model = d2l.LinearRegression(lr=0.03)
        >>> d2l.Trainer(max_epochs=3).fit(model, d2l.SyntheticRegressionData(w, b))
    """

    def __init__(self, plot_train_per_epoch: int = 2, plot_valid_per_epoch: int = 1) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The loss of a batch (subclasses define it)."""
        raise NotImplementedError

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """``self.net(X)``."""
        assert hasattr(self, "net"), "Neural network is defined"
        return self.net(X)

    def plot(self, key: str, value: Any, train: bool) -> None:
        """Draw one point of curve ``train_<key>`` / ``val_<key>`` on the board, x in epochs.

        Training points are averaged over ``num_train_batches / plot_train_per_epoch``
        batches, validation points over ``num_val_batches / plot_valid_per_epoch``.
        """
        assert hasattr(self, "trainer"), "Trainer is not inited"
        self.board.xlabel = "epoch"
        if train:
            x = self.trainer.train_batch_idx / self.trainer.num_train_batches
            n = self.trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = self.trainer.epoch + 1
            n = self.trainer.num_val_batches / self.plot_valid_per_epoch
        # The book passes int(n): 0 (nothing ever drawn) when there are fewer batches than
        # points per epoch; one batch per point is what was meant.
        self.board.draw(x, numpy(to(value, cpu())), ("train_" if train else "val_") + key,
                        every_n=max(1, int(n)))

    def training_step(self, batch: Sequence[torch.Tensor]) -> torch.Tensor:
        """The loss of a training batch ``(*inputs, target)``, plotted."""
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=True)
        return l

    def validation_step(self, batch: Sequence[torch.Tensor]) -> None:
        """Plot the loss of a validation batch."""
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=False)

    def configure_optimizers(self) -> Any:
        """``optim.SGD(self.parameters(), lr=self.lr)`` (subclasses may choose another)."""
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def apply_init(self, inputs: Sequence[torch.Tensor], init: Callable[[Any], None] | None = None
                   ) -> None:
        """Run ``forward(*inputs)`` once (so lazy layers get their shapes), then
        ``self.net.apply(init)``."""
        self.forward(*inputs)
        if init is not None:
            self.net.apply(init)


class Classifier(Module):
    """The base class of classification models: accuracy and cross-entropy, both plotted on
    validation.

    Example:
        >>> model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
        >>> model.accuracy(gradkit.tensor([[0.1, 0.9], [0.8, 0.2]]), gradkit.tensor([1, 1]))
        tensor(0.5000)
    """

    def validation_step(self, batch: Sequence[torch.Tensor]) -> None:
        """Plot the loss and the accuracy of a validation batch."""
        Y_hat = self(*batch[:-1])
        self.plot("loss", self.loss(Y_hat, batch[-1]), train=False)
        self.plot("acc", self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat: torch.Tensor, Y: torch.Tensor, averaged: bool = True
                 ) -> torch.Tensor:
        """The fraction of correct predictions (or the float 0/1 per example).

        Shapes: ``Y_hat`` (..., num_classes), ``Y`` (...,) of class indices.
        """
        Y_hat = reshape(Y_hat, (-1, Y_hat.shape[-1]))
        preds = astype(argmax(Y_hat, axis=1), Y.dtype)
        compare = astype(preds == reshape(Y, -1), float32)
        return reduce_mean(compare) if averaged else compare

    def loss(self, Y_hat: torch.Tensor, Y: torch.Tensor, averaged: bool = True) -> torch.Tensor:
        """Cross-entropy of logits ``Y_hat`` (..., num_classes) against indices ``Y``, averaged
        (or per example)."""
        Y_hat = reshape(Y_hat, (-1, Y_hat.shape[-1]))
        Y = reshape(Y, (-1,))
        return F.cross_entropy(Y_hat, Y, reduction="mean" if averaged else "none")

    def layer_summary(self, X_shape: Sequence[int]) -> None:
        """Print each layer's output shape for a random input of ``X_shape``."""
        X = randn(*X_shape)
        for layer in self.net:
            X = layer(X)
            print(layer.__class__.__name__, "output shape:\t", X.shape)
