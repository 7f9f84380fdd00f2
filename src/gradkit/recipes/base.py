"""What a recipe is made of: its run ``Config`` and the ``Experiment`` (model, loss, updater,
data) that the runner trains.

Example:
    >>> config = Config(epochs=10, lr=0.1, batch_size=256, seed=0)
    >>> [experiment] = recipes.get("softmax-concise").build(config)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ..tensor import Tensor

__all__ = ["Config", "Experiment", "module_parameters", "init_weights", "concise_classifier"]


@dataclass
class Config:
    """The settings of one run (the command line's options).

    Attributes:
        epochs, lr, batch_size: training hyperparameters (the recipe's defaults if None).
        seed: seeds every random source, so the same seed gives the same numbers.
        data_dir: where to look for the datasets (the bundled copies otherwise).
    """

    epochs: int | None = None
    lr: float | None = None
    batch_size: int | None = None
    seed: int = 0
    data_dir: str | None = None

    def with_defaults(self, defaults: dict[str, Any]) -> "Config":
        """This config with the recipe's defaults filled in where no value was given."""
        values = asdict(self)
        for key, value in defaults.items():
            if values.get(key) is None:
                values[key] = value
        return Config(**values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Experiment:
    """One model to train: the pieces of the book's ``train_ch3`` and what to report.

    Attributes:
        name: shown in the output (``"λ=3"``); ``""`` for a recipe's only experiment.
        net: the model (a Module or a function of X).
        loss: ``loss(y_hat, y)``, per example (``reduction='none'``) as the book writes it.
        updater: an optimizer, or the scratch ``updater(batch_size)``.
        train_iter, test_iter: batches of ``(X, y)``.
        parameters: the named tensors that make the checkpoint.
        task: ``"classification"`` (accuracies) or ``"regression"`` (losses).
        labels: class names, for per-class results and prediction grids.
        summary: final figures beyond the history (e.g. parameter errors, ‖w‖).
        train_epoch: trains one epoch on the batches given and returns (mean training loss,
            training accuracy); ``d2l.train_epoch_ch3`` when None. The English-edition recipes
            set it to their ``d2l.Trainer``'s ``fit_epoch`` (see ``toolkit.py``).
    """

    name: str
    net: Callable[[Tensor], Tensor]
    loss: Callable[..., Tensor]
    updater: Any
    train_iter: Iterable[Any]
    test_iter: Iterable[Any] | None
    parameters: Callable[[], dict[str, Tensor]]
    task: str = "classification"
    labels: Sequence[str] | None = None
    summary: Callable[[], dict[str, Any]] = field(default=lambda: {})
    train_epoch: Callable[[Iterable[Any]], tuple[float, float]] | None = None


def module_parameters(net: Any) -> Callable[[], dict[str, Tensor]]:
    """The checkpoint of a Module: its ``state_dict`` (live tensors, so loads copy in place)."""
    return lambda: dict(net.state_dict(keep_vars=True))


def init_weights(m: Any) -> None:
    """The book's initialization for the concise chapters: Linear weights from N(0, 0.01²)."""
    from .. import nn

    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


def concise_classifier(net: Any, config: Config, train_iter: Iterable[Any],
                       test_iter: Iterable[Any], labels: Sequence[str]) -> list[Experiment]:
    """The concise chapters' setup around ``net``: the book's initialization,
    ``CrossEntropyLoss(reduction='none')`` and ``optim.SGD`` at ``config.lr``."""
    from .. import nn, optim

    net.apply(init_weights)
    return [Experiment(name="", net=net, loss=nn.CrossEntropyLoss(reduction="none"),
                       updater=optim.SGD(net.parameters(), lr=config.lr), train_iter=train_iter,
                       test_iter=test_iter, parameters=module_parameters(net),
                       task="classification", labels=labels)]
