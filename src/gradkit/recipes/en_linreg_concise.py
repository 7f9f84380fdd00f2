"""Linear regression, concise, English edition (D2L 3.5): ``d2l.LinearRegression``
(``nn.LazyLinear(1)``, ``MSELoss``, ``optim.SGD``) on ``d2l.SyntheticRegressionData``,
trained by ``d2l.Trainer``.

The book trains 3 epochs; 5 (the default here) keep the errors in w and b under 0.01 whatever
the seed.
"""
from __future__ import annotations

from gradkit import nn

from .. import d2l
from .base import Config, Experiment, module_parameters
from .en_linreg_scratch import regression_data, report
from .toolkit import trainer_experiment

NAME = "en-linreg-concise"
SECTION = "3.5 (en)"
SUMMARY = "LinearRegression (LazyLinear) + d2l.Trainer on SyntheticRegressionData"
TASK = "regression"
DEFAULTS = {"epochs": 5, "lr": 0.03, "batch_size": 32}


def build(config: Config) -> list[Experiment]:
    data = regression_data(config)
    model = d2l.LinearRegression(lr=config.lr)

    def summary() -> dict:
        return report(data, *model.get_w_b())

    return [trainer_experiment(model, data, config, task=TASK,
                               loss=nn.MSELoss(reduction="none"),
                               parameters=module_parameters(model), summary=summary)]
