"""DataLoader semantics, compared batch by batch with PyTorch's DataLoader."""
from __future__ import annotations

import collections
import threading
import time
from typing import Any

import numpy as np
import pytest

import gradkit
from gradkit.utils import data

N = 11
FEATURES = np.arange(N * 3, dtype=np.float32).reshape(N, 3)
LABELS = np.arange(N) % 4


class Pairs:
    """A per-item dataset of ``(x, label)``, built with either library."""

    def __init__(self, lib: Any, n: int = N) -> None:
        self.lib, self.n = lib, n

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.lib.tensor(FEATURES[i]), int(LABELS[i])

    def __len__(self) -> int:
        return self.n


Point = collections.namedtuple("Point", ["x", "y"])


class Nested:
    """Samples mixing every type default_collate knows."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib

    def __getitem__(self, i: int) -> Any:
        return {
            "x": self.lib.tensor(FEATURES[i]),
            "meta": (np.arange(i, i + 2, dtype=np.int32), np.float32(i / 2), i / 4, i % 2 == 0,
                     f"item{i}"),
            "list": [i, float(i)],
            "point": Point(self.lib.tensor([i, i + 1]), np.float64(i)),
            "bytes": b"ab",
        }

    def __len__(self) -> int:
        return 6


@pytest.mark.parametrize("batch_size", [1, 3, 4, 11, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_and_length_match_torch(torch, same, batch_size, drop_last):
    ours = data.DataLoader(Pairs(gradkit), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(Pairs(torch), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    same(list(ours), list(theirs))


def test_next_iter_gives_the_first_batch_as_a_list(torch, same):
    ours = next(iter(data.DataLoader(Pairs(gradkit), batch_size=4)))
    theirs = next(iter(torch.utils.data.DataLoader(Pairs(torch), batch_size=4)))
    assert isinstance(ours, list) and len(ours) == 2
    same(ours, theirs)


@pytest.mark.parametrize("dtypes", [("float32",), ("float32", "int64"),
                                    ("float64", "uint8", "bool"), ("int32", "float32")])
@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (1, False), (None, False)])
def test_tensor_dataset_matches_torch(torch, same, dtypes, batch_size, drop_last):
    rng = np.random.default_rng(1)
    arrays = [(rng.random((10, 2, 3)) * 5).astype(d) for d in dtypes]
    ours = data.DataLoader(data.TensorDataset(*[gradkit.tensor(a) for a in arrays]),
                           batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*[torch.tensor(a) for a in arrays]),
        batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    same(list(ours), list(theirs))


@pytest.mark.parametrize("batch_size", [2, 4])
def test_nested_samples_collate_like_torch(torch, same, batch_size):
    ours = data.DataLoader(Nested(gradkit), batch_size=batch_size)
    theirs = torch.utils.data.DataLoader(Nested(torch), batch_size=batch_size)
    same(list(ours), list(theirs))


def test_batch_size_none_converts_samples_like_torch(torch, same):
    ours = data.DataLoader(Nested(gradkit), batch_size=None)
    theirs = torch.utils.data.DataLoader(Nested(torch), batch_size=None)
    assert len(ours) == len(theirs) == 6
    same(list(ours), list(theirs))


def test_custom_sampler_and_batch_sampler_match_torch(torch, same):
    order = [5, 0, 3, 3, 10]
    same(list(data.DataLoader(Pairs(gradkit), batch_size=2, sampler=order)),
         list(torch.utils.data.DataLoader(Pairs(torch), batch_size=2, sampler=order)))
    batches = [[1, 2, 3], [7], [0, 10]]
    ours = data.DataLoader(Pairs(gradkit), batch_sampler=batches)
    theirs = torch.utils.data.DataLoader(Pairs(torch), batch_sampler=batches)
    assert len(ours) == len(theirs) == 3
    same(list(ours), list(theirs))


def test_custom_collate_fn_receives_the_samples(torch):
    def collate(samples):
        return [(x.tolist(), y) for x, y in samples]

    ours = list(data.DataLoader(Pairs(gradkit), batch_size=4, collate_fn=collate))
    theirs = list(torch.utils.data.DataLoader(Pairs(torch), batch_size=4, collate_fn=collate))
    assert ours == theirs


def _streams(lib: Any) -> Any:
    base = lib.utils.data.IterableDataset if lib is not gradkit else data.IterableDataset

    class Stream(base):
        def __iter__(self):
            return ((lib.tensor(FEATURES[i]), int(LABELS[i])) for i in range(N))

        def __len__(self):
            return N

    return Stream()


@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (1, False), (11, True),
                                                  (None, False)])
def test_iterable_dataset_matches_torch(torch, same, batch_size, drop_last):
    ours = data.DataLoader(_streams(gradkit), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(_streams(torch), batch_size=batch_size,
                                         drop_last=drop_last)
    assert len(ours) == len(theirs)
    same(list(ours), list(theirs))
    same(list(ours), list(theirs))  # a second pass restarts the stream


INVALID = [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(persistent_workers=True),
    dict(num_workers=1, prefetch_factor=-1),
    dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(batch_size=0),
    dict(batch_size=-3),
    dict(drop_last="yes"),
]


@pytest.mark.parametrize("kwargs", INVALID, ids=[str(k) for k in INVALID])
def test_invalid_arguments_raise_like_torch(torch, kwargs):
    with pytest.raises(Exception) as theirs:
        torch.utils.data.DataLoader(Pairs(torch), **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        data.DataLoader(Pairs(gradkit), **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_rejects_orderings_like_torch(torch, kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(_streams(torch), **kwargs)
    with pytest.raises(ValueError) as ours:
        data.DataLoader(_streams(gradkit), **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["batch_size", "sampler", "drop_last", "dataset"])
def test_attributes_are_frozen_like_torch(torch, name):
    with pytest.raises(ValueError) as theirs:
        setattr(torch.utils.data.DataLoader(Pairs(torch)), name, 2)
    with pytest.raises(ValueError) as ours:
        setattr(data.DataLoader(Pairs(gradkit)), name, 2)
    assert str(ours.value) == str(theirs.value).replace("DataLoader", "DataLoader")


def test_loader_accepts_the_other_arguments():
    loader = data.DataLoader(Pairs(gradkit), batch_size=4, pin_memory=True, timeout=5,
                             multiprocessing_context="spawn", pin_memory_device="", in_order=True,
                             num_workers=1, persistent_workers=True, prefetch_factor=3)
    assert [len(y) for _, y in loader] == [4, 4, 3]


def test_shuffle_is_a_permutation_reproducible_under_manual_seed():
    def one_pass():
        loader = data.DataLoader(data.TensorDataset(gradkit.arange(N)), batch_size=4, shuffle=True)
        return [batch[0].tolist() for batch in loader]

    gradkit.manual_seed(3)
    first = one_pass()
    gradkit.manual_seed(3)
    assert one_pass() == first
    flat = [i for batch in first for i in batch]
    assert sorted(flat) == list(range(N)) and flat != list(range(N))
    loader = data.DataLoader(Pairs(gradkit), batch_size=4, shuffle=True)
    epochs = [[int(i) for X, _ in loader for i in X[:, 0].tolist()] for _ in range(3)]
    assert all(sorted(e) == [3.0 * i for i in range(N)] for e in epochs)
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]


def test_shuffle_with_a_generator_ignores_the_global_seed():
    def order(seed_global):
        gradkit.manual_seed(seed_global)
        g = gradkit.Generator().manual_seed(7)
        loader = data.DataLoader(data.TensorDataset(gradkit.arange(50)), batch_size=8,
                                 shuffle=True, generator=g)
        return [b[0].tolist() for b in loader]

    assert order(1) == order(2)


def test_tensor_dataset_uses_getitems_and_equals_the_per_item_path():
    calls = []

    class Spy(data.TensorDataset):
        def __getitems__(self, indices):
            calls.append(list(indices))
            return super().__getitems__(indices)

    X = gradkit.randn(10, 2, 3)
    y = gradkit.arange(10)
    fast = list(data.DataLoader(Spy(X, y), batch_size=4, shuffle=False))
    assert calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    plain = data.TensorDataset(X, y)
    for batch, start in zip(fast, range(0, 10, 4)):
        expected = data.default_collate([plain[i] for i in range(start, min(start + 4, 10))])
        for a, b in zip(batch, expected):
            assert a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy())


def test_subset_and_random_split_keep_the_fast_path():
    calls = []

    class Spy(data.TensorDataset):
        def __getitems__(self, indices):
            calls.append(list(indices))
            return super().__getitems__(indices)

    dataset = Spy(gradkit.arange(20.0), gradkit.arange(20))
    train, _ = data.random_split(dataset, [15, 5], generator=gradkit.Generator().manual_seed(0))
    batches = list(data.DataLoader(train, batch_size=8))
    assert [len(c) for c in calls] == [8, 7]
    assert calls[0] == [train.indices[i] for i in range(8)]
    assert batches[0][1].tolist() == calls[0]


def test_stacked_samples_read_as_a_list_of_samples():
    X, y = gradkit.randn(6, 2), gradkit.arange(6)
    dataset = data.TensorDataset(X, y)
    batch = dataset.__getitems__([4, 1, -1])
    assert len(batch) == 3
    for got, index in zip(batch, [4, 1, 5]):
        want = dataset[index]
        assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(got, want))
    assert np.array_equal(batch[-1][0].numpy(), X.numpy()[5])
    assert len(batch[0:2]) == 2
    with pytest.raises(IndexError):
        batch[3]
    received = []
    loader = data.DataLoader(dataset, batch_size=3, collate_fn=lambda b: received.append(list(b)))
    list(loader)
    assert [int(sample[1]) for sample in received[0]] == [0, 1, 2]


def test_getitems_index_out_of_range_raises_index_error():
    dataset = data.TensorDataset(gradkit.zeros(5, 2))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 5"):
        dataset.__getitems__([0, 5])
    with pytest.raises(IndexError, match="index -6 is out of bounds"):
        dataset.__getitems__([-6])
    with pytest.raises(IndexError):
        list(data.DataLoader(dataset, batch_size=2, sampler=[0, 7]))


def test_tensors_that_require_grad_are_batched_through_autograd():
    w = gradkit.ones(6, 2, requires_grad=True)
    X, = next(iter(data.DataLoader(data.TensorDataset(w), batch_size=4)))
    assert X.requires_grad
    X.sum().backward()
    assert w.grad.numpy().tolist() == [[1.0, 1.0]] * 4 + [[0.0, 0.0]] * 2


class Exploding:
    def __getitem__(self, i):
        if i == 5:
            raise KeyError("sample 5 is broken")
        return gradkit.tensor([float(i)])

    def __len__(self):
        return 10


@pytest.mark.parametrize("num_workers", [0, 2])
def test_errors_in_the_dataset_reach_the_caller(num_workers):
    loader = data.DataLoader(Exploding(), batch_size=2, num_workers=num_workers)
    iterator = iter(loader)
    next(iterator), next(iterator)
    with pytest.raises(KeyError, match="sample 5 is broken"):
        next(iterator)


def test_prefetch_thread_gives_the_same_batches_in_the_same_order():
    dataset = data.TensorDataset(gradkit.randn(100, 3), gradkit.arange(100))
    gradkit.manual_seed(5)
    single = [b[1].tolist() for b in data.DataLoader(dataset, batch_size=7, shuffle=True)]
    gradkit.manual_seed(5)
    threaded_loader = data.DataLoader(dataset, batch_size=7, shuffle=True, num_workers=2)
    threaded = [b[1].tolist() for b in threaded_loader]
    assert threaded == single
    assert len(threaded_loader) == len(single) == 15


def test_prefetch_thread_stops_when_abandoned_or_exhausted():
    before = threading.active_count()
    loader = data.DataLoader(data.TensorDataset(gradkit.arange(100)), batch_size=5, num_workers=3)
    for _ in range(3):
        for i, _batch in enumerate(loader):
            if i == 2:
                break
    list(loader)
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        import gc

        gc.collect()
        time.sleep(0.01)
    assert threading.active_count() == before


def test_worker_info_and_init_fn_in_the_prefetch_thread():
    seen = []

    class Probe(data.Dataset):
        def __getitem__(self, i):
            seen.append(data.get_worker_info())
            return i

        def __len__(self):
            return 4

    started = []
    list(data.DataLoader(Probe(), batch_size=2, num_workers=2, worker_init_fn=started.append))
    assert started == [0]
    assert all(info is not None and info.id == 0 and info.num_workers == 1 for info in seen)
    assert data.get_worker_info() is None
    seen.clear()
    list(data.DataLoader(Probe(), batch_size=2))
    assert seen == [None] * 4


def test_timeout_raises_runtime_error():
    class Slow(data.Dataset):
        def __getitem__(self, i):
            time.sleep(0.5)
            return i

        def __len__(self):
            return 2

    loader = data.DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.05)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.05 seconds"):
        next(iter(loader))


def test_iterable_dataset_with_the_prefetch_thread(torch, same):
    ours = data.DataLoader(_streams(gradkit), batch_size=4, num_workers=2)
    theirs = torch.utils.data.DataLoader(_streams(torch), batch_size=4)
    same(list(ours), list(theirs))
