"""``VisionDataset``: the base of the image datasets, like torchvision's.

It stores ``root``, ``transform`` and ``target_transform`` and prints a summary.

Example:
    >>> print(FashionMNIST("../data", train=False, transform=ToTensor()))
    Dataset FashionMNIST
        Number of datapoints: 10000
        Root location: ../data
        Split: Test
        StandardTransform
    Transform: ToTensor()
"""
from __future__ import annotations

import os
from typing import Any, Callable, List, Optional, Union

from gradkit.utils.data import Dataset

__all__ = ["VisionDataset"]


class VisionDataset(Dataset):
    """Base class of image datasets.

    Args:
        root: the folder holding the data (``~`` is expanded).
        transform: applied to each image.
        target_transform: applied to each label.

    Example:
        >>> class Blank(VisionDataset):
        ...     def __len__(self): return 1
        ...     def __getitem__(self, i): return np.zeros((28, 28), np.uint8), 0
    """

    _repr_indent = 4

    def __init__(self, root: Union[str, "os.PathLike[str]", None] = None,
                 transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        raise NotImplementedError

    def extra_repr(self) -> str:
        """Extra lines for ``repr`` (e.g. the split)."""
        return ""

    def __repr__(self) -> str:
        lines: List[str] = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += self.extra_repr().splitlines()
        if self.transform is not None or self.target_transform is not None:
            lines.append("StandardTransform")
        body = [f"Dataset {type(self).__name__}"] + [" " * self._repr_indent + line
                                                    for line in lines]
        if self.transform is not None:
            body += _format(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _format(self.target_transform, "Target transform: ")
        return "\n".join(body)


def _format(transform: Any, head: str) -> List[str]:
    lines = repr(transform).splitlines()
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]
