"""Weight decay, concise, English edition (D2L 3.7): 200-input linear regression on 20
training examples, ``d2l.LinearRegression`` with ``weight_decay`` on the weights only, λ = 0
and λ = 3, trained by ``d2l.Trainer``; the L2 norm of w shows the overfitting and its cure."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment, module_parameters
from .toolkit import trainer_experiment

NAME = "en-weight-decay"
SECTION = "3.7 (en)"
SUMMARY = "d2l.LinearRegression with weight decay λ = 0 and 3 on 200-dim data, d2l.Trainer"
TASK = "regression"
DEFAULTS = {"epochs": 10, "lr": 0.01, "batch_size": 5}
NUM_TRAIN, NUM_VAL, NUM_INPUTS = 20, 100, 200
WEIGHT_DECAYS = (0, 3)


class Data(d2l.DataModule):
    """y = 0.05 + Σ 0.01 xᵢ + N(0, 0.01²), X ~ N(0, 1): the chapter's data."""

    def __init__(self, num_train: int, num_val: int, num_inputs: int, batch_size: int):
        super().__init__()
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, num_inputs)
        noise = torch.randn(n, 1) * 0.01
        w, b = torch.ones((num_inputs, 1)) * 0.01, 0.05
        self.y = torch.matmul(self.X, w) + b + noise

    def get_dataloader(self, train: bool):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader([self.X, self.y], train, i)


class WeightDecay(d2l.LinearRegression):
    """``LinearRegression`` whose SGD decays the weights (not the bias) by ``wd``."""

    def __init__(self, wd: float, lr: float):
        super().__init__(lr)
        self.save_hyperparameters()
        self.wd = wd

    def configure_optimizers(self):
        return torch.optim.SGD([{"params": self.net.weight, "weight_decay": self.wd},
                                {"params": self.net.bias}], lr=self.lr)


def build(config: Config) -> list[Experiment]:
    data = Data(num_train=NUM_TRAIN, num_val=NUM_VAL, num_inputs=NUM_INPUTS,
                batch_size=config.batch_size)
    return [_experiment(wd, data, config) for wd in WEIGHT_DECAYS]


def _experiment(wd: float, data: Data, config: Config) -> Experiment:
    model = WeightDecay(wd=wd, lr=config.lr)
    return trainer_experiment(
        model, data, config, task=TASK, loss=nn.MSELoss(reduction="none"),
        name=f"lambda={wd}", parameters=module_parameters(model),
        summary=lambda: {"weight_decay": wd, "w_l2_norm": float(model.net.weight.norm())})
