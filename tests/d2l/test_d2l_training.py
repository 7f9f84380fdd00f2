"""The chapter-3 training loop: ``train_epoch_ch3`` (optimizer and scratch updaters) against the
book's code on torch with the same weights and batches, ``train_ch3``'s history and warnings,
and ``predict_ch3``."""
from __future__ import annotations

import tempfile
import warnings

import numpy as np
import pytest

import gradkit
from gradkit import d2l, nn

from book_reference import book_evaluate_accuracy, book_sgd, book_train_epoch_ch3

N_BATCHES, BATCH = 6, 32


@pytest.fixture(scope="module")
def fashion_batches():
    """Fixed batches of real Fashion-MNIST images, as NumPy arrays (for both libraries)."""
    from gradkit.vision import datasets

    test = datasets.FashionMNIST(root=None, train=False)
    images = test.data.numpy()[: N_BATCHES * BATCH].astype(np.float32) / 255
    labels = test.targets.numpy()[: N_BATCHES * BATCH]
    return [(images[i:i + BATCH, None], labels[i:i + BATCH])
            for i in range(0, N_BATCHES * BATCH, BATCH)]


@pytest.fixture(autouse=True)
def _animator_files_in_tmp(tmp_path, monkeypatch):
    # train_ch3's Animator saves its figure in the temporary folder: keep it in this test's.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def as_lib(lib, batches):
    return [(lib.tensor(X), lib.tensor(y)) for X, y in batches]


def initial_weights(*shapes):
    rng = np.random.default_rng(0)
    return [(rng.standard_normal(s) * 0.01).astype(np.float32) for s in shapes]


def concise_net(lib, weights, hidden=False):
    """Flatten + Linear (+ ReLU + Linear) with the given (out, in) weights and zero biases."""
    layers = [lib.nn.Flatten(), lib.nn.Linear(784, 10 if not hidden else 64)]
    if hidden:
        layers += [lib.nn.ReLU(), lib.nn.Linear(64, 10)]
    net = lib.nn.Sequential(*layers)
    linears = [m for m in net if isinstance(m, lib.nn.Linear)]
    with lib.no_grad():
        for layer, w in zip(linears, weights):
            layer.weight.copy_(lib.tensor(w))
            layer.bias.zero_()
    return net, linears


# The book's ``float(l.sum())`` on a loss that requires grad makes torch warn.
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


@pytest.mark.parametrize("hidden", [False, True], ids=["softmax", "mlp"])
def test_optimizer_path_matches_the_book_on_torch(torch, fashion_batches, hidden):
    shapes = [(64, 784), (10, 64)] if hidden else [(10, 784)]
    weights = initial_weights(*shapes)
    ours, our_linears = concise_net(gradkit, weights, hidden)
    theirs, their_linears = concise_net(torch, weights, hidden)
    our_opt = gradkit.optim.SGD(ours.parameters(), lr=0.1)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    our_loss = nn.CrossEntropyLoss(reduction="none")
    their_loss = torch.nn.CrossEntropyLoss(reduction="none")
    for _ in range(2):
        got = d2l.train_epoch_ch3(ours, as_lib(gradkit, fashion_batches), our_loss, our_opt)
        want = book_train_epoch_ch3(torch, theirs, as_lib(torch, fashion_batches), their_loss,
                                    their_opt)
        assert got[0] == pytest.approx(want[0], rel=1e-5)
        assert got[1] == want[1]
    for a, b in zip(our_linears, their_linears):
        np.testing.assert_allclose(a.weight.detach().numpy(), b.weight.detach().numpy(),
                                   rtol=1e-4, atol=1e-6)
    assert d2l.evaluate_accuracy(ours, as_lib(gradkit, fashion_batches)) == \
        book_evaluate_accuracy(torch, theirs, as_lib(torch, fashion_batches))


