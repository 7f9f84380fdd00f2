"""Data loading, like ``torch.utils.data``: datasets, samplers, ``DataLoader``, collation.

Example:
    >>> from gradkit.utils import data
    >>> X, y = gradkit.randn(1000, 2), gradkit.randn(1000, 1)
    >>> loader = data.DataLoader(data.TensorDataset(X, y), batch_size=10, shuffle=True)
    >>> X_batch, y_batch = next(iter(loader))
    >>> X_batch.shape, y_batch.shape
    (gradkit.Size([10, 2]), gradkit.Size([10, 1]))
"""
from .collate import StackedSamples, collate, default_collate, default_collate_fn_map, default_convert
from .dataloader import DataLoader, WorkerInfo, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "DataLoader", "get_worker_info", "WorkerInfo", "default_collate",
           "default_convert", "collate", "default_collate_fn_map", "StackedSamples", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]
