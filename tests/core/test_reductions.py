"""Reductions against PyTorch and finite differences, with hypothesis-drawn dims and keepdim."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradkit
from oracle import check, gradcheck
from strategies import array_and_dim, array_and_dims, float_arrays, shapes

rng = np.random.default_rng(2)


def rand(*shape, dtype=np.float32):
    return rng.uniform(-2, 2, shape).astype(dtype)


def distinct(*shape, dtype=np.float32):
    """Values without ties (so argmax and max's gradient are unambiguous)."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.37 - 1.5).astype(dtype)


UNIQUE_ARRAYS = hnp.arrays(np.float32, shapes(min_dims=1), unique=True,
                           elements=st.floats(-100, 100, allow_subnormal=False, width=32))


@st.composite
def unique_array_and_dim(draw):
    array = draw(UNIQUE_ARRAYS)
    return array, draw(st.integers(-array.ndim, array.ndim - 1))


# ---------------------------------------------------------------------------------------------
# sum, mean, var, std, norm, logsumexp, amax over dims
# ---------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(case=array_and_dims(), keepdim=st.booleans())
def test_sum_and_mean(case, keepdim):
    x, dim = case
    if dim is None:
        check(lambda t, a: a.sum(), x)
        check(lambda t, a: a.mean(), x)
        check(lambda t, a: t.sum(a), x)
        return
    check(lambda t, a: a.sum(dim, keepdim=keepdim), x)
    check(lambda t, a: t.sum(a, dim=dim, keepdim=keepdim), x)
    check(lambda t, a: a.mean(dim=dim, keepdim=keepdim), x)
    check(lambda t, a: t.mean(a, dim, keepdim), x)


@settings(max_examples=15, deadline=None)
@given(case=array_and_dims(), keepdim=st.booleans(), correction=st.sampled_from([None, 0, 1]))
def test_var_and_std(case, keepdim, correction):
    x, dim = case
    axes = range(x.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    if int(np.prod([x.shape[d] for d in axes])) <= 1:
        x = np.concatenate([x, x + 1], axis=0 if dim is None else list(axes)[0])
    kwargs = {} if correction is None else {"correction": correction}
    check(lambda t, a: a.var(dim, keepdim=keepdim, **kwargs), x, rtol=1e-3)
    check(lambda t, a: a.std(dim, keepdim=keepdim, **kwargs), x, rtol=1e-3)


def test_var_std_spellings():
    x = rand(3, 4)
    check(lambda t, a: a.var(), x)
    check(lambda t, a: a.std(unbiased=False), x)
    check(lambda t, a: a.var(1, unbiased=True), x)
    check(lambda t, a: a.std(0, True), x)  # the old positional (dim, unbiased) form
    check(lambda t, a: t.var(a, dim=1, keepdim=True), x)
    check(lambda t, a: t.std(a, (0, 1), correction=0), x)
    # One element: unbiased variance is nan (0/0), as in PyTorch.
    check(lambda t, a: a.var(), np.array([2.0], np.float32), grad=False)
    check(lambda t, a: a.std(0), np.array([[2.0, 3.0]], np.float32), grad=False)


@settings(max_examples=20, deadline=None)
@given(case=array_and_dims(), keepdim=st.booleans(), p=st.sampled_from([None, 2, 1, "fro",
                                                                        float("inf")]))
def test_norm(case, keepdim, p):
    x, dim = case
    if p == "fro" and isinstance(dim, int):
        dim = (dim,)
    if p is None:
        check(lambda t, a: a.norm(), x)
        check(lambda t, a: t.norm(a), x)
        return
    check(lambda t, a: a.norm(p=p, dim=dim, keepdim=keepdim), x)


def test_frobenius_norm_takes_at_most_two_dims():
    x = rand(2, 2, 2)
    check(lambda t, a: a.norm(dim=(0, 1, 2)), x)
    check(lambda t, a: a.norm(p="fro", dim=[0, 2]), x)
    check(lambda t, a: a.norm(p=2, dim=(0, 1, 2)), x)


def test_norm_cases_from_the_book():
    check(lambda t: t.tensor([3.0, -4.0]).norm())          # vector 2-norm
    check(lambda t: t.abs(t.tensor([3.0, -4.0])).sum())    # L1 the book's way
    check(lambda t: t.norm(t.ones((4, 9))))                # Frobenius
    check(lambda t, a: a.norm(p=1), np.array([3.0, -4.0], np.float32))
    check(lambda t, a: t.norm(a, 1), np.array([3.0, -4.0], np.float32))
    check(lambda t, a: a.norm(), np.zeros(3, np.float32))   # gradient at zero is 0
    check(lambda t, a: a.norm(dim=1), np.array([[0, 0], [3, 4]], np.float32))


@settings(max_examples=20, deadline=None)
@given(case=array_and_dims(), keepdim=st.booleans())
def test_logsumexp(case, keepdim):
    x, dim = case
    if dim is None:
        dim = tuple(range(x.ndim))
    check(lambda t, a: a.logsumexp(dim, keepdim=keepdim), x)
    check(lambda t, a: t.logsumexp(a * 300, dim=dim, keepdim=keepdim), x)  # no overflow


def test_logsumexp_special_values():
    check(lambda t, a: a.logsumexp(1), np.array([[-np.inf, 0.0], [-np.inf, -np.inf]], np.float32),
          grad=False)
    check(lambda t, a: a.logsumexp(0), np.array([1000.0, 1000.0], np.float32))
    check(lambda t, a: a.logsumexp(0), np.array([-1000.0, 5.0], np.float32))
    check(lambda t, a: a.logsumexp(0), np.array([1, 2], np.int64))


@settings(max_examples=20, deadline=None)
@given(case=array_and_dims(), keepdim=st.booleans())
def test_amax_amin(case, keepdim):
    x, dim = case
    x = np.round(x)  # ties: the gradient is shared evenly among them
    if dim is None:
        check(lambda t, a: a.amax(), x)
        check(lambda t, a: a.amin(), x)
        return
    check(lambda t, a: a.amax(dim, keepdim), x)
    check(lambda t, a: t.amin(a, dim=dim, keepdim=keepdim), x)


def test_dim_aliases_axis_and_keepdims():
    x = rand(2, 3, 4)
    check(lambda t, a: a.sum(axis=1), x)
    check(lambda t, a: a.sum(axis=(0, 2), keepdims=True), x)
    check(lambda t, a: a.mean(axis=-1, keepdims=True), x)
    check(lambda t, a: t.sum(a, axis=[0, 1]), x)
    check(lambda t, a: a.argmax(axis=1), x)
    check(lambda t, a: a.cumsum(axis=2), x)


def test_empty_dim_list_reduces_everything():
    check(lambda t, a: a.sum(dim=[]), rand(2, 3))
    check(lambda t, a: a.mean(dim=()), rand(2, 3))


# ---------------------------------------------------------------------------------------------
# prod, max/min with dim, argmax/argmin, cumsum
# ---------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(case=array_and_dim(), keepdim=st.booleans())
def test_prod(case, keepdim):
    x, dim = case
    check(lambda t, a: a.prod(), x, rtol=1e-3)
    check(lambda t, a: a.prod(dim, keepdim=keepdim), x, rtol=1e-3)
    check(lambda t, a: t.prod(a, dim=dim), x, rtol=1e-3)


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [1.5, -2.0, 0.5]])
def test_prod_gradient_with_zeros(values):
    x = np.array(values, np.float32)
    check(lambda t, a: a.prod(), x)
    check(lambda t, a: a.prod(0), x)
    check(lambda t, a: a.reshape(1, 3).prod(1, keepdim=True), x)
    gradcheck(lambda t, a: a.prod(), x.astype(np.float64))
    gradcheck(lambda t, a: a.reshape(3, 1).expand(3, 2).prod(0), x.astype(np.float64))


