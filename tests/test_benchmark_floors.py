"""The benchmarks' floors compute the same training as gradkit (and PyTorch), not a cheaper one:
the plain-NumPy programs of ``benchmarks/numpy_floor.py`` and the minimal autograd of
``benchmarks/minimal_autograd.py`` must reach gradkit's losses, accuracies and gradients, or the
floor they print beside each speed goal would mean nothing."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import gradkit
from oracle import import_torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_recipes  # noqa: E402
import minimal_autograd  # noqa: E402
import numpy_floor  # noqa: E402


@pytest.fixture(scope="module")
def small_fashion():
    """1,024 real Fashion-MNIST test images as the benchmarks hold them, and two epochs' orders."""
    from gradkit.vision import datasets

    test = datasets.FashionMNIST(root=None, train=False)
    images = test.data.numpy()[:1024, None].astype(np.float32) / np.float32(255)
    labels = test.targets.numpy()[:1024].astype(np.int64)
    return (np.ascontiguousarray(images), labels), bench_recipes.permutations(1024, 2, seed=5)


@pytest.mark.parametrize("hidden", [None, 256])
def test_numpy_classifier_trains_as_gradkit(small_fashion, hidden):
    data, orders = small_fashion
    _, (g_loss, g_acc) = bench_recipes.train_classifier(gradkit, hidden, data, orders)()
    _, (n_loss, n_acc) = numpy_floor.train_classifier(hidden, data, orders)()
    assert n_loss == pytest.approx(g_loss, rel=1e-4)
    assert n_acc == pytest.approx(g_acc, abs=1 / 1024)


def test_numpy_linreg_trains_as_gradkit():
    _, g_final = bench_recipes.train_linreg(gradkit)()
    _, n_final = numpy_floor.train_linreg()()
    _, m_final = minimal_autograd.train_linreg()()
    assert n_final == pytest.approx(g_final, rel=1e-3)
    assert m_final == pytest.approx(g_final, rel=1e-3)


def test_minimal_autograd_gradients_match_torch():
    torch = import_torch()
    rng = np.random.default_rng(0)
    x, w0, y = (rng.standard_normal(s).astype(np.float32) for s in [(5, 3), (3, 1), (5,)])
    b0 = np.array([0.5], np.float32)

    w, b = (minimal_autograd.Tensor(v.copy(), requires_grad=True) for v in (w0, b0))
    y_hat = minimal_autograd.Tensor(x) @ w + b
    (((y_hat - minimal_autograd.Tensor(y).reshape((5, 1))) ** 2 / 2).sum()).backward()

    tw, tb = (torch.tensor(v, requires_grad=True) for v in (w0, b0))
    t_hat = torch.tensor(x) @ tw + tb
    (((t_hat - torch.tensor(y).reshape(5, 1)) ** 2 / 2).sum()).backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-5)