def test_scratch_updater_path_matches_the_book_on_torch(torch, fashion_batches):
    """D2L 3.6: naive softmax, indexing cross-entropy, ``updater(batch_size)`` calling sgd."""
    [w0] = initial_weights((784, 10))

    def make(lib, sgd):
        W = lib.tensor(w0.copy(), requires_grad=True)
        b = lib.zeros(10, requires_grad=True)

        def softmax(X):
            X_exp = lib.exp(X)
            return X_exp / X_exp.sum(1, keepdim=True)

        def net(X):
            return softmax(lib.matmul(X.reshape((-1, W.shape[0])), W) + b)

        def cross_entropy(y_hat, y):
            return -lib.log(y_hat[range(len(y_hat)), y])

        return net, cross_entropy, (lambda batch_size: sgd([W, b], 0.1, batch_size)), W

    our_net, our_loss, our_updater, W = make(gradkit, d2l.sgd)
    their_net, their_loss, their_updater, TW = make(
        torch, lambda params, lr, n: book_sgd(torch, params, lr, n))
    for _ in range(2):
        got = d2l.train_epoch_ch3(our_net, as_lib(gradkit, fashion_batches), our_loss,
                                  our_updater)
        want = book_train_epoch_ch3(torch, their_net, as_lib(torch, fashion_batches),
                                    their_loss, their_updater)
        assert got[0] == pytest.approx(want[0], rel=1e-5)
        assert got[1] == want[1]
    np.testing.assert_allclose(W.detach().numpy(), TW.detach().numpy(), rtol=1e-4, atol=1e-6)
    assert got[0] < 2.3  # the loss fell from log(10)


def test_mean_reduced_loss_reports_the_per_example_mean(fashion_batches):
    """With ``CrossEntropyLoss()`` (mean), the book's ``float(l.sum())`` would report the loss
    ``batch_size`` times too small; gradkit reports what ``reduction='none'`` reports."""
    weights = initial_weights((10, 784))
    results = []
    for reduction in ("none", "mean"):
        net, [linear] = concise_net(gradkit, weights)
        trainer = gradkit.optim.SGD(net.parameters(), lr=0.1)
        results.append((d2l.train_epoch_ch3(net, as_lib(gradkit, fashion_batches),
                                            nn.CrossEntropyLoss(reduction=reduction), trainer),
                        linear.weight.detach().numpy().copy()))
    (none_metrics, none_w), (mean_metrics, mean_w) = results
    assert mean_metrics[0] == pytest.approx(none_metrics[0], rel=1e-6)
    assert mean_metrics[1] == none_metrics[1]
    np.testing.assert_array_equal(mean_w, none_w)
    assert none_metrics[0] > 1.0  # a real cross-entropy, not one 32 times smaller


def test_reported_loss_is_the_mean_over_examples_with_a_short_last_batch():
    # lr 0: nothing changes, so the reported loss is the dataset's mean loss
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((23, 3)).astype(np.float32), rng.standard_normal((23, 1))
    net = nn.Linear(3, 1)
    batches = d2l.load_array((gradkit.tensor(X), gradkit.tensor(y.astype(np.float32))), 10,
                             is_train=False)
    with gradkit.no_grad():
        expected = float(((net(gradkit.tensor(X)).numpy() - y) ** 2).mean())
    for loss in (nn.MSELoss(), nn.MSELoss(reduction="none")):
        trainer = gradkit.optim.SGD(net.parameters(), lr=0.0)
        train_loss, _ = d2l.train_epoch_ch3(net, batches, loss, trainer)
        assert train_loss == pytest.approx(expected, rel=1e-5)


def test_train_epoch_ch3_puts_a_module_in_training_mode(fashion_batches):
    net, _ = concise_net(gradkit, initial_weights((10, 784)))
    net.eval()
    d2l.train_epoch_ch3(net, as_lib(gradkit, fashion_batches[:1]),
                        nn.CrossEntropyLoss(reduction="none"),
                        gradkit.optim.SGD(net.parameters(), lr=0.1))
    assert net.training


# -- train_ch3 ----------------------------------------------------------------------------------
def separable_data(n=200):
    """Three well separated classes: any sensible training gets them all right."""
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, n)
    X = (np.eye(3)[y] * 4 + rng.standard_normal((n, 3)) * 0.3).astype(np.float32)
    return gradkit.tensor(X), gradkit.tensor(y)


