"""``gradkit.nn.functional`` (non-loss functions) against PyTorch and finite differences:
linear, relu/sigmoid/tanh/leaky_relu, softmax and log_softmax on every dim, dropout (statistics
and a fixed mask), one_hot, and the errors of bad arguments."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import gradkit
import gradkit.nn.functional as F
from oracle import check, check_error, gradcheck, import_torch
from strategies import array_and_dim, away_from

rng = np.random.default_rng(3)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float32):
    return rng.uniform(low, high, shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3), (2, 1, 2, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_torch(x_shape, with_bias):
    x, w, b = rand(*x_shape), rand(4, 3), rand(4)
    if with_bias:
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x, w, b)
    else:
        check(lambda t, x, w: t.nn.functional.linear(x, w), x, w)


def test_linear_gradients_of_only_some_inputs():
    x, w, b = rand(5, 3), rand(4, 3), rand(4)
    for needs in ({0}, {1}, {2}, {1, 2}):
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x, w, b, requires_grad=needs)


def test_linear_float64_and_dtype_mismatch():
    x, w, b = rand(5, 3, dtype=np.float64), rand(4, 3, dtype=np.float64), rand(4, dtype=np.float64)
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x, w, b)
    error = check_error(lambda t, x, w: t.nn.functional.linear(x, w), x, rand(4, 3))
    assert "dtype" in str(error)


def test_linear_shape_mismatch_names_the_shapes():
    error = check_error(lambda t, x, w: t.nn.functional.linear(x, w), rand(256, 784),
                        rand(10, 785))
    assert str(error) == "mat1 and mat2 shapes cannot be multiplied (256x784 and 785x10)"


def test_linear_gradcheck():
    gradcheck(lambda t, x, w, b: F.linear(x, w, b), rand(3, 4), rand(2, 4), rand(2))
    gradcheck(lambda t, x, w, b: F.linear(x, w, b), rand(2, 3, 4), rand(2, 4), rand(2))
    gradcheck(lambda t, x, w: F.linear(x, w), rand(4), rand(2, 4))


def test_linear_non_contiguous_input():
    x = rand(4, 5)
    check(lambda t, x, w, b: t.nn.functional.linear(x.t(), w, b), x, rand(2, 4), rand(2))
    gradcheck(lambda t, x, w: F.linear(x.t(), w), rand(4, 3), rand(2, 4))


# ---------------------------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activations_match_torch(name):
    x = rand(4, 5, low=-30, high=30)
    x[0, :3] = [0.0, 100.0, -100.0]  # relu'(0) = 0; sigmoid must not overflow
    check(lambda t, x: getattr(t.nn.functional, name)(x), x)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activations_gradcheck(name):
    x = away_from(rand(3, 4))
    gradcheck(lambda t, x: getattr(F, name)(x), x)


def test_leaky_relu_matches_torch_and_gradcheck():
    x = away_from(rand(3, 4))
    check(lambda t, x: t.nn.functional.leaky_relu(x, 0.1), x)
    check(lambda t, x: t.nn.functional.leaky_relu(x), x)
    gradcheck(lambda t, x: F.leaky_relu(x, 0.2), x)


def test_relu_inplace_on_a_non_leaf():
    check(lambda t, x: t.nn.functional.relu(x * 1, inplace=True), rand(3, 4))


# ---------------------------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@settings(max_examples=25, deadline=None)
@given(case=array_and_dim())
def test_softmax_every_dim_matches_torch(name, case):
    x, dim = case
    check(lambda t, x: getattr(t.nn.functional, name)(x, dim=dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_scalar_and_huge_logits(name):
    check(lambda t, x: getattr(t.nn.functional, name)(x, dim=0), np.array(3.0, np.float32))
    big = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [88.0, 89.0, 90.0]], np.float32)
    out = check(lambda t, x: getattr(t.nn.functional, name)(x, dim=1), big)
    assert np.isfinite(out.detach().numpy()).all() if name == "softmax" else True


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_with_infinite_logits_matches_torch(name):
    # -inf is a common mask value; a whole row of -inf gives nan in PyTorch too.
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    check(lambda t, x: getattr(t.nn.functional, name)(x, dim=1), x, grad=False)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_implicit_dim_warns_like_torch(name):
    torch = import_torch()
    for shape in [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = rand(*shape)
        with pytest.warns(UserWarning, match="Implicit dimension"):
            ours = getattr(F, name)(gradkit.tensor(x))
        with pytest.warns(UserWarning):
            theirs = getattr(torch.nn.functional, name)(torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_dtype_argument():
    check(lambda t, x: t.nn.functional.softmax(x, dim=1, dtype=t.float64), rand(2, 3))
    check(lambda t, x: t.nn.functional.log_softmax(x, dim=-1, dtype=t.float64), rand(2, 3))


def test_softmax_bad_dim_raises_index_error():
    check_error(lambda t, x: t.nn.functional.softmax(x, dim=2), rand(2, 3))
    check_error(lambda t, x: t.nn.functional.log_softmax(x, dim=-3), rand(2, 3))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_gradcheck(dim):
    x = rand(3, 4, low=-3, high=3)
    gradcheck(lambda t, x: F.softmax(x, dim=dim), x)
    gradcheck(lambda t, x: F.log_softmax(x, dim=dim), x)
    gradcheck(lambda t, x: F.softmax(x, dim=dim), rand(2, 3, 2))


def test_scratch_softmax_of_d2l_3_6_overflows_exactly_where_torch_does():
    """``X_exp = exp(X); X_exp / X_exp.sum(1, keepdim=True)``: the book's scratch softmax."""

    def scratch_softmax(t, X):
        X_exp = t.exp(X)
        partition = X_exp.sum(1, keepdim=True)
        return X_exp / partition

    # Row 0 is tame; row 1 overflows exp in float32 (> 88.7); row 2 underflows to 0/0.
    X = np.array([[1.0, 2.0, 3.0], [100.0, 1.0, 0.0], [-200.0, -300.0, -250.0],
                  [1e4, -1e4, 0.0]], np.float32)
    out = check(scratch_softmax, X, grad=False).detach().numpy()
    assert np.isfinite(out[0]).all()
    assert np.isnan(out[1, 0]) and np.isnan(out[2]).all()
    # The fused softmax is finite everywhere on the same input.
    assert np.isfinite(F.softmax(gradkit.tensor(X), dim=1).numpy()).all()
    # Its backward agrees with PyTorch where the forward is finite.
    check(scratch_softmax, X[:1])


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
def test_dropout_scales_kept_elements_exactly():
    x = gradkit.tensor(rand(200, 300) + 3.0)
    for p in (0.1, 0.5, 0.9):
        out = F.dropout(x, p=p, training=True).numpy()
        kept = out != 0
        np.testing.assert_allclose(out[kept], x.numpy()[kept] / np.float32(1 - p), rtol=1e-6)
        assert abs(1 - kept.mean() - p) < 0.01, (p, kept.mean())


