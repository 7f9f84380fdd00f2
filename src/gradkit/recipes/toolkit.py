"""The English-edition recipes' training: the book's ``d2l.Trainer`` drives the model, one
``fit_epoch`` per epoch, so that the runner can save, print and be interrupted between epochs
as for every other recipe.

Example:
    >>> model = d2l.SoftmaxRegression(num_outputs=10, lr=config.lr)
    >>> experiment = trainer_experiment(model, fashion_mnist_module(config), config)
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from .. import d2l
from .base import Config, Experiment, module_parameters

__all__ = ["trainer_experiment", "fashion_mnist_module"]


def fashion_mnist_module(config: Config) -> Any:
    """``d2l.FashionMNIST(batch_size)`` (the bundled data, or ``config.data_dir``'s files)."""
    data = d2l.FashionMNIST(batch_size=config.batch_size)
    if config.data_dir is not None:  # the book's class reads DataModule's root, '../data'
        from ..vision import datasets

        data.root = config.data_dir

        trans = data.train.transform
        data.train = datasets.FashionMNIST(root=config.data_dir, train=True, transform=trans)
        data.val = datasets.FashionMNIST(root=config.data_dir, train=False, transform=trans)
    return data


class _TrainingMeter:
    """Sums the training loss (and correct predictions) of the batches ``model.loss`` sees in
    training mode: the per-epoch figures of the run, which ``Trainer`` itself only plots."""

    def __init__(self, model: Any, classification: bool) -> None:
        self.model, self.classification = model, classification
        self.loss_sum = self.correct = self.count = 0.0
        self._loss = model.loss
        model.loss = self.loss  # an instance attribute: the model's class is untouched

    def loss(self, Y_hat: Any, Y: Any, *args: Any, **kwargs: Any) -> Any:
        l = self._loss(Y_hat, Y, *args, **kwargs)
        if self.model.training:
            n = Y.numel()
            self.loss_sum += float(l) * n
            self.count += n
            if self.classification:
                self.correct += d2l.accuracy(Y_hat.reshape(-1, Y_hat.shape[-1]), Y.reshape(-1))
        return l

    def epoch_figures(self) -> tuple[float, float]:
        loss, acc = self.loss_sum / self.count, self.correct / self.count
        self.loss_sum = self.correct = self.count = 0.0
        return loss, acc


def trainer_experiment(model: Any, data: Any, config: Config, task: str = "classification",
                       loss: Callable[..., Any] | None = None, name: str = "",
                       labels: Sequence[str] | None = d2l.FASHION_MNIST_LABELS,
                       parameters: Callable[[], dict[str, Any]] | None = None,
                       summary: Callable[[], dict[str, Any]] = lambda: {}) -> Experiment:
    """An ``Experiment`` whose epochs are ``d2l.Trainer(config.epochs).fit_epoch()``.

    ``Trainer.fit``'s setup runs here (``prepare_data``, ``prepare_model``,
    ``configure_optimizers``); the runner's epoch loop stands for ``fit``'s. The board does not
    draw (the run folder gets ``curves.png``), and the runner measures the whole validation set
    itself after each epoch (the board's batch means weigh a short last batch too much).

    Args:
        loss: per-example loss for the runner's test loss (regression).
    """
    model.board.display = False
    trainer = d2l.Trainer(max_epochs=config.epochs)
    trainer.prepare_data(data)
    trainer.prepare_model(model)
    val_loader, trainer.val_dataloader = trainer.val_dataloader, None
    train_loader = trainer.train_dataloader
    X = next(iter(val_loader))[0]
    model.apply_init([X])  # lazy layers take their shapes now, so checkpoints can be loaded
    trainer.optim = model.configure_optimizers()
    trainer.epoch = trainer.train_batch_idx = trainer.val_batch_idx = 0
    meter = _TrainingMeter(model, task == "classification")
    epochs_done = [0]

    def train_epoch(batches: Iterable[Any]) -> tuple[float, float]:
        trainer.epoch = epochs_done[0]
        trainer.train_dataloader = batches
        trainer.fit_epoch()
        epochs_done[0] += 1
        return meter.epoch_figures()

    return Experiment(name=name, net=model, loss=loss or model.loss, updater=trainer.optim,
                      train_iter=train_loader, test_iter=val_loader,
                      parameters=parameters or module_parameters(model), task=task,
                      labels=labels if task == "classification" else None, summary=summary,
                      train_epoch=train_epoch)
