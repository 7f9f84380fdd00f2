"""Datasets, like ``torch.utils.data``: map-style (``len`` + ``[i]``) and iterable-style.

``TensorDataset`` also implements ``__getitems__(indices)``, the batched protocol the
``DataLoader`` prefers: a whole batch is one fancy-index per tensor instead of ``batch_size``
calls to ``__getitem__`` followed by a stack.

Example:
    >>> X, y = gradkit.randn(100, 2), gradkit.randn(100, 1)
    >>> train, valid = random_split(TensorDataset(X, y), [0.8, 0.2])
    >>> len(train), len(valid)
    (80, 20)
"""
from __future__ import annotations

import bisect
import itertools
import math
import operator
import warnings
from typing import (Any, Generic, Iterable, Iterator, List, Optional, Sequence, TypeVar,
                    Union)

import numpy as np

import gradkit
from gradkit.tensor import Tensor

from .collate import StackedSamples

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "random_split", "index_array"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses implement ``__getitem__`` and usually ``__len__``.

    Optionally, ``__getitems__(indices)`` returns a whole batch at once; the ``DataLoader`` then
    uses it instead of one ``__getitem__`` call per sample.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return gradkit.tensor([float(i)]), i * i
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses implement ``__iter__``.

    Example:
        >>> class Count(IterableDataset):
        ...     def __iter__(self): return iter(range(5))
        >>> list(DataLoader(Count(), batch_size=2))
        [tensor([0, 1]), tensor([2, 3]), tensor([4])]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Any) -> "ChainDataset":
        return ChainDataset([self, other])


def index_array(indices: Any, length: int) -> np.ndarray:
    """Batch indices as an int64 array, checked against ``length`` (negative ones count back).

    Raises:
        IndexError: an index is out of range, in PyTorch's words.

    Example:
        >>> index_array([0, -1], 5)
        array([0, 4])
    """
    index = np.asarray(indices, dtype=np.int64)
    if index.size:
        low, high = int(index.min()), int(index.max())
        if high >= length or low < -length:
            bad = high if high >= length else low
            raise IndexError(
                f"index {bad} is out of bounds for dimension 0 with size {length}")
    return index


class TensorDataset(Dataset):
    """Samples are slices of tensors along their first dimension.

    Args:
        *tensors: tensors with the same size in dimension 0.

    Shapes:
        ``tensors[k]``: ``(N, *)``; sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Example:
        >>> ds = TensorDataset(gradkit.zeros(4, 3), gradkit.arange(4))
        >>> ds[1]
        (tensor([0., 0., 0.]), tensor(1))
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not all(tensors[0].shape[0] == t.shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Sequence[int]) -> Any:
        """The batch ``indices`` with one fancy-index per tensor.

        Returns a :class:`StackedSamples` whose fields are ``[t[indices] for t in tensors]``.
        """
        tensors = self.tensors
        for t in tensors:
            if not isinstance(t, Tensor) or t.requires_grad:
                # Tensors in a graph must be indexed by autograd ops; other types, by their
                # own rules.
                return [self[i] for i in indices]
        # Per batch of the book's small regressions (batch 10) the Python around the gather is
        # the cost: take() checks the bounds itself, so index_array's two reductions run only
        # to word the error; the fields are wrapped without from_numpy's dtype check (each is
        # a gather of a tensor's own array).
        index = np.asarray(indices, dtype=np.int64)
        try:
            # take along axis 0 gathers whole rows about twice as fast as t._data[index].
            fields = [Tensor._wrap(t._data.take(index, axis=0)) for t in tensors]
        except IndexError:
            index_array(index, len(self))  # raises PyTorch's message
            raise
        return StackedSamples(fields, lambda i: tuple(f[i] for f in fields))

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> Subset(TensorDataset(gradkit.arange(10)), [7, 2])[1]
        (tensor(2),)
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        # Keep the parent's batched fast path when it has one.
        parent = getattr(self.dataset, "__getitems__", None)
        if callable(parent):
            return parent([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several map-style datasets one after the other.

    Example:
        >>> len(ConcatDataset([TensorDataset(gradkit.zeros(3)), TensorDataset(gradkit.ones(2))]))
        5
    """

    @staticmethod
    def cumsum(sequence: Iterable[Any]) -> List[int]:
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: Any) -> T_co:
        idx = operator.index(idx)
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        if idx >= len(self):
            raise IndexError(f"index {idx} is out of range for a dataset of length {len(self)}")
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Several iterable datasets one after the other.

    Example:
        >>> list(ChainDataset([range(2), range(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _lengths_from_fractions(fractions: Sequence[float], total: int) -> List[int]:
    lengths = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(total * fraction))
    # Hand out what flooring left over, one at a time, round-robin from the first split.
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          f"This might result in an empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset: Dataset, lengths: Sequence[Union[int, float]],
                 generator: Optional["gradkit.Generator"] = None) -> List[Subset]:
    """Split ``dataset`` at random into non-overlapping subsets of the given lengths.

    Args:
        dataset: a map-style dataset.
        lengths: sizes that sum to ``len(dataset)``, or fractions that sum to 1 (then each is
            ``floor(fraction * len)``, the remainder handed out one by one from the first).
        generator: source of the permutation; default: the default generator (so
            ``gradkit.manual_seed`` makes the split reproducible).

    Example:
        >>> g = gradkit.Generator().manual_seed(42)
        >>> [len(s) for s in random_split(range(10), [0.3, 0.7], generator=g)]
        [3, 7]
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))  # type: ignore[arg-type]
    if sum(lengths) != len(dataset):  # type: ignore[arg-type]
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = gradkit.randperm(int(sum(lengths)), generator=generator).tolist()
    return [Subset(dataset, indices[end - length: end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]  # type: ignore[arg-type]
