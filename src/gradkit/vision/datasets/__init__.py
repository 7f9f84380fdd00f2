"""Image datasets, like ``torchvision.datasets``: ``MNIST`` and ``FashionMNIST``.

Example:
    >>> from gradkit.vision import datasets
    >>> len(datasets.FashionMNIST(root="../data", train=False))
    10000
"""
from .mnist import MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "VisionDataset"]
