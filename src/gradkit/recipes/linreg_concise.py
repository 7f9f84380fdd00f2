"""Linear regression, concise (D2L 3.3): ``nn.Linear``, ``MSELoss``, ``optim.SGD`` and a
``DataLoader`` over the same synthetic data as the scratch version."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment
from .linreg_scratch import TRUE_B, TRUE_W
from .regression import closed_form_report

NAME = "linreg-concise"
SECTION = "3.3"
SUMMARY = "linear regression with nn.Linear, MSELoss, optim.SGD and a DataLoader"
TASK = "regression"
DEFAULTS = {"epochs": 3, "lr": 0.03, "batch_size": 10}


def build(config: Config) -> list[Experiment]:
    true_w = torch.tensor(TRUE_W)
    features, labels = d2l.synthetic_data(true_w, TRUE_B, 1000)
    held_out = d2l.synthetic_data(true_w, TRUE_B, 1000)  # the test loss is measured on it
    data_iter = d2l.load_array((features, labels), config.batch_size)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    trainer = torch.optim.SGD(net.parameters(), lr=config.lr)
    return [Experiment(
        name="", net=net, loss=nn.MSELoss(), updater=trainer, train_iter=data_iter,
        test_iter=[held_out], parameters=lambda: dict(net.state_dict(keep_vars=True)),
        task=TASK,
        summary=lambda: closed_form_report(features, labels, net[0].weight.reshape(-1),
                                           net[0].bias, TRUE_W, TRUE_B))]
