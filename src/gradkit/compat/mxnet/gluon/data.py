"""``mxnet.gluon.data``: ``Dataset``, ``ArrayDataset`` and a ``DataLoader`` of NDArray batches,
sampling with gradkit's samplers (so ``mx.random.seed`` makes the order reproducible).

An ``ArrayDataset`` batch is one fancy-index per array (no per-example work); other datasets
are read example by example and stacked.

Example:
    >>> from mxnet.gluon import data as gdata
    >>> dataset = gdata.ArrayDataset(features, labels)
    >>> data_iter = gdata.DataLoader(dataset, 10, shuffle=True)
    >>> X, y = next(iter(data_iter))
    >>> X.shape, y.shape
    ((10, 2), (10,))
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

import gradkit
from gradkit.utils.data import BatchSampler, RandomSampler, SequentialSampler

from ..ndarray import array as nd_array
from ..ndarray import stack as nd_stack
from ..ndarray.ndarray import NDArray

__all__ = ["Dataset", "ArrayDataset", "SimpleDataset", "DataLoader"]


class Dataset:
    """Base class: ``__getitem__`` and ``__len__``.

    Example:
        >>> class Squares(gdata.Dataset):
        ...     def __getitem__(self, i): return float(i * i)
        ...     def __len__(self): return 10
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def transform(self, fn: Callable[..., Any], lazy: bool = True) -> "Dataset":
        """A dataset of ``fn(*example)``."""
        return _Transformed(self, fn)

    def transform_first(self, fn: Callable[[Any], Any], lazy: bool = True) -> "Dataset":
        """A dataset whose examples have ``fn`` applied to their first element."""
        return _Transformed(self, lambda x, *rest: (fn(x), *rest) if rest else fn(x))


class _Transformed(Dataset):
    def __init__(self, dataset: Dataset, fn: Callable[..., Any]) -> None:
        self._dataset, self._fn = dataset, fn

    def __getitem__(self, index: int) -> Any:
        item = self._dataset[index]
        return self._fn(*item) if isinstance(item, tuple) else self._fn(item)

    def __len__(self) -> int:
        return len(self._dataset)


class SimpleDataset(Dataset):
    """A dataset over a list (or any sequence).

    Example:
        >>> gdata.SimpleDataset([1, 2, 3])[0]
        1
    """

    def __init__(self, data: Sequence[Any]) -> None:
        self._data = data

    def __getitem__(self, index: int) -> Any:
        return self._data[index]

    def __len__(self) -> int:
        return len(self._data)


class ArrayDataset(Dataset):
    """Examples zipped from equally long arrays (NDArrays, NumPy arrays or lists).

    Example:
        >>> dataset = gdata.ArrayDataset(features, labels)
        >>> len(dataset)
        1000
    """

    def __init__(self, *args: Any) -> None:
        if not args:
            raise ValueError("ArrayDataset needs at least one array")
        self._tensors = []
        for array in args:
            if isinstance(array, NDArray):
                tensor = array._tensor.detach()
            else:
                values = np.asarray(array)
                tensor = gradkit.tensor(values.astype(np.float32) if values.dtype == np.float64
                                        else values)
            self._tensors.append(tensor)
        lengths = {len(t) for t in self._tensors}
        if len(lengths) != 1:
            raise ValueError(f"All arrays must have the same length; got {sorted(lengths)}")
        self._length = lengths.pop()

    def __getitem__(self, index: int) -> Any:
        items = tuple(_example(t[index]) for t in self._tensors)
        return items[0] if len(items) == 1 else items

    def batch(self, indices: Sequence[int]) -> Any:
        """The examples at ``indices``, stacked: one fancy-index per array."""
        index = gradkit.tensor(list(indices), dtype=gradkit.int64)
        batch = [NDArray(t[index]) for t in self._tensors]
        return batch[0] if len(batch) == 1 else batch

    def __len__(self) -> int:
        return self._length


def _example(tensor: gradkit.Tensor) -> Any:
    # A row of a 1-D array is a NumPy scalar, as Gluon's ArrayDataset gives.
    return tensor.numpy()[()] if tensor.ndim == 0 else NDArray(tensor)


def default_batchify_fn(examples: list[Any]) -> Any:
    """Stack a list of examples into NDArrays (tuples field by field).

    Example:
        >>> default_batchify_fn([(nd.ones(2), 0), (nd.zeros(2), 1)])
        [<NDArray 2x2 @cpu(0)>, <NDArray 2 @cpu(0)>]
    """
    first = examples[0]
    if isinstance(first, NDArray):
        return nd_stack(*examples)
    if isinstance(first, tuple):
        return [default_batchify_fn(list(field)) for field in zip(*examples)]
    values = np.asarray(examples)
    return nd_array(values, dtype=values.dtype)


class DataLoader:
    """Mini-batches of a dataset as NDArrays.

    Args:
        dataset: an ``ArrayDataset`` or any ``Dataset``.
        batch_size: examples per batch.
        shuffle: a new random order each epoch.
        last_batch: ``'keep'`` (default) or ``'discard'`` the last incomplete batch.
        batchify_fn: how to stack a list of examples.
        num_workers: accepted; batches are built in this process.

    Example:
        >>> for X, y in gdata.DataLoader(dataset, batch_size, shuffle=True):
        ...     pass
    """

    def __init__(self, dataset: Any, batch_size: int | None = None, shuffle: bool = False,
                 sampler: Any = None, last_batch: str | None = None, batch_sampler: Any = None,
                 batchify_fn: Callable[[list], Any] | None = None, num_workers: int = 0,
                 **kwargs: Any) -> None:
        last_batch = last_batch or "keep"
        if last_batch not in ("keep", "discard"):
            raise NotImplementedError(f"gluon DataLoader last_batch={last_batch!r} is not "
                                      "implemented in gradkit (use 'keep' or 'discard')")
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is")
            if sampler is None:
                sampler = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, batch_size, drop_last=last_batch == "discard")
        self._dataset = dataset
        self._batch_sampler = batch_sampler
        self._batchify_fn = batchify_fn

    def __iter__(self) -> Iterator[Any]:
        fast = isinstance(self._dataset, ArrayDataset) and self._batchify_fn is None
        batchify = self._batchify_fn or default_batchify_fn
        for indices in self._batch_sampler:
            if fast:
                yield self._dataset.batch(indices)
            else:
                yield batchify([self._dataset[i] for i in indices])

    def __len__(self) -> int:
        return len(self._batch_sampler)
