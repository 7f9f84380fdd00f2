"""The convolution chapters' toolkit: ``corr2d`` (the book's printed examples, and the book's
loop on torch as the oracle, gradients included), ``evaluate_accuracy_gpu``, ``train_ch6``
against the book's loop on torch with the same weights and batches, its printed lines and its
figure's points, ``init_cnn``, and ``LeNet``'s ``layer_summary``."""
from __future__ import annotations

import re
import tempfile

import numpy as np
import pytest

import gradkit
from gradkit import d2l, nn
from gradkit.d2l import cnn

from book_reference import BookAccumulator, book_accuracy
from oracle import check, check_error

BATCH, N_BATCHES = 32, 7


# -- the book's code (zh 2.0.0 chapter 6), run on torch as the reference ----------------------
def book_corr2d(torch, X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def book_train_ch6_losses(torch, net, train_iter, test_iter, num_epochs, lr):
    """The book's ``train_ch6`` loop without its initialisation and drawing: per-epoch
    (train loss, train acc, test acc)."""
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = torch.nn.CrossEntropyLoss()
    out = []
    for _ in range(num_epochs):
        metric = BookAccumulator(3)
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], book_accuracy(y_hat, y), X.shape[0])
        net.eval()
        test = BookAccumulator(2)
        with torch.no_grad():
            for X, y in test_iter:
                test.add(book_accuracy(net(X), y), y.numel())
        out.append((metric[0] / metric[2], metric[1] / metric[2], test[0] / test[1]))
    return out


def lenet(lib):
    """The zh book's LeNet."""
    n = lib.nn
    return n.Sequential(
        n.Conv2d(1, 6, kernel_size=5, padding=2), n.Sigmoid(), n.AvgPool2d(kernel_size=2, stride=2),
        n.Conv2d(6, 16, kernel_size=5), n.Sigmoid(), n.AvgPool2d(kernel_size=2, stride=2),
        n.Flatten(), n.Linear(16 * 5 * 5, 120), n.Sigmoid(), n.Linear(120, 84), n.Sigmoid(),
        n.Linear(84, 10))


def copy_weights(src, dst, lib):
    with lib.no_grad():
        for (name, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
            b.copy_(lib.tensor(a.detach().numpy()))


@pytest.fixture(scope="module")
def fashion_batches():
    from gradkit.vision import datasets

    test = datasets.FashionMNIST(root=None, train=False)
    n = BATCH * N_BATCHES
    images = test.data.numpy()[:n].astype(np.float32) / 255
    labels = test.targets.numpy()[:n]
    return [(images[i:i + BATCH, None], labels[i:i + BATCH]) for i in range(0, n, BATCH)]


def as_lib(lib, batches):
    return [(lib.tensor(X), lib.tensor(y)) for X, y in batches]


@pytest.fixture(autouse=True)
def _animator_files_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


# -- corr2d -------------------------------------------------------------------------------------
def test_corr2d_prints_the_books_example():
    X = gradkit.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = gradkit.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert repr(d2l.corr2d(X, K)) == "tensor([[19., 25.],\n        [37., 43.]])"


def test_corr2d_detects_the_books_vertical_edges():
    X = gradkit.ones((6, 8))
    X[:, 2:6] = 0
    K = gradkit.tensor([[1.0, -1.0]])
    Y = d2l.corr2d(X, K)
    want = np.zeros((6, 7), np.float32)
    want[:, 1], want[:, 5] = 1, -1
    np.testing.assert_array_equal(Y.numpy(), want)
    np.testing.assert_array_equal(d2l.corr2d(X.t(), K).numpy(), np.zeros((8, 5)))


@pytest.mark.parametrize("xs,ks", [((3, 3), (2, 2)), ((6, 8), (1, 2)), ((5, 4), (3, 1)),
                                   ((4, 4), (4, 4))])
def test_corr2d_matches_the_books_loop_with_gradients(xs, ks):
    rng = np.random.default_rng(sum(xs + ks))
    X, K = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ks).astype(np.float32)
    check(lambda lib, x, k: d2l.corr2d(x, k) if lib is gradkit else book_corr2d(lib, x, k), X, K)


