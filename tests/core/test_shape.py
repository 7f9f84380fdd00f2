"""Shape ops against PyTorch and finite differences: reshape/view, flatten, squeeze/unsqueeze,
transpose/permute, expand, repeat, cat, stack, split and chunk; views share memory."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradkit
from oracle import check, check_error, check_same_error, gradcheck, import_torch
from strategies import array_and_dim, float_arrays, shapes

rng = np.random.default_rng(4)


def rand(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


X = rand(2, 3, 4)


# ---------------------------------------------------------------------------------------------
# reshape / view / flatten
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(24,), (-1,), (4, 6), (4, -1), (-1, 2, 3), (2, 3, 4, 1),
                                   (1, 24), [6, 4], (2, 12)], ids=str)
def test_reshape_and_view(shape):
    check(lambda t, a: a.reshape(shape), X)
    check(lambda t, a: a.reshape(*shape), X)
    check(lambda t, a: a.view(shape), X)
    check(lambda t, a: a.view(*shape), X)
    check(lambda t, a: t.reshape(a, shape), X)
    check(lambda t, a: a.reshape(t.Size(shape)) if -1 not in shape else a.reshape(shape), X)


def test_reshape_of_non_contiguous_copies_view_raises():
    check(lambda t, a: a.transpose(0, 2).reshape(-1), X)
    check(lambda t, a: a.permute(2, 0, 1).reshape(4, 6), X)
    error = check_error(lambda t, a: a.transpose(0, 2).view(-1), X)
    assert "view size is not compatible" in str(error)
    check(lambda t, a: a.t().contiguous().view(-1), X[0])
    check(lambda t, a: a.view_as(t.ones(4, 6)), X)
    check(lambda t, a: a.reshape_as(t.ones(6, 4)), X)


@settings(max_examples=25, deadline=None)
@given(x=float_arrays(shapes(max_dims=4)), data=st.data())
def test_reshape_property(x, data):
    target = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=24).filter(
        lambda s: int(np.prod(s)) == x.size), label="target") if x.size <= 24 else (x.size,)
    check(lambda t, a: a.reshape(target), x)
    check(lambda t, a: a.view(target), x)
    gradcheck(lambda t, a: a.reshape(target) * 2, x.astype(np.float64))


@pytest.mark.parametrize("bad", [(5,), (5, -1), (-1, -1), (-2, 12), (0, -1), (7, 3)], ids=str)
def test_reshape_errors(bad):
    check_error(lambda t, a: a.reshape(bad), X)
    check_error(lambda t, a: a.view(bad), X)


def test_flatten():
    for args in [(), (1,), (0, 1), (1, 2), (-2, -1), (0, -1), (2, 2)]:
        check(lambda t, a: a.flatten(*args), X)
        check(lambda t, a: t.flatten(a, *args), X)
    check(lambda t, a: a.flatten(), np.array(3.0, np.float32))
    check_error(lambda t, a: a.flatten(2, 1), X)
    check_error(lambda t, a: a.flatten(0, 3), X)
    gradcheck(lambda t, a: a.transpose(0, 1).flatten(1), X.astype(np.float64))


# ---------------------------------------------------------------------------------------------
# squeeze / unsqueeze / transpose / permute
# ---------------------------------------------------------------------------------------------
def test_squeeze_unsqueeze():
    y = rand(1, 3, 1, 2)
    for fn in (lambda t, a: a.squeeze(), lambda t, a: a.squeeze(0), lambda t, a: a.squeeze(-2),
               lambda t, a: a.squeeze(1), lambda t, a: a.squeeze((0, 2)),
               lambda t, a: t.squeeze(a, 2), lambda t, a: a.unsqueeze(0),
               lambda t, a: a.unsqueeze(-1), lambda t, a: a.unsqueeze(4),
               lambda t, a: t.unsqueeze(a, -5), lambda t, a: a[0, :, 0].unsqueeze(1)):
        check(fn, y)
    check_error(lambda t, a: a.squeeze(4), y)
    check_error(lambda t, a: a.unsqueeze(5), y)
    check_error(lambda t, a: a.unsqueeze(-6), y)
    gradcheck(lambda t, a: a.squeeze().unsqueeze(1).transpose(0, 2), y.astype(np.float64))


@settings(max_examples=15, deadline=None)
@given(case=array_and_dim(min_dims=1), data=st.data())
def test_transpose_property(case, data):
    x, dim0 = case
    dim1 = data.draw(st.integers(-x.ndim, x.ndim - 1))
    check(lambda t, a: a.transpose(dim0, dim1), x)
    check(lambda t, a: t.transpose(a, dim0, dim1) * 1.5, x)
    check(lambda t, a: a.swapaxes(dim0, dim1), x)


@settings(max_examples=15, deadline=None)
@given(x=float_arrays(shapes(min_dims=1, max_dims=4)), data=st.data())
def test_permute_property(x, data):
    order = data.draw(st.permutations(range(x.ndim)))
    order = [d - x.ndim if data.draw(st.booleans()) else d for d in order]
    check(lambda t, a: a.permute(*order), x)
    check(lambda t, a: a.permute(order), x)
    check(lambda t, a: t.permute(a, tuple(order)), x)
    gradcheck(lambda t, a: a.permute(*order).exp(), x.astype(np.float64))


def test_t_and_transpose_errors():
    check(lambda t, a: a.t(), X[0])
    check(lambda t, a: a.t(), X[0, 0])
    check(lambda t, a: t.t(a), np.array(2.0, np.float32))
    check_error(lambda t, a: a.t(), X)
    check_error(lambda t, a: a.transpose(0, 3), X)
    check_error(lambda t, a: a.permute(0, 1), X)
    check_error(lambda t, a: a.permute(0, 1, 1), X)
    check_error(lambda t, a: a.permute(0, 1, 3), X)


# ---------------------------------------------------------------------------------------------
# expand / repeat
# ---------------------------------------------------------------------------------------------
def test_expand():
    y = rand(3, 1)
    for sizes in [(3, 4), (2, 3, 4), (-1, 4), (1, -1, 5), (3, 1)]:
        check(lambda t, a: a.expand(*sizes), y)
        check(lambda t, a: a.expand(sizes), y)
        gradcheck(lambda t, a: a.expand(*sizes) * 2, y.astype(np.float64))
    check(lambda t, a: a.expand_as(t.ones(2, 3, 5)), y)
    check(lambda t, a: a.expand(3, 4).is_contiguous(), y)
    for bad in [(4, 4), (4,), (-1, 3, 4), (2, 2, 4)]:
        check_error(lambda t, a: a.expand(*bad), y)


def test_expand_is_a_read_only_view():
    y = gradkit.zeros(3, 1)
    e = y.expand(3, 4)
    y[0, 0] = 5
    assert e[0].tolist() == [5, 5, 5, 5]


def test_repeat():
    y = rand(2, 3)
    for reps in [(1, 1), (2, 1), (2, 3), (2, 1, 1), (3, 2, 2), (1, 0)]:
        check(lambda t, a: a.repeat(*reps), y)
        check(lambda t, a: a.repeat(reps), y)
    gradcheck(lambda t, a: a.repeat(2, 1, 3), y.astype(np.float64))
    gradcheck(lambda t, a: a.t().repeat(2, 2), y.astype(np.float64))
    check_error(lambda t, a: a.repeat(2), y)


# ---------------------------------------------------------------------------------------------
# cat / stack / split / chunk
# ---------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(case=array_and_dim(min_dims=1), sizes=st.lists(st.integers(0, 3), min_size=1, max_size=3))
def test_cat_property(case, sizes):
    x, dim = case
    axis = dim % x.ndim
    parts = []
    for s in sizes:
        shape = list(x.shape)
        shape[axis] = s
        parts.append(rand(*shape))
    check(lambda t, *ps: t.cat(ps, dim=dim), x, *parts)
    check(lambda t, *ps: t.cat(list(ps), dim), x, *parts)
    check(lambda t, *ps: t.concat(ps, dim=dim), x, *parts)


def test_cat_and_stack_from_the_book():
    A = np.arange(12, dtype=np.float32).reshape(3, 4)
    B = np.array([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]], np.float32)
    check(lambda t, x, y: (t.cat((x, y), dim=0), t.cat((x, y), dim=1)), A, B)
    check(lambda t, x, y: t.stack([x, y]), A, B)
    check(lambda t, x, y: t.stack((x, y), dim=1), A, B)
    check(lambda t, x, y: t.stack((x, y), dim=-1), A, B)
    check(lambda t, x, y: t.stack((x[0], y[1], x[2]), 0), A, B)


def test_cat_and_stack_promote_dtypes():
    check(lambda t, x, y: t.cat([x, y]), np.ones((2,), np.int64), np.ones((3,), np.float32))
    check(lambda t, x, y: t.stack([x, y]), np.ones((2,), np.int32), np.ones((2,), np.int64))
    check(lambda t, x, y: t.cat([x, y]), np.ones((2,), np.bool_), np.ones((1,), np.uint8))


def test_cat_skips_legacy_empty_1d_tensors():
    check(lambda t, x: t.cat([t.tensor([]), x]), rand(2, 3))


def test_cat_stack_gradcheck_with_non_contiguous_parts():
    a, b = rand(3, 2, dtype=np.float64), rand(2, 3, dtype=np.float64)
    gradcheck(lambda t, x, y: t.cat([x.t(), y, y * 2], dim=0), a, b)
    gradcheck(lambda t, x, y: t.cat((x, y.t()), 1), a, b)
    gradcheck(lambda t, x, y: t.stack([x.t(), y], dim=1), a, b)
    gradcheck(lambda t, x, y: t.stack((x[:, 0], y[0], y[1]), -1), a, b)


def test_cat_stack_errors():
    a = rand(2, 3)
    check_error(lambda t, x: t.cat([x, t.ones(2, 4)]), a)
    check_error(lambda t, x: t.cat([x, t.ones(3)]), a)
    check_error(lambda t, x: t.cat([x, x], 2), a)
    check_error(lambda t, x: t.cat([x, x], -3), a)
    check_error(lambda t, x: t.cat([t.tensor(1.0)]), a)
    check_error(lambda t, x: t.cat(x), a)
    check_error(lambda t, x: t.cat([x, 1]), a)
    check_error(lambda t, x: t.stack([x, t.ones(3, 2)]), a)
    check_error(lambda t, x: t.stack([x, x], 3), a)
    check_error(lambda t, x: t.stack([]), a)
    check_error(lambda t, x: t.cat([]), a)


def test_cat_with_requires_grad_mixture():
    check(lambda t, x, y: t.cat([x, y]), rand(2), rand(3), requires_grad={1})


@pytest.mark.parametrize("arg,dim", [(1, 0), (2, 1), (3, 2), (4, -1), ([1, 1], 0), ([1, 2], 1),
                                     ((2, 0, 2), 2), (5, 1)], ids=str)
def test_split(arg, dim):
    check(lambda t, a: a.split(arg, dim), X)
    check(lambda t, a: t.split(a, arg, dim=dim), X)
    check(lambda t, a: [p.sum() * (i + 1) for i, p in enumerate(a.split(arg, dim))], X)


@pytest.mark.parametrize("chunks,dim", [(1, 0), (2, 0), (3, 0), (2, 1), (3, 1), (4, 1), (3, 2),
                                        (5, -1)], ids=str)
def test_chunk(chunks, dim):
    check(lambda t, a: a.chunk(chunks, dim), X)
    check(lambda t, a: t.chunk(a, chunks, dim=dim), X)


def test_split_chunk_unbind_gradcheck_and_errors():
    x = X.astype(np.float64)
    gradcheck(lambda t, a: a.split(2, dim=2)[1] * 3, x)
    gradcheck(lambda t, a: a.transpose(0, 2).chunk(3, 1)[2], x)
    gradcheck(lambda t, a: a.unbind(1)[1], x)
    check(lambda t, a: a.unbind(2), X)
    check_error(lambda t, a: a.split(0), X)
    check_error(lambda t, a: a.split([1, 2], 0), X)
    check_error(lambda t, a: a.split(1, 3), X)
    check_error(lambda t, a: a.chunk(0), X)
    check_error(lambda t, a: a.chunk(2, 5), X)


# ---------------------------------------------------------------------------------------------
# views share memory (as in PyTorch)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make_view", [
    lambda a: a.reshape(6), lambda a: a.view(3, 2), lambda a: a.t(), lambda a: a.T,
    lambda a: a.transpose(0, 1), lambda a: a.permute(1, 0), lambda a: a.unsqueeze(0),
    lambda a: a[None].squeeze(0), lambda a: a.flatten(), lambda a: a.split(1)[1],
    lambda a: a.chunk(2, 1)[0], lambda a: a.unbind(0)[0], lambda a: a[0], lambda a: a[:, 1:],
    lambda a: a.detach(), lambda a: a.data, lambda a: a.view_as(a), lambda a: a[...],
])
def test_views_share_memory_with_their_base(make_view):
    base = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    # Writing through the view must change the base exactly as in PyTorch.
    out = check(lambda t, a: (make_view(a).mul_(10), a)[1], base, requires_grad=False)
    assert out.sum().item() > base.sum()


@pytest.mark.parametrize("make", [
    lambda t: t.zeros(2, 3),
    lambda t: t.zeros(2, 3).t(),
    lambda t: t.zeros(2, 3)[:, ::2],
    lambda t: t.zeros(2, 3).expand(4, 2, 3),
    lambda t: t.zeros(4, 5, 6).permute(2, 0, 1),
    lambda t: t.tensor(1.0),
])
def test_stride_matches_torch(make):
    torch = import_torch()
    assert make(gradkit).stride() == make(torch).stride()
    for dim in range(-make(torch).dim(), make(torch).dim()):
        assert make(gradkit).stride(dim) == make(torch).stride(dim)
    check_same_error(lambda t: make(t).stride(3))


def test_size_of_a_0d_tensor_raises_pytorchs_error():
    check_same_error(lambda t: t.tensor(1.0).size(0))
