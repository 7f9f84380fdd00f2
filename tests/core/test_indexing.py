"""Indexing reads and writes against PyTorch: ints, slices, None, ..., integer tensors, lists,
ranges, boolean masks and mixtures; gradients through both; PyTorch's errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradkit
from oracle import check, check_error, check_same_error, gradcheck
from strategies import float_arrays, shapes

rng = np.random.default_rng(5)
X = rng.uniform(-1, 1, (4, 5, 3)).astype(np.float32)

# Each index is a function of the library so that tensors in it are the library's own.
READS = {
    "int": lambda t: 1,
    "negative int": lambda t: -1,
    "int pair": lambda t: (2, -3),
    "int triple": lambda t: (0, 1, 2),
    "slice": lambda t: slice(1, 3),
    "open slice": lambda t: slice(None),
    "negative slice": lambda t: slice(-3, -1),
    "step slice": lambda t: slice(None, None, 2),
    "slices": lambda t: (slice(1, None), slice(None, 4, 3)),
    "out of range slice": lambda t: slice(2, 100),
    "empty slice": lambda t: slice(3, 1),
    "int and slice": lambda t: (0, slice(1, 3)),
    "slice and int": lambda t: (slice(None), 2),
    "none": lambda t: None,
    "none in the middle": lambda t: (0, None, slice(None)),
    "ellipsis": lambda t: Ellipsis,
    "ellipsis int": lambda t: (Ellipsis, 1),
    "int ellipsis": lambda t: (1, Ellipsis),
    "ellipsis none": lambda t: (Ellipsis, None),
    "0-d int tensor": lambda t: t.tensor(2),
    "0-d tensor in tuple": lambda t: (t.tensor(1), t.tensor(-1)),
    "int tensor": lambda t: t.tensor([0, 2, 2]),
    "2-d int tensor": lambda t: t.tensor([[0, 1], [3, 3]]),
    "int32 tensor": lambda t: t.tensor([1, 0], dtype=t.int32),
    "list": lambda t: [0, 3],
    "nested list (read as a tuple)": lambda t: [[0, 1], [2, 3]],
    "list holding a slice": lambda t: [0, slice(None)],
    "list holding tensors": lambda t: [t.tensor(0), t.tensor(1)],
    "list holding None": lambda t: [None],
    "list holding one list": lambda t: [[0, 1]],
    "range": lambda t: range(3),
    "stepped range": lambda t: range(0, 4, 2),
    "two lists": lambda t: ([0, 1, 2], [4, 0, 1]),
    "range and tensor (y_hat[range(n), y])": lambda t: (range(3), t.tensor([0, 4, 2])),
    "list tensor list": lambda t: ([0, 1], t.tensor([1, 2]), [2, 0]),
    "slice and list": lambda t: (slice(None), [0, 2]),
    "list slice list": lambda t: ([0, 1], slice(None), [2, 0]),
    "list and none": lambda t: ([0, 1], None),
    "int and list": lambda t: (1, [0, 2, 4]),
    "broadcast lists": lambda t: ([[0], [1]], [0, 2]),
    "mask": lambda t: t.tensor([True, False, True, True]),
    "2-d mask": lambda t: t.tensor(X[:, :, 0] > 0),
    "3-d mask": lambda t: t.tensor(X > 0),
    "mask and int": lambda t: (t.tensor([True, False, True, False]), 1),
    "slice and mask": lambda t: (slice(None), t.tensor([True, False, False, True, True])),
    "bool scalar": lambda t: True,
    "bool false": lambda t: False,
    "empty list": lambda t: [],
    "negative list": lambda t: [-1, -4],
    "negative tensor": lambda t: t.tensor([-1, 0]),
    "ellipsis and list": lambda t: (Ellipsis, [0, 2]),
}


@pytest.mark.parametrize("name", list(READS))
def test_reads(name):
    make_index = READS[name]
    check(lambda t, a: a[make_index(t)], X)
    check(lambda t, a: a[make_index(t)] * 2, X)


@pytest.mark.parametrize("name", ["int", "slices", "none in the middle", "ellipsis int",
                                  "two lists", "range and tensor (y_hat[range(n), y])",
                                  "2-d mask", "slice and list", "int tensor", "broadcast lists",
                                  "list tensor list"])
def test_read_gradcheck(name):
    make_index = READS[name]
    x = X.astype(np.float64)
    gradcheck(lambda t, a: a[make_index(t)], x)
    # And on a non-contiguous view.
    gradcheck(lambda t, a: a.permute(0, 1, 2).transpose(1, 1)[make_index(t)], x)


def test_repeated_indices_accumulate_the_gradient():
    check(lambda t, a: a[[0, 0, 1, 0]], X[:, 0, 0].copy())
    check(lambda t, a: a[t.tensor([[1, 1], [1, 2]])], X[:, 0, 0].copy())
    x = gradkit.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 1.0]


def test_cross_entropy_style_pick_from_the_book():
    y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], np.float32)
    y = np.array([0, 2], np.int64)
    check(lambda t, p, q: p[[0, 1], q], y_hat, y)
    check(lambda t, p, q: -t.log(p[range(len(p)), q]), y_hat, y)
    check(lambda t, p, q: (p.argmax(dim=1) == q).sum(), y_hat, y)


def test_basic_reads_are_views_and_advanced_reads_copies():
    x = gradkit.arange(12).reshape(3, 4)
    row = x[1]
    row[0] = 100
    assert x[1, 0].item() == 100
    column = x[:, 2]
    column += 1
    assert x[:, 2].tolist() == [3, 7, 11]
    scalar = x[0, 0]
    scalar.fill_(-5)
    assert x[0, 0].item() == -5
    picked = x[[0, 1]]
    picked[0, 0] = 999
    assert x[0, 0].item() == -5


@settings(max_examples=30, deadline=None)
@given(x=float_arrays(shapes(min_dims=1)), data=st.data())
def test_basic_index_property(x, data):
    index = []
    for size in x.shape[:data.draw(st.integers(1, x.ndim))]:
        kind = data.draw(st.sampled_from(["int", "slice", "none", "full"]))
        if kind == "int":
            index.append(data.draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = data.draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = data.draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = data.draw(st.one_of(st.none(), st.integers(1, 3)))
            index.append(slice(start, stop, step))
        elif kind == "none":
            index.append(None)
        else:
            index.append(slice(None))
    index = tuple(index)
    check(lambda t, a: a[index], x)


@settings(max_examples=20, deadline=None)
@given(x=float_arrays(shapes(min_dims=1)), data=st.data())
def test_advanced_index_property(x, data):
    dim = data.draw(st.integers(0, x.ndim - 1))
    size = x.shape[dim]
    picks = data.draw(st.lists(st.integers(-size, size - 1), max_size=5))
    as_tensor = data.draw(st.booleans())
    prefix = (slice(None),) * dim
    check(lambda t, a: a[prefix + ((t.tensor(picks, dtype=t.int64) if as_tensor else picks),)],
          x)
    mask = x > 0
    check(lambda t, a, m: a[m], x, mask)


# ---------------------------------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------------------------------
def _write(index_fn, value_fn):
    """``a[index] = value`` then return ``a`` (a non-leaf clone, so gradients flow)."""
    def fn(t, a, *values):
        b = a.clone()
        b[index_fn(t)] = value_fn(t, *values)
        return b
    return fn


WRITES = {
    "scalar to row": (lambda t: 0, lambda t: 12.0),
    "the book's X[0:2, :] = 12": (lambda t: (slice(0, 2), slice(None)), lambda t: 12),
    "int value": (lambda t: (1, 2), lambda t: 7),
    "bool value": (lambda t: -1, lambda t: True),
    "mask": (lambda t: t.tensor(X[:, :, 0] > 0), lambda t: 0.0),
    "list": (lambda t: [0, 2], lambda t: -1.0),
    "ellipsis": (lambda t: Ellipsis, lambda t: 3.0),
    "column": (lambda t: (slice(None), 1), lambda t: 5.0),
    "range and tensor": (lambda t: (range(3), t.tensor([0, 4, 2])), lambda t: 9.0),
    "0-d tensor value": (lambda t: 2, lambda t: t.tensor(4.0)),
    "int tensor value into float": (lambda t: 3, lambda t: t.tensor(2)),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_with_scalars(name):
    index_fn, value_fn = WRITES[name]
    check(_write(index_fn, lambda t: value_fn(t)), X)
    check(_write(index_fn, lambda t: value_fn(t)), (X * 10).astype(np.int64))


TENSOR_WRITES = {
    "row": (lambda t: 1, (5, 3)),
    "broadcast row": (lambda t: 1, (3,)),
    "slice": (lambda t: slice(1, 3), (2, 5, 3)),
    "broadcast slice": (lambda t: (slice(1, 3), slice(None), 0), (5,)),
    "mask": (lambda t: t.tensor(X[:, :, 0] > 0), (3,)),
    "list": (lambda t: [0, 2], (2, 5, 3)),
    "everything (Z[:] = X + Y)": (lambda t: slice(None), (4, 5, 3)),
    "advanced pair": (lambda t: ([0, 1], [2, 3]), (3,)),
}


@pytest.mark.parametrize("name", list(TENSOR_WRITES))
def test_writes_with_tensors_and_their_gradients(name):
    index_fn, value_shape = TENSOR_WRITES[name]
    value = rng.uniform(-1, 1, value_shape).astype(np.float32)
    fn = _write(index_fn, lambda t, v: v * 2)
    check(fn, X, value)
    gradcheck(fn, X.astype(np.float64), value.astype(np.float64))
    check(fn, X, value, requires_grad={1})  # only the value requires grad


def test_write_converts_the_value_to_the_tensor_dtype():
    check(_write(lambda t: 0, lambda t, v: v), np.zeros((2, 3), np.int64),
          np.array([1.7, -2.2, 3.9], np.float32), requires_grad=False)
    check(_write(lambda t: 0, lambda t, v: v), np.zeros((2, 3), np.float32),
          np.array([1, 2, 3], np.int64))
    # PyTorch refuses lists and NumPy arrays as values; gradkit takes them as tensors.
    x = gradkit.zeros(2, 3)
    x[0] = [1, 2, 3]
    x[1] = np.ones(3)
    assert x.tolist() == [[1, 2, 3], [1, 1, 1]] and x.dtype is gradkit.float32
    with pytest.raises(TypeError, match="can't assign a str"):
        x[0] = "a"


def test_write_identity_and_version():
    x = gradkit.zeros(3, 4)
    saved = x.detach()  # the version counter is shared with x, as in PyTorch
    before, version = id(x), saved._version
    x[0:2, :] = 12
    x[:] = x + 1
    x[x > 5] = 0
    assert id(x) == before and x._version == saved._version == version + 3
    assert x.tolist() == [[0.0] * 4, [0.0] * 4, [1.0] * 4]


def test_write_errors():
    x = X.copy()
    check_error(lambda t, a: a.clone().__setitem__(0, t.ones(4, 3)), x)
    check_error(lambda t, a: a.clone().__setitem__(slice(None), t.ones(2)), x)
    check_error(lambda t, a: a.clone().__setitem__(7, 1.0), x)
    check_error(lambda t, a: a.clone().__setitem__((0, 0, 0, 0), 1.0), x)
    check_error(lambda t, a: a.clone().__setitem__(t.tensor([True, False]), 1.0), x)
    check_error(lambda t, a: a.clone().__setitem__([0, 9], 1.0), x)
    check_error(lambda t, a: a.__setitem__(0, 1.0), x)  # a leaf that requires grad
    check_error(lambda t, a: a.detach().expand(2, 4, 5, 3).__setitem__(slice(None), 1.0), x,
                requires_grad=False)


# ---------------------------------------------------------------------------------------------
# read errors
# ---------------------------------------------------------------------------------------------
BAD_READS = {
    "int too large": lambda t: 4,
    "int too small": lambda t: -5,
    "second dim": lambda t: (0, 5),
    "third dim negative": lambda t: (0, 0, -4),
    "too many": lambda t: (0, 0, 0, 0),
    "too many with ellipsis": lambda t: (0, Ellipsis, 0, 0, 0),
    "float": lambda t: 1.5,
    "float in tuple": lambda t: (0, 1.0),
    "float tensor": lambda t: t.tensor([0.0, 1.0]),
    "list out of range": lambda t: [0, 4],
    "tensor out of range": lambda t: t.tensor([1, -5]),
    "mask shape": lambda t: t.tensor([True, False]),
    "2-d mask shape": lambda t: t.ones(4, 4, dtype=t.bool),
    "negative step": lambda t: slice(None, None, -1),
    "zero step": lambda t: slice(None, None, 0),
    "string": lambda t: "a",
}


@pytest.mark.parametrize("name", list(BAD_READS))
def test_read_errors(name):
    make_index = BAD_READS[name]
    check_error(lambda t, a: a[make_index(t)], X)


def test_index_on_zero_dim_tensor():
    x = np.array(3.0, np.float32)
    check(lambda t, a: a[None], x)
    check(lambda t, a: a[...], x)
    check(lambda t, a: a[()], x)
    check(lambda t, a: a[True], x)
    check_error(lambda t, a: a[0], x)


# ---------------------------------------------------------------------------------------------
# index dtypes: uint8 is an (old-style) mask, int8/int16 are refused
# ---------------------------------------------------------------------------------------------
BYTE_MASK = (X[:, 0, 0] > 0).astype(np.uint8)
BYTE_INDEXES = {
    "uint8 tensor": lambda t: t.tensor(BYTE_MASK),
    "2-d uint8 tensor": lambda t: t.tensor((X[:, :, 0] > 0).astype(np.uint8)),
    "uint8 tensor and int": lambda t: (t.tensor(BYTE_MASK), 1),
    "0-d uint8 tensor (a mask adding a dim)": lambda t: t.tensor(1, dtype=t.uint8),
    "0-d uint8 zero (selects nothing)": lambda t: t.tensor(0, dtype=t.uint8),
    "uint8 NumPy array": lambda t: BYTE_MASK,
}


@pytest.mark.parametrize("name", list(BYTE_INDEXES))
def test_a_uint8_index_is_a_mask_with_a_deprecation_warning(name):
    make_index = BYTE_INDEXES[name]
    message = "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool"
    with pytest.warns(UserWarning, match=message):
        check(lambda t, a: a[make_index(t)], X)
    with pytest.warns(UserWarning, match=message) as caught:
        gradkit.tensor(X)[make_index(gradkit)]
    assert caught[0].filename == __file__  # the warning points at the user's line


SMALL_INTEGER_INDEXES = {
    "int8 tensor": lambda t: t.tensor([1, 0], dtype=t.int8),
    "int16 tensor": lambda t: t.tensor([1, 0], dtype=t.int16),
    "int8 tensor in a tuple": lambda t: (t.tensor([1, 3], dtype=t.int8), 0),
    "0-d int8 tensor (read as an int)": lambda t: t.tensor(2, dtype=t.int8),
    "0-d int16 tensor (read as an int)": lambda t: (0, t.tensor(-1, dtype=t.int16)),
    "int8 NumPy array (converted to long)": lambda t: np.array([3, 1], np.int8),
    "int16 NumPy array (converted to long)": lambda t: np.array([[0], [2]], np.int16),
}


@pytest.mark.parametrize("name", list(SMALL_INTEGER_INDEXES))
def test_int8_and_int16_indexes(name):
    make_index = SMALL_INTEGER_INDEXES[name]
    out = check(lambda t, a: a[make_index(t)], X)
    if isinstance(out, Exception):
        assert str(out) == "tensors used as indices must be long, int, byte or bool tensors"
    else:
        assert isinstance(out, gradkit.Tensor)


def test_int8_tensor_index_errors_in_writes_too():
    error = check_error(_write(lambda t: t.tensor([0, 1], dtype=t.int16), lambda t: 1.0), X)
    assert str(error) == "tensors used as indices must be long, int, byte or bool tensors"


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
@pytest.mark.parametrize("value", [lambda t: 1.0, lambda t: t.tensor(2.0),
                                   lambda t: t.tensor([2.0])], ids=["float", "0-d", "1-element"])
def test_filling_through_a_uint8_mask_is_refused_as_in_torch(value):
    # One value is PyTorch's masked_fill_, which takes bool masks only.
    for index in (lambda t: t.tensor(BYTE_MASK), lambda t: (t.tensor(BYTE_MASK), 0),
                  lambda t: (0, t.tensor(np.array([1, 0, 1, 0, 1], np.uint8)))):
        error = check_same_error(lambda t: _write(index, value)(t, t.tensor(X)))
        assert isinstance(error, RuntimeError)


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
def test_writing_several_values_through_a_uint8_mask():
    count = int(BYTE_MASK.sum())
    values = np.arange(count * 15, dtype=np.float32).reshape(count, 5, 3)
    check(_write(lambda t: t.tensor(BYTE_MASK), lambda t, v: v), X, values)
