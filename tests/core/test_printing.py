"""``repr`` of tensors equals PyTorch's with "torch." read as "gradkit."."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradkit
from oracle import check_repr, import_torch, torch_repr


@pytest.fixture(autouse=True)
def _default_print_options():
    yield
    gradkit.set_printoptions(profile="default")
    import_torch().set_printoptions(profile="default")


CASES = {
    "ints": [1, 2, 3],
    "negative ints": [[-1, 20], [300, -4000]],
    "floats": [1.5, -2.25, 3.0],
    "int-valued floats": [1.0, 2.0, -3.0],
    "int-valued floats with zero": [[0.0, 1.0], [2.0, 3.0]],
    "zeros": [0.0, 0.0],
    "small": [1e-5, 2e-5],
    "wide range": [0.001, 1000.5],
    "int-valued wide range": [1.0, 1e5],
    "large": [1e9, 2.5],
    "huge int-valued": [1e10, 1.0],
    "nan and inf": [float("nan"), float("inf"), -float("inf"), 1.5],
    "nan and inf with ints": [float("nan"), float("inf"), 2.0],
    "only nan": [float("nan")],
    "negative zero": [-0.0, 1.0],
    "scalar float": 2.5,
    "scalar int-valued": 3.0,
    "scalar int": 7,
    "scalar bool": True,
    "bools": [[True, False], [False, True]],
    "empty": [],
    "empty 2d": [[]],
    "3d": [[[1.0, 2.5], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.125]]],
    "mixed magnitudes": [0.1, 12.345, 123.25],
    "rounding": [0.12345678, 1.99999],
    "long row": [float(i) + 0.5 for i in range(30)],
    "long int row": list(range(40)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    data = CASES[name]
    check_repr(lambda t: t.tensor(data))


@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int16", "int8", "uint8",
                                   "int64", "bool", "float32"])
def test_dtype_suffix(dtype):
    check_repr(lambda t: t.tensor([[1, 0], [3, 4]], dtype=getattr(t, dtype)))
    check_repr(lambda t: t.tensor([1.5, 2.0]).to(getattr(t, dtype)))
    check_repr(lambda t: t.tensor(3, dtype=getattr(t, dtype)))


@pytest.mark.parametrize("dtype", ["float64", "int64", "int32", "bool", "float32"])
def test_empty_tensors(dtype):
    check_repr(lambda t: t.zeros(0, dtype=getattr(t, dtype)))
    check_repr(lambda t: t.zeros(2, 0, dtype=getattr(t, dtype)))
    check_repr(lambda t: t.zeros(0, 3, 1, dtype=getattr(t, dtype)))


def test_requires_grad_and_grad_fn_suffixes():
    check_repr(lambda t: t.tensor([1.0, 2.0], requires_grad=True))
    check_repr(lambda t: t.arange(4.0, requires_grad=True))
    check_repr(lambda t: t.tensor([1.0, 2.0], requires_grad=True) * 2)
    check_repr(lambda t: t.tensor([1.0, 2.0], requires_grad=True).sum())
    check_repr(lambda t: t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True))
    check_repr(lambda t: t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True) + 1)
    check_repr(lambda t: t.tensor(2.0, requires_grad=True))
    check_repr(lambda t: t.ones(2, 2, requires_grad=True) @ t.ones(2, 2))
    check_repr(lambda t: t.ones(2, requires_grad=True).detach())
    check_repr(lambda t: t.zeros(0, requires_grad=True))


def test_suffixes_wrap_past_80_characters():
    check_repr(lambda t: t.tensor([123456.5, 2.25, 3.0, 4.0, 5.0, 6.0], dtype=t.float64,
                                  requires_grad=True) * 2)
    check_repr(lambda t: t.arange(10.0, dtype=t.float64, requires_grad=True) * 1.5)
    check_repr(lambda t: t.arange(8.0, dtype=t.float64, requires_grad=True).reshape(2, 4) / 3)


@pytest.mark.parametrize("shape", [(1001,), (2000,), (40, 30), (11, 10, 10), (3, 400), (400, 3),
                                   (1000,), (2, 2, 300)])
def test_summarization_above_1000_elements(shape):
    n = int(np.prod(shape))
    check_repr(lambda t: t.arange(n).reshape(shape))
    check_repr(lambda t: (t.arange(n, dtype=t.float32) / 7).reshape(shape))
    check_repr(lambda t: t.arange(n, dtype=t.float32).reshape(shape))


def test_print_options():
    torch = import_torch()
    for options in ({"precision": 2}, {"threshold": 5}, {"edgeitems": 1, "threshold": 3},
                    {"linewidth": 40}, {"sci_mode": True}, {"sci_mode": False},
                    {"profile": "short"}, {"profile": "full"}):
        gradkit.set_printoptions(**options)
        torch.set_printoptions(**options)
        try:
            for data in ([1.123456, 2.5, 3.0], list(range(10)), [1e-6, 1.0], [1.0, 2.0]):
                check_repr(lambda t: t.tensor(data))
            check_repr(lambda t: t.arange(2000.0))
        finally:
            gradkit.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")


def test_str_and_print_match_repr():
    torch = import_torch()
    x = gradkit.tensor([[1.0, 2.5], [3.0, 4.0]])
    assert str(x) == repr(x) == torch_repr(torch.tensor([[1.0, 2.5], [3.0, 4.0]]))


def test_size_repr():
    check_repr(lambda t: t.zeros(3, 4).shape)
    check_repr(lambda t: t.zeros(()).shape)
    check_repr(lambda t: t.zeros(2, 0).size())
    check_repr(lambda t: t.Size([1, 2, 3]))


def test_dtype_and_device_repr():
    check_repr(lambda t: t.float32)
    check_repr(lambda t: t.ones(2, dtype=t.int64).dtype)
    check_repr(lambda t: t.ones(1).device)


def test_return_types_repr():
    x = [[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]
    check_repr(lambda t: t.tensor(x).max(dim=1))
    check_repr(lambda t: t.tensor(x).min(0))
    check_repr(lambda t: t.tensor(x, requires_grad=True).max(dim=1, keepdim=True))


def test_grad_fn_repr_names():
    torch = import_torch()
    g = (gradkit.ones(2, requires_grad=True) * 2).grad_fn
    th = (torch.ones(2, requires_grad=True) * 2).grad_fn
    assert repr(g).split(" object")[0] == repr(th).split(" object")[0] == "<MulBackward0"


def test_format_of_zero_dim_tensors():
    torch = import_torch()
    for value in (2.5, 1.0, 1e-8, 123456789.0):
        for spec in ("f", ".3f", "e", "g", ".2%", ""):
            assert format(gradkit.tensor(value), spec) == format(torch.tensor(value), spec)
    assert format(gradkit.tensor(7), "d") == format(torch.tensor(7), "d")
    loss = gradkit.tensor([0.5, 1.5], requires_grad=True).mean()
    assert f"epoch 1, loss {loss:f}" == "epoch 1, loss 1.000000"


FLOAT_VALUES = st.one_of(
    st.floats(-10, 10, width=32),
    st.floats(-1e6, 1e6, width=32),
    st.integers(-100, 100).map(float),
    st.floats(1.0000000116860974e-07, 0.0009765625, width=32),
    st.sampled_from([0.0, float("nan"), float("inf"), -float("inf")]),
)


@settings(max_examples=60, deadline=None)
@given(array=hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                        elements=FLOAT_VALUES),
       requires_grad=st.booleans())
def test_repr_property_floats(array, requires_grad):
    check_repr(lambda t: t.tensor(array, requires_grad=requires_grad))


@settings(max_examples=30, deadline=None)
@given(array=hnp.arrays(st.sampled_from([np.int64, np.int32, np.float64]),
                        hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                        elements=st.integers(-10**6, 10**6)))
def test_repr_property_ints_and_float64(array):
    check_repr(lambda t: t.tensor(array))
