"""LeNet on Fashion-MNIST, gradkit vs PyTorch side by side in one run (issue 12).

The zh book's LeNet (6.6): ``Conv2d(1, 6, 5, padding=2), Sigmoid, AvgPool2d(2, 2),
Conv2d(6, 16, 5), Sigmoid, AvgPool2d(2, 2), Flatten, Linear(400, 120), Sigmoid,
Linear(120, 84), Sigmoid, Linear(84, 10)``, xavier_uniform weights, SGD lr 0.9, batch 256,
CrossEntropyLoss; ``--batch-norm`` is 7.5's variant (BatchNorm2d after each conv, BatchNorm1d
after the first two Linear layers, lr 1.0).

Default: time one training epoch (60,000 images) per library. Both read the same uint8 images,
held in memory, through their own batching (gradkit's DataLoader over its FashionMNIST; torch's
DataLoader over a TensorDataset of the same floats, no workers), both start from the same
weights, repeats alternate between the libraries, and the median of each is reported with
the ratio. Quote the ratio: absolute times swing on a shared machine.

``--epochs 10`` instead trains gradkit for 10 epochs and prints the book's figures (train loss,
train accuracy, test accuracy) after each epoch.

Run:
    python benchmarks/bench_lenet.py [--repeats 3] [--batch-norm] [--single-thread]
    python benchmarks/bench_lenet.py --epochs 10 [--batch-norm]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

BATCH = 256


def lenet(lib: Any, batch_norm: bool = False) -> Any:
    """The book's LeNet (with ``batch_norm``, 7.5's variant), xavier-initialized."""
    nn = lib.nn

    def norm(kind: str, n: int) -> list:
        return [getattr(nn, kind)(n)] if batch_norm else []

    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), *norm("BatchNorm2d", 6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), *norm("BatchNorm2d", 16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), *norm("BatchNorm1d", 120), nn.Sigmoid(),
        nn.Linear(120, 84), *norm("BatchNorm1d", 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    for m in net.modules():
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)
    return net


def gradkit_loaders(batch_size: int = BATCH) -> tuple:
    """gradkit's own pipeline: its FashionMNIST (the bundled data) and DataLoader."""
    from gradkit.utils.data import DataLoader
    from gradkit.vision import datasets, transforms

    def load(train: bool) -> Any:
        return datasets.FashionMNIST(root=None, train=train, transform=transforms.ToTensor())

    return (DataLoader(load(True), batch_size, shuffle=True),
            DataLoader(load(False), batch_size, shuffle=False))


def torch_loader(batch_size: int = BATCH) -> Any:
    """The same training images for torch, as floats in memory (no workers)."""
    import torch
    from gradkit.vision import datasets

    train = datasets.FashionMNIST(root=None, train=True)
    images = torch.from_numpy(train.data.numpy()[:, None].astype("float32") / 255)
    labels = torch.from_numpy(train.targets.numpy())
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels),
                                       batch_size, shuffle=True)


def train_epoch(lib: Any, net: Any, loader: Any, lr: float) -> tuple[float, float]:
    """One epoch of the book's loop; returns (mean loss, train accuracy)."""
    loss = lib.nn.CrossEntropyLoss()
    trainer = lib.optim.SGD(net.parameters(), lr=lr)
    net.train()
    total_loss = total_correct = total = 0.0
    for X, y in loader:
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741 - the book's name
        trainer.zero_grad()
        l.backward()
        trainer.step()
        with lib.no_grad():
            total_loss += float(l) * y.shape[0]
            total_correct += float((y_hat.argmax(dim=1) == y).sum())
            total += y.shape[0]
    return total_loss / total, total_correct / total


def accuracy(lib: Any, net: Any, loader: Any) -> float:
    net.eval()
    correct = total = 0
    with lib.no_grad():
        for X, y in loader:
            correct += int((net(X).argmax(dim=1) == y).sum())
            total += y.shape[0]
    return correct / total


def same_weights(source: Any, target_lib: Any, target: Any) -> None:
    state = {k: target_lib.tensor(v.detach().numpy().copy())
             for k, v in source.state_dict().items()}
    target.load_state_dict(state)


def benchmark(repeats: int, batch_norm: bool) -> None:
    import gradkit
    import torch

    lr = 1.0 if batch_norm else 0.9
    gradkit.manual_seed(0)
    torch.manual_seed(0)
    loaders = {"gradkit": gradkit_loaders()[0], "torch": torch_loader()}
    libs = {"gradkit": gradkit, "torch": torch}
    reference = lenet(torch, batch_norm)
    samples: dict[str, list[float]] = {name: [] for name in libs}
    for _ in range(repeats):
        for name, lib in libs.items():  # alternate, so a busy phase slows both alike
            net = lenet(lib, batch_norm)
            same_weights(reference, lib, net)
            start = time.perf_counter()
            loss, acc = train_epoch(lib, net, loaders[name], lr)
            samples[name].append(time.perf_counter() - start)
            print(f"  {name:8s} epoch {samples[name][-1]:6.2f} s  loss {loss:.3f}  "
                  f"train acc {acc:.3f}", flush=True)
    medians = {name: statistics.median(s) for name, s in samples.items()}
    print(f"LeNet{' + batch norm' if batch_norm else ''}, one epoch, median of {repeats}: "
          f"gradkit {medians['gradkit']:.2f} s, torch {medians['torch']:.2f} s, "
          f"ratio gradkit/torch = {medians['gradkit'] / medians['torch']:.2f} "
          f"(goal <= 1.5)")


def train(epochs: int, batch_norm: bool) -> None:
    import gradkit

    gradkit.manual_seed(0)
    lr = 1.0 if batch_norm else 0.9
    train_iter, test_iter = gradkit_loaders()
    net = lenet(gradkit, batch_norm)
    start = time.perf_counter()
    for epoch in range(epochs):
        loss, train_acc = train_epoch(gradkit, net, train_iter, lr)
        test_acc = accuracy(gradkit, net, test_iter)
        print(f"epoch {epoch + 1}: loss {loss:.3f}, train acc {train_acc:.3f}, "
              f"test acc {test_acc:.3f}", flush=True)
    elapsed = time.perf_counter() - start
    print(f"LeNet{' + batch norm' if batch_norm else ''}, lr {lr}, {epochs} epochs: "
          f"loss {loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f} "
          f"({elapsed:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=0,
                        help="train gradkit this many epochs and print accuracies instead")
    parser.add_argument("--batch-norm", action="store_true")
    parser.add_argument("--single-thread", action="store_true",
                        help="one thread for both libraries (stable on a busy machine)")
    args = parser.parse_args()
    if args.single_thread:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
        import torch

        torch.set_num_threads(1)
    if args.epochs:
        train(args.epochs, args.batch_norm)
    else:
        benchmark(args.repeats, args.batch_norm)


if __name__ == "__main__":
    main()
