"""The English edition's (d2l 1.0.3) toolkit against the book's semantics: HyperParameters,
add_to_class, Module/Classifier, Trainer (its order of calls, backward inside no_grad,
clip_gradients), the data modules and the chapters' models trained on the bundled data."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from gradkit import d2l, nn
from gradkit.utils import data as gdata


# -- HyperParameters, add_to_class -------------------------------------------------------------
class _B(d2l.HyperParameters):
    def __init__(self, a, b, c, _private=0):
        self.save_hyperparameters(ignore=["c"])


def test_save_hyperparameters_sets_the_arguments_and_skips_ignore_self_and_underscores():
    b = _B(1, [2], 3)
    assert (b.a, b.b) == (1, [2])
    assert not hasattr(b, "c") and not hasattr(b, "_private")
    assert b.hparams == {"a": 1, "b": [2]}


def test_save_hyperparameters_in_a_subclass_adds_its_own_arguments():
    model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
    assert (model.num_outputs, model.lr) == (10, 0.1)
    assert (model.plot_train_per_epoch, model.plot_valid_per_epoch) == (2, 1)  # Module's


def test_add_to_class_registers_a_method_and_returns_none():
    class A:
        def __init__(self):
            self.b = 1

    @d2l.add_to_class(A)
    def do(self):
        return self.b + 1

    assert A().do() == 2 and do is None  # the book's decorator keeps no name


# -- Module / Classifier ------------------------------------------------------------------------
def test_module_forward_needs_net_and_plot_needs_trainer():
    module = d2l.Module()
    with pytest.raises(AssertionError, match="Neural network is defined"):
        module(gradkit.ones(2))
    with pytest.raises(AssertionError, match="Trainer is not inited"):
        module.plot("loss", gradkit.tensor(1.0), train=True)
    with pytest.raises(NotImplementedError):
        module.loss(gradkit.ones(1), gradkit.ones(1))


def test_classifier_accuracy_and_loss_match_torch(torch):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(8, 5)).astype(np.float32)
    labels = rng.integers(0, 5, size=8)
    model = d2l.Classifier()
    Y_hat, Y = gradkit.tensor(logits), gradkit.tensor(labels)
    expected = (logits.argmax(1) == labels).astype(np.float32)
    np.testing.assert_array_equal(model.accuracy(Y_hat, Y, averaged=False).numpy(), expected)
    assert model.accuracy(Y_hat, Y).item() == pytest.approx(expected.mean())
    assert model.accuracy(Y_hat, Y).dtype == gradkit.float32
    ce = torch.nn.functional.cross_entropy
    t_logits, t_labels = torch.tensor(logits), torch.tensor(labels)
    assert model.loss(Y_hat, Y).item() == pytest.approx(ce(t_logits, t_labels).item(), rel=1e-6)
    np.testing.assert_allclose(model.loss(Y_hat, Y, averaged=False).numpy(),
                               ce(t_logits, t_labels, reduction="none").numpy(), rtol=1e-6)


def test_classifier_layer_summary_prints_each_layer_output_shape(capsys):
    model = d2l.Classifier()
    model.net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU())
    model.layer_summary((2, 2, 2))
    assert capsys.readouterr().out.splitlines() == [
        "Flatten output shape:\t gradkit.Size([2, 4])",
        "Linear output shape:\t gradkit.Size([2, 3])",
        "ReLU output shape:\t gradkit.Size([2, 3])"]


def test_apply_init_runs_forward_once_then_initializes_the_lazy_layers():
    model = d2l.SoftmaxRegression(num_outputs=3, lr=0.1)
    seen = []

    def init(m):
        if isinstance(m, nn.Linear):
            seen.append(tuple(m.weight.shape))
            nn.init.zeros_(m.weight)

    model.apply_init([gradkit.ones(2, 1, 2, 2)], init)
    assert seen == [(3, 4)]
    assert float(model.net[1].weight.abs().sum()) == 0


# -- Trainer ------------------------------------------------------------------------------------
class _RecordingOptimizer:
    def __init__(self, calls, params):
        self.calls, self.params = calls, params

    def zero_grad(self):
        self.calls.append("zero_grad")
        for p in self.params:
            p.grad = None

    def step(self):
        # The book calls step() after backward(), both inside no_grad: the gradient exists.
        self.calls.append(("step", gradkit.is_grad_enabled(),
                           all(p.grad is not None for p in self.params)))


class _Recorded(d2l.Module):
    def __init__(self, calls):
        super().__init__()
        self.calls = calls
        self.net = nn.Linear(2, 1)

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2).mean()

    def training_step(self, batch):
        self.calls.append(("training_step", self.training, gradkit.is_grad_enabled()))
        return super().training_step(batch)

    def validation_step(self, batch):
        self.calls.append(("validation_step", self.training, gradkit.is_grad_enabled()))
        return super().validation_step(batch)

    def configure_optimizers(self):
        self.calls.append("configure_optimizers")
        return _RecordingOptimizer(self.calls, list(self.parameters()))


class _RecordingTrainer(d2l.Trainer):
    def __init__(self, calls, max_epochs):
        super().__init__(max_epochs)
        self.calls = calls

    def prepare_data(self, data):
        self.calls.append("prepare_data")
        super().prepare_data(data)

    def prepare_model(self, model):
        self.calls.append("prepare_model")
        super().prepare_model(model)

    def fit_epoch(self):
        self.calls.append(("fit_epoch", self.epoch))
        super().fit_epoch()

    def prepare_batch(self, batch):
        self.calls.append("prepare_batch")
        return super().prepare_batch(batch)


def test_trainer_fit_calls_in_the_books_order():
    calls = []
    data = d2l.SyntheticRegressionData(w=gradkit.tensor([1.0, 2.0]), b=0.5, num_train=4,
                                       num_val=2, batch_size=2)
    model = _Recorded(calls)
    model.board.display = False
    trainer = _RecordingTrainer(calls, max_epochs=2)
    trainer.fit(model, data)
    train = ["prepare_batch", ("training_step", True, True), "zero_grad", ("step", False, True)]
    val = ["prepare_batch", ("validation_step", False, False)]
    epoch = train * 2 + val
    assert calls == (["prepare_data", "prepare_model", "configure_optimizers"]
                     + [("fit_epoch", 0)] + epoch + [("fit_epoch", 1)] + epoch)
    assert (trainer.num_train_batches, trainer.num_val_batches) == (2, 1)
    assert (trainer.train_batch_idx, trainer.val_batch_idx, trainer.epoch) == (4, 2, 1)
    assert model.trainer is trainer and model.board.xlim == [0, 2]


def test_backward_inside_no_grad_gives_the_gradients_torch_gives(torch):
    x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype=np.float32)
    grads = []
    for lib in (gradkit, torch):
        w = lib.tensor([[0.5], [-0.25]], requires_grad=True)
        loss = (lib.matmul(lib.tensor(x), w) ** 2).mean()
        with lib.no_grad():
            loss.backward()
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_clip_gradients_is_clip_grad_norm(torch, max_norm):
    rng = np.random.default_rng(1)
    shapes = [(3, 2), (2,)]
    values = [rng.normal(size=s).astype(np.float32) for s in shapes]
    grads = [rng.normal(size=s).astype(np.float32) for s in shapes]
    model = nn.Module()
    expected = [torch.nn.Parameter(torch.tensor(v)) for v in values]
    for i, (v, g) in enumerate(zip(values, grads)):
        setattr(model, f"p{i}", nn.Parameter(gradkit.tensor(v)))
        getattr(model, f"p{i}").grad = gradkit.tensor(g)
        expected[i].grad = torch.tensor(g)
    d2l.Trainer(1).clip_gradients(max_norm, model)
    torch.nn.utils.clip_grad_norm_(expected, max_norm)
    for p, e in zip(model.parameters(), expected):
        np.testing.assert_allclose(p.grad.numpy(), e.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_trainer_uses_the_cpu_whatever_num_gpus_says():
    trainer = d2l.Trainer(max_epochs=1, num_gpus=2, gradient_clip_val=1)
    assert trainer.gpus == [] and trainer.gradient_clip_val == 1
    batch = [gradkit.ones(1)]
    assert trainer.prepare_batch(batch) is batch


# -- data modules -------------------------------------------------------------------------------
def test_synthetic_regression_data_splits_and_loaders():
    gradkit.manual_seed(0)
    w, b = gradkit.tensor([2, -3.4]), 4.2
    data = d2l.SyntheticRegressionData(w, b, num_train=100, num_val=50, batch_size=16)
    assert tuple(data.X.shape) == (150, 2) and tuple(data.y.shape) == (150, 1)
    residual = (data.y - data.X @ w.reshape(-1, 1) - b).numpy()
    assert abs(residual.std() - 0.01) < 0.003  # the noise is N(0, 0.01²)
    train, val = data.train_dataloader(), data.val_dataloader()
    assert (len(train), len(val)) == (7, 4)
    val_X = gradkit.cat([X for X, _ in val])
    np.testing.assert_array_equal(val_X.numpy(), data.X[100:].numpy())  # in order
    train_X = gradkit.cat([X for X, _ in train]).numpy()
    assert not np.array_equal(train_X, data.X[:100].numpy())  # shuffled
    np.testing.assert_array_equal(np.sort(train_X, 0), np.sort(data.X[:100].numpy(), 0))


def test_get_tensorloader_on_a_user_data_module():
    class Data(d2l.DataModule):
        def __init__(self, batch_size=3):
            super().__init__()
            self.save_hyperparameters()
            self.X = gradkit.arange(10.0).reshape(10, 1)

        def get_dataloader(self, train):
            return self.get_tensorloader((self.X,), train, slice(0, 7) if train else slice(7, None))

    data = Data()
    assert (data.root, data.num_workers, data.batch_size) == ("../data", 4, 3)
    [val] = [X.reshape(-1).tolist() for (X,) in data.val_dataloader()]
    assert val == [7.0, 8.0, 9.0]


def test_fashion_mnist_module_bundled_and_batched(no_network, empty_cwd, monkeypatch):
    from gradkit.vision import datasets

    def per_image(self, index):
        raise AssertionError("a batch was built image by image")

    monkeypatch.setattr(datasets.FashionMNIST, "__getitem__", per_image)
    data = d2l.FashionMNIST(resize=(32, 32))
    assert (len(data.train), len(data.val), data.batch_size) == (60000, 10000, 64)
    X, y = next(iter(data.train_dataloader()))
    # the book prints: torch.Size([64, 1, 32, 32]) torch.float32 torch.Size([64]) torch.int64
    assert (tuple(X.shape), X.dtype, tuple(y.shape), y.dtype) == (
        (64, 1, 32, 32), gradkit.float32, (64,), gradkit.int64)
    assert data.text_labels([0, 9, gradkit.tensor(3)]) == ["t-shirt", "ankle boot", "dress"]


def test_fashion_mnist_visualize_draws_a_titled_grid(no_network, empty_cwd):
    data = d2l.FashionMNIST()
    X, y = next(iter(data.val_dataloader()))
    data.visualize((X, y))
    fig = d2l.plt.gcf()
    assert len(fig.axes) == 8
    assert [ax.get_title() for ax in fig.axes] == data.text_labels(y[:8])


# -- the chapters' models, trained short on the bundled data -----------------------------------
def _quiet(model):
    model.board.display = False
    return model


def test_linear_regression_scratch_and_concise_recover_w_and_b():
    gradkit.manual_seed(0)
    w, b = gradkit.tensor([2, -3.4]), 4.2
    data = d2l.SyntheticRegressionData(w=w, b=b)
    scratch = _quiet(d2l.LinearRegressionScratch(2, lr=0.03))
    d2l.Trainer(max_epochs=10).fit(scratch, data)
    concise = _quiet(d2l.LinearRegression(lr=0.03))
    d2l.Trainer(max_epochs=5).fit(concise, data)
    w_hat, b_hat = concise.get_w_b()
    for estimate_w, estimate_b in ((scratch.w.reshape(-1), scratch.b), (w_hat.reshape(-1), b_hat)):
        assert np.abs((estimate_w - w).detach().numpy()).max() < 0.01
        assert abs(float(estimate_b) - b) < 0.01


def test_softmax_regression_one_epoch_on_a_subset(no_network, empty_cwd):
    gradkit.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=256)
    data.train = gdata.Subset(data.train, range(12000))
    data.val = gdata.Subset(data.val, range(2000))
    model = _quiet(d2l.SoftmaxRegression(num_outputs=10, lr=0.1))
    d2l.Trainer(max_epochs=1).fit(model, data)
    X, y = next(iter(data.val_dataloader()))
    assert float(model.accuracy(model(X), y)) > 0.7
    val_points = model.board.data["val_acc"]
    assert len(val_points) == 1 and val_points[0].x == 1 and val_points[0].y > 0.7


def test_the_chapters_subclass_pattern_mlp_scratch(no_network, empty_cwd):
    # 5.2's MLPScratch: a Classifier with parameters of its own, methods added later.
    class MLPScratch(d2l.Classifier):
        def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.W1 = nn.Parameter(gradkit.randn(num_inputs, num_hiddens) * sigma)
            self.b1 = nn.Parameter(gradkit.zeros(num_hiddens))
            self.W2 = nn.Parameter(gradkit.randn(num_hiddens, num_outputs) * sigma)
            self.b2 = nn.Parameter(gradkit.zeros(num_outputs))

    @d2l.add_to_class(MLPScratch)
    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = gradkit.relu(X @ self.W1 + self.b1)
        return H @ self.W2 + self.b2

    gradkit.manual_seed(0)
    model = _quiet(MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=64, lr=0.5))
    data = d2l.FashionMNIST(batch_size=256)
    data.train = gdata.Subset(data.train, range(10240))
    data.val = gdata.Subset(data.val, range(1000))
    d2l.Trainer(max_epochs=1).fit(model, data)
    assert model.board.data["val_acc"][0].y > 0.6
    # 40 batches, 2 points an epoch: each the mean of 20 batches at x = batch index / 40.
    assert [p.x for p in model.board.data["train_loss"]] == pytest.approx([9.5 / 40, 29.5 / 40])
