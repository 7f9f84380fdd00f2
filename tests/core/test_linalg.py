"""matmul/@, mm, mv, dot and bmm against PyTorch and finite differences, errors included."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracle import check, check_error, gradcheck
from strategies import float_arrays

rng = np.random.default_rng(3)


def rand(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 3), (3, 1)), ((0, 3), (3, 2)),
    ((2, 0), (0, 3)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(shapes):
    a, b = rand(*shapes[0]), rand(*shapes[1])
    check(lambda t, x, y: t.matmul(x, y), a, b)
    check(lambda t, x, y: x @ y, a, b)
    check(lambda t, x, y: x.matmul(y), a, b)


@pytest.mark.parametrize("shapes", [s for s in MATMUL_SHAPES if 0 not in s[0] + s[1]], ids=str)
def test_matmul_gradcheck(shapes):
    a, b = rand(*shapes[0], dtype=np.float64), rand(*shapes[1], dtype=np.float64)
    gradcheck(lambda t, x, y: x @ y, a, b)


def test_mm_mv_dot_bmm():
    a, b = rand(2, 3), rand(3, 4)
    v, w = rand(3), rand(3)
    x, y = rand(5, 2, 3), rand(5, 3, 4)
    check(lambda t, p, q: t.mm(p, q), a, b)
    check(lambda t, p, q: p.mm(q), a, b)
    check(lambda t, p, q: t.mv(p, q), a, v)
    check(lambda t, p, q: t.dot(p, q), v, w)
    check(lambda t, p, q: p.dot(q), v, w)
    check(lambda t, p, q: t.bmm(p, q), x, y)
    check(lambda t, p, q: p.bmm(q), x, y)
    for fn, args in [(lambda t, p, q: t.mm(p, q), (a, b)), (lambda t, p, q: t.mv(p, q), (a, v)),
                     (lambda t, p, q: t.dot(p, q), (v, w)), (lambda t, p, q: t.bmm(p, q), (x, y))]:
        gradcheck(fn, *[arr.astype(np.float64) for arr in args])


def test_non_contiguous_operands():
    a, b = rand(3, 2, dtype=np.float64), rand(4, 3, dtype=np.float64)
    gradcheck(lambda t, x, y: x.t() @ y.t(), a, b)
    gradcheck(lambda t, x, y: t.mm(x.T, y.transpose(0, 1)), a, b)
    gradcheck(lambda t, x, y: t.mv(y, x[:, 0]), a, b)  # a strided column
    gradcheck(lambda t, x, y: t.dot(x[:, 1], y[1]), a, b)
    batch = rand(2, 4, 3, dtype=np.float64)
    gradcheck(lambda t, x, y: t.bmm(x.transpose(1, 2), x), batch, b)
    check(lambda t, x, y: x.t() @ y.t(), a.astype(np.float32), b.astype(np.float32))


def test_integer_matmul():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    b = np.arange(12, dtype=np.int64).reshape(3, 4)
    check(lambda t, x, y: x @ y, a, b)
    check(lambda t, x: t.dot(x[0], x[1]), a)
    check(lambda t, x, y: t.mv(x, y[:, 0]), a, b)


@st.composite
def matmul_operands(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch_a = draw(st.lists(st.integers(1, 3), max_size=2))
    batch_b = list(batch_a[len(batch_a) - draw(st.integers(0, len(batch_a))):])
    batch_b = [1 if draw(st.booleans()) else s for s in batch_b]
    if draw(st.booleans()):
        batch_a, batch_b = batch_b, batch_a
    a_shape = tuple(batch_a) + (n, k) if draw(st.integers(0, 3)) else (k,)
    b_shape = tuple(batch_b) + (k, m) if draw(st.integers(0, 3)) else (k,)
    return draw(float_arrays(a_shape)), draw(float_arrays(b_shape))


@settings(max_examples=30, deadline=None)
@given(operands=matmul_operands())
def test_matmul_property(operands):
    check(lambda t, x, y: x @ y, *operands, atol=1e-4)


@settings(max_examples=10, deadline=None)
@given(operands=matmul_operands())
def test_matmul_gradcheck_property(operands):
    gradcheck(lambda t, x, y: x @ y, *(o.astype(np.float64) for o in operands))


# ---------------------------------------------------------------------------------------------
# errors: PyTorch's exception type and a message in the user's terms
# ---------------------------------------------------------------------------------------------
BAD_MATMULS = [((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 5)), ((2, 3), (4, 5)),
               ((5, 2, 3), (4, 2)), ((5, 2, 3), (4, 3, 2)), ((2, 5, 2, 3), (3, 3, 2)),
               ((), (3,)), ((3,), ())]


@pytest.mark.parametrize("shapes", BAD_MATMULS, ids=str)
def test_matmul_shape_mismatch(shapes):
    error = check_error(lambda t, x, y: x @ y, rand(*shapes[0]), rand(*shapes[1]))
    assert isinstance(error, RuntimeError)


def test_matmul_message_names_the_shapes():
    error = check_error(lambda t, x, y: x @ y, rand(256, 784), rand(785, 10))
    assert "mat1 and mat2 shapes cannot be multiplied (256x784 and 785x10)" in str(error)


@pytest.mark.parametrize("name,shapes", [
    ("mm", ((2, 3), (4, 5))), ("mm", ((3,), (3, 4))), ("mm", ((2, 3), (3,))),
    ("mm", ((2, 2, 3), (3, 4))), ("mv", ((2, 3), (4,))), ("mv", ((3,), (3,))),
    ("mv", ((2, 3), (3, 1))), ("dot", ((3,), (4,))), ("dot", ((2, 3), (3,))),
    ("dot", ((3,), (3, 1))), ("bmm", ((5, 2, 3), (4, 3, 2))), ("bmm", ((5, 2, 3), (5, 4, 2))),
    ("bmm", ((2, 3), (3, 2))), ("bmm", ((5, 2, 3), (3, 2))),
], ids=str)
def test_product_shape_errors(name, shapes):
    error = check_error(lambda t, x, y: getattr(t, name)(x, y), rand(*shapes[0]),
                        rand(*shapes[1]))
    assert isinstance(error, RuntimeError)


def test_dtype_mismatch_raises():
    a, b = rand(2, 3), rand(3, 2, dtype=np.float64)
    check_error(lambda t, x, y: x @ y, a, b)
    check_error(lambda t, x, y: t.mm(x, y), a, b)
    check_error(lambda t, x, y: t.dot(x[0], y[:, 0]), a, b)
    check_error(lambda t, x, y: x @ y, a, np.ones((3, 2), np.int64))


def test_non_tensor_operand_raises_type_error():
    check_error(lambda t, x: t.matmul(x, [[1.0], [2.0], [3.0]]), rand(2, 3))
    check_error(lambda t, x: x.mm(2.0), rand(2, 3))
