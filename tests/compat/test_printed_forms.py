"""Under the runner a program prints what PyTorch prints (``torch.float32``, ``torch.Size``)."""
from __future__ import annotations

import numpy as np

import gradkit
import gradkit.compat
from oracle import import_torch

CASES = [
    lambda t: t.ones(2, 3).shape,
    lambda t: t.float64,
    lambda t: t.tensor(np.arange(6.0).reshape(2, 3)),          # float64: a dtype suffix
    lambda t: t.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1),        # return_types
    lambda t: t.ones(2).type(),
    lambda t: (t.ones(3, dtype=t.int32), t.zeros(0, 2)),
]


def test_reprs_under_the_runner_are_pytorchs():
    torch = import_torch()
    expected = [repr(case(torch)) for case in CASES]
    with gradkit.compat.installed():
        import torch as aliased  # gradkit, as the program sees it

        got = [repr(case(aliased)) for case in CASES]
    assert got == expected


def test_reprs_name_gradkit_again_after_the_run():
    with gradkit.compat.installed():
        pass
    assert repr(gradkit.float32) == "gradkit.float32"
    assert repr(gradkit.zeros(2).shape) == "gradkit.Size([2])"


def test_dir_of_an_aliased_module_lists_its_names_only():
    # The book's lookup-api section (both editions) prints dir(torch.distributions): the alias's
    # link to its gradkit module is no name of torch's, and its dunders are torch's own.
    real_torch = import_torch()
    with gradkit.compat.installed():
        import torch

        names = dir(torch.distributions)
        top = dir(torch)
    assert "__gradkit_target__" not in names and "__gradkit_target__" not in top
    assert "Multinomial" in names and "multinomial" in names
    assert "zeros" in top and "Tensor" in top
    dunders = {n for n in names if n.startswith("__")}
    assert dunders <= set(dir(real_torch.distributions))


TYPE_CASES = {
    "tensor": lambda t: t.ones(2),
    "parameter (zh 5.2: print(type(net[2].bias)))": lambda t: t.nn.Linear(8, 1).bias,
    "a tensor of a parameter": lambda t: t.nn.Linear(8, 1).bias.data,
}


def test_printed_types_under_the_runner_are_pytorchs():
    torch = import_torch()
    expected = {name: str(type(case(torch))) for name, case in TYPE_CASES.items()}
    with gradkit.compat.installed():
        import torch as aliased

        got = {name: str(type(case(aliased))) for name, case in TYPE_CASES.items()}
        parameter = aliased.nn.Linear(8, 1).bias
        assert type(parameter) is aliased.nn.Parameter and isinstance(parameter, aliased.Tensor)
    assert got == expected


def test_printed_types_name_gradkit_again_after_the_run():
    with gradkit.compat.installed():
        pass
    assert str(type(gradkit.ones(1))) == "<class 'gradkit.tensor.Tensor'>"
    assert str(type(gradkit.nn.Linear(1, 1).bias)) == "<class 'gradkit.nn.parameter.Parameter'>"