def test_train_ch3_returns_the_history_and_prints_a_line_per_epoch(capsys):
    X, y = separable_data()
    train_iter = d2l.load_array((X, y), 20)
    test_iter = d2l.load_array((X, y), 50, is_train=False)
    net = nn.Sequential(nn.Linear(3, 3))
    trainer = gradkit.optim.SGD(net.parameters(), lr=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the book's bounds are met: no warning
        history = d2l.train_ch3_history(net, train_iter, test_iter,
                                        nn.CrossEntropyLoss(reduction="none"), 3, trainer)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert all(set(h) == {"epoch", "train_loss", "train_acc", "test_acc"} for h in history)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_acc"] == 1.0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # one per epoch, outside Jupyter
    assert lines[0].startswith("1: train loss ")
    assert "train acc" in lines[0] and "test acc" in lines[0] and "(figure: " in lines[0]
    assert lines[2].startswith("3: train loss ") and "figure" not in lines[2]


def test_train_ch3_warns_naming_the_missed_bound_instead_of_raising():
    rng = np.random.default_rng(3)
    X = gradkit.tensor(rng.standard_normal((100, 5)).astype(np.float32))
    y = gradkit.tensor(rng.integers(0, 10, 100))  # random labels: nothing to learn
    net = nn.Sequential(nn.Linear(5, 10))
    trainer = gradkit.optim.SGD(net.parameters(), lr=0.01)
    with pytest.warns(RuntimeWarning) as record:
        history = d2l.train_ch3_history(net, d2l.load_array((X, y), 25),
                                        d2l.load_array((X, y), 25),
                                        nn.CrossEntropyLoss(reduction="none"), 1, trainer)
    record = [w for w in record if w.category is RuntimeWarning]
    messages = [str(w.message) for w in record]
    assert any("train loss" in m and "< 0.5" in m for m in messages), messages
    assert any("train accuracy" in m and "(0.7, 1]" in m for m in messages), messages
    assert any("test accuracy" in m and "(0.7, 1]" in m for m in messages), messages
    assert len(history) == 1 and history[0]["test_acc"] < 0.7
    # the warning points at the caller, not at gradkit's internals
    assert all(w.filename == __file__ for w in record)


# -- predict_ch3 ----------------------------------------------------------------------------------
def test_predict_ch3_titles_true_and_predicted_labels(fashion_batches):
    test_iter = as_lib(gradkit, fashion_batches)
    net, _ = concise_net(gradkit, initial_weights((10, 784)))
    assert d2l.predict_ch3(net, test_iter) is None  # as the book's: nothing printed after
    axes = d2l.plt.gcf().axes
    assert len(axes) == 6
    titles = [ax.get_title() for ax in axes]
    trues = [t.split("\n")[0] for t in titles]
    assert trues == ["ankle boot", "pullover", "trouser", "trouser", "shirt", "trouser"]
    preds = d2l.get_fashion_mnist_labels(net(test_iter[0][0]).argmax(axis=1))[:6]
    assert [t.split("\n")[1] for t in titles] == preds
    d2l.predict_ch3(net, test_iter, n=3)
    assert len(d2l.plt.gcf().axes) == 3


def test_train_ch3_returns_none_and_warns_at_its_caller():
    # As the book's: a notebook cell ending with d2l.train_ch3(...) shows only the figure.
    X = gradkit.randn(20, 3)
    y = gradkit.zeros(20, dtype=gradkit.int64)
    net = nn.Sequential(nn.Linear(3, 2))
    trainer = gradkit.optim.SGD(net.parameters(), lr=0.0)
    with pytest.warns(RuntimeWarning) as record:
        returned = d2l.train_ch3(net, d2l.load_array((X, y), 10), d2l.load_array((X, y), 10),
                                 nn.CrossEntropyLoss(reduction="none"), 1, trainer)
    assert returned is None
    assert all(w.filename == __file__ for w in record if w.category is RuntimeWarning)
