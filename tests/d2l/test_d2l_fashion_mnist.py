"""``d2l.load_data_fashion_mnist``: the book's loaders, from the bundled data (no network),
with the batched fast path; and the book's image-grid code on the real data."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import gradkit
from gradkit import d2l
from gradkit.utils import data

from book_reference import subprocess_env


def test_resize_64_shapes_and_dtypes_as_the_book_prints(no_network, empty_cwd):
    train_iter, test_iter = d2l.load_data_fashion_mnist(32, resize=64)
    for X, y in train_iter:
        break
    # the book: torch.Size([32, 1, 64, 64]) torch.float32 torch.Size([32]) torch.int64
    assert tuple(X.shape) == (32, 1, 64, 64) and X.dtype == gradkit.float32
    assert tuple(y.shape) == (32,) and y.dtype == gradkit.int64
    values = X.numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0 and values.max() > 0.5
    assert set(y.numpy().tolist()) <= set(range(10))


def test_sizes_batches_and_value_range(no_network, empty_cwd):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert isinstance(train_iter, data.DataLoader) and isinstance(test_iter, data.DataLoader)
    assert len(train_iter.dataset) == 60000 and len(test_iter.dataset) == 10000
    assert len(train_iter) == 235 and len(test_iter) == 40
    X, y = next(iter(test_iter))
    assert tuple(X.shape) == (256, 1, 28, 28) and X.dtype == gradkit.float32
    assert tuple(y.shape) == (256,) and y.dtype == gradkit.int64
    # the test split is read in order: its first labels, as the notes print them
    assert y.numpy()[:6].tolist() == [9, 2, 1, 1, 6, 1]
    # the batch is ToTensor of the stored uint8 pixels
    raw = test_iter.dataset.data.numpy()[:256].astype(np.float32) / 255
    np.testing.assert_allclose(X.numpy()[:, 0], raw, rtol=1e-6)


def test_train_loader_is_shuffled_and_reproducible(no_network, empty_cwd):
    gradkit.manual_seed(0)
    train_iter, _ = d2l.load_data_fashion_mnist(64)
    first = next(iter(train_iter))[1].numpy()
    gradkit.manual_seed(0)
    again = next(iter(train_iter))[1].numpy()
    np.testing.assert_array_equal(first, again)
    in_order = train_iter.dataset.targets.numpy()[:64]
    assert not np.array_equal(first, in_order)


def test_whole_epoch_covers_every_example_once(no_network, empty_cwd):
    train_iter, _ = d2l.load_data_fashion_mnist(1000)
    counts = np.zeros(10, np.int64)
    total = 0
    for X, y in train_iter:
        total += len(y)
        counts += np.bincount(y.numpy(), minlength=10)
    assert total == 60000
    assert counts.tolist() == [6000] * 10


def test_labels_of_the_first_training_images_match_the_notes(no_network, empty_cwd):
    train_iter, _ = d2l.load_data_fashion_mnist(18)
    X, y = next(iter(data.DataLoader(train_iter.dataset, batch_size=18)))
    # note 001 shows these 18 titles (with 'sanda' for 'sandal')
    assert d2l.get_fashion_mnist_labels(y) == [
        "ankle boot", "t-shirt", "t-shirt", "dress", "t-shirt", "pullover", "sneaker",
        "pullover", "sandal", "sandal", "t-shirt", "ankle boot", "sandal", "sandal", "sneaker",
        "ankle boot", "trouser", "t-shirt"]
    axes = d2l.show_images(X.reshape(18, 28, 28), 2, 9, titles=d2l.get_fashion_mnist_labels(y))
    assert len(axes) == 18 and axes[0].get_title() == "ankle boot"


def test_root_with_the_files_is_used(tmp_path, no_network):
    # A torchvision-style root with a (tiny) copy of the test split.
    import gzip
    import struct

    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    labels = np.array([4, 5, 6], np.uint8)
    for split in ("train", "t10k"):
        with gzip.open(raw / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">HBBIII", 0, 8, 3, 3, 28, 28) + images.tobytes())
        with gzip.open(raw / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">HBBI", 0, 8, 1, 3) + labels.tobytes())
    train_iter, test_iter = d2l.load_data_fashion_mnist(2, root=str(tmp_path))
    assert len(train_iter.dataset) == 3 and len(test_iter.dataset) == 3
    X, y = next(iter(test_iter))
    assert y.numpy().tolist() == [4, 5]


def test_loader_in_a_fresh_process_without_network_or_matplotlib(tmp_path):
    # the book's cell, run as a script: batches, no downloads, nothing drawn
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise SystemExit('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "from gradkit import d2l\n"
        "train_iter, test_iter = d2l.load_data_fashion_mnist(32, resize=64)\n"
        "for X, y in train_iter:\n"
        "    print(X.shape, X.dtype, y.shape, y.dtype)\n"
        "    break\n"
        "print('matplotlib' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env=subprocess_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "gradkit.Size([32, 1, 64, 64]) gradkit.float32 gradkit.Size([32]) gradkit.int64",
        "False"]


def test_batches_are_built_by_array_operations_not_per_image(no_network, empty_cwd, monkeypatch):
    from gradkit.vision import datasets

    def per_image(self, index):
        raise AssertionError("a batch was built image by image")

    monkeypatch.setattr(datasets.FashionMNIST, "__getitem__", per_image)
    for resize in (None, 32):
        train_iter, test_iter = d2l.load_data_fashion_mnist(128, resize=resize)
        for loader in (train_iter, test_iter):
            X, y = next(iter(loader))
            assert tuple(X.shape) == (128, 1, resize or 28, resize or 28)
