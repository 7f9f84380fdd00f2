"""Turning a list of samples into a batch: ``default_collate``, like ``torch.utils.data``.

The rules, applied recursively to the first sample's type:

==========================  ==================================================================
sample element              batch element
==========================  ==================================================================
Tensor ``(*)``              Tensor ``(N, *)`` (stacked; all must have the same shape)
NumPy array ``(*)``         Tensor ``(N, *)``
NumPy scalar                Tensor ``(N,)`` of its dtype
``float`` / ``int``/bool    Tensor ``(N,)`` float64 / int64 / bool
``str`` / ``bytes``         the list of them
mapping                     mapping of the collated values, key by key
namedtuple                  namedtuple of the collated fields
tuple / list                **list** of the collated positions (so ``(x, y)`` samples give
                            the batch ``[X, Y]``)
==========================  ==================================================================

A dataset's ``__getitems__`` may return a :class:`StackedSamples`, a batch already stacked
field by field; ``default_collate`` returns its fields as they are, which is how the fast
path of ``TensorDataset`` and the vision datasets skips per-sample work entirely.

Example:
    >>> default_collate([(gradkit.zeros(2), 0), (gradkit.ones(2), 1)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([0, 1])]
"""
from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple, Type, Union

import numpy as np

import gradkit
from gradkit.tensor import Tensor

__all__ = ["StackedSamples", "collate", "default_collate", "default_convert",
           "default_collate_fn_map"]

# NumPy dtypes that cannot become tensors: bytes, str, unicode, object.
_NOT_NUMERIC = re.compile(r"[SaUO]")

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
          "found {}")


class StackedSamples(collections.abc.Sequence):
    """A batch already stacked field by field that still reads as a list of samples.

    ``__getitems__`` of fast datasets returns one: ``default_collate`` hands back ``fields``
    directly (no per-sample work), while a custom ``collate_fn`` can index or iterate it like the
    list of samples PyTorch would pass, each sample computed on demand.

    Args:
        fields: the stacked fields, e.g. ``[X (N, *), y (N,)]``.
        sample: ``sample(i)`` returns the i-th sample exactly as ``dataset[indices[i]]`` would.

    Example:
        >>> batch = TensorDataset(gradkit.zeros(4, 2), gradkit.arange(4)).__getitems__([0, 3])
        >>> default_collate(batch)[1], batch[1][1]
        (tensor([0, 3]), tensor(3))
    """

    def __init__(self, fields: Sequence[Any], sample: Callable[[int], Any]) -> None:
        self.fields = list(fields)
        self._sample = sample
        self._length = len(self.fields[0])

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        index = int(index)
        if not -self._length <= index < self._length:
            raise IndexError(f"sample index {index} out of range for a batch of {self._length}")
        return self._sample(index % self._length)

    def __iter__(self) -> Iterator[Any]:
        return (self._sample(i) for i in range(self._length))

    def __repr__(self) -> str:
        return f"StackedSamples({self._length} samples, fields={[tuple(f.shape) for f in self.fields]})"


def _stack_tensors(batch: Sequence[Tensor]) -> Tensor:
    shape = batch[0].shape
    for i, t in enumerate(batch):
        if t.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}")
    if any(t.requires_grad for t in batch) or len({t.dtype for t in batch}) > 1:
        return gradkit.stack(list(batch), 0)  # records the graph / promotes like PyTorch
    # The common case, stacked in one NumPy call with no graph bookkeeping.
    return gradkit.from_numpy(np.stack([t._data for t in batch]))


def collate_tensor_fn(batch: Sequence[Tensor], *, collate_fn_map: Optional[dict] = None) -> Tensor:
    """Stack tensors ``(*)`` into ``(N, *)``; RuntimeError if the shapes differ."""
    return _stack_tensors(batch)


def collate_numpy_array_fn(batch: Sequence[np.ndarray], *,
                           collate_fn_map: Optional[dict] = None) -> Any:
    """Stack NumPy arrays into a tensor (string and object arrays are refused)."""
    if _NOT_NUMERIC.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERROR.format(batch[0].dtype))
    return collate([gradkit.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: Sequence[Any], *, collate_fn_map: Optional[dict] = None) -> Tensor:
    """NumPy scalars into a 1-D tensor of their dtype."""
    return gradkit.from_numpy(np.array(batch))


def collate_float_fn(batch: Sequence[float], *, collate_fn_map: Optional[dict] = None) -> Tensor:
    """Python floats into a float64 tensor (PyTorch's choice: no precision is lost)."""
    return gradkit.tensor(list(batch), dtype=gradkit.float64)


def collate_int_fn(batch: Sequence[int], *, collate_fn_map: Optional[dict] = None) -> Tensor:
    """Python ints into an int64 tensor (bools into a bool tensor)."""
    return gradkit.tensor(list(batch))


def collate_str_fn(batch: Sequence[Any], *, collate_fn_map: Optional[dict] = None) -> Any:
    """Strings and bytes are left as a list."""
    return batch


default_collate_fn_map: Dict[Union[Type, Tuple[Type, ...]], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch: Sequence[Any], *, collate_fn_map: Optional[dict] = None) -> Any:
    """Collate ``batch`` by element type, with ``collate_fn_map`` for the leaf types.

    The containers (mappings, namedtuples, sequences) are handled here; ``collate_fn_map`` maps a
    type (or tuple of types) to ``fn(batch, *, collate_fn_map)`` for everything else. Extend a
    copy of ``default_collate_fn_map`` to support new types.

    Example:
        >>> collate([1, 2], collate_fn_map=default_collate_fn_map)
        tensor([1, 2])
    """
    if isinstance(batch, StackedSamples):
        return list(batch.fields)
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                # Keep the mapping's type and extra attributes (e.g. an OrderedDict).
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(sample) == size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # a list, as in PyTorch: (x, y) samples give [X, Y]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, column in enumerate(columns):
                    clone[i] = column
                return clone
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERROR.format(elem_type))


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, following the table in this module's docstring.

    Args:
        batch: a list of samples (or a :class:`StackedSamples`).

    Returns:
        The batch: for ``(x, y)`` samples, the list ``[X, Y]`` with ``X`` of shape ``(N, *x.shape)``.

    Raises:
        RuntimeError: tensors of different shapes ("stack expects each tensor to be equal
            size...") or sequences of different lengths.
        TypeError: an element of an unsupported type.

    Example:
        >>> default_collate([{"x": 1.0}, {"x": 2.0}])
        {'x': tensor([1., 2.], dtype=gradkit.float64)}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars inside ``data`` into tensors; leave the rest as is.

    The ``collate_fn`` of a ``DataLoader`` with ``batch_size=None`` (no batching).

    Example:
        >>> default_convert((np.array([0, 1]), "a"))
        [tensor([0, 1]), 'a']
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_"):
        if isinstance(data, np.ndarray) and _NOT_NUMERIC.search(data.dtype.str) is not None:
            return data
        return gradkit.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return elem_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted_list = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(converted_list):
                    clone[i] = d
                return clone
            return elem_type(converted_list)
        except TypeError:
            return converted_list
    return data
