"""Elementwise ops against PyTorch and finite differences: arithmetic with broadcasting and
Python scalars on either side, math functions, activations, clamp, maximum/minimum, where,
comparisons and logical ops."""
from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradkit
from oracle import check, gradcheck
from strategies import away_from, broadcast_pair, float_arrays, positive_arrays

rng = np.random.default_rng(1)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float32):
    return rng.uniform(low, high, shape).astype(dtype)


BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
}


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=15, deadline=None)
@given(pair=broadcast_pair(positive_second=True))
def test_binary_broadcasting_matches_torch(name, pair):
    op = BINARY[name]
    check(lambda t, a, b: op(a, b), *pair)


@settings(max_examples=15, deadline=None)
@given(pair=broadcast_pair(positive_second=True))
def test_pow_tensor_exponent_matches_torch(pair):
    base, exponent = pair
    check(lambda t, a, b: t.pow(a.abs() + 0.5, b), base, exponent)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "pow", "mod", "floordiv"])
@pytest.mark.parametrize("scalar", [2, 2.5, -1.5, True])
def test_python_scalar_on_either_side(name, scalar):
    op = getattr(operator, name)
    x = rand(3, 2, low=0.5, high=2.0)
    if scalar is True and name in ("sub", "pow"):
        return  # bool subtraction is an error (test_subtracting_a_bool_raises); x ** True is x
    # ``//`` and ``scalar % x`` are not differentiable (PyTorch marks their grad_fn
    # NotImplemented), so they are compared without gradients.
    check(lambda t, a: op(a, scalar), x, requires_grad=name != "floordiv")
    check(lambda t, a: op(scalar, a), x, requires_grad=name not in ("floordiv", "mod"))


def test_subtracting_a_bool_raises():
    x = np.array([1.5, 2.0], np.float32)
    check(lambda t, a: a - True, x)
    check(lambda t, a: True - a, x)
    check(lambda t, a: a - t.tensor([True, False]), x)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_integer_arithmetic(name, dtype):
    op = getattr(operator, name)
    a = np.array([[7, 3, 0], [5, 9, 4]], dtype=dtype)
    b = np.array([2, 3, 1], dtype=dtype)
    check(lambda t, x, y: op(x, y), a, b)
    check(lambda t, x: op(x, 3), a)
    check(lambda t, x: op(x, 2.5), a)


