"""Optimizers against PyTorch: every option of SGD, Adam and AdamW over 50 steps in float64 from
the same initial weights (parameters equal within 1e-6, in fact ~1e-12); parameter groups
(lists, generators, dicts whose "params" is one tensor, add_param_group, per-group options);
zero_grad; state_dict/load_state_dict (resuming gives the same trajectory); closures; and
PyTorch's errors."""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import gradkit
from oracle import check_same_error, import_torch

STEPS = 50
rng = np.random.default_rng(21)
X = rng.standard_normal((32, 5))
Y = rng.standard_normal((32, 3))
W0 = rng.standard_normal((3, 5)) * 0.5
B0 = rng.standard_normal(3) * 0.1
V0 = rng.standard_normal((3, 3)) * 0.5


def make_params(lib):
    """Three float64 leaves: a weight, a bias and a second-layer weight."""
    return [lib.nn.Parameter(lib.tensor(a.copy())) for a in (W0, B0, V0)]


def loss_of(lib, params, sign=1.0):
    w, b, v = params
    hidden = lib.tanh(lib.tensor(X) @ w.T + b)
    return sign * (((hidden @ v.T - lib.tensor(Y)) ** 2).mean() + 0.01 * (w ** 4).sum())


def run(lib, make_optimizer, steps=STEPS, params=None, trajectory=False, sign=1.0):
    """``steps`` optimizer steps on ``sign · loss``; the final parameters (or all of them)."""
    params = make_params(lib) if params is None else params
    optimizer = make_optimizer(lib, params)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(lib, params, sign).backward()
        optimizer.step()
        if trajectory:
            history.append([p.detach().numpy().copy() for p in params])
    return (history if trajectory else [p.detach().numpy().copy() for p in params]), optimizer


def assert_same_run(make_optimizer, steps=STEPS, atol=1e-6, maximize=False):
    """Both libraries take the same ``steps``; every intermediate parameter agrees. With
    ``maximize`` the optimizers ascend the negated loss (so the run stays bounded)."""
    torch = import_torch()
    sign = -1.0 if maximize else 1.0
    ours, _ = run(gradkit, make_optimizer, steps, trajectory=True, sign=sign)
    theirs, _ = run(torch, make_optimizer, steps, trajectory=True, sign=sign)
    for step, (a_step, b_step) in enumerate(zip(ours, theirs)):
        for i, (a, b) in enumerate(zip(a_step, b_step)):
            np.testing.assert_allclose(a, b, atol=atol, rtol=0,
                                       err_msg=f"parameter {i} after step {step + 1}")
    # And the parameters really moved (no vacuous pass).
    assert not np.allclose(ours[-1][0], W0)


def covering(defaults, alternatives, combos):
    """Option dicts: the defaults, each option changed alone, and the listed combinations
    (a covering set: every option is exercised alone and together with the others)."""
    cases = [dict(defaults)]
    cases += [dict(defaults, **{key: value}) for key, value in alternatives.items()]
    cases += [dict(defaults, **{key: alternatives[key] for key in combo}) for combo in combos]
    return cases


SGD_CASES = covering(
    dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False),
    dict(momentum=0.9, dampening=0.3, weight_decay=0.05, maximize=True),
    [("momentum", "dampening"), ("momentum", "weight_decay"),
     ("momentum", "dampening", "weight_decay", "maximize"), ("weight_decay", "maximize")])
SGD_CASES += [dict(momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True,
                   maximize=False),
              dict(momentum=0.5, dampening=0.0, weight_decay=0.05, nesterov=True,
                   maximize=True)]

ADAM_CASES = covering(
    dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False),
    dict(betas=(0.5, 0.8), eps=1e-2, weight_decay=0.1, amsgrad=True, maximize=True),
    [("weight_decay", "amsgrad"), ("betas", "eps", "weight_decay", "amsgrad", "maximize"),
     ("weight_decay", "maximize"), ("amsgrad", "maximize", "betas")])


@pytest.mark.parametrize("options", SGD_CASES, ids=str)
def test_sgd_every_option_matches_torch(options):
    assert_same_run(lambda t, ps: t.optim.SGD(ps, lr=0.02, **options),
                    maximize=options["maximize"])


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("options", ADAM_CASES, ids=str)
def test_adam_and_adamw_every_option_match_torch(name, options):
    assert_same_run(lambda t, ps: getattr(t.optim, name)(ps, lr=0.01, **options),
                    maximize=options["maximize"])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_defaults_match_torch(name):
    lr = {"SGD": 0.1}.get(name)
    kwargs = {} if lr is None else {"lr": lr}
    assert_same_run(lambda t, ps: getattr(t.optim, name)(ps, **kwargs))
    torch = import_torch()
    ours = getattr(gradkit.optim, name)(make_params(gradkit), **kwargs)
    theirs = getattr(torch.optim, name)(make_params(torch), **kwargs)
    assert ours.defaults == theirs.defaults
    assert repr(ours) == repr(theirs)


