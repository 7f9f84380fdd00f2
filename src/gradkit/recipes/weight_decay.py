"""Weight decay, concise (D2L 4.5): high-dimensional linear regression with 20 training
examples and 200 inputs, trained without (λ = 0) and with (λ = 3) weight decay on the weights;
the L2 norm of w shows the overfitting and its cure."""
from __future__ import annotations

import gradkit as torch
from gradkit import nn

from .. import d2l
from .base import Config, Experiment, module_parameters

NAME = "weight-decay"
SECTION = "4.5"
SUMMARY = "weight decay on 200-dim linear regression, λ = 0 and λ = 3 (‖w‖ shrinks)"
TASK = "regression"
DEFAULTS = {"epochs": 100, "lr": 0.003, "batch_size": 5}
N_TRAIN, N_TEST, NUM_INPUTS = 20, 100, 200
WEIGHT_DECAYS = (0, 3)


def build(config: Config) -> list[Experiment]:
    true_w, true_b = torch.ones((NUM_INPUTS, 1)) * 0.01, 0.05
    train_data = d2l.synthetic_data(true_w, true_b, N_TRAIN)
    test_data = d2l.synthetic_data(true_w, true_b, N_TEST)
    train_iter = d2l.load_array(train_data, config.batch_size)
    test_iter = d2l.load_array(test_data, config.batch_size, is_train=False)
    return [_experiment(wd, config, train_iter, test_iter) for wd in WEIGHT_DECAYS]


def _experiment(wd: float, config: Config, train_iter: object, test_iter: object
                ) -> Experiment:
    net = nn.Sequential(nn.Linear(NUM_INPUTS, 1))
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction="none")
    # Only the weights decay; the bias has no penalty.
    trainer = torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd},
                               {"params": net[0].bias}], lr=config.lr)
    return Experiment(name=f"lambda={wd}", net=net, loss=loss, updater=trainer,
                      train_iter=train_iter, test_iter=test_iter,
                      parameters=module_parameters(net), task=TASK,
                      summary=lambda: {"weight_decay": wd,
                                       "w_l2_norm": float(net[0].weight.norm())})
