"""The English edition's (d2l 1.0.3) data side: ``DataModule`` and its two datasets of
chapters 3–4, ``SyntheticRegressionData`` and ``FashionMNIST``.

Example:
    >>> data = d2l.FashionMNIST(batch_size=256)
    >>> X, y = next(iter(data.train_dataloader()))
    >>> X.shape, y.shape
    (gradkit.Size([256, 1, 28, 28]), gradkit.Size([256]))
"""
from __future__ import annotations

from typing import Any, Sequence

import gradkit as torch

from ..plot import show_images
from ..utils import data as torch_data
from .aliases import matmul, randn, reshape
from .hyperparameters import HyperParameters
from .zh_training import FASHION_MNIST_LABELS

__all__ = ["DataModule", "SyntheticRegressionData", "FashionMNIST"]


class DataModule(HyperParameters):
    """The base class of data: training and validation loaders from ``get_dataloader(train)``.

    Args:
        root: where datasets look for their files.
        num_workers: loader workers (gradkit turns any positive number into one thread that
            prepares batches ahead).

    Example:
        >>> class Data(d2l.DataModule):
        ...     def get_dataloader(self, train):
        ...         return self.get_tensorloader((X, y), train)
    """

    def __init__(self, root: str = "../data", num_workers: int = 4) -> None:
        self.save_hyperparameters()

    def get_dataloader(self, train: bool) -> Any:
        """The loader of the training (``train``) or validation split (subclasses define it)."""
        raise NotImplementedError

    def train_dataloader(self) -> Any:
        """``get_dataloader(train=True)``."""
        return self.get_dataloader(train=True)

    def val_dataloader(self) -> Any:
        """``get_dataloader(train=False)``."""
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors: Sequence[torch.Tensor], train: bool,
                         indices: Any = slice(0, None)) -> torch_data.DataLoader:
        """A DataLoader of ``self.batch_size`` over rows ``indices`` of ``tensors``, shuffled
        when ``train``."""
        tensors = tuple(a[indices] for a in tensors)
        dataset = torch_data.TensorDataset(*tensors)
        return torch_data.DataLoader(dataset, self.batch_size, shuffle=train)


class SyntheticRegressionData(DataModule):
    """Synthetic data for linear regression: ``y = Xw + b + noise``, X ~ N(0, 1).

    Attributes ``X`` (num_train + num_val, len(w)) and ``y`` (num_train + num_val, 1); the
    first ``num_train`` rows train, the rest validate.

    Example:
        >>> data = d2l.SyntheticRegressionData(w=gradkit.tensor([2, -3.4]), b=4.2)
        >>> data.X.shape, data.y.shape
        (gradkit.Size([2000, 2]), gradkit.Size([2000, 1]))
    """

    def __init__(self, w: torch.Tensor, b: float, noise: float = 0.01, num_train: int = 1000,
                 num_val: int = 1000, batch_size: int = 32) -> None:
        super().__init__()
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = randn(n, len(w))
        noise = randn(n, 1) * noise
        self.y = matmul(self.X, reshape(w, (-1, 1))) + b + noise

    def get_dataloader(self, train: bool) -> torch_data.DataLoader:
        """The first ``num_train`` examples (shuffled) or the ``num_val`` after them."""
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


class FashionMNIST(DataModule):
    """Fashion-MNIST, 60,000 training and 10,000 validation images, from the copy bundled with
    gradkit (or ``root`` if the files are there): never downloads.

    Batches ``X`` float32 ``(batch_size, 1, *resize)`` in [0, 1] and ``y`` int64 are built by
    array operations on the whole batch, not image by image.

    Example:
        >>> data = d2l.FashionMNIST(resize=(32, 32))
        >>> len(data.train), len(data.val)
        (60000, 10000)
    """

    def __init__(self, batch_size: int = 64, resize: tuple[int, int] = (28, 28)) -> None:
        super().__init__()
        self.save_hyperparameters()
        from ..vision import datasets, transforms

        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])
        self.train = datasets.FashionMNIST(root=self.root, train=True, transform=trans)
        self.val = datasets.FashionMNIST(root=self.root, train=False, transform=trans)

    def text_labels(self, indices: Any) -> list[str]:
        """The class names of label indices.

        Example:
            >>> data.text_labels([0, 9])
            ['t-shirt', 'ankle boot']
        """
        return [FASHION_MNIST_LABELS[int(i)] for i in indices]

    def get_dataloader(self, train: bool) -> torch_data.DataLoader:
        """The training loader (shuffled) or the validation loader."""
        data = self.train if train else self.val
        return torch_data.DataLoader(data, self.batch_size, shuffle=train,
                                     num_workers=self.num_workers)

    def visualize(self, batch: Sequence[torch.Tensor], nrows: int = 1, ncols: int = 8,
                  labels: Sequence[str] = []) -> None:  # noqa: B006 (the book's)
        """Show the images of ``batch = (X, y)`` in a grid, titled with their labels."""
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        show_images(X.squeeze(1), nrows, ncols, titles=labels)
