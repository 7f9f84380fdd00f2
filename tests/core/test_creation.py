"""Factories, ``Size``, attributes and conversions, against PyTorch."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradkit
from oracle import check, check_same_error, import_torch
from strategies import shapes


# ---------------------------------------------------------------------------------------------
# tensor / as_tensor / from_numpy
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    [1.0, 2.0], [1, 2], [True, False], [1, 2.5], [True, 2], [[1, 2], [3, 4]], 3, 2.5, True,
    [[1.5]], [], [[]], [[1.0, 2.0], [3.0, 4.0]], (1, 2, 3), [(1, 2), (3, 4)],
])
def test_tensor_infers_dtype_and_shape_like_torch(data):
    check(lambda t: t.tensor(data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool",
                                   "int8", "int16", "float16"])
def test_tensor_from_numpy_arrays_keeps_dtype(dtype):
    array = np.array([[0, 1], [2, 3]]).astype(dtype)
    check(lambda t: t.tensor(array))
    check(lambda t: t.as_tensor(array))
    check(lambda t: t.from_numpy(array))
    check(lambda t: t.tensor(array, dtype=t.float64))


def test_tensor_from_numpy_scalars_and_dtype_argument():
    check(lambda t: t.tensor(np.float32(3.5)))
    check(lambda t: t.tensor(np.int32(3)))
    check(lambda t: t.tensor([1, 2], dtype=t.float32))
    check(lambda t: t.tensor([1.7, -2.2], dtype=t.int64))
    check(lambda t: t.tensor([1.0, 2.0], requires_grad=True))
    check(lambda t: t.tensor(np.arange(6.0).reshape(2, 3).T))  # non-contiguous source


def test_tensor_from_a_tensor_copies_and_warns():
    x = gradkit.ones(2)
    with pytest.warns(UserWarning, match="clone"):
        y = gradkit.tensor(x)
    y[0] = 5
    assert x.tolist() == [1.0, 1.0]


def test_tensor_from_list_of_tensors():
    check(lambda t: t.tensor([t.tensor(1.5), t.tensor(2.0)]))
    check(lambda t: t.tensor([t.tensor(1), t.tensor(2)]))


def test_tensor_copies_but_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3, np.float32)
    copied, shared, as_t = gradkit.tensor(a), gradkit.from_numpy(a), gradkit.as_tensor(a)
    a[0] = 7
    assert copied.tolist() == [0, 0, 0]
    assert shared.tolist() == [7, 0, 0] and as_t.tolist() == [7, 0, 0]
    shared[1] = 5
    assert a[1] == 5
    # numpy() shares memory the other way round (the book's 2.1.6).
    x = gradkit.ones(2)
    x.numpy()[0] = 9
    assert x[0].item() == 9


def test_as_tensor_of_tensor_is_identity_and_converts_dtype():
    x = gradkit.ones(2)
    assert gradkit.as_tensor(x) is x
    check(lambda t: t.as_tensor(t.ones(2), dtype=t.float64))
    check(lambda t: t.as_tensor([1, 2]))


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[1], [2, 3]], "a", [[1, 2], "a"], [None], None,
                                 [1, [2]], [[1], 2]])
def test_tensor_bad_data_raises_like_torch(bad):
    check(lambda t: t.tensor(bad))


def test_from_numpy_rejects_non_arrays():
    check(lambda t: t.from_numpy([1, 2]))


# ---------------------------------------------------------------------------------------------
# zeros / ones / full / empty and *_like
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("factory", ["zeros", "ones", "empty"])
def test_shape_spellings(factory):
    for args in [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (2, 0, 3), (np.int64(2), 3)]:
        out = check(lambda t: getattr(t, factory)(*args) * 0, grad=False)
        assert isinstance(out.shape, gradkit.Size)
    assert isinstance(check(lambda t: getattr(t, factory)()), TypeError)  # no size at all
    check(lambda t: getattr(t, factory)(2.5))
    check(lambda t: getattr(t, factory)((2, None)))
    check(lambda t: getattr(t, factory)(t.Size([2, 3])) * 0)
    check(lambda t: getattr(t, factory)(2, 3, dtype=t.int64) * 0)
    check(lambda t: getattr(t, factory)((2,), dtype=t.float64, requires_grad=True) * 0)
    check(lambda t: getattr(t, factory)(t.ones(2, 3).shape) * 0)
    check(lambda t: getattr(t, factory)(size=(2, 3)) * 0)


def test_negative_size_raises():
    check(lambda t: t.zeros(-1))
    check(lambda t: t.ones(2, -3))


def test_full():
    check(lambda t: t.full((2, 3), 7))
    check(lambda t: t.full((2, 3), 7.5))
    check(lambda t: t.full((2,), True))
    check(lambda t: t.full([2, 2], 1, dtype=t.float32))
    check(lambda t: t.full((2,), 3.0, requires_grad=True))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_like_factories(dtype):
    x = np.arange(6).reshape(2, 3).astype(dtype)
    check(lambda t, a: t.zeros_like(a), x)
    check(lambda t, a: t.ones_like(a), x)
    check(lambda t, a: t.full_like(a, 1), x)
    check(lambda t, a: t.empty_like(a).shape, x)
    check(lambda t, a: t.ones_like(a, dtype=t.float64), x)
    check(lambda t, a: t.zeros_like(a, dtype=t.float32, requires_grad=True), x)


def test_new_factories():
    x = np.ones((2,), np.float64)
    check(lambda t, a: a.new_zeros(3), x)
    check(lambda t, a: a.new_ones((2, 2)), x)
    check(lambda t, a: a.new_tensor([1, 2]), x)


# ---------------------------------------------------------------------------------------------
# arange / linspace / eye
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(12,), (0, 5), (1, 10, 3), (5, 0, -1), (0.0, 1.0, 0.1),
                                  (1, 0, -0.25), (4.0,), (0, 3, 0.5), (-3, 3), (0,), (3, 3),
                                  (0, 1, 0.3)])
def test_arange(args):
    check(lambda t: t.arange(*args))
    check(lambda t: t.arange(*args, dtype=t.float64))


def test_arange_keywords_and_errors():
    check(lambda t: t.arange(4.0, requires_grad=True))
    check(lambda t: t.arange(4, dtype=t.float32, requires_grad=True))
    check(lambda t: t.arange(start=1, end=4))
    check(lambda t: t.arange(t.tensor(3)))
    check(lambda t: t.arange(0, 5, 0))
    check(lambda t: t.arange(5, 0, 1))
    check(lambda t: t.arange(4, requires_grad=True))  # ints cannot require grad


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 2, 4), (3, 3, 1), (0, 10, 0), (1, 0, 3),
                                  (0, 1, 2)])
def test_linspace(args):
    check(lambda t: t.linspace(*args))
    check(lambda t: t.linspace(*args, dtype=t.float64))
    check(lambda t: t.linspace(*args, requires_grad=True))


def test_eye():
    check(lambda t: t.eye(3))
    check(lambda t: t.eye(2, 4))
    check(lambda t: t.eye(3, dtype=t.int64))
    check(lambda t: t.eye(0))
    check(lambda t: t.eye(-1))


# ---------------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------------
def test_size_behaves_like_torch_size():
    torch = import_torch()
    s, ts = gradkit.Size([3, 4]), torch.Size([3, 4])
    assert repr(s) == repr(ts).replace("torch.", "gradkit.") == "gradkit.Size([3, 4])"
    assert str(s) == str(ts).replace("torch.", "gradkit.")
    assert repr(gradkit.Size([])) == "gradkit.Size([])"
    assert isinstance(s, tuple) and s == (3, 4) and s == ts
    assert s[1:] == (4,) and isinstance(s[1:], gradkit.Size)
    assert isinstance(s + (5,), gradkit.Size) and s + (5,) == (3, 4, 5)
    assert s.numel() == ts.numel() == 12
    assert gradkit.Size([]).numel() == 1
    assert s[-1] == 4 and len(s) == 2 and list(s) == [3, 4]
    a, b = s
    assert (a, b) == (3, 4)
    assert hash(s) == hash((3, 4))
    assert pickle.loads(pickle.dumps(s)) == s
    assert gradkit.zeros(s).shape == s


# ---------------------------------------------------------------------------------------------
# attributes and conversion
# ---------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(shape=shapes(min_side=0))
def test_shape_attributes(shape):
    x = np.ones(shape, np.float32)
    check(lambda t, a: (tuple(a.shape), tuple(a.size()), a.ndim, a.dim(), a.numel(),
                        a.nelement(), a.element_size(), a.is_contiguous(),
                        a.is_floating_point()), x)
    for d in range(-len(shape), len(shape)):
        check(lambda t, a: a.size(d), x)
        check(lambda t, a: a.shape[d], x)


def test_size_of_out_of_range_dim_raises_index_error():
    check(lambda t, a: a.size(2), np.ones((2, 3), np.float32))
    check(lambda t, a: a.size(0), np.ones((), np.float32))


def test_device_and_misc_attributes():
    torch = import_torch()
    x = gradkit.ones(2)
    assert x.device.type == "cpu" and str(x.device) == "cpu"
    # A device never equals a string, in PyTorch as here.
    assert (x.device == "cpu") is (torch.ones(2).device == "cpu") is False
    assert repr(x.device) == repr(torch.ones(2).device)
    assert x.is_cuda is False
    assert gradkit.device("cpu") == x.device
    assert x.cpu() is x
    assert gradkit.zeros(2, device="cpu").device == gradkit.device("cpu")
    assert gradkit.ones(2, device=gradkit.device("cpu")).device.type == "cpu"
    assert gradkit.is_tensor(x) and not gradkit.is_tensor(np.ones(2))
    assert gradkit.numel(gradkit.ones(2, 3)) == 6


DEVICES = {
    "cuda": lambda t: t.device("cuda"),
    "cuda:0": lambda t: t.device("cuda:0"),
    "type and index": lambda t: t.device("cuda", 1),
    "index keyword": lambda t: t.device(type="cuda", index=2),
    "copy of a device": lambda t: t.device(t.device("cuda:3")),
    "cpu:0": lambda t: t.device("cpu:0"),
    "another type": lambda t: t.device("mps"),
}


@pytest.mark.parametrize("name", list(DEVICES))
def test_any_device_can_be_named_as_on_cpu_only_torch(name):
    torch = import_torch()
    ours, theirs = DEVICES[name](gradkit), DEVICES[name](torch)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert (ours == DEVICES[name](gradkit)) and hash(ours) == hash(DEVICES[name](gradkit))


def test_device_equality_follows_type_and_index():
    torch = import_torch()
    for a, b in (("cpu", "cpu:0"), ("cuda", "cuda:0"), ("cuda:0", "cuda:1"), ("cuda:1", "cuda:1"),
                 ("cpu", "cuda")):
        assert (gradkit.device(a) == gradkit.device(b)) is (torch.device(a) == torch.device(b))


BAD_DEVICES = {
    "unknown type": lambda t: t.device("foo"),
    "upper case": lambda t: t.device("CUDA"),
    "index not a number": lambda t: t.device("cuda:x"),
    "negative index in the string": lambda t: t.device("cuda:-1"),
    "trailing space": lambda t: t.device("cuda "),
    "negative index": lambda t: t.device("cuda", -1),
    "two indices": lambda t: t.device("cuda:0", 1),
    "a bare index (no accelerator)": lambda t: t.device(0),
    "a factory on a bare index": lambda t: t.zeros(2, device=0),
}


@pytest.mark.parametrize("name", list(BAD_DEVICES))
def test_malformed_devices_raise_torchs_error(name):
    error = check_same_error(BAD_DEVICES[name])
    assert isinstance(error, RuntimeError)


ON_CUDA = {
    "zeros": lambda t: t.zeros(2, device="cuda"),
    "tensor": lambda t: t.tensor(1, device="cuda"),
    "arange on cuda:0": lambda t: t.arange(3, device="cuda:0"),
    "randn on a device object": lambda t: t.randn(2, device=t.device("cuda", 1)),
    "ones_like": lambda t: t.ones_like(t.ones(2), device="cuda"),
    "Tensor.to": lambda t: t.ones(2).to("cuda"),
    "Tensor.to(device=)": lambda t: t.ones(2).to(device=t.device("cuda:0")),
    "Tensor.cuda": lambda t: t.ones(2).cuda(),
    "Module.to": lambda t: t.nn.Linear(2, 2).to("cuda"),
    "Module.cuda": lambda t: t.nn.Linear(2, 2).cuda(),
    "Linear(device=)": lambda t: t.nn.Linear(2, 2, device="cuda"),
    "LazyLinear(device=)": lambda t: t.nn.LazyLinear(2, device="cuda"),
    "Conv2d(device=)": lambda t: t.nn.Conv2d(1, 1, 3, device="cuda:0"),
    "LazyConv2d(device=)": lambda t: t.nn.LazyConv2d(2, 3, device="cuda"),
    "ConvTranspose1d(device=)": lambda t: t.nn.ConvTranspose1d(1, 1, 3, device="cuda"),
    "BatchNorm1d(device=), buffers only": lambda t: t.nn.BatchNorm1d(3, affine=False,
                                                                   device="cuda"),
    "LazyBatchNorm2d(device=)": lambda t: t.nn.LazyBatchNorm2d(device=t.device("cuda")),
}


@pytest.mark.parametrize("name", list(ON_CUDA))
def test_making_or_moving_a_tensor_to_cuda_raises_torchs_assertion(name):
    # The device object is fine; only putting data there fails, as on CPU-only PyTorch.
    error = check_same_error(ON_CUDA[name])
    assert isinstance(error, AssertionError)
    assert str(error) == "Torch not compiled with CUDA enabled"


def test_moving_to_the_cpu_under_any_spelling_keeps_the_tensor():
    x = gradkit.ones(2)
    assert x.to("cpu:0") is x and x.to(gradkit.device("cpu", 0)) is x
    assert gradkit.zeros(2, device="cpu:0").device == gradkit.device("cpu")
    assert gradkit.nn.Linear(2, 2, device="cpu:0").weight.device == gradkit.device("cpu")
    with pytest.raises(RuntimeError, match="not linked with support for mps devices"):
        x.to("mps")


def test_T_and_mT():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    check(lambda t, a: a.T, x)
    check(lambda t, a: a.T.T, x)
    check(lambda t, a: a[0].T, x)
    check(lambda t, a: a.mT, x)
    check(lambda t, a: a.T @ a, x)


def test_T_of_3d_tensor_warns_and_reverses_dims():
    torch = import_torch()
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    with pytest.warns(UserWarning):
        out = gradkit.tensor(x).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.tensor(x).T
    assert tuple(out.shape) == tuple(expected.shape) == (4, 3, 2)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_item_tolist_and_python_numbers():
    check(lambda t: t.tensor([[1.5]]).item())
    check(lambda t: t.tensor(3).item())
    check(lambda t: t.tensor(True).item())
    check(lambda t: t.tensor([[1, 2], [3, 4]]).tolist())
    check(lambda t: t.tensor([1.5, 2.5]).tolist())
    check(lambda t: t.tensor(2.5).tolist())
    check(lambda t: (float(t.tensor([3.5])), int(t.tensor([[3.7]])), int(t.tensor(-3.7)),
                     bool(t.tensor([0.0])), bool(t.tensor(2))))
    assert type(gradkit.tensor(3).item()) is int
    assert type(gradkit.tensor(3.0).item()) is float
    assert type(float(gradkit.tensor(3))) is float


def test_item_and_python_numbers_of_many_elements_raise():
    check(lambda t: t.ones(2).item())
    check(lambda t: bool(t.ones(2)))
    check(lambda t: float(t.ones(2)))
    check(lambda t: int(t.ones(2)))


def test_numpy_and_array_protocol():
    x = gradkit.tensor([[1.0, 2.0]])
    assert isinstance(x.numpy(), np.ndarray) and x.numpy().dtype == np.float32
    assert np.asarray(x).dtype == np.float32 and np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(x).tolist() == [[1.0, 2.0]]
    assert np.asarray(x) is x.numpy()
    check(lambda t, a: a.numpy(), np.ones(2, np.float32))  # requires grad: RuntimeError
    check(lambda t, a: a.detach().numpy().sum(), np.ones(2, np.float32))
    assert isinstance(np.float32(2.0) * gradkit.ones(2), gradkit.Tensor)


def test_len_and_iteration_over_dim_0():
    x = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    check(lambda t, a: len(a), x)
    check(lambda t, a: list(a), x)
    check(lambda t, a: [row.sum() for row in a], x)
    check(lambda t, a: len(a), np.array(1.0, np.float32))
    check(lambda t, a: list(a), np.array(1.0, np.float32))
    check(lambda t, a: 2.0 in a, x, requires_grad=False)
    check(lambda t, a: 7.0 in a, x, requires_grad=False)


def test_format():
    check(lambda t: (f"{t.tensor(2.5):f}", f"{t.tensor(2.5):.2f}", f"{t.tensor(3):d}",
                     f"{t.tensor(2.5)}", f"{t.tensor([1.0, 2.0])}", format(t.tensor(0.125), "e"),
                     f"{t.tensor([[1.5]]).mean():.3f}"))
    check(lambda t: format(t.ones(2), ".2f"))
    loss = gradkit.tensor([1.0, 2.0], requires_grad=True).mean()
    assert f"loss {loss:f}" == "loss 1.500000"
    assert f"{float(loss):f}" == "1.500000"


def test_clone_detach_and_contiguous():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    check(lambda t, a: a.clone(), x)
    check(lambda t, a: a.clone() * 2, x)
    check(lambda t, a: a.t().contiguous(), x)
    check(lambda t, a: a.t().is_contiguous(), x)
    check(lambda t, a: a.detach(), x)
    c = gradkit.tensor(x)
    d = c.clone()
    d[0, 0] = 100
    assert c[0, 0].item() == 0
    assert c.contiguous() is c


def test_copy_and_pickle():
    x = gradkit.tensor([1.0, 2.0], requires_grad=True)
    y = copy.deepcopy(x)
    assert y.requires_grad and y.tolist() == [1.0, 2.0] and y is not x
    y.data[0] = 5
    assert x[0].item() == 1.0
    z = pickle.loads(pickle.dumps(gradkit.tensor([[1, 2]])))
    assert z.dtype is gradkit.int64 and z.tolist() == [[1, 2]]
    with pytest.raises(RuntimeError):
        copy.deepcopy(x * 2)


@settings(max_examples=10, deadline=None)
@given(shape=shapes(min_side=0), dtype=st.sampled_from(["float32", "int64", "bool"]))
def test_factories_property(shape, dtype):
    check(lambda t: t.zeros(shape, dtype=getattr(t, dtype)))
    check(lambda t: t.ones(*shape, dtype=getattr(t, dtype)))  # ones() with no size: TypeError
    check(lambda t: t.full(shape, 1, dtype=getattr(t, dtype)))
