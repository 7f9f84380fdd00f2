"""Learning-rate schedulers against PyTorch: the lr of every group over 30 epochs for StepLR,
MultiStepLR, ExponentialLR, CosineAnnealingLR and LambdaLR (and chained schedulers),
``get_last_lr``, ``state_dict`` resume, explicit epochs and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from oracle import check_same_error, import_torch

EPOCHS = 30

SCHEDULERS = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "StepLR_default_gamma": lambda s, o: s.StepLR(o, step_size=3),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3),
    "MultiStepLR_unsorted": lambda s, o: s.MultiStepLR(o, milestones=[20, 4]),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR_eta_min": lambda s, o: s.CosineAnnealingLR(o, T_max=12, eta_min=0.001),
    "CosineAnnealingLR_long": lambda s, o: s.CosineAnnealingLR(o, T_max=40, eta_min=0.01),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch),
    "LambdaLR_per_group": lambda s, o: s.LambdaLR(
        o, lr_lambda=[lambda e: 1 / (1 + e), lambda e: 0.5 if e % 2 else 1.0]),
}


def make_optimizer(lib, name="SGD"):
    w = lib.nn.Parameter(lib.ones(3))
    b = lib.nn.Parameter(lib.zeros(1))
    return getattr(lib.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.03}], lr=0.1)


def lr_sequence(lib, make_schedulers, epochs=EPOCHS, optimizer_name="SGD"):
    optimizer = make_optimizer(lib, optimizer_name)
    schedulers = make_schedulers(lib.optim.lr_scheduler, optimizer)
    schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
    lrs = [[g["lr"] for g in optimizer.param_groups]]
    last = [schedulers[-1].get_last_lr()]
    for _ in range(epochs):
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        lrs.append([g["lr"] for g in optimizer.param_groups])
        last.append(list(schedulers[-1].get_last_lr()))
    return np.array(lrs), np.array(last)


@pytest.mark.parametrize("name", list(SCHEDULERS))
@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
def test_lr_sequence_matches_torch(name, optimizer_name):
    torch = import_torch()
    ours, ours_last = lr_sequence(gradkit, SCHEDULERS[name], optimizer_name=optimizer_name)
    theirs, theirs_last = lr_sequence(torch, SCHEDULERS[name], optimizer_name=optimizer_name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours_last, theirs_last, rtol=1e-12, atol=1e-15)
    assert len(np.unique(ours[:, 0])) > 1  # the schedule really changed the lr


def test_chained_schedulers_match_torch():
    torch = import_torch()

    def make(s, o):
        return [s.ExponentialLR(o, gamma=0.95), s.MultiStepLR(o, milestones=[6, 15], gamma=0.2)]

    ours, _ = lr_sequence(gradkit, make)
    theirs, _ = lr_sequence(torch, make)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_scheduler_sets_initial_lr_and_base_lrs_like_torch():
    torch = import_torch()
    results = []
    for lib in (gradkit, torch):
        optimizer = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        results.append(([g["initial_lr"] for g in optimizer.param_groups], scheduler.base_lrs,
                        scheduler.last_epoch, scheduler.get_last_lr()))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR",
                                  "CosineAnnealingLR", "LambdaLR"])
def test_resume_from_state_dict_gives_the_same_lrs(name):
    make = SCHEDULERS[name]
    straight, _ = lr_sequence(gradkit, make, epochs=20)
    optimizer = make_optimizer(gradkit)
    scheduler = make(gradkit.optim.lr_scheduler, optimizer)
    for _ in range(8):
        optimizer.step()
        scheduler.step()
    saved_scheduler, saved_optimizer = scheduler.state_dict(), optimizer.state_dict()
    assert "optimizer" not in saved_scheduler
    resumed_optimizer = make_optimizer(gradkit)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed = make(gradkit.optim.lr_scheduler, resumed_optimizer)
    resumed.load_state_dict(saved_scheduler)
    lrs = []
    for _ in range(12):
        resumed_optimizer.step()
        resumed.step()
        lrs.append([g["lr"] for g in resumed_optimizer.param_groups])
    np.testing.assert_allclose(np.array(lrs), straight[9:], rtol=1e-12)


def test_resume_with_last_epoch_matches_torch():
    torch = import_torch()
    sequences = []
    for lib in (gradkit, torch):
        optimizer = make_optimizer(lib)
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5,
                                                   last_epoch=4)
        lrs = [scheduler.get_last_lr()]
        for _ in range(6):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        sequences.append(np.array(lrs))
    np.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-12)


def test_state_dict_matches_torch_keys_for_lambda_lr():
    torch = import_torch()
    keys = []
    for lib in (gradkit, torch):
        scheduler = SCHEDULERS["LambdaLR"](lib.optim.lr_scheduler, make_optimizer(lib))
        state = scheduler.state_dict()
        assert "optimizer" not in state
        assert state["base_lrs"] == [0.1, 0.03] and state["last_epoch"] == 0
        keys.append(state)


def test_scheduler_errors_match_torch():
    check_same_error(lambda t: t.optim.lr_scheduler.StepLR("not an optimizer", step_size=1))
    check_same_error(lambda t: t.optim.lr_scheduler.LambdaLR(make_optimizer(t),
                                                             lr_lambda=[lambda e: 1.0]))
    check_same_error(lambda t: t.optim.lr_scheduler.StepLR(make_optimizer(t), step_size=1,
                                                           last_epoch=3))


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    torch = import_torch()
    for lib in (gradkit, torch):
        optimizer = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        with pytest.warns(UserWarning, match="optimizer.step"):
            scheduler.step()


def test_no_warning_in_the_usual_order():
    optimizer = make_optimizer(gradkit)
    scheduler = gradkit.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            optimizer.step()
            scheduler.step()


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR",
                                  "CosineAnnealingLR", "LambdaLR"])
def test_explicit_epoch_argument_matches_torch(name):
    torch = import_torch()
    sequences = []
    for lib in (gradkit, torch):
        optimizer = make_optimizer(lib)
        scheduler = SCHEDULERS[name](lib.optim.lr_scheduler, optimizer)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (3, 4, 9, 15, 2):
                optimizer.step()
                scheduler.step(epoch)
                lrs.append([g["lr"] for g in optimizer.param_groups])
        sequences.append(np.array(lrs))
    np.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-12)


def test_training_with_a_scheduler_matches_torch():
    torch = import_torch()
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((16, 4)), rng.standard_normal((16, 1))
    finals = []
    for lib in (gradkit, torch):
        w = lib.nn.Parameter(lib.tensor(np.full((1, 4), 0.1)))
        optimizer = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
        for _ in range(15):
            optimizer.zero_grad()
            ((lib.tensor(X) @ w.T - lib.tensor(Y)) ** 2).mean().backward()
            optimizer.step()
            scheduler.step()
        finals.append(w.detach().numpy())
    np.testing.assert_allclose(finals[0], finals[1], atol=1e-10)
