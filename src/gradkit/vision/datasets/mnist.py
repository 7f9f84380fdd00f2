"""MNIST and Fashion-MNIST, like ``torchvision.datasets``, working offline out of the box.

Where the data comes from, in order:

1. ``root/<ClassName>/raw/``: the IDX files, uncompressed or ``.gz`` (torchvision's layout, so
   a folder torchvision downloaded works as is).
2. With ``download=True``, missing files are first fetched there from the official mirrors
   (checked against the published MD5 sums; see ``utils.download_url``). A bad or missing
   file on the mirrors raises; but when no mirror can be reached at all (an offline machine),
   a warning says so and the bundled copy below is used, so the book's ``download=True``
   listings still run.
3. If neither file of the split is in ``root``, the copy bundled with gradkit is used (checked
   against its own MD5 sums on first use). The bundled Fashion-MNIST images are rebuilt from a
   public mirror and are not byte-identical to the official files (labels, split sizes and
   statistics are; see ``_bundled/fashion-mnist/README.md``).

Images stay uint8 in ``data``; ``ds[i]`` makes a PIL image (when Pillow is installed, else a
uint8 array) and applies ``transform``. A ``DataLoader`` batch goes through ``__getitems__``,
which transforms the whole batch at once when the transform is built from the known ones.

Example:
    >>> from gradkit.vision import datasets, transforms
    >>> train = datasets.FashionMNIST(root="../data", train=True, transform=transforms.ToTensor())
    >>> len(train), train[0][0].shape, train[0][1]
    (60000, gradkit.Size([1, 28, 28]), 9)
"""
from __future__ import annotations

import errno
import functools
import operator
import os
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

import gradkit
from gradkit.tensor import Tensor
from gradkit.utils.data import StackedSamples
from gradkit.utils.data.dataset import index_array

from ..io import read_image_file, read_label_file
from ..transforms import transform_batch
from ._bundled import read_bundled
from .utils import MirrorsUnreachable, check_integrity, download_url
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST"]


@functools.lru_cache(maxsize=1)
def _pil_image_module() -> Any:
    try:
        from PIL import Image  # imported on first use: Pillow is optional and slow to import
    except ImportError:
        return None
    return Image


