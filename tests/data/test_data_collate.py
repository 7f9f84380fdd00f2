"""default_collate and default_convert, compared with PyTorch's on the same inputs."""
from __future__ import annotations

import collections
from typing import Any, Callable

import numpy as np
import pytest

import gradkit
from gradkit.utils import data

Pair = collections.namedtuple("Pair", ["a", "b"])


def _cases(lib: Any) -> dict:
    """Batches to collate, built with ``lib`` (gradkit or torch)."""
    return {
        "tensors": [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
        "int tensors": [lib.tensor([[1], [2]]), lib.tensor([[3], [4]])],
        "scalar tensors": [lib.tensor(1), lib.tensor(2)],
        "arrays": [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        "float arrays": [np.ones((2, 2)), np.zeros((2, 2))],
        "numpy scalars": [np.float32(1.5), np.float32(2.5)],
        "numpy int scalars": [np.int64(1), np.int64(2)],
        "numpy bools": [np.bool_(True), np.bool_(False)],
        "floats": [0.5, 1.5, 2.0],
        "ints": [1, 2, 3],
        "bools": [True, False],
        "strings": ["a", "bc"],
        "tuples": [(lib.tensor([1.0]), 1), (lib.tensor([2.0]), 2)],
        "lists": [[1, 2.0, "x"], [3, 4.0, "y"]],
        "dicts": [{"x": lib.tensor([1]), "y": (1, 2.0)}, {"x": lib.tensor([2]), "y": (3, 4.0)}],
        "ordered dicts": [collections.OrderedDict(b=1, a=2.0), collections.OrderedDict(b=3, a=4.0)],
        "namedtuples": [Pair(lib.tensor([1.0]), 1), Pair(lib.tensor([2.0]), 2)],
        "deep": [{"k": [(np.zeros(2), {"z": 1.0})]}, {"k": [(np.ones(2), {"z": 2.0})]}],
    }


@pytest.mark.parametrize("case", list(_cases(gradkit)))
def test_default_collate_matches_torch(torch, same, case):
    from torch.utils.data import default_collate as torch_collate

    ours = data.default_collate(_cases(gradkit)[case])
    theirs = torch_collate(_cases(torch)[case])
    same(ours, theirs)


@pytest.mark.parametrize("case", list(_cases(gradkit)))
def test_default_convert_matches_torch(torch, same, case):
    from torch.utils.data import default_convert as torch_convert

    for ours_sample, theirs_sample in zip(_cases(gradkit)[case], _cases(torch)[case]):
        same(data.default_convert(ours_sample), torch_convert(theirs_sample))


def _error(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


BAD = {
    "tensors of different shapes": lambda lib: [lib.zeros(3), lib.zeros(4)],
    "matrices of different shapes": lambda lib: [lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(3, 2)],
    "samples of different lengths": lambda lib: [(1, 2), (3,)],
    "an unsupported type": lambda lib: [object(), object()],
    "string arrays": lambda lib: [np.array(["a"]), np.array(["b"])],
    "arrays of different shapes": lambda lib: [np.zeros(2), np.zeros(3)],
}


@pytest.mark.parametrize("case", list(BAD))
def test_collate_errors_match_torch(torch, case):
    from torch.utils.data import default_collate as torch_collate

    theirs = _error(lambda: torch_collate(BAD[case](torch)))
    ours = _error(lambda: data.default_collate(BAD[case](gradkit)))
    assert type(ours) is type(theirs)
    if "object" in case:
        assert str(ours) == str(theirs)
    else:
        assert str(ours) == str(theirs).replace("torch", "gradkit")


def test_collate_error_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[3\] at entry 0 and \[4\] at entry 1"):
        data.default_collate([(gradkit.zeros(3), 0), (gradkit.zeros(4), 1)])


def test_collate_keeps_graphs_and_promotes_mixed_dtypes(torch):
    w = gradkit.ones(2, requires_grad=True)
    stacked = data.default_collate([w, w * 2])
    assert stacked.requires_grad
    stacked.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]
    mixed = data.default_collate([gradkit.tensor([1]), gradkit.tensor([1.5])])
    theirs = torch.utils.data.default_collate([torch.tensor([1]), torch.tensor([1.5])])
    assert str(mixed.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert mixed.tolist() == theirs.tolist()


def test_stacked_samples_are_returned_as_their_fields():
    X, y = gradkit.zeros(3, 2), gradkit.arange(3)
    batch = data.StackedSamples([X, y], lambda i: (X[i], y[i]))
    fields = data.default_collate(batch)
    assert isinstance(fields, list) and fields[0] is X and fields[1] is y
