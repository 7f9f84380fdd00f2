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


def test_dir_of_an_alias_module_lists_the_api_only():
    """The zh lookup-api section prints ``dir(torch.distributions)``: the alias's bookkeeping
    attribute must not appear; the names a reader looks up (and dunders torch has) do."""
    torch = import_torch()
    with gradkit.compat.installed():
        import torch.distributions as aliased

        names = dir(aliased)
    assert "__gradkit_target__" not in names
    assert "Multinomial" in names and "multinomial" in names
    dunders = {n for n in names if n.startswith("__")}
    assert dunders <= set(dir(torch.distributions)), dunders - set(dir(torch.distributions))