@settings(max_examples=25, deadline=None)
@given(case=unique_array_and_dim(), keepdim=st.booleans())
def test_max_min_with_dim_return_values_and_indices(case, keepdim):
    x, dim = case
    for name in ("max", "min"):
        out = check(lambda t, a: getattr(a, name)(dim, keepdim=keepdim), x)
        assert out.values is out[0] and out.indices is out[1]
        check(lambda t, a: getattr(t, name)(a, dim=dim, keepdim=keepdim), x)
        check(lambda t, a: getattr(a, name)(dim=dim).values * 2, x)
        check(lambda t, a: getattr(a, name)(), x)
    check(lambda t, a: a.argmax(dim, keepdim=keepdim), x)
    check(lambda t, a: t.argmin(a, dim=dim, keepdim=keepdim), x)
    check(lambda t, a: a.argmax(), x)
    check(lambda t, a: a.argmin(), x)


def test_max_of_all_elements_shares_the_gradient_among_ties():
    x = np.array([[1.0, 3.0], [3.0, 2.0]], np.float32)
    check(lambda t, a: a.max(), x)
    check(lambda t, a: a.min(), np.array([1.0, 1.0, 1.0, 5.0], np.float32))
    g = gradkit.tensor(x, requires_grad=True)
    g.max().backward()
    assert g.grad.tolist() == [[0.0, 0.5], [0.5, 0.0]]


