"""The recipes' data: Fashion-MNIST, MNIST and the synthetic regression sets of the book.

Example:
    >>> train_iter, test_iter = load_mnist(256, data_dir=None)
"""
from __future__ import annotations

from typing import Any

from .. import d2l
from ..utils import data

__all__ = ["load_fashion_mnist", "load_mnist"]


def load_fashion_mnist(batch_size: int, data_dir: str | None) -> tuple[Any, Any]:
    """Fashion-MNIST loaders as the book's ``load_data_fashion_mnist`` (bundled by default)."""
    return d2l.load_data_fashion_mnist(batch_size, root=data_dir or "../data")


def load_mnist(batch_size: int, data_dir: str | None) -> tuple[Any, Any]:
    """MNIST loaders, built the same way as Fashion-MNIST's."""
    from ..vision import datasets, transforms

    root = data_dir or "../data"
    trans = transforms.ToTensor()
    train = datasets.MNIST(root=root, train=True, transform=trans)
    test = datasets.MNIST(root=root, train=False, transform=trans)
    workers = d2l.get_dataloader_workers()
    return (data.DataLoader(train, batch_size, shuffle=True, num_workers=workers),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=workers))