def test_dropout_keeps_the_mean():
    x = gradkit.ones(1000, 1000)
    out = F.dropout(x, p=0.3, training=True)
    assert abs(out.mean().item() - 1.0) < 0.01
    assert out.dtype == gradkit.float32


def test_dropout_edge_probabilities_and_eval():
    x = gradkit.tensor(rand(5, 6))
    assert (F.dropout(x, p=1.0).numpy() == 0).all()
    np.testing.assert_array_equal(F.dropout(x, p=0.0).numpy(), x.numpy())
    np.testing.assert_array_equal(F.dropout(x, p=0.7, training=False).numpy(), x.numpy())
    check(lambda t, x: t.nn.functional.dropout(x, p=1.0), rand(3, 4))
    check(lambda t, x: t.nn.functional.dropout(x, p=0.5, training=False), rand(3, 4))


def test_dropout_bad_probability():
    check_error(lambda t, x: t.nn.functional.dropout(x, p=1.5), rand(3))
    check_error(lambda t, x: t.nn.functional.dropout(x, p=-0.1), rand(3))


def test_dropout_gradient_flows_through_the_same_mask():
    x = gradkit.tensor(rand(50, 40), requires_grad=True)
    out = F.dropout(x, p=0.4)
    out.sum().backward()
    mask = out.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)
    values = np.unique(x.grad.numpy())
    assert len(values) == 2 and values[0] == 0 and np.isclose(values[1], 1 / 0.6)


def test_dropout_gradcheck_with_a_fixed_mask():
    # Re-seeding before every evaluation fixes the mask, so finite differences are exact.
    x = rand(4, 5, dtype=np.float64)

    def fn(t, x):
        gradkit.manual_seed(123)
        return F.dropout(x, p=0.5)

    gradcheck(fn, x)


def test_dropout_inplace():
    x = gradkit.tensor(rand(10, 10))
    out = F.dropout(x, p=0.5, inplace=True)
    assert out is x or np.shares_memory(out.numpy(), x.numpy())
    assert (x.numpy() == 0).any()


# ---------------------------------------------------------------------------------------------
# one_hot
# ---------------------------------------------------------------------------------------------
def test_one_hot_matches_torch():
    labels = np.array([[0, 2], [1, 4]], np.int64)
    check(lambda t, y: t.nn.functional.one_hot(y), labels)
    check(lambda t, y: t.nn.functional.one_hot(y, 6), labels)
    check(lambda t, y: t.nn.functional.one_hot(y, num_classes=3), labels)
    check(lambda t, y: t.nn.functional.one_hot(y, 3), np.array([-1, 0], np.int64))
    check(lambda t, y: t.nn.functional.one_hot(y), np.array([0.0, 1.0], np.float32),
          requires_grad=False)


def test_wrong_argument_types_raise_type_error():
    check_error(lambda t: t.nn.functional.relu([1.0, 2.0]))
    check_error(lambda t: t.nn.functional.linear(np.ones((2, 3)), t.ones(4, 3)))