def test_sgd_default_lr_matches_torch():
    torch = import_torch()
    assert gradkit.optim.SGD(make_params(gradkit)).defaults["lr"] == \
        torch.optim.SGD(make_params(torch)).defaults["lr"]


def test_adam_decoupled_weight_decay_flag_is_adamw():
    assert_same_run(lambda t, ps: t.optim.Adam(ps, lr=0.01, weight_decay=0.1,
                                               decoupled_weight_decay=True))


def test_float32_parameters_stay_float32_and_in_place():
    for name in ("SGD", "Adam", "AdamW"):
        w = gradkit.nn.Parameter(gradkit.ones(3))
        array = w.detach().numpy()
        opt = getattr(gradkit.optim, name)([w], lr=0.1, weight_decay=0.1)
        (w * w).sum().backward()
        opt.step()
        assert w.dtype == gradkit.float32 and w.detach().numpy() is not None
        assert np.shares_memory(w.detach().numpy(), array)  # updated in place
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
        assert all(v.dtype == gradkit.float32 for v in opt.state[w].values()
                   if isinstance(v, gradkit.Tensor) and v.dim() > 0)


def test_lr_changes_in_param_groups_take_effect():
    def make(t, ps):
        opt = t.optim.SGD(ps, lr=0.05, momentum=0.9)
        for group in opt.param_groups:
            group["lr"] = 0.01
        return opt

    assert_same_run(make)


def test_parameters_without_grad_are_skipped():
    torch = import_torch()
    finals = []
    for lib in (gradkit, torch):
        params = make_params(lib)
        opt = lib.optim.Adam(params, lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (params[0] ** 2).sum().backward()  # only the first parameter gets a gradient
            opt.step()
        assert len(opt.state) == 1
        finals.append([p.detach().numpy().copy() for p in params])
    for a, b in zip(*finals):
        np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_array_equal(finals[0][1], B0)


def test_closure_is_called_and_its_loss_returned():
    for name in ("SGD", "Adam", "AdamW"):
        params = make_params(gradkit)
        opt = getattr(gradkit.optim, name)(params, lr=0.01)

        def closure():
            opt.zero_grad()
            loss = loss_of(gradkit, params)
            loss.backward()
            return loss

        with gradkit.no_grad():  # the closure enables grad itself
            loss = opt.step(closure)
        assert isinstance(loss, gradkit.Tensor) and loss.item() > 0
        assert not np.allclose(params[0].detach().numpy(), W0)


# ---------------------------------------------------------------------------------------------
# parameter groups
# ---------------------------------------------------------------------------------------------
def test_params_as_a_generator():
    assert_same_run(lambda t, ps: t.optim.SGD((p for p in ps), lr=0.05, momentum=0.5))


def test_d2l_weight_decay_groups_with_single_tensor_params():
    """D2L 4.5: ``[{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}]``."""

    def make(t, ps):
        w, b, v = ps
        return t.optim.SGD([{"params": w, "weight_decay": 3.0}, {"params": b},
                            {"params": [v], "lr": 0.002, "momentum": 0.9}], lr=0.003)

    assert_same_run(make)


def test_d2l_weight_decay_network_in_both_libraries():
    torch = import_torch()
    finals = []
    for lib in (gradkit, torch):
        net = lib.nn.Sequential(lib.nn.Linear(5, 1)).double()
        with lib.no_grad():
            net[0].weight.copy_(lib.tensor(W0[:1]))
            net[0].bias.fill_(0.5)
        trainer = lib.optim.SGD([{"params": net[0].weight, "weight_decay": 3},
                                 {"params": net[0].bias}], lr=0.003)
        assert trainer.param_groups[0]["weight_decay"] == 3
        assert trainer.param_groups[1]["weight_decay"] == 0
        for _ in range(20):
            trainer.zero_grad()
            loss = lib.nn.MSELoss()(net(lib.tensor(X)), lib.tensor(Y[:, :1]))
            loss.backward()
            trainer.step()
        finals.append([p.detach().numpy() for p in net.parameters()])
    for a, b in zip(*finals):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_add_param_group_with_its_own_options():
    def make(t, ps):
        w, b, v = ps
        opt = t.optim.Adam([w, b], lr=0.01, betas=(0.8, 0.9))
        opt.add_param_group({"params": v, "lr": 0.05, "amsgrad": True})
        return opt

    assert_same_run(make)
    torch = import_torch()
    for lib in (gradkit, torch):
        w, b, v = make_params(lib)
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": [b, v], "lr": 0.5})
        group = opt.param_groups[1]
        assert group["lr"] == 0.5 and group["momentum"] == 0.9 and group["params"][1] is v


def test_param_groups_repr_and_state_dict_keys_match_torch():
    torch = import_torch()

    def build(lib, name):
        w, b, v = make_params(lib)
        return getattr(lib.optim, name)([{"params": w}, {"params": [b, v], "lr": 0.5}], lr=0.1)

    for name in ("SGD", "Adam", "AdamW"):
        ours, theirs = build(gradkit, name), build(torch, name)
        assert repr(ours) == repr(theirs)
        ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
        assert ours_state["param_groups"] == theirs_state["param_groups"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    params = make_params(gradkit)
    opt = gradkit.optim.SGD(params, lr=0.1)
    loss_of(gradkit, params).backward()
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=set_to_none)
    for p, g in zip(params, grads):
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is g and (p.grad.numpy() == 0).all()  # zeroed in place
    opt.zero_grad()  # default: set to None, as PyTorch 2
    assert all(p.grad is None for p in params)


# ---------------------------------------------------------------------------------------------
# state_dict / load_state_dict
# ---------------------------------------------------------------------------------------------
OPTIMIZERS = {
    "sgd_momentum": lambda t, ps: t.optim.SGD(ps, lr=0.02, momentum=0.9, nesterov=True),
    "adam_amsgrad": lambda t, ps: t.optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.01),
    "adamw_groups": lambda t, ps: t.optim.AdamW([{"params": ps[:2]},
                                                 {"params": ps[2], "lr": 0.003}], lr=0.01),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_resuming_from_a_state_dict_gives_the_same_trajectory(name):
    make = OPTIMIZERS[name]
    straight, _ = run(gradkit, make, steps=30)
    first, optimizer = run(gradkit, make, steps=12)
    saved = copy.deepcopy(optimizer.state_dict())
    # A fresh model and optimizer, loaded from the saved weights and state.
    params = [gradkit.nn.Parameter(gradkit.tensor(a)) for a in first]
    resumed, _ = run(gradkit, lambda t, ps: _loaded(make(t, ps), saved), steps=18,
                     params=params)
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a, b)


