"""The book's concise implementations, end to end, written as the book writes them with
``import gradkit as torch``-style names: linear regression (D2L 3.3) on synthetic data, softmax
regression (3.7) and the MLP (4.3) on the bundled Fashion-MNIST. Short runs with fixed seeds;
the same code also runs on PyTorch with the same data order and initial weights, and the
trajectories must agree."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from gradkit import nn
from gradkit.utils import data
from oracle import copy_torch_state, import_torch


# ---------------------------------------------------------------------------------------------
# D2L 3.3: concise linear regression
# ---------------------------------------------------------------------------------------------
def synthetic_data(torch, w, b, num_examples):  # @save
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def load_array(torch, data_arrays, batch_size, is_train=True):  # @save
    """Construct a PyTorch data iterator."""
    dataset = torch.utils.data.TensorDataset(*data_arrays)
    return torch.utils.data.DataLoader(dataset, batch_size, shuffle=is_train)


def train_linear_regression(torch, features, labels, is_train=True, init=None):
    nn = torch.nn
    data_iter = load_array(torch, (features, labels), 10, is_train)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    if init is not None:
        init(net)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    num_epochs = 3
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y)  # noqa: E741 - the book's name
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)  # noqa: E741
        losses.append(float(l))
    return net, losses


def test_concise_linear_regression_recovers_the_parameters():
    torch = gradkit
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(torch, true_w, true_b, 1000)
    assert features.shape == (1000, 2) and labels.shape == (1000, 1)
    net, losses = train_linear_regression(torch, features, labels)
    w = net[0].weight.data
    b = net[0].bias.data
    w_error = true_w - w.reshape(true_w.shape)
    b_error = true_b - b
    assert np.abs(w_error.numpy()).max() < 1e-2, f"error in estimating w: {w_error}"
    assert np.abs(b_error.numpy()).max() < 1e-2, f"error in estimating b: {b_error}"
    assert losses[-1] < 1e-3 and losses[0] > losses[-1]  # the book prints ~1e-4


def test_concise_linear_regression_matches_torch_step_for_step():
    torch = import_torch()
    gradkit.manual_seed(0)
    features, labels = synthetic_data(gradkit, gradkit.tensor([2, -3.4]), 4.2, 200)
    nets = []
    for lib in (gradkit, torch):
        X, y = lib.tensor(features.numpy()), lib.tensor(labels.numpy())

        def same_start(net, lib=lib):
            with lib.no_grad():
                net[0].weight.copy_(lib.tensor([[0.01, -0.02]]))

        net, losses = train_linear_regression(lib, X, y, is_train=False, init=same_start)
        nets.append((net[0].weight.detach().numpy(), net[0].bias.detach().numpy(), losses))
    (w, b, losses), (tw, tb, tlosses) = nets
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, tb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-3, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# D2L 3.7: concise softmax regression on Fashion-MNIST
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fashion_mnist(tmp_path_factory):
    """The bundled Fashion-MNIST through the vision API (the root folder starts empty)."""
    from gradkit.vision import datasets, transforms

    root = tmp_path_factory.mktemp("data")
    trans = transforms.ToTensor()
    mnist_train = datasets.FashionMNIST(root=str(root), train=True, transform=trans)
    mnist_test = datasets.FashionMNIST(root=str(root), train=False, transform=trans)
    assert len(mnist_train) == 60000 and len(mnist_test) == 10000
    return mnist_train, mnist_test


def accuracy(y_hat, y):  # @save
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(torch, net, data_iter):  # @save
    """Compute the accuracy for a model on a dataset."""
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total


def train_epoch_ch3(net, train_iter, loss, updater, max_batches):  # @save
    """The book's training loop for one epoch (stopped after ``max_batches``)."""
    net.train()
    total_loss, total_correct, count = 0.0, 0.0, 0
    for i, (X, y) in enumerate(train_iter):
        if i == max_batches:
            break
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        total_loss += float(l.sum())
        total_correct += accuracy(y_hat, y)
        count += y.numel()
    return total_loss / count, total_correct / count


def init_weights(m):
    if type(m) == gradkit.nn.Linear:  # noqa: E721 - the book's check
        gradkit.nn.init.normal_(m.weight, std=0.01)


def test_concise_softmax_regression_reaches_the_book_accuracy(fashion_mnist):
    torch = gradkit
    mnist_train, mnist_test = fashion_mnist
    batch_size = 256
    train_iter = data.DataLoader(mnist_train, batch_size, shuffle=True)
    test_iter = data.DataLoader(mnist_test, batch_size, shuffle=False)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert net.apply(init_weights) is net
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    history = [train_epoch_ch3(net, train_iter, loss, trainer, max_batches=235)
               for _ in range(2)]  # 470 steps
    test_acc = evaluate_accuracy(torch, net, test_iter)
    assert test_acc >= 0.75, f"test accuracy {test_acc:.3f}, history {history}"
    train_loss, train_acc = history[-1]
    assert train_loss < 0.65 and train_acc > 0.75, history
    assert history[1][0] < history[0][0]


@pytest.mark.parametrize("hidden", [0, 64])
def test_fashion_mnist_training_matches_torch_step_for_step(fashion_mnist, hidden):
    """Softmax regression (3.7) and an MLP (4.3): 40 steps on the same batches in the same
    order from the same weights give the same losses and weights as PyTorch."""
    torch = import_torch()
    mnist_train, _ = fashion_mnist
    batches = []
    for i, (X, y) in enumerate(data.DataLoader(mnist_train, 128, shuffle=False)):
        if i == 40:
            break
        batches.append((X.numpy(), y.numpy()))

    def make(lib):
        n = lib.nn
        if hidden:
            return n.Sequential(n.Flatten(), n.Linear(784, hidden), n.ReLU(),
                                n.Linear(hidden, 10))
        return n.Sequential(n.Flatten(), n.Linear(784, 10))

    theirs, ours = make(torch), make(gradkit)
    copy_torch_state(ours, theirs)
    runs = []
    for lib, net in ((gradkit, ours), (torch, theirs)):
        loss = lib.nn.CrossEntropyLoss()
        trainer = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.5)
        losses = []
        for X, y in batches:
            l = loss(net(lib.tensor(X)), lib.tensor(y))  # noqa: E741
            trainer.zero_grad()
            l.backward()
            trainer.step()
            losses.append(l.item())
        runs.append((losses, [p.detach().numpy() for p in net.parameters()]))
    (losses, params), (tlosses, tparams) = runs
    np.testing.assert_allclose(losses, tlosses, rtol=2e-4, atol=1e-5)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp, rtol=1e-3, atol=2e-5)
    assert losses[-1] < losses[0]