def test_integer_floor_division_and_remainder_with_negative_numbers():
    a = np.array([-7, 7, -7, 7, 0], dtype=np.int64)
    b = np.array([2, -2, -2, 2, 3], dtype=np.int64)
    check(lambda t, x, y: x // y, a, b)
    check(lambda t, x, y: x % y, a, b)
    check(lambda t, x, y: t.remainder(x, y), a, b)
    check(lambda t, x, y: t.floor_divide(x, y), a, b)
    check(lambda t, x: -7 // x, b)
    check(lambda t, x: -7 % x, b)


def test_float_floor_division_and_remainder():
    a = np.array([-7.5, 7.25, -0.5, 3.0], dtype=np.float32)
    b = np.array([2.0, -2.0, 0.75, 1.5], dtype=np.float32)
    check(lambda t, x, y: x // y, a, b, requires_grad=False)
    check(lambda t, x, y: x % y, a, b)


def test_integer_division_by_zero_raises_like_torch():
    a = np.array([1, 2], dtype=np.int64)
    b = np.array([0, 1], dtype=np.int64)
    check(lambda t, x, y: x // y, a, b)
    check(lambda t, x, y: x % y, a, b)
    # True division by zero gives inf, not an error.
    check(lambda t, x, y: x / y, a, b)


def test_integer_to_negative_power_raises():
    a = np.array([1, 2], dtype=np.int64)
    check(lambda t, x: x ** -1, a)
    check(lambda t, x: x ** -1.0, a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_unary_minus_and_pos(dtype):
    x = np.array([[1, -2], [0, 3]], dtype=dtype)
    check(lambda t, a: -a, x)
    check(lambda t, a: +a, x)
    check(lambda t, a: t.neg(a), x)


def test_alpha_argument_of_add_and_sub():
    x, y = rand(3), rand(3)
    check(lambda t, a, b: t.add(a, b, alpha=2.5), x, y)
    check(lambda t, a, b: a.sub(b, alpha=-3), x, y)


# ---------------------------------------------------------------------------------------------
# math functions and activations
# ---------------------------------------------------------------------------------------------
UNARY = ["abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu"]
POSITIVE_ONLY = {"log", "sqrt"}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_unary_matches_torch(name, data):
    x = data.draw(positive_arrays() if name in POSITIVE_ONLY else float_arrays())
    check(lambda t, a: getattr(a, name)(), x)
    check(lambda t, a: getattr(t, name)(a), x)


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradcheck_contiguous_and_transposed(name):
    x = rand(3, 4, low=0.2, high=2.0) if name in POSITIVE_ONLY else away_from(rand(3, 4))
    gradcheck(lambda t, a: getattr(t, name)(a), x)
    gradcheck(lambda t, a: getattr(t, name)(a.t()) * 1.5, x)
    check(lambda t, a: getattr(t, name)(a.t()), x.astype(np.float32))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_float_functions_of_int_tensors_are_float32(name, dtype):
    x = np.array([[1, 2], [3, 1]]).astype(dtype)
    check(lambda t, a: getattr(a, name)(), x)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_abs_and_relu_keep_dtype(dtype):
    x = np.array([[-1, 2], [0, -3]]).astype(dtype)
    check(lambda t, a: a.abs(), x)
    check(lambda t, a: a.relu(), x)
    check(lambda t, a: abs(a), x)


def test_special_values():
    x = np.array([0.0, -1.0, np.inf, -np.inf, np.nan, 1e-30, 100.0], dtype=np.float32)
    for name in ("exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs"):
        check(lambda t, a: getattr(a, name)(), x, grad=False)


def test_sigmoid_does_not_overflow():
    x = np.array([-1000.0, -80.0, 0.0, 80.0, 1000.0], dtype=np.float32)
    check(lambda t, a: a.sigmoid(), x)


def test_relu_gradient_at_zero_is_zero():
    check(lambda t, a: t.relu(a), np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    x = gradkit.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]


def test_pow_gradients():
    x = rand(3, 2, low=0.3, high=2.0)
    for exponent in (2, 3, 0.5, -1.5, 0):
        check(lambda t, a: a ** exponent, x)
        gradcheck(lambda t, a: a ** exponent, x)
    check(lambda t, a: 2 ** a, x)
    check(lambda t, a: t.pow(2, a), x)
    check(lambda t, a: t.pow(a, 3), x)
    check(lambda t, a: t.pow(a, a), x)
    gradcheck(lambda t, a: 2.5 ** a, x)
    gradcheck(lambda t, a: t.pow(1.5, a), x)
    gradcheck(lambda t, a, b: t.pow(a, b), x, rand(2, low=-1.0, high=2.0))
    gradcheck(lambda t, a, b: a.t() ** b, x, rand(2, 1, low=-1.0, high=2.0))
    # 0 ** b: PyTorch's gradient with respect to b is 0 there, not nan.
    check(lambda t, a, b: a ** b, np.array([0.0, 1.0, 2.0], np.float32),
          np.array([2.0, 2.0, 0.5], np.float32))


@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.3), (-0.2, None), (0.1, 0.1)])
def test_clamp(bounds):
    low, high = bounds
    x = away_from(rand(4, 3), points=(-0.5, 0.5, 0.3, -0.2, 0.1)).astype(np.float32)
    check(lambda t, a: a.clamp(low, high), x)
    check(lambda t, a: t.clamp(a, min=low, max=high), x)
    check(lambda t, a: a.clip(low, high), x)
    gradcheck(lambda t, a: t.clamp(a.t(), low, high), x)


def test_clamp_of_int_tensor_with_float_bound_is_float():
    x = np.array([1, 5, -3], dtype=np.int64)
    check(lambda t, a: a.clamp(0, 2), x)
    check(lambda t, a: a.clamp(0.5, 2.5), x)


def test_clamp_without_bounds_raises():
    check(lambda t, a: a.clamp(), rand(3))


@settings(max_examples=15, deadline=None)
@given(pair=broadcast_pair())
def test_maximum_minimum_broadcasting(pair):
    check(lambda t, a, b: t.maximum(a, b), *pair)
    check(lambda t, a, b: t.minimum(a, b), *pair)
    check(lambda t, a, b: t.max(a, b), *pair)
    check(lambda t, a, b: t.min(a, b), *pair)


def test_maximum_ties_split_the_gradient():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = np.array([1.0, 5.0, 0.0], np.float32)
    check(lambda t, x, y: t.maximum(x, y), a, b)
    check(lambda t, x, y: t.minimum(x, y), a, b)
    x = gradkit.tensor(a, requires_grad=True)
    y = gradkit.tensor(b, requires_grad=True)
    gradkit.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 0.0, 1.0]
    assert y.grad.tolist() == [0.5, 1.0, 0.0]


def test_maximum_gradcheck():
    a, b = rand(3, 4), rand(4)
    gradcheck(lambda t, x, y: t.maximum(x, y), a, b)
    gradcheck(lambda t, x, y: t.minimum(x.t(), y[None, :3]), a, b)
    gradcheck(lambda t, x, y: t.max(x, y), a, b)


def test_maximum_mixed_dtypes():
    check(lambda t, x, y: t.maximum(x, y), np.array([1, 5], np.int64),
          np.array([2.5, 3.5], np.float32))


@settings(max_examples=15, deadline=None)
@given(pair=broadcast_pair(), data=st.data())
def test_where_broadcasting(pair, data):
    a, b = pair
    cond_shape = data.draw(st.sampled_from([np.broadcast_shapes(a.shape, b.shape), a.shape, ()]))
    condition = data.draw(st.lists(st.booleans(), min_size=int(np.prod(cond_shape)),
                                   max_size=int(np.prod(cond_shape))))
    condition = np.array(condition, dtype=bool).reshape(cond_shape)
    check(lambda t, c, x, y: t.where(c, x, y), condition, a, b)


def test_where_with_scalars_and_gradcheck():
    x = rand(3, 4)
    check(lambda t, a: t.where(a > 0, a, 0.0), x)
    check(lambda t, a: t.where(a > 0, 1.0, a), x)
    check(lambda t, a: t.where(a > 0, a, 0), x)
    check(lambda t, a: t.where(a > 0, 1, 0), x)
    check(lambda t, a: t.where(a > 0), x)
    gradcheck(lambda t, a, b: t.where(a > 0, a * b, b), x, rand(4))
    gradcheck(lambda t, a, b: t.where(a.t() > 0, a.t(), b), x, rand(3))


def test_where_needs_bool_condition():
    x = rand(3)
    check(lambda t, a: t.where(a, a, a), x)
    check(lambda t, a: t.where(t.tensor([1, 0, 1], dtype=t.int8), a, 0.0), x)


def test_where_reads_a_uint8_condition_as_bool_with_torchs_warning():
    condition = np.array([[1, 0, 1], [0, 0, 1]], np.uint8)
    message = "where received a uint8 condition tensor. This behavior is deprecated"
    with pytest.warns(UserWarning, match=message):
        check(lambda t, c, a: t.where(c, a, 0.0), condition, rand(2, 3))
    with pytest.warns(UserWarning, match=message) as caught:
        gradkit.where(gradkit.tensor(condition), 1, 0)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
@settings(max_examples=8, deadline=None)
@given(pair=broadcast_pair())
def test_comparisons_broadcast_to_bool(name, pair):
    op = getattr(operator, name)
    a, b = pair
    b = np.where(np.random.default_rng(0).random(b.shape) < 0.3, 0.0, b).astype(np.float32)
    check(lambda t, x, y: op(x, y), a, b)
    check(lambda t, x, y: getattr(t, name)(x, y), a, b)
    check(lambda t, x: op(x, 0.0), a)
    check(lambda t, x: op(0, x), a)


def test_comparisons_mixed_dtypes():
    a = np.array([1, 2, 3], np.int64)
    b = np.array([1.0, 2.5, 2.0], np.float32)
    for op in (operator.eq, operator.lt, operator.ge):
        check(lambda t, x, y: op(x, y), a, b)
        check(lambda t, x: op(x, 2.5), a)


def test_logical_ops_on_bool_tensors():
    a = np.array([[True, False], [True, True]])
    b = np.array([False, True])
    check(lambda t, x, y: x & y, a, b)
    check(lambda t, x, y: x | y, a, b)
    check(lambda t, x, y: x ^ y, a, b)
    check(lambda t, x: ~x, a)
    check(lambda t, x, y: t.logical_and(x, y), a, b)
    check(lambda t, x, y: t.logical_or(x, y), a, b)
    check(lambda t, x, y: t.logical_xor(x, y), a, b)
    check(lambda t, x: t.logical_not(x), a)
    check(lambda t, x: x & True, a)


def test_logical_functions_on_numbers():
    a = np.array([0.0, 1.5, -2.0], np.float32)
    b = np.array([3, 0, 1], np.int64)
    check(lambda t, x, y: t.logical_and(x, y), a, b)
    check(lambda t, x: t.logical_not(x), a)


def test_bitwise_ops_on_floats_raise():
    a = np.array([1.0, 2.0], np.float32)
    check(lambda t, x: x & x, a)
    check(lambda t, x: ~x, a)


def test_bool_arithmetic_errors_like_torch():
    a = np.array([True, False])
    check(lambda t, x: -x, a)
    check(lambda t, x, y: x - y, a, a)
    check(lambda t, x, y: x + y, a, a)
    check(lambda t, x, y: x * y, a, a)


def test_abs_gradient_at_zero_is_zero():
    check(lambda t, a: a.abs(), np.array([-1.0, 0.0, 2.0], np.float32))


def test_numpy_scalars_and_arrays_as_operands():
    x = rand(3)
    check(lambda t, a: a * np.float32(2.0), x)
    check(lambda t, a: np.float64(2.0) * a, x)
    check(lambda t, a: a + np.int64(3), x)


@settings(max_examples=10, deadline=None)
@given(pair=broadcast_pair(dtype=np.float64, positive_second=True, max_dims=2))
def test_binary_gradcheck_broadcasting(pair):
    a, b = pair
    gradcheck(lambda t, x, y: x * y + x / y - y, a, b)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_gradcheck_transposed_inputs(name):
    op = BINARY[name]
    a = rand(3, 4, dtype=np.float64)
    b = rand(4, 3, low=0.5, high=2.0, dtype=np.float64)
    gradcheck(lambda t, x, y: op(x.t(), y), a, b)
    gradcheck(lambda t, x, y: op(x, y.transpose(0, 1)[:, :1]), a, b)
    check(lambda t, x, y: op(x.t(), y), a.astype(np.float32), b.astype(np.float32))


def test_scalar_operands_gradcheck():
    x = rand(2, 3, low=0.5, high=2.0, dtype=np.float64)
    gradcheck(lambda t, a: 2 - a, x)
    gradcheck(lambda t, a: 3 / a, x)
    gradcheck(lambda t, a: a / 3 + 1, x)
    gradcheck(lambda t, a: -a * 0.5, x)


def test_remainder_gradcheck():
    a = np.array([5.3, -3.7, 2.2], np.float64)
    b = np.array([2.0, 1.5, -0.7], np.float64)
    gradcheck(lambda t, x, y: x % y, a, b)
    check(lambda t, x, y: t.remainder(x, y), a.astype(np.float32), b.astype(np.float32))


def test_zero_dim_tensors():
    x = np.array(2.5, np.float32)
    y = rand(3)
    check(lambda t, a, b: a * b, x, y)
    check(lambda t, a: a.exp(), x)
    gradcheck(lambda t, a, b: (a * b).sin(), x.astype(np.float64), y.astype(np.float64))


def test_empty_tensors():
    x = np.zeros((0, 3), np.float32)
    check(lambda t, a: a * 2 + a.exp(), x)
    check(lambda t, a, b: a + b, x, np.ones(3, np.float32))


def test_copies_and_conversions_gradcheck():
    x = rand(3, 4, dtype=np.float64)
    gradcheck(lambda t, a: a.clone() * a, x)
    gradcheck(lambda t, a: a.t().contiguous() * 2, x)
    gradcheck(lambda t, a: a.to(t.float64).clone().t(), x)
    check(lambda t, a: a.t().contiguous().exp(), x.astype(np.float32))
    check(lambda t, a: a.double().sum(), x.astype(np.float32))
    check(lambda t, a: a.to(t.float16).float() * 2, x.astype(np.float32), rtol=2e-3, atol=2e-3)


def test_fmod_takes_the_sign_of_the_dividend():
    a = np.array([2.0, -2.0, 0.5, -7.25, 5.0], np.float32)
    b = np.array([1.5, 1.5, -0.3, 2.0, -3.0], np.float32)
    check(lambda t, x, y: t.fmod(x, y), a, b)
    check(lambda t, x: x.fmod(1.5), a)
    check(lambda t, x: t.fmod(x, -2), a)
    check(lambda t, x, y: t.fmod(x, y), np.array([7, -7, 7, -7]), np.array([3, 3, -3, -3]))
    check(lambda t, x: x.fmod(3), np.array([7, -7, 0]))
    check(lambda t, x, y: x.fmod(y), np.array([7, -7]), np.array([0, 3]))
    gradcheck(lambda t, x, y: t.fmod(x, y), a.astype(np.float64), b.astype(np.float64))


def test_gradients_at_special_points():
    x = np.array([0.0, 2.0], np.float32)
    check(lambda t, a: a.sqrt(), x)
    check(lambda t, a: a.log(), x)
    check(lambda t, a: 1.0 / a, x)
    check(lambda t, a: a ** 1, x)
    check(lambda t, a: a.abs(), x)
    # x ** 0 is the constant 1: its gradient is 0 everywhere, 0 included (not 0 * inf).
    check(lambda t, a: a ** 0, x)
    check(lambda t, a: a ** 0.0, x)
    check(lambda t, a: a ** t.zeros(2), x)
    check(lambda t, a: t.where(a > 1, a, a.log()), x)  # the unused branch's inf is masked


def test_float32_exp_prints_what_torch_prints():
    # The book's ndarray section prints torch.exp of 0..11 and larger values: NumPy's float32
    # exp is one ulp low on several of them (exp(12) -> 162754.7812, torch 162754.7969).
    from oracle import check_repr

    # The book's x after "X[:2, :] = 12" (a view): values close enough for fixed notation.
    check_repr(lambda t: t.exp(t.tensor([12.0] * 8 + [8.0, 9.0, 10.0, 11.0])))
    check_repr(lambda t: t.exp(t.arange(8, 14, dtype=t.float32)))


def test_float32_exp_is_the_nearest_float32():
    x = np.linspace(-80, 80, 2001, dtype=np.float32)
    got = gradkit.exp(gradkit.tensor(x)).numpy()
    nearest = np.exp(x.astype(np.float64)).astype(np.float32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, nearest)
    check(gradkit.exp, x[:50] / 10)  # values and gradient against torch
