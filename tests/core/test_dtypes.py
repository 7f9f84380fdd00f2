"""dtype objects and PyTorch's type promotion, including every case where NumPy would differ."""
from __future__ import annotations

import itertools
import operator

import numpy as np
import pytest

import gradkit
from oracle import check, dtype_name, import_torch

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
          np.float64]


def sample(dtype, shape=(2, 3)):
    """Small values every dtype can hold (and no zeros, so division stays finite)."""
    values = np.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 5 + 1
    return np.asarray(values, dtype=dtype)  # an array even for shape (), never a NumPy scalar


# ---------------------------------------------------------------------------------------------
# the cases the book and DESIGN.md §3 name
# ---------------------------------------------------------------------------------------------
def test_named_promotion_cases():
    ints = np.array([1, 2, 3], np.int64)
    check(lambda t, x: x * 2.5, ints)                      # int tensor * float → float32
    check(lambda t, x, y: x / y, ints, ints)               # int / int → float32
    check(lambda t, x: x / 2, ints)
    check(lambda t, x, y: x + y, np.array([1, 2], np.uint8), np.array([3, -4], np.int8))
    check(lambda t, x, y: x + y, np.array([True, False]), ints[:2])       # bool + int → int64
    check(lambda t, x: x + 1, np.array([True, False]))                    # bool + 1 → int64
    check(lambda t, x: x * 2.5, np.array([1.0, 2.0], np.float32))        # stays float32
    check(lambda t, x, y: x + y, np.array([1, 2], np.int32), np.array(1.5, np.float64))
    check(lambda t, x, y: x + y, np.array([1.0], np.float32), np.array(1.5, np.float64))
    check(lambda t, x, y: x + y, np.array([1, 2], np.int32), np.array(7, np.int64))
    check(lambda t, x, y: x + y, np.array(1, np.int64), np.array(2, np.int32))
    check(lambda t, x: x + 2**20, np.array([1, 2], np.int32))  # scalars never widen


def test_named_cases_by_value():
    assert (gradkit.tensor([1, 2]) * 2.5).dtype is gradkit.float32
    assert (gradkit.tensor([1, 2]) / gradkit.tensor([2, 2])).dtype is gradkit.float32
    assert (gradkit.tensor([1], dtype=gradkit.uint8) + gradkit.tensor([1], dtype=gradkit.int8)
            ).dtype is gradkit.int16
    assert (gradkit.tensor([True]) + gradkit.tensor([1])).dtype is gradkit.int64
    assert (gradkit.ones(2) * 2.5).dtype is gradkit.float32
    assert (gradkit.tensor([1], dtype=gradkit.int32) + gradkit.tensor(1.5, dtype=gradkit.float64)
            ).dtype is gradkit.float64


RANKS = {"dim-dim": ((2, 3), (3,)), "dim-zero": ((2, 3), ()), "zero-dim": ((), (2, 3)),
         "zero-zero": ((), ())}


