"""``gradkit.optim``: optimizers and learning-rate schedules, as ``torch.optim``.

Example:
    >>> trainer = gradkit.optim.SGD(net.parameters(), lr=0.03)
    >>> trainer.zero_grad(); loss.backward(); trainer.step()
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "lr_scheduler"]
