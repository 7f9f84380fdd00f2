"""The torch functions the real ``d2l`` 1.0.3 package calls that gradkit lacked: ``sinh``,
``cosh``, ``argsort``, ``nonzero``, ``repeat_interleave``, ``meshgrid``, against PyTorch (values,
dtypes, gradients, exception types) and finite differences."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gradkit
from oracle import check, check_error, check_same_error, gradcheck

rng = np.random.default_rng(9)
X = rng.uniform(-2, 2, (3, 4)).astype(np.float32)


@pytest.mark.parametrize("name", ["sinh", "cosh"])
def test_hyperbolic_functions_match_torch(name):
    check(lambda t, x: getattr(t, name)(x), X)
    check(lambda t, x: getattr(x, name)(), X)
    check(lambda t, x: getattr(t, name)(x), np.array([1, 2, -3]))  # ints become float32
    gradcheck(lambda t, x: getattr(t, name)(x), X)


def test_hyperbolic_functions_overflow_to_inf_like_torch():
    check(lambda t, x: t.cosh(x), np.array([100.0, -100.0], np.float32), grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_matches_torch(dim, descending):
    values = rng.permutation(12).reshape(3, 4).astype(np.float32)  # no ties: one answer
    check(lambda t, x: t.argsort(x, dim=dim, descending=descending), values, grad=False)
    check(lambda t, x: x.argsort(dim, descending), values, grad=False)


def test_argsort_with_ties_nan_ints_and_bools():
    ties = np.array([3.0, 1.0, 3.0, 1.0, 2.0], np.float32)
    check(lambda t, x: t.argsort(x, stable=True), ties, grad=False)
    check(lambda t, x: t.argsort(x, descending=True, stable=True), ties, grad=False)
    nan = np.array([1.0, np.nan, 0.0, 5.0], np.float32)
    check(lambda t, x: t.argsort(x), nan, grad=False)
    check(lambda t, x: t.argsort(x, descending=True), nan, grad=False)
    check(lambda t, x: t.argsort(x, descending=True, stable=True),
          np.array([4, 0, 250, 7], np.uint8))
    check(lambda t, x: t.argsort(x, descending=True, stable=True),
          np.array([True, False, True]))
    check(lambda t, x: t.argsort(x), np.array(3.0, np.float32), grad=False)


def test_argsort_bad_dim_is_torchs_index_error():
    check_same_error(lambda t: t.argsort(t.ones(2, 3), dim=3))


def test_nonzero_matches_torch():
    mask = np.array([[0, 1, 0], [2, 0, 3]])
    check(lambda t, x: t.nonzero(x), mask)
    check(lambda t, x: t.nonzero(x, as_tuple=True), mask)
    check(lambda t, x: (x > 1).nonzero(), mask)
    check(lambda t, x: t.nonzero(x), np.array(5))
    check(lambda t, x: t.nonzero(x, as_tuple=True), np.array(5))
    check(lambda t, x: t.nonzero(x), np.zeros((2, 0)))
    # The d2l package's pattern: indices of the entries above a threshold, as a vector.
    check(lambda t, x: t.nonzero(x >= 0.5).reshape(-1), X, grad=False)


@pytest.mark.parametrize("call", [
    lambda t, x: t.repeat_interleave(x, 2),
    lambda t, x: t.repeat_interleave(x, 3, dim=1),
    lambda t, x: x.repeat_interleave(2, dim=-2),
    lambda t, x: t.repeat_interleave(x, t.tensor([1, 0, 2]), dim=0),
    lambda t, x: t.repeat_interleave(x, t.tensor([2]), dim=1),
    lambda t, x: t.repeat_interleave(x, t.tensor(2), dim=1),
    lambda t, x: t.repeat_interleave(x, 2, dim=0, output_size=6),
])
def test_repeat_interleave_matches_torch(call):
    check(call, X)
    gradcheck(call, X)


def test_repeat_interleave_of_ints_scalars_and_counts_alone():
    check(lambda t, x: t.repeat_interleave(x, 2), np.array([1, 2, 3]))
    check(lambda t, x: t.repeat_interleave(x, 3), np.array(7.0, np.float32))
    check(lambda t, r: t.repeat_interleave(r), np.array([2, 0, 1]))


@pytest.mark.parametrize("call", [
    lambda t: t.repeat_interleave(t.ones(2, 3), t.tensor([1, 2]), dim=1),
    lambda t: t.repeat_interleave(t.ones(2, 3), t.tensor([1, -1]), dim=0),
    lambda t: t.repeat_interleave(t.ones(2, 3), -1),
    lambda t: t.repeat_interleave(t.ones(2, 3), t.tensor([[1, 2]]), dim=0),
    lambda t: t.repeat_interleave(t.ones(2, 3), t.tensor([1.0, 2.0]), dim=0),
    lambda t: t.repeat_interleave(t.ones(2, 3), 2, dim=5),
])
def test_repeat_interleave_errors_are_torchs(call):
    check_same_error(call)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch(indexing):
    a, b, c = (rng.normal(size=n).astype(np.float32) for n in (2, 3, 4))
    check(lambda t, x, y: t.meshgrid(x, y, indexing=indexing), a, b)
    check(lambda t, x, y, z: t.meshgrid(x, y, z, indexing=indexing), a, b, c)
    check(lambda t, x, y: t.meshgrid([x, y], indexing=indexing), a, b)
    check(lambda t, x, y: t.meshgrid(x, y, indexing=indexing), a, np.array(2.0, np.float32))
    check(lambda t, x: t.meshgrid(x, indexing=indexing), a)
    gradcheck(lambda t, x, y: [g * g for g in t.meshgrid(x, y, indexing=indexing)], a, b)


def test_meshgrid_without_indexing_warns_and_means_ij():
    with pytest.warns(UserWarning, match="indexing argument"):
        xs, ys = gradkit.meshgrid(gradkit.arange(2), gradkit.arange(3))
    assert xs.tolist() == [[0, 0, 0], [1, 1, 1]] and ys.tolist() == [[0, 1, 2], [0, 1, 2]]


@pytest.mark.parametrize("call", [
    lambda t: t.meshgrid(t.arange(2), t.arange(3.0), indexing="ij"),
    lambda t: t.meshgrid(t.arange(2), t.arange(3), indexing="foo"),
    lambda t: t.meshgrid(indexing="ij"),
])
def test_meshgrid_errors_are_torchs(call):
    check_same_error(call)


def test_meshgrid_of_a_matrix_is_a_runtime_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = check_error(lambda t, x: t.meshgrid(x, x, indexing="ij"), X)
    assert re.search(r"Expected 0D or 1D tensor", str(error))
