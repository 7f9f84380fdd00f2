"""The English edition's (d2l 1.0.3) training loop: ``Trainer.fit(model, data)``.

``fit`` asks the data for its loaders and the model for its optimizer, then runs
``fit_epoch`` ``max_epochs`` times; each epoch trains on every batch
(``model.training_step`` -> ``zero_grad`` -> ``backward`` -> optional ``clip_gradients`` ->
``step``) and then validates (``model.validation_step`` without the graph). As in the book,
``backward`` and ``step`` run inside ``no_grad``: that only stops the *update* from being
recorded; the gradients are computed as usual (PyTorch behaves the same way).

Example:
    >>> model = d2l.LinearRegressionScratch(2, lr=0.03)
    >>> data = d2l.SyntheticRegressionData(w=gradkit.tensor([2, -3.4]), b=4.2)
    >>> d2l.Trainer(max_epochs=3).fit(model, data)
"""
from __future__ import annotations

from typing import Any, Sequence

import gradkit as torch

from .aliases import to
from .devices import gpu, num_gpus
from .hyperparameters import HyperParameters

__all__ = ["Trainer"]


class Trainer(HyperParameters):
    """The base class for training models with data.

    Args:
        max_epochs: passes over the training data.
        num_gpus: GPUs to use (none exist here, so the CPU is used whatever the value).
        gradient_clip_val: when > 0, rescale the gradients so their global norm is at most this.

    Attributes (set by ``fit``): ``model``, ``optim``, ``train_dataloader``,
    ``val_dataloader``, ``num_train_batches``, ``num_val_batches``, ``epoch``,
    ``train_batch_idx``, ``val_batch_idx`` (batches seen since ``fit`` began).

    Example:
        >>> trainer = d2l.Trainer(max_epochs=10)
        >>> trainer.fit(d2l.SoftmaxRegression(num_outputs=10, lr=0.1), d2l.FashionMNIST(256))
    """

    def __init__(self, max_epochs: int, num_gpus: int = 0, gradient_clip_val: float = 0) -> None:
        self.save_hyperparameters()
        self.gpus = [gpu(i) for i in range(min(num_gpus, _num_gpus()))]

    def prepare_data(self, data: Any) -> None:
        """Take the data module's loaders and count their batches."""
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = (len(self.val_dataloader)
                                if self.val_dataloader is not None else 0)

    def prepare_model(self, model: Any) -> None:
        """Tie the model to this trainer (its ``plot`` reads the batch counters) and set the
        board's x range to the epochs."""
        model.trainer = self
        model.board.xlim = [0, self.max_epochs]
        if self.gpus:
            model.to(self.gpus[0])
        self.model = model

    def fit(self, model: Any, data: Any) -> None:
        """Train ``model`` on ``data`` for ``max_epochs`` epochs; the board's figure is
        complete when this returns."""
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        for self.epoch in range(self.max_epochs):
            self.fit_epoch()
        board = getattr(model, "board", None)
        if board is not None and hasattr(board, "flush"):
            board.flush()  # drawing is throttled: show the last points

    def fit_epoch(self) -> None:
        """One pass over the training batches, then one over the validation batches."""
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:  # the book discusses it with RNNs
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1

    def prepare_batch(self, batch: Sequence[Any]) -> Sequence[Any]:
        """The batch as the model gets it (moved to the GPU, if there were one)."""
        if self.gpus:
            batch = [to(a, self.gpus[0]) for a in batch]
        return batch

    def clip_gradients(self, grad_clip_val: float, model: Any) -> None:
        """Scale every gradient by ``grad_clip_val / norm`` when the global L2 norm of all
        gradients exceeds ``grad_clip_val`` (``torch.nn.utils.clip_grad_norm_``'s math)."""
        params = [p for p in model.parameters() if p.requires_grad]
        norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
        if norm > grad_clip_val:
            for param in params:
                param.grad[:] *= grad_clip_val / norm


def _num_gpus() -> int:
    # Trainer's argument is also called num_gpus: the function goes by another name here.
    return num_gpus()