@pytest.mark.parametrize("ranks", list(RANKS))
@pytest.mark.parametrize("a_dtype,b_dtype", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_table_matches_torch(a_dtype, b_dtype, ranks):
    shape_a, shape_b = RANKS[ranks]
    a, b = sample(a_dtype, shape_a), sample(b_dtype, shape_b)
    check(lambda t, x, y: x * y, a, b, requires_grad=False)
    check(lambda t, x, y: x / y, a, b, requires_grad=False, rtol=2e-3)
    check(lambda t, x, y: x < y, a, b, requires_grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", [3, 2.5, True])
def test_python_scalars_with_every_dtype(dtype, scalar):
    a = sample(dtype)
    check(lambda t, x: x * scalar, a, requires_grad=False, rtol=2e-3)
    check(lambda t, x: scalar * x, a, requires_grad=False, rtol=2e-3)
    check(lambda t, x: x / scalar, a, requires_grad=False, rtol=2e-3)
    check(lambda t, x: x == scalar, a, requires_grad=False)


@pytest.mark.parametrize("a_dtype,b_dtype", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_and_result_type(a_dtype, b_dtype):
    torch = import_torch()
    gk = {dtype_name(d): d for d in (gradkit.bool, gradkit.uint8, gradkit.int8, gradkit.int16,
                                      gradkit.int32, gradkit.int64, gradkit.float16,
                                      gradkit.float32, gradkit.float64)}
    th = {dtype_name(d): d for d in (torch.bool, torch.uint8, torch.int8, torch.int16,
                                      torch.int32, torch.int64, torch.float16, torch.float32,
                                      torch.float64)}
    a, b = np.dtype(a_dtype).name, np.dtype(b_dtype).name
    assert dtype_name(gradkit.promote_types(gk[a], gk[b])) == \
        dtype_name(torch.promote_types(th[a], th[b]))
    x = sample(a_dtype)
    y = sample(b_dtype, ())
    assert dtype_name(gradkit.result_type(gradkit.tensor(x), gradkit.tensor(y))) == \
        dtype_name(torch.result_type(torch.tensor(x), torch.tensor(y)))
    assert dtype_name(gradkit.result_type(gradkit.tensor(x), 2.5)) == \
        dtype_name(torch.result_type(torch.tensor(x), 2.5))


def test_result_type_of_two_scalars():
    torch = import_torch()
    for a, b in [(1, 2), (1, 2.5), (True, 2), (True, False), (2.5, True)]:
        # torch.result_type needs a tensor; two Python scalars promote like a 0-dim tensor and
        # a scalar of the same values.
        assert dtype_name(gradkit.result_type(a, b)) == dtype_name(torch.result_type(
            torch.tensor(a), b))
        assert dtype_name(gradkit.result_type(gradkit.tensor(a), b)) == \
            dtype_name(torch.result_type(torch.tensor(a), b))


# ---------------------------------------------------------------------------------------------
# the default dtype
# ---------------------------------------------------------------------------------------------
def test_default_dtype_float64():
    torch = import_torch()
    gradkit.set_default_dtype(gradkit.float64)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda t: t.tensor([1.0, 2.0]))
        check(lambda t: t.arange(3.0))
        check(lambda t: t.ones(2))
        check(lambda t: t.tensor([1, 2]) * 2.5)
        check(lambda t: t.tensor([1, 2]) / 2)
        check(lambda t: t.tensor([1.0], dtype=t.float32) * 2.5)
        check(lambda t: t.linspace(0, 1, 3))
        assert gradkit.get_default_dtype() is gradkit.float64
        assert repr(gradkit.tensor([1.5])) == "tensor([1.5000])"
        assert repr(gradkit.tensor([1.5], dtype=gradkit.float32)) == \
            "tensor([1.5000], dtype=gradkit.float32)"
    finally:
        torch.set_default_dtype(previous)


def test_set_default_dtype_rejects_ints():
    torch = import_torch()
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        gradkit.set_default_dtype(gradkit.int64)


# ---------------------------------------------------------------------------------------------
# dtype objects and conversions
# ---------------------------------------------------------------------------------------------
def test_dtype_objects():
    assert repr(gradkit.float32) == "gradkit.float32"
    assert gradkit.float is gradkit.float32 and gradkit.double is gradkit.float64
    assert gradkit.long is gradkit.int64 and gradkit.int is gradkit.int32
    assert gradkit.half is gradkit.float16 and gradkit.short is gradkit.int16
    assert gradkit.float32.is_floating_point and not gradkit.int64.is_floating_point
    assert not gradkit.uint8.is_signed and gradkit.int8.is_signed
    assert gradkit.float64.itemsize == 8
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(gradkit.float32)) is gradkit.float32
    assert copy.deepcopy(gradkit.int64) is gradkit.int64


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half"])
def test_conversion_methods(method):
    x = np.array([[1.7, -2.2], [0.0, 3.5]], np.float32)
    check(lambda t, a: getattr(a, method)(), x, requires_grad=False, rtol=1e-3)


@pytest.mark.parametrize("target", ["float32", "float64", "int64", "int32", "uint8", "bool",
                                    "float16", "int16", "int8"])
def test_to_and_type(target):
    x = np.array([[1.7, 2.2], [0.0, 3.5]], np.float32)
    check(lambda t, a: a.to(getattr(t, target)), x, requires_grad=False, rtol=1e-3)
    check(lambda t, a: a.type(getattr(t, target)), x, requires_grad=False, rtol=1e-3)


def test_to_keeps_identity_when_nothing_changes_and_differentiates():
    x = gradkit.ones(3)
    assert x.to(gradkit.float32) is x
    assert x.to("cpu") is x
    assert x.float() is x
    y = x.to(gradkit.float64)
    assert y.dtype is gradkit.float64 and y is not x
    check(lambda t, a: a.double() * 2, np.ones(3, np.float32))
    check(lambda t, a: (a.to(t.float64) ** 2).sum(), np.ones(3, np.float32))
    w = gradkit.ones(2, requires_grad=True)
    assert w.double().grad_fn.name() == "ToCopyBackward0"


def test_type_without_argument_names_the_legacy_type():
    torch = import_torch()
    for gk, th in [(gradkit.ones(1), torch.ones(1)),
                   (gradkit.tensor([1]), torch.tensor([1])),
                   (gradkit.ones(1, dtype=gradkit.float64), torch.ones(1, dtype=torch.float64)),
                   (gradkit.tensor([True]), torch.tensor([True]))]:
        assert gk.type() == th.type().replace("torch.", "gradkit.")


def test_dtype_of_reductions_over_ints_and_bools():
    ints = np.array([[1, 2], [3, 4]], np.int32)
    bools = np.array([[True, False], [True, True]])
    for a in (ints, bools):
        check(lambda t, x: x.sum(), a)
        check(lambda t, x: x.sum(dim=0), a)
        check(lambda t, x: x.prod(), a)
        check(lambda t, x: x.cumsum(0), a)
        check(lambda t, x: x.max(), a)
    check(lambda t, x: x.sum(dtype=t.float64), ints)


def test_in_place_ops_keep_dtype_and_refuse_float_into_int():
    check(lambda t, x: x.add_(1), np.array([1, 2], np.int32))
    check(lambda t, x: x.mul_(2.5), np.array([1, 2], np.int64))
    check(lambda t, x: x.add_(2.5), np.array([1.0, 2.0], np.float32), requires_grad=False)
    check(lambda t, x, y: x.add_(y), np.array([1.0], np.float32),
          np.array([1.0], np.float64), requires_grad=False)
    check(lambda t, x, y: x.add_(y), np.array([1], np.int64), np.array([True]))


def test_unsupported_numpy_dtypes_raise_type_error():
    for array in (np.array([1 + 2j]), np.array(["a"]), np.array([1], np.uint16)):
        with pytest.raises(TypeError):
            gradkit.tensor(array)
        with pytest.raises(TypeError):
            gradkit.from_numpy(array)


def test_unsupported_numpy_dtype_is_named_as_torch_names_it():
    """pandas' ``DataFrame.values`` of mixed float/bool columns is an object array: the error
    names its type as torch does (``numpy.object_``), not NumPy's ``object``."""
    torch = import_torch()
    arrays = (np.array([1.0, True], dtype=object), np.array(["a"]), np.array([b"a"]),
              np.array(["2020-01-01"], dtype="datetime64[D]"))
    for array in arrays:
        for convert in (lambda t, a: t.tensor(a), lambda t, a: t.from_numpy(a)):
            errors = []
            for lib in (gradkit, torch):
                with pytest.raises(TypeError) as info:
                    convert(lib, array)
                errors.append(str(info.value))
            # The list of supported types that follows is gradkit's own (no complex, uint16+).
            ours, theirs = (e.split(". The only supported types")[0] for e in errors)
            assert ours == theirs, (ours, theirs)
            name = array.dtype.type.__name__
            assert errors[0].startswith(f"can't convert np.ndarray of type numpy.{name}.")


def test_operator_results_with_every_dtype_pair_in_place():
    """``a += b`` keeps a's dtype when the result type can be cast to it, else raises as torch."""
    for a_dtype, b_dtype in itertools.product([np.int64, np.float32, np.bool_],
                                              [np.int64, np.float32, np.bool_]):
        a, b = sample(a_dtype, (3,)), sample(b_dtype, (3,))
        check(lambda t, x, y: operator.iadd(x, y), a, b, requires_grad=False)


def test_python_ints_beyond_the_tensor_dtype_wrap_as_in_torch():
    """A Python int never widens an int tensor; PyTorch wraps it to the tensor's dtype (NumPy 2
    would raise its own OverflowError)."""
    check(lambda t, x: x + 300, np.array([1, 2], np.uint8))
    check(lambda t, x: x - 200, np.array([1, 2], np.int8))
    check(lambda t, x: x * 2**40, np.array([1, 2], np.int32))
    check(lambda t, x: x == 300, np.array([1, 44], np.uint8))
