"""Linear regression from scratch, English edition (D2L 3.4): ``d2l.LinearRegressionScratch``
on ``d2l.SyntheticRegressionData`` (w = [2, -3.4], b = 4.2), trained by ``d2l.Trainer``.

The book trains 3 epochs and reports errors of about 0.1 in w; 10 epochs (the default here)
bring them under 0.01. The report puts the estimate beside the least-squares solution.
"""
from __future__ import annotations

import gradkit as torch

from .. import d2l
from .base import Config, Experiment
from .regression import closed_form_report
from .toolkit import trainer_experiment

NAME = "en-linreg-scratch"
SECTION = "3.4 (en)"
SUMMARY = "LinearRegressionScratch + d2l.Trainer on SyntheticRegressionData"
TASK = "regression"
DEFAULTS = {"epochs": 10, "lr": 0.03, "batch_size": 32}
TRUE_W, TRUE_B = [2, -3.4], 4.2


def build(config: Config) -> list[Experiment]:
    data = d2l.SyntheticRegressionData(w=torch.tensor(TRUE_W), b=TRUE_B,
                                       batch_size=config.batch_size)
    model = d2l.LinearRegressionScratch(2, lr=config.lr)
    train_X, train_y = data.X[:data.num_train], data.y[:data.num_train]
    return [trainer_experiment(
        model, data, config, task=TASK, loss=d2l.squared_loss,
        parameters=lambda: {"w": model.w, "b": model.b},
        summary=lambda: closed_form_report(train_X, train_y, model.w.reshape(-1), model.b,
                                           TRUE_W, TRUE_B))]
