"""``DataLoader``: iterate over a dataset in batches, like ``torch.utils.data.DataLoader``.

How a batch is made: the batch sampler yields a list of indices; if the dataset has
``__getitems__`` (``TensorDataset``, ``Subset`` of one, the vision datasets) it returns the whole
batch at once, otherwise the loader calls ``dataset[i]`` for each index; then ``collate_fn``
(``default_collate``) stacks the samples. For ``(x, y)`` samples each batch is the list ``[X, y]``.

Example:
    >>> loader = DataLoader(TensorDataset(gradkit.randn(10, 2), gradkit.arange(10)),
    ...                     batch_size=4, shuffle=True)
    >>> [X.shape[0] for X, y in loader]
    [4, 4, 2]
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, List, Optional

from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo"]


class WorkerInfo:
    """What ``get_worker_info()`` returns inside the loader's background thread.

    gradkit has a single prefetch thread, so ``id`` is 0 and ``num_workers`` is 1 (an
    ``IterableDataset`` that shards its stream by worker then yields everything, once).

    Example:
        >>> WorkerInfo(id=0, num_workers=1, seed=0, dataset=None).num_workers
        1
    """

    def __init__(self, id: int, num_workers: int, seed: int, dataset: Any) -> None:  # noqa: A002
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __repr__(self) -> str:
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
                f"dataset={type(self.dataset).__name__})")


_worker_state = threading.local()


def get_worker_info() -> Optional[WorkerInfo]:
    """The current worker's :class:`WorkerInfo` inside the prefetch thread, else None.

    Example:
        >>> get_worker_info() is None   # in the main thread
        True
    """
    return getattr(_worker_state, "info", None)


class _Fetcher:
    """Turns one item of the index sampler into one batch (or one sample)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool, batch_size: Optional[int]) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.batch_size = batch_size
        if isinstance(dataset, IterableDataset):
            self._stream: Optional[Iterator[Any]] = None
        getitems = getattr(dataset, "__getitems__", None)
        self._getitems = getitems if callable(getitems) else None

    def fetch(self, index: Any) -> Any:
        if isinstance(self.dataset, IterableDataset):
            return self._fetch_stream()
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self._getitems is not None:
            return self.collate_fn(self._getitems(index))  # the batched fast path
        return self.collate_fn([self.dataset[i] for i in index])

    def _fetch_stream(self) -> Any:
        if self._stream is None:
            self._stream = iter(self.dataset)
        if not self.auto_collation:
            return self.collate_fn(next(self._stream))
        samples: List[Any] = []
        for sample in self._stream:
            samples.append(sample)
            if len(samples) == self.batch_size:
                break
        if not samples or (self.drop_last and len(samples) < self.batch_size):  # type: ignore[operator]
            raise StopIteration
        return self.collate_fn(samples)


class _SingleThreadIter:
    """Batches made on demand in the calling thread (``num_workers=0``)."""

    def __init__(self, loader: "DataLoader") -> None:
        self._loader = loader
        self._indices = loader._index_iter()
        self._fetcher = loader._make_fetcher()

    def __iter__(self) -> "_SingleThreadIter":
        return self

    def __next__(self) -> Any:
        return self._fetcher.fetch(next(self._indices))

    def __len__(self) -> int:
        return len(self._loader)


_STOP = object()  # tells the worker thread to exit
_END = object()   # the worker's answer when an IterableDataset is exhausted


def _worker_loop(fetcher: _Fetcher, requests: "queue.Queue[Any]", results: "queue.Queue[Any]",
                 info: WorkerInfo, init_fn: Optional[Callable[[int], None]]) -> None:
    # A plain function (not a method) so the thread holds no reference to the iterator, which
    # can then be garbage collected, and stop the thread, when the user abandons it.
    _worker_state.info = info
    try:
        if init_fn is not None:
            init_fn(info.id)
    except BaseException as error:  # noqa: BLE001 - reported to the main thread
        results.put((None, error))
        return
    while True:
        request = requests.get()
        if request is _STOP:
            return
        try:
            results.put((fetcher.fetch(request), None))
        except StopIteration:
            results.put((_END, None))
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            results.put((None, error))


