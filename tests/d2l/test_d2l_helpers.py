"""The book's small helpers (D2L 3.2-3.6, 4.4): data, models, losses, the scratch updater,
metrics, the timer and the aliases, checked against their definitions and the book's code on
torch."""
from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

import gradkit
from gradkit import d2l, nn
from gradkit.utils import data

from book_reference import BookAccumulator, book_accuracy, book_sgd, book_squared_loss


# -- synthetic_data ------------------------------------------------------------------------------
def test_synthetic_data_shapes_and_dtypes():
    X, y = d2l.synthetic_data(gradkit.tensor([2, -3.4]), 4.2, 1000)
    assert tuple(X.shape) == (1000, 2) and tuple(y.shape) == (1000, 1)
    assert X.dtype == gradkit.float32 and y.dtype == gradkit.float32
    assert not X.requires_grad and not y.requires_grad


def test_synthetic_data_noise_is_gaussian_with_std_0_01():
    true_w, true_b = np.array([2, -3.4], dtype=np.float32), 4.2
    X, y = d2l.synthetic_data(gradkit.tensor(true_w), true_b, 20000)
    X, y = X.numpy().astype(np.float64), y.numpy().astype(np.float64).reshape(-1)
    noise = y - X @ true_w - true_b
    assert abs(noise.mean()) < 0.01 * 4 / np.sqrt(len(noise))
    assert noise.std() == pytest.approx(0.01, rel=0.03)
    # the features are standard normal
    assert X.mean() == pytest.approx(0, abs=0.03) and X.std() == pytest.approx(1, abs=0.03)


def test_synthetic_data_column_weights_and_seeding():
    # weight decay (4.5) passes w as a (200, 1) column; labels stay (n, 1)
    X, y = d2l.synthetic_data(gradkit.ones((200, 1)) * 0.01, 0.05, 20)
    assert tuple(X.shape) == (20, 200) and tuple(y.shape) == (20, 1)
    gradkit.manual_seed(5)
    first = d2l.synthetic_data(gradkit.tensor([1.0, 2.0]), 0.5, 10)
    gradkit.manual_seed(5)
    again = d2l.synthetic_data(gradkit.tensor([1.0, 2.0]), 0.5, 10)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(first, again))


# -- linreg, squared_loss, sgd -------------------------------------------------------------------
def test_linreg_is_xw_plus_b():
    rng = np.random.default_rng(0)
    X, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((7, 3), (3, 1), (1,)))
    out = d2l.linreg(gradkit.tensor(X), gradkit.tensor(w), gradkit.tensor(b))
    assert tuple(out.shape) == (7, 1)
    np.testing.assert_allclose(out.numpy(), X @ w + b, rtol=1e-6)


def test_squared_loss_matches_the_book_on_torch(torch):
    rng = np.random.default_rng(1)
    y_hat = rng.standard_normal((10, 1)).astype(np.float32)
    y = rng.standard_normal(10).astype(np.float32)  # a flat y is reshaped to y_hat's shape
    ours_in = gradkit.tensor(y_hat, requires_grad=True)
    theirs_in = torch.tensor(y_hat, requires_grad=True)
    ours = d2l.squared_loss(ours_in, gradkit.tensor(y))
    theirs = book_squared_loss(theirs_in, torch.tensor(y))
    assert tuple(ours.shape) == tuple(theirs.shape) == (10, 1)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-6)
    assert d2l.squared_loss(gradkit.tensor([[1.0]]), gradkit.tensor([3.0])).item() == 2.0


def test_sgd_updates_in_place_and_zeroes_the_gradients(torch):
    rng = np.random.default_rng(2)
    w0, b0 = rng.standard_normal((3, 1)).astype(np.float32), np.zeros(1, np.float32)
    X, y = rng.standard_normal((8, 3)).astype(np.float32), rng.standard_normal((8, 1))
    w, b = gradkit.tensor(w0, requires_grad=True), gradkit.tensor(b0, requires_grad=True)
    tw, tb = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    w_storage = w.data.numpy()
    for _ in range(3):
        d2l.squared_loss(d2l.linreg(gradkit.tensor(X), w, b), gradkit.tensor(y)).sum().backward()
        d2l.sgd([w, b], 0.03, 8)
        book_squared_loss(torch.tensor(X) @ tw + tb, torch.tensor(y)).sum().backward()
        book_sgd(torch, [tw, tb], 0.03, 8)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-6, atol=1e-7)
    # in place: the same tensors, the same memory, still trainable leaves with no history
    assert np.shares_memory(w_storage, w.data.numpy())
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert np.all(w.grad.numpy() == 0) and np.all(b.grad.numpy() == 0)
    assert not np.allclose(w.detach().numpy(), w0)


def test_sgd_step_is_lr_times_mean_gradient():
    w = gradkit.tensor([1.0, 2.0], requires_grad=True)
    (w * gradkit.tensor([4.0, 8.0])).sum().backward()
    d2l.sgd([w], lr=0.5, batch_size=4)
    np.testing.assert_allclose(w.detach().numpy(), [1.0 - 0.5 * 4 / 4, 2.0 - 0.5 * 8 / 4])


