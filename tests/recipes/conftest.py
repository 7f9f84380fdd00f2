"""Fixtures of the recipe tests: the real recipe modules, fed a fixed subset of the bundled
Fashion-MNIST and MNIST so that each run takes a few dozen steps."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The book's reference code on torch lives with the toolkit's tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "d2l"))

from gradkit import d2l
from gradkit.recipes import data as recipe_data
from gradkit.recipes import digits
from gradkit.utils import data

#: Examples kept from each split (the first ones, in file order).
N_TRAIN, N_TEST = 10240, 1000

_cache: dict[str, Any] = {}


def _datasets(name: str) -> tuple[Any, Any]:
    """The full datasets, read once per test session (each read decompresses ~30 MB)."""
    if name not in _cache:
        from gradkit.vision import datasets, transforms

        cls = datasets.FashionMNIST if name == "fashion" else datasets.MNIST
        _cache[name] = tuple(cls(root=None, train=train, transform=transforms.ToTensor())
                             for train in (True, False))
    return _cache[name]


def _loaders(name: str, batch_size: int) -> tuple[data.DataLoader, data.DataLoader]:
    train, test = _datasets(name)
    workers = d2l.get_dataloader_workers()
    return (data.DataLoader(data.Subset(train, range(N_TRAIN)), batch_size, shuffle=True,
                            num_workers=workers),
            data.DataLoader(data.Subset(test, range(N_TEST)), batch_size, shuffle=False,
                            num_workers=workers))


@pytest.fixture
def small_data(monkeypatch):
    """Every recipe reads a subset: the Fashion-MNIST ones through ``d2l.load_data_fashion_mnist``
    (as the book's code does), ``digits`` through its MNIST loader."""
    def fashion(batch_size: int, resize: Any = None, root: str = "../data") -> Any:
        assert resize is None
        return _loaders("fashion", batch_size)

    def mnist(batch_size: int, data_dir: Any) -> Any:
        return _loaders("mnist", batch_size)

    monkeypatch.setattr(d2l, "load_data_fashion_mnist", fashion)
    monkeypatch.setattr(recipe_data, "load_mnist", mnist)
    monkeypatch.setattr(digits, "load_mnist", mnist)
    return N_TRAIN, N_TEST


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
