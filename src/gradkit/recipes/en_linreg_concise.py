"""Linear regression, concise, English edition (D2L 3.5): ``d2l.LinearRegression``
(``nn.LazyLinear(1)``, ``MSELoss``, ``optim.SGD``) on ``d2l.SyntheticRegressionData``,
trained by ``d2l.Trainer``.

The book trains 3 epochs; 5 (the default here) keep the errors in w and b under 0.01 whatever
the seed.
"""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment, module_parameters
from .regression import closed_form_report
from .toolkit import trainer_experiment

NAME = "en-linreg-concise"
SECTION = "3.5 (en)"
SUMMARY = "LinearRegression (LazyLinear) + d2l.Trainer on SyntheticRegressionData"
TASK = "regression"
DEFAULTS = {"epochs": 5, "lr": 0.03, "batch_size": 32}
TRUE_W, TRUE_B = [2, -3.4], 4.2


def build(config: Config) -> list[Experiment]:
    data = d2l.SyntheticRegressionData(w=torch.tensor(TRUE_W), b=TRUE_B,
                                       batch_size=config.batch_size)
    model = d2l.LinearRegression(lr=config.lr)
    train_X, train_y = data.X[:data.num_train], data.y[:data.num_train]

    def summary() -> dict:
        w, b = model.get_w_b()
        return closed_form_report(train_X, train_y, w.reshape(-1), b, TRUE_W, TRUE_B)

    return [trainer_experiment(model, data, config, task=TASK,
                               loss=nn.MSELoss(reduction="none"),
                               parameters=module_parameters(model), summary=summary)]