# -- load_array ----------------------------------------------------------------------------------
def test_load_array_batches_cover_the_data():
    features = gradkit.arange(50.0).reshape(25, 2)
    labels = gradkit.arange(25)
    loader = d2l.load_array((features, labels), 10)
    assert isinstance(loader, data.DataLoader) and len(loader) == 3
    batches = list(loader)
    assert [len(y) for _, y in batches] == [10, 10, 5]
    seen = np.concatenate([y.numpy() for _, y in batches])
    assert sorted(seen.tolist()) == list(range(25))
    assert seen.tolist() != list(range(25))  # shuffled for training
    for X, y in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(X.numpy()[:, 0], 2 * y.numpy())
        assert X.dtype == gradkit.float32 and y.dtype == gradkit.int64


def test_load_array_in_order_for_evaluation_and_reproducible_for_training():
    features, labels = gradkit.arange(12.0).reshape(12, 1), gradkit.arange(12)
    ordered = [y.numpy().tolist() for _, y in d2l.load_array((features, labels), 5, False)]
    assert ordered == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    gradkit.manual_seed(3)
    first = [y.numpy().tolist() for _, y in d2l.load_array((features, labels), 5)]
    gradkit.manual_seed(3)
    again = [y.numpy().tolist() for _, y in d2l.load_array((features, labels), 5)]
    assert first == again


# -- labels ----------------------------------------------------------------------------------------
def test_get_fashion_mnist_labels():
    names = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
             "bag", "ankle boot"]
    assert d2l.get_fashion_mnist_labels(gradkit.arange(10)) == names
    assert d2l.get_fashion_mnist_labels([9, 0, np.int64(5)]) == ["ankle boot", "t-shirt", "sandal"]
    # the predictions of a net, as predict_ch3 passes them
    logits = gradkit.tensor([[0.0, 3.0] + [0.0] * 8, [0.0] * 9 + [1.0]])
    assert d2l.get_fashion_mnist_labels(logits.argmax(axis=1)) == ["trouser", "ankle boot"]


def test_get_dataloader_workers_is_accepted_by_the_dataloader():
    workers = d2l.get_dataloader_workers()
    assert isinstance(workers, int) and workers >= 0
    loader = data.DataLoader(data.TensorDataset(gradkit.arange(6.0)), 4, num_workers=workers)
    assert [len(x) for (x,) in loader] == [4, 2]


# -- accuracy, Accumulator, evaluate_accuracy, evaluate_loss -----------------------------------
def test_accuracy_on_the_books_example():
    y_hat = gradkit.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = gradkit.tensor([0, 2])
    assert d2l.accuracy(y_hat, y) == 1.0
    assert isinstance(d2l.accuracy(y_hat, y), float)
    assert d2l.accuracy(y_hat, y) / len(y) == 0.5
    # y_hat already holds class indices
    assert d2l.accuracy(gradkit.tensor([0, 1, 2]), gradkit.tensor([0, 1, 1])) == 2.0


def test_accuracy_counts_as_the_books_code_on_odd_inputs(torch):
    """Float labels predicted as 1-D, NaN predictions (silently wrong), logits that require a
    gradient, (N, 1) labels broadcast against (N,) predictions: the book's count each time."""
    cases = [(np.array([0.9, 1.2, 2.0, np.nan], np.float32), np.array([0, 1, 2, 0])),
             (np.array([[np.nan, 1.0], [0.2, 0.1], [0.3, 0.4]], np.float32), np.array([0, 0, 1])),
             (np.array([[0.1, 0.9], [0.8, 0.2]], np.float32), np.array([[1], [1]]))]
    for y_hat, y in cases:
        want = book_accuracy(torch.tensor(y_hat, requires_grad=True), torch.tensor(y))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = d2l.accuracy(gradkit.tensor(y_hat, requires_grad=True), gradkit.tensor(y))
        assert got == want and isinstance(got, float), (y_hat, y, got, want)


def test_accuracy_matches_the_book_on_torch(torch):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((257, 10)).astype(np.float32)
    y = rng.integers(0, 10, 257)
    assert d2l.accuracy(gradkit.tensor(logits), gradkit.tensor(y)) == \
        book_accuracy(torch.tensor(logits), torch.tensor(y))


def test_accumulator_sums_and_resets():
    metric = d2l.Accumulator(3)
    metric.add(1, 2.5, gradkit.tensor(3.0))
    metric.add(gradkit.tensor(2), 0.5, 1)
    reference = BookAccumulator(3)
    reference.add(1, 2.5, 3.0)
    reference.add(2, 0.5, 1)
    assert [metric[i] for i in range(3)] == [reference[i] for i in range(3)] == [3.0, 3.0, 4.0]
    assert all(isinstance(metric[i], float) for i in range(3))
    metric.reset()
    assert [metric[i] for i in range(3)] == [0.0, 0.0, 0.0]