class _PrefetchIter:
    """Batches made by one background thread, ``prefetch_factor * num_workers`` ahead.

    The sampler runs in the calling thread, so shuffling draws from the random generators in the
    same order as without workers; only ``__getitems__``/``__getitem__`` and ``collate_fn`` run
    in the thread, where NumPy releases the GIL for the large copies and arithmetic.
    """

    def __init__(self, loader: "DataLoader") -> None:
        self._loader = loader
        self._indices = loader._index_iter()
        self._timeout = loader.timeout if loader.timeout > 0 else None
        self._requests: "queue.Queue[Any]" = queue.Queue()
        self._results: "queue.Queue[Any]" = queue.Queue()
        self._outstanding = 0
        self._exhausted = False
        info = WorkerInfo(id=0, num_workers=1, seed=0, dataset=loader.dataset)
        self._thread = threading.Thread(
            target=_worker_loop, name="gradkit-DataLoader-prefetch", daemon=True,
            args=(loader._make_fetcher(), self._requests, self._results, info,
                  loader.worker_init_fn))
        self._thread.start()
        for _ in range(max(1, (loader.prefetch_factor or 2) * loader.num_workers)):
            self._request_next()

    def _request_next(self) -> None:
        if self._exhausted:
            return
        try:
            index = next(self._indices)
        except StopIteration:
            self._exhausted = True
            return
        self._requests.put(index)
        self._outstanding += 1

    def __iter__(self) -> "_PrefetchIter":
        return self

    def __next__(self) -> Any:
        if self._outstanding == 0:
            self._shutdown()
            raise StopIteration
        try:
            data, error = self._results.get(timeout=self._timeout)
        except queue.Empty:
            self._shutdown()
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        self._outstanding -= 1
        if error is not None:
            self._shutdown()
            raise error
        if data is _END:
            self._exhausted = True
            self._shutdown()
            raise StopIteration
        self._request_next()
        return data

    def __len__(self) -> int:
        return len(self._loader)

    def _shutdown(self) -> None:
        self._exhausted = True
        self._requests.put(_STOP)

    def __del__(self) -> None:
        try:
            self._requests.put(_STOP)
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _InfiniteConstantSampler(Sampler[None]):
    """The sampler of an IterableDataset: the stream decides when to stop."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """Iterate over ``dataset`` in (optionally shuffled) batches.

    Args:
        dataset: a map-style ``Dataset`` (``len`` and ``[i]``) or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` yields samples one by one, unbatched.
        shuffle: visit samples in a new random order each pass (reproducible under
            ``gradkit.manual_seed`` or with ``generator``).
        sampler: a custom order of indices (excludes ``shuffle``).
        batch_sampler: yields whole lists of indices (excludes ``batch_size``, ``shuffle``,
            ``sampler``, ``drop_last``).
        num_workers: 0 makes batches in the calling thread. Any positive number starts **one**
            background thread that prepares ``prefetch_factor * num_workers`` batches ahead
            while the training step runs (gradkit uses no worker processes).
        collate_fn: turns a list of samples into a batch (``default_collate``).
        pin_memory: accepted and ignored (CPU only).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        timeout: with workers, seconds to wait for a batch before raising RuntimeError.
        worker_init_fn: called with the worker id (0) in the background thread.
        multiprocessing_context: accepted and ignored.
        generator: the ``gradkit.Generator`` used to shuffle.
        prefetch_factor: batches prepared ahead per worker (default 2 with workers).
        persistent_workers: accepted; the thread lives for one pass.
        pin_memory_device, in_order: accepted and ignored (batches always come in order).

    Shapes:
        For a dataset of ``(x, y)`` with ``x`` of shape ``(*)``, each batch is ``[X, Y]`` with
        ``X`` of shape ``(batch_size, *)`` (the last one may be smaller unless ``drop_last``).

    Example:
        >>> ds = TensorDataset(gradkit.arange(10.0), gradkit.arange(10))
        >>> X, y = next(iter(DataLoader(ds, batch_size=4)))
        >>> X, y
        (tensor([0., 1., 2., 3.]), tensor([0, 1, 2, 3]))
    """

    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1, shuffle: Optional[bool] = None,
                 sampler: Optional[Iterable] = None, batch_sampler: Optional[Iterable] = None,
                 num_workers: int = 0, collate_fn: Optional[Callable] = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable[[int], None]] = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        if isinstance(dataset, IterableDataset):
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialized", False) and name in self._FROZEN:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable:
        return self.batch_sampler if self._auto_collation else self.sampler

    def _index_iter(self) -> Iterator[Any]:
        return iter(self._index_sampler)

    def _make_fetcher(self) -> _Fetcher:
        return _Fetcher(self.dataset, self._auto_collation, self.collate_fn, self.drop_last,
                        self.batch_size)

    def __iter__(self) -> Any:
        if self.num_workers > 0:
            return _PrefetchIter(self)
        return _SingleThreadIter(self)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)  # type: ignore[arg-type]