def test_max_with_dim_sends_the_gradient_to_the_selected_index():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)
    g = gradkit.tensor(x, requires_grad=True)
    values, indices = g.max(dim=1)
    values.sum().backward()
    assert g.grad.sum().item() == 2.0  # one index per row gets the whole gradient
    assert all(g.grad[i, indices[i]].item() == 1.0 for i in range(2))


def test_max_min_of_ints_and_bools():
    ints = np.array([[3, 7, 1], [4, 0, 9]], np.int64)
    check(lambda t, a: a.max(), ints)
    check(lambda t, a: a.max(1), ints)
    check(lambda t, a: a.min(dim=0, keepdim=True), ints)
    check(lambda t, a: a.argmax(), ints)
    check(lambda t, a: a.max(), np.array([True, False]))


def test_argmax_keepdim_without_dim():
    x = distinct(2, 3)
    check(lambda t, a: a.argmax(keepdim=True), x)
    check(lambda t, a: a.argmax(dim=None), x)


def test_zero_dim_reductions():
    x = np.array(1.5, np.float32)
    for fn in (lambda t, a: a.sum(), lambda t, a: a.sum(0), lambda t, a: a.mean(-1),
               lambda t, a: a.max(), lambda t, a: a.max(0), lambda t, a: a.argmax(0),
               lambda t, a: a.cumsum(0), lambda t, a: a.prod(0), lambda t, a: a.logsumexp(0),
               lambda t, a: a.norm(), lambda t, a: a.amax(0)):
        check(fn, x)


@settings(max_examples=20, deadline=None)
@given(case=array_and_dim())
def test_cumsum(case):
    x, dim = case
    check(lambda t, a: a.cumsum(dim), x)
    check(lambda t, a: t.cumsum(a, dim=dim), x)
    check(lambda t, a: a.cumsum(dim, dtype=t.float64), x)


def test_cumsum_of_ints_and_counts():
    check(lambda t, a: a.cumsum(0), np.array([[1, 0], [0, 1], [1, 0]], np.int32))
    check(lambda t, a: a.cumsum(dim=0) / a.cumsum(dim=0).sum(dim=1, keepdims=True),
          np.array([[1, 0], [0, 1], [1, 0]], np.float32))
    check(lambda t, a: a.cumsum(), np.ones(3, np.float32))  # dim is required: TypeError


