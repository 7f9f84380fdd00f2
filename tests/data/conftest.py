"""Helpers for the data-pipeline tests: compare gradkit batches with PyTorch's."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gradkit
from oracle import import_torch


@pytest.fixture
def torch() -> Any:
    """torch, or a skip; a failure under GRADKIT_REQUIRE_TORCH=1."""
    return import_torch()


def _dtype_name(dtype: Any) -> str:
    return str(dtype).split(".")[-1]


def assert_same(ours: Any, theirs: Any, path: str = "batch") -> None:
    """Assert that a gradkit structure equals a torch one: container types, keys, tensor dtypes,
    shapes and exact values."""
    import torch

    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, gradkit.Tensor), f"{path}: {type(ours)} is not a tensor"
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), (
            f"{path}: dtype {ours.dtype} != {theirs.dtype}")
        assert tuple(ours.shape) == tuple(theirs.shape), f"{path}: shape {ours.shape} != {theirs.shape}"
        assert np.array_equal(ours.numpy(), theirs.numpy()), f"{path}: values differ"
        return
    if isinstance(theirs, dict):
        assert type(ours).__name__ == type(theirs).__name__, f"{path}: {type(ours)} != {type(theirs)}"
        assert list(ours) == list(theirs), f"{path}: keys differ"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{path}[{key!r}]")
        return
    if isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__, f"{path}: {type(ours)} != {type(theirs)}"
        assert len(ours) == len(theirs), f"{path}: length {len(ours)} != {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{path}[{i}]")
        return
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray) and np.array_equal(ours, theirs), path
        return
    assert type(ours) is type(theirs) and ours == theirs, f"{path}: {ours!r} != {theirs!r}"


@pytest.fixture
def same(torch: Any) -> Any:
    """``same(ours, theirs)``: assert a gradkit batch equals a torch batch (see assert_same)."""
    return assert_same
