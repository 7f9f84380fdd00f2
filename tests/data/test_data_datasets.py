"""Datasets, samplers and random_split, compared with torch.utils.data where it is deterministic."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import gradkit
from gradkit.utils import data


def _raises_like(torch_fn: Any, ours_fn: Any) -> None:
    with pytest.raises(Exception) as theirs:
        torch_fn()
    with pytest.raises(type(theirs.value)) as ours:
        ours_fn()
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------------------------------------
# samplers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_and_batch_samplers_match_torch(torch, batch_size, drop_last):
    ours = data.BatchSampler(data.SequentialSampler(range(7)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(7)),
                                           batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    assert list(data.SequentialSampler(range(7))) == list(range(7))


@pytest.mark.parametrize("make", [
    lambda m: m.RandomSampler(range(3), replacement="yes"),
    lambda m: m.RandomSampler(range(3), num_samples=0),
    lambda m: m.RandomSampler(range(3), num_samples=2.5),
    lambda m: m.BatchSampler(range(3), batch_size=0, drop_last=False),
    lambda m: m.BatchSampler(range(3), batch_size=True, drop_last=False),
    lambda m: m.BatchSampler(range(3), batch_size=2, drop_last=1),
])
def test_sampler_argument_errors_match_torch(torch, make):
    _raises_like(lambda: make(torch.utils.data), lambda: make(data))


def test_random_sampler_permutes_and_is_reproducible():
    sampler = data.RandomSampler(range(20))
    gradkit.manual_seed(1)
    first = list(sampler)
    second = list(sampler)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second  # a new order each pass
    gradkit.manual_seed(1)
    assert list(sampler) == first
    g = gradkit.Generator().manual_seed(4)
    with_generator = list(data.RandomSampler(range(20), generator=g))
    g.manual_seed(4)
    assert list(data.RandomSampler(range(20), generator=g)) == with_generator
    assert len(sampler) == 20


def test_random_sampler_with_num_samples_and_replacement():
    longer = list(data.RandomSampler(range(5), num_samples=12))
    assert len(longer) == 12
    assert sorted(longer[:5]) == sorted(longer[5:10]) == list(range(5))
    assert set(longer[10:]) <= set(range(5)) and len(set(longer[10:])) == 2
    drawn = list(data.RandomSampler(range(5), replacement=True, num_samples=100))
    assert len(drawn) == 100 and set(drawn) == set(range(5))
    assert len(data.RandomSampler(range(5), replacement=True, num_samples=3)) == 3


def test_subset_random_sampler_permutes_the_given_indices():
    assert sorted(data.SubsetRandomSampler([3, 9, 4])) == [3, 4, 9]
    assert len(data.SubsetRandomSampler([3, 9, 4])) == 3


# ---------------------------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------------------------
def test_tensor_dataset_matches_torch(torch):
    x = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    ours = data.TensorDataset(gradkit.tensor(x), gradkit.arange(4))
    theirs = torch.utils.data.TensorDataset(torch.tensor(x), torch.arange(4))
    assert len(ours) == len(theirs) == 4
    for i in [0, 3, -1]:
        for a, b in zip(ours[i], theirs[i]):
            assert a.tolist() == b.tolist()
    _raises_like(lambda: torch.utils.data.TensorDataset(torch.zeros(3), torch.zeros(4)),
                 lambda: data.TensorDataset(gradkit.zeros(3), gradkit.zeros(4)))


def test_subset_and_concat_match_torch(torch):
    ours_base = data.TensorDataset(gradkit.arange(10))
    theirs_base = torch.utils.data.TensorDataset(torch.arange(10))
    ours = data.Subset(ours_base, [9, 0, 4])
    theirs = torch.utils.data.Subset(theirs_base, [9, 0, 4])
    assert len(ours) == len(theirs)
    assert [int(ours[i][0]) for i in range(3)] == [int(theirs[i][0]) for i in range(3)]

    parts = [data.TensorDataset(gradkit.arange(3)), data.TensorDataset(gradkit.arange(10, 15))]
    torch_parts = [torch.utils.data.TensorDataset(torch.arange(3)),
                   torch.utils.data.TensorDataset(torch.arange(10, 15))]
    ours_cat, theirs_cat = data.ConcatDataset(parts), torch.utils.data.ConcatDataset(torch_parts)
    assert len(ours_cat) == len(theirs_cat) == 8
    assert ours_cat.cumulative_sizes == theirs_cat.cumulative_sizes
    for i in [0, 2, 3, 7, -1, -8]:
        assert int(ours_cat[i][0]) == int(theirs_cat[i][0])
    assert len(parts[0] + parts[1]) == 8
    _raises_like(lambda: theirs_cat[-9], lambda: ours_cat[-9])
    _raises_like(lambda: torch.utils.data.ConcatDataset([]), lambda: data.ConcatDataset([]))
    with pytest.raises(IndexError):
        ours_cat[8]


def test_concat_rejects_iterable_datasets_like_torch(torch):
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([])

    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter([])

    _raises_like(lambda: torch.utils.data.ConcatDataset([TorchStream()]),
                 lambda: data.ConcatDataset([Stream()]))
    assert list(data.ChainDataset([range(2), range(3)])) == [0, 1, 0, 1, 2]


def test_dataset_base_classes_raise_like_torch(torch):
    _raises_like(lambda: torch.utils.data.Dataset()[0], lambda: data.Dataset()[0])


# ---------------------------------------------------------------------------------------------
# random_split
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7]),
    (100, [0.8, 0.2]), (5, [1.0]), (9, [1 / 3, 1 / 3, 1 / 3]),
])
def test_random_split_lengths_match_torch_and_partition(torch, n, lengths):
    ours = data.random_split(range(n), lengths, generator=gradkit.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(range(n), lengths,
                                           generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    indices = sorted(i for subset in ours for i in subset.indices)
    assert indices == list(range(n))
    assert [subset[0] for subset in ours if len(subset)] == [
        subset.dataset[subset.indices[0]] for subset in ours if len(subset)]


def test_random_split_is_reproducible():
    def split():
        return [s.indices for s in data.random_split(range(50), [0.5, 0.5])]

    gradkit.manual_seed(9)
    first = split()
    gradkit.manual_seed(9)
    assert split() == first
    g = gradkit.Generator().manual_seed(2)
    with_generator = [s.indices for s in data.random_split(range(50), [25, 25], generator=g)]
    gradkit.manual_seed(123)
    g.manual_seed(2)
    assert [s.indices for s in data.random_split(range(50), [25, 25], generator=g)] == with_generator


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [1.2, -0.2], [11]])
def test_random_split_errors_match_torch(torch, lengths):
    _raises_like(lambda: torch.utils.data.random_split(range(10), lengths),
                 lambda: data.random_split(range(10), lengths))


def test_random_split_warns_about_empty_splits(torch):
    def messages(split):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            split(range(2), [0.9, 0.05, 0.05])
        return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]

    ours = messages(data.random_split)
    assert ours == messages(torch.utils.data.random_split)
    assert ours[0] == "Length of split at index 1 is 0. This might result in an empty dataset."