# ---------------------------------------------------------------------------------------------
# finite differences
# ---------------------------------------------------------------------------------------------
REDUCTIONS = {
    "sum": lambda t, a: a.sum(),
    "sum_dims": lambda t, a: a.sum((0, 2), keepdim=True),
    "mean": lambda t, a: a.mean(1),
    "mean_list": lambda t, a: t.mean(a, [-1, 0]),
    "prod": lambda t, a: a.prod(1),
    "max_dim": lambda t, a: a.max(2).values,
    "min_dim": lambda t, a: a.min(0, keepdim=True)[0],
    "max": lambda t, a: a.max(),
    "amax": lambda t, a: a.amax((0, 1)),
    "cumsum": lambda t, a: a.cumsum(1),
    "norm": lambda t, a: a.norm(),
    "norm_dim": lambda t, a: a.norm(dim=2),
    "norm_p1": lambda t, a: a.norm(p=1, dim=(0, 1)),
    "norm_inf": lambda t, a: a.norm(p=float("inf"), dim=1),
    "var": lambda t, a: a.var(1),
    "var_biased": lambda t, a: a.var((0, 2), correction=0),
    "std": lambda t, a: a.std(),
    "std_dim": lambda t, a: a.std(2, keepdim=True),
    "logsumexp": lambda t, a: a.logsumexp(1),
    "logsumexp_dims": lambda t, a: a.logsumexp((0, 2)),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_gradcheck(name):
    fn = REDUCTIONS[name]
    x = distinct(2, 3, 4, dtype=np.float64) / 3
    gradcheck(fn, x)
    # A non-contiguous input: the same reduction of a permuted view.
    gradcheck(lambda t, a: fn(t, a.permute(1, 0, 2)), x)
    check(fn, x.astype(np.float32), rtol=1e-3)


@settings(max_examples=10, deadline=None)
@given(case=array_and_dims(dtype=np.float64), keepdim=st.booleans())
def test_sum_mean_gradcheck_property(case, keepdim):
    x, dim = case
    gradcheck(lambda t, a: a.sum(dim, keepdim=keepdim) if dim is not None else a.sum(), x)
    gradcheck(lambda t, a: (a * a).mean(dim, keepdim=keepdim) if dim is not None
              else (a * a).mean(), x)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_reduction_errors():
    x = rand(2, 3)
    check(lambda t, a: a.sum(2), x)
    check(lambda t, a: a.sum((0, 0)), x)
    check(lambda t, a: a.mean(-3), x)
    check(lambda t, a: a.max(5), x)
    check(lambda t, a: a.argmax(2), x)
    check(lambda t, a: a.cumsum(3), x)
    check(lambda t, a: a.logsumexp(4), x)
    check(lambda t, a: a.var(2), x)
    check(lambda t, a: a.norm(dim=2), x)
    ints = np.array([1, 2, 3], np.int64)
    check(lambda t, a: a.mean(), ints)
    check(lambda t, a: a.var(), ints)
    check(lambda t, a: a.std(), ints)
    check(lambda t, a: a.norm(), ints)
    empty = np.zeros((0, 3), np.float32)
    check(lambda t, a: a.max(), empty)
    check(lambda t, a: a.argmax(), empty)
    check(lambda t, a: a.max(0), empty)
    check(lambda t, a: a.max(1), empty)
    check(lambda t, a: a.sum(0), empty)
    check(lambda t, a: a.mean(), empty, grad=False)
    check(lambda t, a: a.amax(1), empty)
    check(lambda t, a: a.amax(0), empty)
    check(lambda t, a: a.amin(), empty)
    check(lambda t, a: a.argmax(1), empty)
    check(lambda t, a: a.argmin(0), empty)
    check(lambda t, a: a.logsumexp(0), empty)
    check(lambda t, a: a.logsumexp(1), empty)
    check(lambda t, a: a.logsumexp((0, 1)), empty)
    check(lambda t, a: a.argmax(), np.array([True, False]))
    check(lambda t, a: a.argmin(0), np.array([True, False]))


def test_mean_of_int_with_dtype():
    check(lambda t, a: a.mean(dtype=t.float32), np.array([1, 2, 4], np.int64))


@settings(max_examples=10, deadline=None)
@given(x=float_arrays(shapes(min_dims=1)), keepdim=st.booleans())
def test_all_any(x, keepdim):
    x = np.round(x)
    check(lambda t, a: a.all(), x)
    check(lambda t, a: a.any(), x)
    check(lambda t, a: (a > 0).all(0, keepdim=keepdim), x)
    check(lambda t, a: (a > 0).any(dim=-1, keepdim=keepdim), x)


def test_nan_is_the_maximum_and_gets_the_gradient():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 0.5, 1.0]], np.float32)
    check(lambda t, a: a.max(), x)
    check(lambda t, a: a.min(), x)
    check(lambda t, a: a.amax(1), x)
    check(lambda t, a: a.max(1).values, x)
    check(lambda t, a: a.argmax(1), x)