def _loaded(optimizer, state):
    optimizer.load_state_dict(state)
    return optimizer


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_matches_torch(name):
    torch = import_torch()
    make = OPTIMIZERS[name]
    (_, ours), (_, theirs) = run(gradkit, make, steps=5), run(torch, make, steps=5)
    ours, theirs = ours.state_dict(), theirs.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in theirs["state"].items():
        assert list(ours["state"][index]) == list(state)
        for key, value in state.items():
            np.testing.assert_allclose(ours["state"][index][key].numpy(), value.numpy(),
                                       atol=1e-10)
            assert ours["state"][index][key].dtype.__repr__().split(".")[-1] == \
                str(value.dtype).split(".")[-1]


def test_state_dict_is_a_copy():
    _, optimizer = run(gradkit, OPTIMIZERS["adam_amsgrad"], steps=3)
    state = optimizer.state_dict()
    state["state"][0]["exp_avg"].numpy()[...] = 123.0
    state["param_groups"][0]["lr"] = 99.0
    assert optimizer.param_groups[0]["lr"] == 0.01
    assert not (list(optimizer.state.values())[0]["exp_avg"].numpy() == 123.0).any()


def test_load_state_dict_from_torch():
    """An optimizer state dict that PyTorch made (tensors converted) resumes in gradkit."""
    torch = import_torch()
    make = OPTIMIZERS["adam_amsgrad"]
    torch_first, torch_optimizer = run(torch, make, steps=10)
    state = torch_optimizer.state_dict()
    converted = {"param_groups": state["param_groups"],
                 "state": {i: {k: gradkit.tensor(v.numpy()) for k, v in s.items()}
                           for i, s in state["state"].items()}}
    torch_params = [torch.nn.Parameter(torch.tensor(a)) for a in torch_first]
    torch_final, _ = run(torch, lambda t, ps: _loaded(make(t, ps), state), steps=10,
                         params=torch_params)
    params = [gradkit.nn.Parameter(gradkit.tensor(a)) for a in torch_first]
    ours, _ = run(gradkit, lambda t, ps: _loaded(make(t, ps), converted), steps=10,
                  params=params)
    for a, b in zip(ours, torch_final):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_load_state_dict_errors_match_torch():
    def mismatch_groups(t):
        w, b, v = make_params(t)
        state = t.optim.SGD([w, b], lr=0.1).state_dict()
        t.optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).load_state_dict(state)

    def mismatch_sizes(t):
        w, b, v = make_params(t)
        state = t.optim.SGD([w, b], lr=0.1).state_dict()
        t.optim.SGD([w, b, v], lr=0.1).load_state_dict(state)

    check_same_error(mismatch_groups)
    check_same_error(mismatch_sizes)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def _param(t):
    return t.nn.Parameter(t.ones(2))