def _to_image(pixels: np.ndarray) -> Any:
    """A PIL image of mode L (a copy of ``pixels``), or the uint8 array itself without Pillow."""
    image = _pil_image_module()
    return pixels.copy() if image is None else image.fromarray(pixels)


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, 10 classes.

    Args:
        root: folder holding ``MNIST/raw/``; ``None`` uses the bundled copy directly.
        train: the training split (else the test split).
        transform: applied to each PIL image, e.g. ``transforms.ToTensor()``.
        target_transform: applied to each label (an int).
        download: fetch missing files from ``mirrors`` into ``root/MNIST/raw``.

    Attributes:
        data: uint8 tensor ``(N, 28, 28)``.
        targets: int64 tensor ``(N,)``.
        classes: the class names, ``targets`` index into them.

    Shapes:
        ``ds[i]`` is ``(image, label)``; with ``ToTensor()`` the image is ``(1, 28, 28)``
        float32 in [0, 1].

    Example:
        >>> test = MNIST(root="data", train=False, transform=ToTensor())
        >>> image, label = test[0]
        >>> image.shape, label
        (gradkit.Size([1, 28, 28]), 7)
    """

    # URL prefixes tried in order; tests point these at a local server.
    mirrors: List[str] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    # (file, MD5 of the .gz file) as published with torchvision.
    resources: List[Tuple[str, str]] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes: List[str] = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
                          "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    # Folder of the copy under vision/_bundled/.
    bundled_folder = "mnist"
    # Passed to download_url; tests shorten them.
    download_options: Dict[str, Any] = {"retries": 3, "timeout": 30.0, "backoff": 1.0,
                                        "progress": True}

    def __init__(self, root: Union[str, "os.PathLike[str]", None], train: bool = True,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            if root is None:
                raise ValueError("download=True needs a root folder to download into")
            self.download()
        images, labels, self.source = self._load_arrays()
        self.data: Tensor = gradkit.from_numpy(images)
        self.targets: Tensor = gradkit.from_numpy(labels)

    @property
    def raw_folder(self) -> str:
        """``root/<ClassName>/raw``, where the IDX files live."""
        return os.path.join(os.fspath(self.root), type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> Dict[str, int]:
        """``{class name: label}``."""
        return {name: i for i, name in enumerate(self.classes)}

    def _split_files(self) -> Tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _find(self, name: str) -> Optional[str]:
        """The file ``name`` in the raw folder, uncompressed or ``.gz``, or None."""
        if self.root is None:
            return None
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self) -> bool:
        return all(self._find(filename[: -len(".gz")]) is not None
                   for filename, _ in self.resources)

    def _load_arrays(self) -> Tuple[np.ndarray, np.ndarray, str]:
        images_name, labels_name = self._split_files()
        images_path, labels_path = self._find(images_name), self._find(labels_name)
        if images_path is None and labels_path is None:
            images = read_bundled(self.bundled_folder, images_name, read_image_file)
            labels = read_bundled(self.bundled_folder, labels_name, read_label_file)
            source = "bundled copy"
        elif images_path is None or labels_path is None:
            missing = images_name if images_path is None else labels_name
            found = labels_path if images_path is None else images_path
            raise FileNotFoundError(
                errno.ENOENT,
                f"{type(self).__name__}: found {found} but not its companion file (uncompressed "
                f"or .gz); place it there, or pass download=True",
                os.path.join(self.raw_folder, missing + ".gz"))
        else:
            images, labels = read_image_file(images_path), read_label_file(labels_path)
            source = self.raw_folder
        if len(images) != len(labels):
            raise RuntimeError(
                f"{type(self).__name__}: {len(images)} images but {len(labels)} labels "
                f"({images_name} and {labels_name} in {source}); one of the files is corrupt")
        return images, labels, source

    def download(self) -> None:
        """Fetch the files missing from ``raw_folder`` (all four, both splits), verified by MD5.

        Raises:
            RuntimeError: a file could not be downloaded intact from any mirror; the message
                lists the URLs tried and where to put the file by hand.
        """
        if self._check_exists():
            return
        created = not os.path.isdir(self.raw_folder)
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._find(filename[: -len(".gz")]) == os.path.join(self.raw_folder, filename[:-3]):
                continue  # already there uncompressed (e.g. extracted by torchvision)
            if check_integrity(os.path.join(self.raw_folder, filename), md5):
                continue
            try:
                download_url(self.mirrors, self.raw_folder, filename, md5, **self.download_options)
            except MirrorsUnreachable as error:
                if not self._offline_fallback(created, error):
                    raise self._download_error(error) from None
                return
            except RuntimeError as error:
                raise self._download_error(error) from None

    def _download_error(self, error: Exception) -> RuntimeError:
        return RuntimeError(f"{type(self).__name__}: download failed. {error}\n"
                            "Or leave download=False to use the copy bundled with gradkit.")

    def _offline_fallback(self, created: bool, error: Exception) -> bool:
        """Offline (no mirror reachable) before anything was fetched: use the bundled copy, as
        the book's ``download=True`` listings then still run. Returns False when the raw folder
        already holds some of the files (mixing sources would be wrong)."""
        if os.listdir(self.raw_folder):
            return False
        if created:
            os.rmdir(self.raw_folder)  # leave nothing behind
            parent = os.path.dirname(self.raw_folder)
            if not os.listdir(parent):
                os.rmdir(parent)
        first_line = str(error).splitlines()[1].strip() if "\n" in str(error) else str(error)
        warnings.warn(f"{type(self).__name__}: no download mirror could be reached "
                      f"({first_line}); using the copy bundled with gradkit instead.",
                      UserWarning, stacklevel=4)
        return True

    def __getitem__(self, index: Any) -> Tuple[Any, Any]:
        """``(image, label)``: a PIL image through ``transform``, an int through
        ``target_transform``."""
        index = operator.index(index)
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        image: Any = _to_image(self.data._data[index])
        target: Any = int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __getitems__(self, indices: Sequence[int]) -> Any:
        """A batch: one fancy-index of the uint8 images, transformed all at once if possible.

        Returns a ``StackedSamples`` with fields ``[images (N, C, H, W), labels (N,) int64]``,
        equal to collating ``[self[i] for i in indices]``; or that list itself when the
        transform cannot run on a batch (``Lambda``, user transforms, a ``target_transform``).
        """
        index = index_array(indices, len(self))
        if self.target_transform is None:
            # np.take along axis 0 gathers whole images about twice as fast as data[index].
            images = transform_batch(self.transform, np.take(self.data._data, index, axis=0))
            if images is not None:
                labels = gradkit.from_numpy(np.take(self.targets._data, index, axis=0))
                return StackedSamples([images, labels], lambda i: self[int(index[i])])
        return [self[int(i)] for i in index]

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28x28 images of 10 clothing classes.

    Same interface as :class:`MNIST`; the files live in ``root/FashionMNIST/raw``.

    Example:
        >>> train = FashionMNIST(root="../data", train=True, transform=ToTensor())
        >>> train.classes[train[0][1]]
        'Ankle boot'
    """

    mirrors: List[str] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources: List[Tuple[str, str]] = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes: List[str] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                          "Sneaker", "Bag", "Ankle boot"]
    bundled_folder = "fashion-mnist"
