"""Vision, like ``torchvision``: ``datasets`` (MNIST, Fashion-MNIST), ``transforms``, ``io``.

The submodules load on first access, so ``import gradkit.vision`` costs nothing until used.

Example:
    >>> from gradkit.vision import datasets, transforms
    >>> test = datasets.FashionMNIST(root="../data", train=False, transform=transforms.ToTensor())
    >>> test[0][0].shape
    gradkit.Size([1, 28, 28])
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["datasets", "transforms", "io"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'gradkit.vision' has no attribute '{name}'")
