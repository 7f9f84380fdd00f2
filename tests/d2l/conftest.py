"""Shared fixtures of the book-toolkit tests: the torch oracle and closing figures."""
from __future__ import annotations

import sys
from typing import Any

import pytest

from oracle import import_torch


@pytest.fixture
def torch() -> Any:
    """torch, or a skip; a failure under GRADKIT_REQUIRE_TORCH=1."""
    return import_torch()


@pytest.fixture(autouse=True)
def _close_figures():
    # Figures left open by one test would pile up (matplotlib warns past 20).
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")

