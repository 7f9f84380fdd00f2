"""Samplers: the order in which a ``DataLoader`` visits a dataset, like ``torch.utils.data``.

A sampler yields dataset indices; a ``BatchSampler`` groups them into lists, one per batch.
``RandomSampler`` is reproducible: without a ``generator`` it draws one seed from the default
generator at the start of each pass, so ``gradkit.manual_seed`` fixes every epoch's order.

Example:
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
"""
from __future__ import annotations

import itertools
from typing import Any, Generic, Iterable, Iterator, List, Optional, Sequence, Sized, TypeVar

import gradkit

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: subclasses implement ``__iter__`` (and ``__len__`` when it is known).

    Example:
        >>> class EvenFirst(Sampler):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter([*range(0, self.n, 2), *range(1, self.n, 2)])
        ...     def __len__(self): return self.n
    """

    def __init__(self, data_source: Optional[Sized] = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example:
        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _fresh_generator() -> "gradkit.Generator":
    # One draw from the default generator seeds this pass: the order is then fixed by
    # gradkit.manual_seed, and does not depend on how many random numbers the pass uses.
    seed = int(gradkit.randint(0, 2**62, (1,)).item())
    return gradkit.Generator().manual_seed(seed)


class RandomSampler(Sampler[int]):
    """Indices in random order: a permutation, or draws with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices independently instead of permuting.
        num_samples: how many indices to yield (default ``len(data_source)``); without
            replacement, more than the length chains several permutations.
        generator: the ``gradkit.Generator`` to draw from; default: a fresh one seeded from the
            default generator at each pass.

    Example:
        >>> gradkit.manual_seed(0)
        >>> sorted(RandomSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: Optional[int] = None, generator: Any = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        # The dataset's length may change after construction; read it when asked.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        # The whole order as one list: iterating a list is C-speed, where a generator function
        # yielding 60,000 ints would cost a Python frame switch per index.
        if self.replacement:
            return iter(gradkit.randint(0, n, (self.num_samples,), generator=generator).tolist())
        order: List[int] = []
        for _ in range(self.num_samples // n):
            order += gradkit.randperm(n, generator=generator).tolist()
        order += gradkit.randperm(n, generator=generator).tolist()[: self.num_samples % n]
        return iter(order)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a random order each pass.

    Example:
        >>> sorted(SubsetRandomSampler([4, 7, 9]))
        [4, 7, 9]
    """

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in gradkit.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler[List[int]]):
    """Group another sampler's indices into lists of ``batch_size``.

    Args:
        sampler: any iterable of indices.
        batch_size: indices per batch (a positive int).
        drop_last: drop the last batch if it is smaller than ``batch_size``.

    Example:
        >>> list(BatchSampler(range(5), batch_size=2, drop_last=True))
        [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[List[int]]:
        indices = iter(self.sampler)
        batch = list(itertools.islice(indices, self.batch_size))
        while batch:
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch
            batch = list(itertools.islice(indices, self.batch_size))

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size  # type: ignore[arg-type]
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size  # type: ignore[arg-type]