def test_corr2d_returns_the_default_dtype_as_the_book():
    X = np.arange(12, dtype=np.float64).reshape(3, 4)
    check(lambda lib, x, k: d2l.corr2d(x, k) if lib is gradkit else book_corr2d(lib, x, k),
          X, np.ones((2, 2)), requires_grad=False)
    assert d2l.corr2d(gradkit.tensor(X), gradkit.ones(2, 2, dtype=gradkit.float64)).dtype == \
        gradkit.float32


def test_corr2d_gradcheck_in_float64():
    X = gradkit.randn(4, 5, dtype=gradkit.float64, requires_grad=True)
    K = gradkit.randn(2, 3, dtype=gradkit.float64, requires_grad=True)
    # corr2d returns the default dtype (the book's): float64 for the check.
    with _default_dtype(gradkit.float64):
        assert gradkit.autograd.gradcheck(d2l.corr2d, (X, K))


class _default_dtype:
    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.previous = gradkit.get_default_dtype()
        gradkit.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        gradkit.set_default_dtype(self.previous)


def test_corr2d_bad_shapes_name_the_problem():
    with pytest.raises(RuntimeError, match=r"kernel size \(3, 3\) can't be greater"):
        d2l.corr2d(gradkit.ones(2, 2), gradkit.ones(3, 3))
    with pytest.raises(RuntimeError, match="expected a 2-D input and a 2-D kernel"):
        d2l.corr2d(gradkit.ones(1, 3, 3), gradkit.ones(2, 2))


# -- evaluate_accuracy_gpu ----------------------------------------------------------------------
def test_evaluate_accuracy_gpu_equals_evaluate_accuracy(fashion_batches):
    gradkit.manual_seed(0)
    net = lenet(gradkit)
    batches = as_lib(gradkit, fashion_batches)
    want = d2l.evaluate_accuracy(net, batches)
    assert d2l.evaluate_accuracy_gpu(net, batches) == want
    assert d2l.evaluate_accuracy_gpu(net, batches, d2l.try_gpu()) == want
    net.train()
    d2l.evaluate_accuracy_gpu(net, batches)
    assert not net.training


def test_evaluate_accuracy_gpu_takes_a_list_of_inputs():
    def net(inputs):
        return inputs[0] + inputs[1]

    batches = [([gradkit.tensor([[1.0, 0.0]]), gradkit.tensor([[0.0, 0.5]])], gradkit.tensor([0]))]
    assert d2l.evaluate_accuracy_gpu(net, batches, d2l.cpu()) == 1.0


# -- train_ch6 ----------------------------------------------------------------------------------
def test_train_ch6_matches_the_books_loop_on_torch(torch, fashion_batches, monkeypatch, capsys):
    gradkit.manual_seed(0)
    ours = lenet(gradkit)
    theirs = lenet(torch)
    copy_weights(ours, theirs, torch)
    monkeypatch.setattr(cnn, "init_cnn", lambda m: None)  # the same weights on both sides
    train, test = fashion_batches[:5], fashion_batches[5:]
    history = d2l.train_ch6_history(ours, as_lib(gradkit, train), as_lib(gradkit, test), 2, 0.9,
                                    d2l.try_gpu())
    want = book_train_ch6_losses(torch, theirs, as_lib(torch, train), as_lib(torch, test), 2, 0.9)
    for got, (loss, train_acc, test_acc) in zip(history, want):
        assert got["train_loss"] == pytest.approx(loss, rel=1e-4)
        assert got["train_acc"] == train_acc
        assert got["test_acc"] == test_acc
    last = history[-1]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "training on cpu"
    assert f"loss {last['train_loss']:.3f}, train acc {last['train_acc']:.3f}, " \
           f"test acc {last['test_acc']:.3f}" in lines
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", lines[-1])


def test_train_ch6_returns_none_and_draws_the_books_points(fashion_batches, monkeypatch):
    drawn = []
    original = cnn.Animator

    def recording(*args, **kwargs):
        animator = original(*args, **kwargs)
        drawn.append((kwargs, animator))
        return animator

    monkeypatch.setattr(cnn, "Animator", recording)
    gradkit.manual_seed(0)
    batches = as_lib(gradkit, fashion_batches)  # 7 batches: a point every 7 // 5 = 1 batch
    assert d2l.train_ch6(lenet(gradkit), batches[:5], batches[5:], 2, 0.1, d2l.cpu()) is None
    [(kwargs, animator)] = drawn
    assert kwargs["legend"] == ["train loss", "train acc", "test acc"]
    assert kwargs["xlabel"] == "epoch"
    np.testing.assert_allclose(animator.X[0], [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0])
    assert animator.X[2] == [1.0, 2.0]