# ---------------------------------------------------------------------------------------------
# integer inputs and bad shapes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, x: t.nn.functional.softmax(x, dim=1),
    lambda t, x: t.nn.functional.softmax(x, dim=0),
    lambda t, x: t.nn.functional.log_softmax(x, dim=-1),
    lambda t, x: t.nn.functional.log_softmax(x, dim=0),
    lambda t, x: t.nn.functional.softmax(x[0], dim=0),
    lambda t, x: t.nn.functional.softmax(x.int(), dim=1),
    lambda t, x: t.nn.functional.softmax(x.bool(), dim=1),
    lambda t, x: t.nn.functional.dropout(x, 0.5),
    lambda t, x: t.nn.functional.dropout(x.bool(), 0.5),
], ids=["softmax1", "softmax0", "log_softmax_last", "log_softmax0", "softmax_1d",
        "softmax_int32", "softmax_bool", "dropout", "dropout_bool"])
def test_integer_inputs_raise_like_torch(fn):
    torch = import_torch()
    ints = np.array([[1, 2], [3, 4]], np.int64)
    error = check_error(fn, ints)
    with pytest.raises(Exception) as info:
        fn(torch, torch.tensor(ints))
    assert str(error) == str(info.value)


def test_dropout_of_integers_is_fine_when_it_does_nothing():
    ints = np.array([[1, 2], [3, 4]], np.int64)
    check(lambda t, x: t.nn.functional.dropout(x, 0.0), ints)
    check(lambda t, x: t.nn.functional.dropout(x, 0.5, training=False), ints)


def test_linear_of_integers_matches_torch():
    check(lambda t, x, w: t.nn.functional.linear(x, w), np.arange(6).reshape(2, 3),
          np.ones((4, 3), np.int64))


def test_linear_bias_that_broadcasts_and_one_that_does_not():
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), rand(2, 3), rand(4, 3),
          rand(1, 4))
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), rand(5, 2, 3), rand(4, 3),
          rand(1, 4))
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), rand(3), rand(4, 3), rand(1))
    gradcheck(lambda t, x, w, b: F.linear(x, w, b), rand(2, 3), rand(4, 3), rand(2, 4))
    torch = import_torch()
    # A bias expands to the (rows, out) matrix of the flattened input, never beyond it.
    for x_shape, bias in (((2, 3), rand(3)), ((2, 3), rand(2, 3)), ((2, 3), rand(3, 2, 4)),
                          ((5, 2, 3), rand(2, 1)), ((5, 2, 3), rand(10, 4))):
        x = rand(*x_shape)
        error = check_error(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x,
                            rand(4, 3), bias)
        with pytest.raises(RuntimeError) as info:
            torch.nn.functional.linear(torch.tensor(x), torch.ones(4, 3), torch.tensor(bias))
        assert str(error) == str(info.value).replace("torch", "gradkit")


def test_linear_weight_must_be_a_matrix():
    check_error(lambda t, x, w, b: t.nn.functional.linear(x, w, b), rand(2, 3), rand(3),
                rand(1))
    check_error(lambda t, x, w: t.nn.functional.linear(x, w), rand(2, 3), rand(4, 3, 1))


# ---------------------------------------------------------------------------------------------
# finite differences on non-contiguous and broadcast inputs
# ---------------------------------------------------------------------------------------------
def test_gradcheck_on_non_contiguous_inputs():
    y = gradkit.tensor(np.array([0, 2, 1], np.int64))
    gradcheck(lambda t, x: F.softmax(x.t(), dim=1), rand(4, 3))
    gradcheck(lambda t, x: F.log_softmax(x[:, ::2], dim=0), rand(3, 6))
    gradcheck(lambda t, x: F.cross_entropy(x.t(), y, label_smoothing=0.1), rand(4, 3))
    gradcheck(lambda t, x, p: F.cross_entropy(x.t(), p.t()), rand(4, 3),
              rng.uniform(0.1, 1, (4, 3)))
    gradcheck(lambda t, x, z: F.mse_loss(x.t(), z[::2]), rand(3, 2), rand(4, 3))
    gradcheck(lambda t, x, z: F.binary_cross_entropy_with_logits(x.t(), z.t()), rand(3, 2),
              rng.uniform(0, 1, (3, 2)))

    def dropout_of_a_view(t, x):
        gradkit.manual_seed(7)
        return F.dropout(x.t(), p=0.3)

    gradcheck(dropout_of_a_view, rand(3, 4))


def test_gradcheck_through_broadcasting_into_losses():
    # The loss's input is itself a broadcast result: the engine must sum gradients back.
    y = gradkit.tensor(np.array([1, 0, 2, 2], np.int64))
    gradcheck(lambda t, a, b: F.cross_entropy(a + b, y), rand(4, 3), rand(3))
    gradcheck(lambda t, a, b: F.log_softmax(a * b, dim=1), rand(2, 1, 3), rand(4, 1))
    gradcheck(lambda t, a, b: F.smooth_l1_loss(a, b.expand(3, 4), beta=0.5), rand(3, 4),
              rand(4))