ERRORS = {
    "empty_list": lambda t: t.optim.SGD([], lr=0.1),
    "empty_generator": lambda t: t.optim.Adam(iter([])),
    "negative_lr_sgd": lambda t: t.optim.SGD([_param(t)], lr=-0.1),
    "negative_lr_adam": lambda t: t.optim.Adam([_param(t)], lr=-0.1),
    "negative_lr_adamw": lambda t: t.optim.AdamW([_param(t)], lr=-0.1),
    "nesterov_without_momentum": lambda t: t.optim.SGD([_param(t)], lr=0.1, nesterov=True),
    "nesterov_with_dampening": lambda t: t.optim.SGD([_param(t)], lr=0.1, nesterov=True,
                                                     momentum=0.9, dampening=0.1),
    "negative_momentum": lambda t: t.optim.SGD([_param(t)], lr=0.1, momentum=-1),
    "negative_weight_decay": lambda t: t.optim.SGD([_param(t)], lr=0.1, weight_decay=-1),
    "adam_negative_weight_decay": lambda t: t.optim.Adam([_param(t)], weight_decay=-1),
    "bad_beta0": lambda t: t.optim.Adam([_param(t)], betas=(1.0, 0.9)),
    "bad_beta1": lambda t: t.optim.AdamW([_param(t)], betas=(0.9, -0.1)),
    "bad_eps": lambda t: t.optim.Adam([_param(t)], eps=-1e-8),
    "one_tensor": lambda t: t.optim.SGD(_param(t), lr=0.1),
    "not_a_tensor": lambda t: t.optim.SGD([1.0], lr=0.1),
    "non_leaf": lambda t: t.optim.SGD([_param(t) * 2], lr=0.1),
    "group_without_params": lambda t: t.optim.SGD([{"lr": 0.1}], lr=0.1),
    "group_not_a_dict": lambda t: t.optim.SGD([_param(t)], lr=0.1).add_param_group([1]),
    "mixed_groups": lambda t: t.optim.SGD([{"params": [_param(t)]}, [_param(t)]], lr=0.1),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    check_same_error(ERRORS[case])


def test_a_parameter_in_two_groups_raises_value_error():
    def two_groups(t):
        w = _param(t)
        t.optim.SGD([{"params": w}, {"params": [w], "lr": 0.5}], lr=0.1)

    def added_twice(t):
        w = _param(t)
        t.optim.Adam([w]).add_param_group({"params": w})

    check_same_error(two_groups)
    check_same_error(added_twice)


def test_a_parameter_twice_in_one_group_warns_like_torch():
    torch = import_torch()
    for lib in (gradkit, torch):
        w = _param(lib)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([w, w], lr=0.1)


def test_a_set_of_params_in_a_group_raises_type_error():
    check_same_error(lambda t: t.optim.SGD([{"params": {_param(t)}}], lr=0.1))


def test_no_warnings_in_a_normal_step():
    params = make_params(gradkit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("SGD", "Adam", "AdamW"):
            opt = getattr(gradkit.optim, name)(params, lr=0.01)
            loss_of(gradkit, params).backward()
            opt.step()
            opt.zero_grad()


@pytest.mark.parametrize("name", ["SGD", "Adam"])
@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_weight_decay_and_maximize_reuse_work_arrays_exactly(name, maximize, momentum):
    """The decayed (or negated) gradient lands in a work array reused across steps: values
    bit-equal to ``(-g if maximize else g) + wd * p``, ``.grad`` untouched, no growth."""
    w = gradkit.nn.Parameter(gradkit.tensor(W0.astype(np.float32)))
    extra = {"momentum": momentum} if name == "SGD" else {}
    opt = getattr(gradkit.optim, name)([w], lr=0.1, weight_decay=0.05, maximize=maximize,
                                       **extra)
    sizes = []
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        before, grad = w.detach().numpy().copy(), w.grad.numpy().copy()
        effective = opt._effective_grad(before, grad, maximize, 0.05)
        expected = (-grad if maximize else grad) + np.float32(0.05) * before
        np.testing.assert_array_equal(effective, expected)
        opt.step()
        np.testing.assert_array_equal(w.grad.numpy(), grad)  # the gradient is not changed
        sizes.append(len(opt._scratch))
    assert sizes[0] == sizes[-1]  # work arrays made on the first step only
    assert not np.allclose(w.detach().numpy(), W0)