def test_train_ch6_draws_every_batch_of_a_short_epoch(fashion_batches, monkeypatch):
    """The book's ``num_batches // 5`` is 0 for fewer than 5 batches (a ZeroDivisionError)."""
    gradkit.manual_seed(0)
    batches = as_lib(gradkit, fashion_batches)
    history = d2l.train_ch6_history(lenet(gradkit), batches[:2], batches[2:3], 1, 0.1, "cpu")
    assert len(history) == 1 and 0 <= history[0]["train_acc"] <= 1
    assert history[0]["examples_per_sec"] > 0


def test_train_ch6_initialises_with_xavier_uniform(fashion_batches):
    gradkit.manual_seed(0)
    net = lenet(gradkit)
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.constant_(m.weight, 10.0)
    batches = as_lib(gradkit, fashion_batches)
    d2l.train_ch6(net, batches[:1], batches[1:2], 1, 0.0, d2l.cpu())  # lr 0: weights as drawn
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            w = m.weight.detach().numpy()
            fan_in, fan_out = w[0].size, w.shape[0] * w[0, 0].size
            assert np.abs(w).max() <= np.sqrt(6 / (fan_in + fan_out))


# -- init_cnn and the English LeNet ---------------------------------------------------------------
def test_init_cnn_draws_xavier_uniform_for_conv_and_linear_only():
    gradkit.manual_seed(0)
    conv, linear, bn = nn.Conv2d(3, 64, 5), nn.Linear(300, 200), nn.BatchNorm2d(4)
    bias = conv.bias.detach().numpy().copy()
    with gradkit.no_grad():
        bn.weight.fill_(3.0)
    for m in (conv, linear, bn):
        d2l.init_cnn(m)
    for m, fan_in, fan_out in ((conv, 3 * 25, 64 * 25), (linear, 300, 200)):
        w = m.weight.detach().numpy()
        bound = np.sqrt(6 / (fan_in + fan_out))
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
        assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound  # uniform's spread
    np.testing.assert_array_equal(conv.bias.detach().numpy(), bias)
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.full(4, 3.0, np.float32))


BOOK_LAYER_SUMMARY = """\
Conv2d output shape:\t gradkit.Size([1, 6, 28, 28])
Sigmoid output shape:\t gradkit.Size([1, 6, 28, 28])
AvgPool2d output shape:\t gradkit.Size([1, 6, 14, 14])
Conv2d output shape:\t gradkit.Size([1, 16, 10, 10])
Sigmoid output shape:\t gradkit.Size([1, 16, 10, 10])
AvgPool2d output shape:\t gradkit.Size([1, 16, 5, 5])
Flatten output shape:\t gradkit.Size([1, 400])
Linear output shape:\t gradkit.Size([1, 120])
Sigmoid output shape:\t gradkit.Size([1, 120])
Linear output shape:\t gradkit.Size([1, 84])
Sigmoid output shape:\t gradkit.Size([1, 84])
Linear output shape:\t gradkit.Size([1, 10])
"""


def test_lenet_layer_summary_prints_the_books_lines(capsys):
    model = d2l.LeNet()
    model.layer_summary((1, 1, 28, 28))
    assert capsys.readouterr().out == BOOK_LAYER_SUMMARY


def test_lenet_is_a_classifier_with_the_books_hyperparameters():
    model = d2l.LeNet(lr=0.05, num_classes=7)
    assert isinstance(model, d2l.Classifier)
    assert (model.lr, model.num_classes) == (0.05, 7)
    assert model(gradkit.zeros(3, 1, 28, 28)).shape == (3, 7)
    counts = [p.numel() for p in model.parameters()]
    assert counts == [150, 6, 2400, 16, 48000, 120, 10080, 84, 84 * 7, 7]
    assert isinstance(model.configure_optimizers(), gradkit.optim.SGD)


def test_lenet_apply_init_with_init_cnn_as_the_book():
    gradkit.manual_seed(0)
    model = d2l.LeNet()
    model.apply_init([gradkit.zeros(2, 1, 28, 28)], d2l.init_cnn)
    w = model.net[0].weight.detach().numpy()
    bound = np.sqrt(6 / (25 + 6 * 25))
    assert np.abs(w).max() <= bound
