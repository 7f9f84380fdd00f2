"""The engine's per-op fast paths (issue 10) against PyTorch, at the edges where a fast path
must hand over to the full one: each case here is one that a shortcut could get wrong
(bounds, dtypes, views, version counters, ignored targets, large reduction gradients)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from oracle import check, check_error, check_same_error, import_torch

rng = np.random.default_rng(10)


def rand(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# -- row gather by an integer tensor ----------------------------------------------------------
@pytest.mark.parametrize("index", [[0, 2, 2, 1], [-1, 0], [3]])
def test_gather_rows_by_tensor_values_and_repeated_index_gradients(index):
    check(lambda t, x: x[t.tensor(index)] * 2, rand(4, 3))


def test_gather_rows_out_of_bounds_is_pytorchs_index_error():
    error = check_error(lambda t, x: x[t.tensor([0, 4])], rand(4, 3))
    assert "index 4 is out of bounds for dimension 0 with size 4" in str(error)


def test_gather_by_an_int32_tensor():
    check(lambda t, x, i: x[i], rand(5, 2), np.array([4, 0, 1], np.int32))


def test_gather_from_a_0d_tensor_is_refused():
    check_error(lambda t, x: x[t.tensor([0])], np.float32(1.5))


# -- reshape with a plain size tuple ------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6,), (3, 2), (1, 6, 1), (2, -1)])
def test_reshape_by_tuple_and_by_size(shape):
    check(lambda t, x: x.reshape(shape) * 3, rand(2, 3))
    check(lambda t, x: x.reshape(t.ones(shape if -1 not in shape else (2, 3)).shape), rand(2, 3))


@pytest.mark.parametrize("shape", [(4,), (7, 0), (-2, 3)])
def test_reshape_to_a_wrong_size_is_pytorchs_error(shape):
    check_error(lambda t, x: x.reshape(shape), rand(2, 3))


def test_reshape_keeps_sharing_the_version_counter():
    x = gradkit.ones(2, 3, requires_grad=True) * 1
    y = x.reshape((3, 2))
    z = (y * y).sum()
    x.add_(1)  # modifies what y (a view) saved for backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


# -- 2-D matmul -----------------------------------------------------------------------------
def test_matmul_mismatched_dtypes_still_refused():
    check_error(lambda t, a, b: a @ b, rand(2, 3), rand(3, 2, dtype=np.float64))


def test_matmul_mismatched_inner_size_message():
    error = check_error(lambda t, a, b: a @ b, rand(2, 3), rand(4, 2))
    assert "cannot be multiplied (2x3 and 4x2)" in str(error)


# -- reduction gradients: filled (small) or broadcast (large) --------------------------------
@pytest.mark.parametrize("shape,dim", [((3, 4), None), ((3, 4), 1), ((300, 300), None),
                                       ((300, 300), 0), ((2, 3, 4), (0, 2))])
def test_sum_and_mean_gradients_small_and_large(shape, dim):
    check(lambda t, x: x.sum() if dim is None else x.sum(dim), rand(*shape))
    check(lambda t, x: x.mean() if dim is None else x.mean(dim), rand(*shape))


def test_sum_gradient_accumulates_into_a_leaf_twice():
    x = gradkit.tensor(rand(2, 2), requires_grad=True)
    (x.sum() + x.sum()).backward()
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 3, np.float32))


# -- in-place updates and fill_ under no_grad ---------------------------------------------------
def test_no_grad_inplace_update_with_another_dtype_takes_the_full_path():
    torch = import_torch()
    for lib in (gradkit, torch):
        p = lib.ones(3)
        with lib.no_grad():
            p -= lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
            p *= 2
            p /= 4
        np.testing.assert_allclose(p.numpy(), [0.0, -0.5, -1.0])
        assert str(p.dtype).endswith("float32")


def test_no_grad_inplace_float_into_int_is_refused():
    check_same_error(lambda t: _inplace_in_no_grad(t, t.ones(3, dtype=t.int64), 0.5))


def _inplace_in_no_grad(lib, tensor, value):
    with lib.no_grad():
        tensor *= value
    return tensor


def test_no_grad_inplace_shape_mismatch_is_pytorchs_error():
    check_same_error(lambda t: _inplace_in_no_grad(t, t.ones(3), t.ones(2)))


def test_no_grad_inplace_bumps_the_version():
    torch = import_torch()
    for lib in (gradkit, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = (y * y).sum()
        with lib.no_grad():
            y -= 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()


def test_fill_on_a_view_of_a_leaf_that_requires_grad_is_refused():
    check_same_error(lambda t: t.ones(3, requires_grad=True)[:2].zero_())


def test_fill_on_an_int_tensor_and_on_a_grad():
    torch = import_torch()
    for lib in (gradkit, torch):
        x = lib.ones(3, dtype=lib.int64)
        x.fill_(2.7)
        assert x.tolist() == [2, 2, 2]
        w = lib.ones(2, requires_grad=True)
        (w * 3).sum().backward()
        w.grad.zero_()
        assert w.grad.tolist() == [0.0, 0.0]


# -- Linear, mse_loss, cross_entropy fast paths ---------------------------------------------
@pytest.mark.parametrize("bias_shape", [(4,), (1,), None])
def test_linear_with_row_and_broadcast_bias(bias_shape):
    arrays = [rand(5, 3), rand(4, 3)] + ([rand(*bias_shape)] if bias_shape else [])
    check(lambda t, *a: t.nn.functional.linear(*a), *arrays)


def test_linear_dtype_mismatch_message():
    error = check_error(lambda t, x, w: t.nn.functional.linear(x, w), rand(2, 3),
                        rand(4, 3, dtype=np.float64))
    assert "same dtype" in str(error)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_same_shape_float(reduction):
    check(lambda t, a, b: t.nn.functional.mse_loss(a, b, reduction=reduction),
          rand(10, 1), rand(10, 1))


def test_mse_loss_bad_reduction_still_refused():
    check_error(lambda t, a, b: t.nn.functional.mse_loss(a, b, reduction="avg"),
                rand(3), rand(3))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_book_case(reduction, dtype):
    check(lambda t, x, y: t.nn.functional.cross_entropy(x, y, reduction=reduction),
          rand(16, 10, dtype=dtype), rng.integers(0, 10, 16))


@pytest.mark.parametrize("ignore_index", [3, 0, -100])
def test_cross_entropy_with_ignored_targets_in_range(ignore_index):
    target = np.array([3, 0, 1, 3, 2])
    check(lambda t, x, y: t.nn.functional.cross_entropy(x, y, ignore_index=ignore_index),
          rand(5, 4), target)


@pytest.mark.parametrize("bad", [4, -1])
def test_cross_entropy_out_of_range_target(bad):
    check_error(lambda t, x, y: t.nn.functional.cross_entropy(x, y), rand(3, 4),
                np.array([0, bad, 1]))


def test_cross_entropy_labels_changed_after_forward_do_not_change_the_gradient():
    x = gradkit.tensor(rand(4, 3), requires_grad=True)
    y = gradkit.tensor([0, 1, 2, 0])
    loss = gradkit.nn.functional.cross_entropy(x, y)
    y.fill_(1)
    loss.backward()
    expected = gradkit.tensor(x.detach().numpy(), requires_grad=True)
    gradkit.nn.functional.cross_entropy(expected, gradkit.tensor([0, 1, 2, 0])).backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected.grad.numpy())


def test_cross_entropy_second_derivative_book_case():
    check(lambda t, x, y: t.autograd.grad(t.nn.functional.cross_entropy(x, y), x,
                                          create_graph=True)[0].pow(2).sum(),
          rand(6, 5, dtype=np.float64), rng.integers(0, 5, 6))


# -- mean without np.mean's wrapper; the classifier's row max ------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,dim,keepdim", [((257,), None, False), ((6, 7), 1, True),
                                               ((3, 4, 5), (0, 2), False), ((0, 3), 0, False)])
def test_mean_has_np_means_bits(dtype, shape, dim, keepdim):
    a = rand(*shape, dtype=dtype) * 100
    axis = None if dim is None else dim
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "Mean of empty slice"
        want = np.mean(a, axis=axis, keepdims=keepdim)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # gradkit's mean of nothing is nan, silently
        got = gradkit.tensor(a).mean(**({} if dim is None else {"dim": dim, "keepdim": keepdim}))
    np.testing.assert_array_equal(got.numpy(), want)
    assert got.numpy().dtype == want.dtype


def test_cross_entropy_row_max_keeps_nan_and_inf_rows_as_torch():
    logits = rand(5, 4)
    logits[1, 2], logits[3] = np.nan, -np.inf
    check(lambda t, x, y: t.nn.functional.cross_entropy(x, y, reduction="none"), logits,
          np.array([0, 1, 2, 3, 0]))
