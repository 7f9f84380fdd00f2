"""LeNet end to end on real Fashion-MNIST images (the bundled test split): the book's network
trained on gradkit follows torch step by step from the same weights, and the batch-norm variant's
loss falls within a few dozen steps."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import gradkit
from oracle import import_torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_lenet import lenet  # noqa: E402  (the network the benchmark times)

BATCH, N_BATCHES = 64, 8


@pytest.fixture(scope="module")
def fashion_batches():
    from gradkit.vision import datasets

    test = datasets.FashionMNIST(root=None, train=False)
    images = test.data.numpy()[: BATCH * N_BATCHES, None].astype(np.float32) / 255
    labels = test.targets.numpy()[: BATCH * N_BATCHES]
    return [(images[i:i + BATCH], labels[i:i + BATCH]) for i in range(0, len(labels), BATCH)]


def train(lib, net, batches, lr, epochs=1):
    loss = lib.nn.CrossEntropyLoss()
    trainer = lib.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        for X, y in batches:
            l = loss(net(lib.tensor(X)), lib.tensor(y))  # noqa: E741 - the book's name
            trainer.zero_grad()
            l.backward()
            trainer.step()
            losses.append(float(l))
    return losses


@pytest.mark.parametrize("batch_norm", [False, True])
def test_lenet_training_follows_torch_step_by_step(fashion_batches, batch_norm):
    torch = import_torch()
    theirs = lenet(torch, batch_norm)
    ours = lenet(gradkit, batch_norm)
    ours.load_state_dict({k: gradkit.tensor(v.numpy().copy())
                          for k, v in theirs.state_dict().items()})
    lr = 1.0 if batch_norm else 0.9
    ours_losses = train(gradkit, ours, fashion_batches, lr)
    their_losses = train(torch, theirs, fashion_batches, lr)
    np.testing.assert_allclose(ours_losses, their_losses, rtol=2e-3)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), atol=2e-4,
                                   rtol=2e-3, err_msg=name)


def test_lenet_with_batch_norm_learns(fashion_batches):
    gradkit.manual_seed(0)
    net = lenet(gradkit, batch_norm=True)
    losses = train(gradkit, net, fashion_batches, lr=1.0, epochs=4)
    assert np.mean(losses[:N_BATCHES]) > 1.5  # the first pass: close to chance, log(10) = 2.3
    assert np.mean(losses[-N_BATCHES:]) < 0.9 * np.mean(losses[:N_BATCHES])
    net.eval()
    with gradkit.no_grad():
        X = gradkit.tensor(np.concatenate([X for X, _ in fashion_batches]))
        y = gradkit.tensor(np.concatenate([y for _, y in fashion_batches]))
        accuracy = float((net(X).argmax(dim=1) == y).float().mean())
    assert accuracy > 0.5  # 10 classes: chance is 0.1
