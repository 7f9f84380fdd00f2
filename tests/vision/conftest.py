"""Fixtures for the vision tests: torch (as an oracle), the bundled datasets loaded once."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from oracle import import_torch


@pytest.fixture
def torch() -> Any:
    """torch, or a skip; a failure under GRADKIT_REQUIRE_TORCH=1."""
    return import_torch()


@pytest.fixture(scope="session")
def _fashion_splits() -> dict:
    from gradkit.vision import datasets

    # root=None: straight from the bundled copy, whatever is on this machine.
    return {train: datasets.FashionMNIST(None, train=train) for train in (True, False)}


@pytest.fixture
def fashion(_fashion_splits: dict) -> Callable[..., Any]:
    """``fashion(train=False, transform=None, target_transform=None)``: a FashionMNIST sharing
    the arrays loaded once per session (a shallow copy, so each test sets its own transforms)."""

    def make(train: bool = False, transform: Any = None, target_transform: Any = None) -> Any:
        dataset = copy.copy(_fashion_splits[train])
        dataset.transform, dataset.target_transform = transform, target_transform
        return dataset

    return make