def test_evaluate_accuracy_uses_eval_mode_and_records_no_graph():
    gradkit.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.9))
    X = gradkit.randn(40, 4)
    y = net[0](X).argmax(axis=1)  # the labels the net predicts without dropout
    loader = d2l.load_array((X, y.detach()), 16, is_train=False)
    net.train()
    assert d2l.evaluate_accuracy(net, loader) == 1.0  # dropout off: exact
    assert not net.training
    assert all(p.grad is None for p in net.parameters())


def test_evaluate_accuracy_of_a_function_and_on_torch(torch):
    rng = np.random.default_rng(4)
    W = rng.standard_normal((5, 3)).astype(np.float32)
    X, y = rng.standard_normal((30, 5)).astype(np.float32), rng.integers(0, 3, 30)
    ours = d2l.evaluate_accuracy(lambda x: x @ gradkit.tensor(W),
                                 d2l.load_array((gradkit.tensor(X), gradkit.tensor(y)), 8, False))
    from book_reference import book_evaluate_accuracy

    batches = [(torch.tensor(X[i:i + 8]), torch.tensor(y[i:i + 8])) for i in range(0, 30, 8)]
    theirs = book_evaluate_accuracy(torch, lambda x: x @ torch.tensor(W), batches)
    assert ours == theirs
    assert 0 < ours < 1


def test_evaluate_loss_is_the_mean_loss_per_example():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((23, 2)).astype(np.float32), rng.standard_normal(23)
    net = nn.Linear(2, 1)
    loader = d2l.load_array((gradkit.tensor(X), gradkit.tensor(y.astype(np.float32))), 5, False)
    with gradkit.no_grad():
        expected = ((net(gradkit.tensor(X)).numpy().reshape(-1) - y) ** 2).mean()
        assert d2l.evaluate_loss(net, loader, nn.MSELoss(reduction="none")) == \
            pytest.approx(expected, rel=1e-5)


# -- Timer ----------------------------------------------------------------------------------------
def test_timer_records_times(monkeypatch):
    clock = iter([10.0, 12.0, 20.0, 21.5, 30.0])
    monkeypatch.setattr(time, "time", lambda: next(clock))
    timer = d2l.Timer()  # starts at 10
    assert timer.stop() == 2.0
    timer.start()  # 20
    assert timer.stop() == 1.5
    assert timer.times == [2.0, 1.5]
    assert timer.sum() == 3.5 and timer.avg() == 1.75 and timer.cumsum() == [2.0, 3.5]


def test_timer_measures_real_time():
    timer = d2l.Timer()
    time.sleep(0.02)
    assert 0.015 < timer.stop() < 1.0
    assert f"{timer.stop():.2f} sec".endswith(" sec")


# -- the aliases of the book's shared code --------------------------------------------------------
def test_aliases_behave_like_the_methods():
    x = gradkit.tensor([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]], requires_grad=True)
    assert d2l.reduce_sum(x).item() == 15.0
    np.testing.assert_array_equal(d2l.reduce_sum(x, axis=0).detach().numpy(), [5, 5, 5])
    assert d2l.reduce_mean(x).item() == 2.5
    np.testing.assert_array_equal(d2l.argmax(x, axis=1).numpy(), [1, 0])
    assert d2l.astype(x, gradkit.int64).dtype == gradkit.int64
    assert d2l.size(x) == 6 and isinstance(d2l.size(x), int)
    arr = d2l.numpy(x)  # works on a tensor that requires grad (detaches first)
    assert isinstance(arr, np.ndarray) and arr.shape == (2, 3)
    assert tuple(d2l.reshape(x, (3, 2)).shape) == (3, 2)
    assert tuple(d2l.transpose(x).shape) == (3, 2)
    assert d2l.to(x, gradkit.float64).dtype == gradkit.float64
    both = d2l.concat([x, x], dim=0)
    assert tuple(both.shape) == (4, 3)
    assert tuple(d2l.stack([x, x]).shape) == (2, 2, 3)
    assert d2l.float32 is gradkit.float32 and d2l.int64 is gradkit.int64
    assert d2l.int32 is gradkit.int32
    for name in ("ones", "zeros", "ones_like", "zeros_like", "tensor", "arange", "linspace",
                 "eye", "sin", "cos", "tanh", "exp", "log", "abs", "sigmoid", "normal", "rand",
                 "randn", "matmul", "batch_matmul"):
        assert callable(getattr(d2l, name)), name
    assert tuple(d2l.batch_matmul(gradkit.ones(2, 3, 4), gradkit.ones(2, 4, 5)).shape) == (2, 3, 5)


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_helper'"):
        d2l.not_a_helper  # noqa: B018


def test_public_names_are_documented():
    for name in d2l.__all__:
        obj = getattr(d2l, name)
        if callable(obj):
            assert obj.__doc__ and "Example" in obj.__doc__, f"{name} has no docstring example"
